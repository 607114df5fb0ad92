"""What every public load balancer of the app shares: invalid-header dropping, access logs in
production, and the acknowledgements of port 80 and plain HTTP where there is no domain."""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_s3 as s3

from stacks.iam_policies import acknowledge, acknowledge_checkov


@dataclass(frozen=True)
class PublicService:
    """A service behind a public load balancer (its own ALB, or the lean profile's shared
    one): what monitoring, the alarms and the outputs read from it."""

    service: ecs.FargateService
    target_group: elbv2.ApplicationTargetGroup
    load_balancer: elbv2.IApplicationLoadBalancer
    url: str


NO_ACCESS_LOGS_REASON = (
    "The design keeps access logs to production (cost), where every load balancer writes "
    "them into the access-logs bucket; request metrics come from the ALB and Prometheus."
)


def harden_load_balancer(
    load_balancer: elbv2.ApplicationLoadBalancer,
    *,
    access_logs_bucket: s3.IBucket | None,
    access_logs_prefix: str,
) -> None:
    """Drop header fields that are not valid HTTP (smuggling and spoofing), and write access
    logs under ``access_logs_prefix`` of the access-logs bucket when there is one."""
    load_balancer.set_attribute("routing.http.drop_invalid_header_fields.enabled", "true")
    if access_logs_bucket is not None:
        load_balancer.log_access_logs(access_logs_bucket, access_logs_prefix)
    else:
        acknowledge(load_balancer, "AwsSolutions-ELB2", NO_ACCESS_LOGS_REASON)
        acknowledge_checkov(load_balancer, "CKV_AWS_91", NO_ACCESS_LOGS_REASON)


def plain_http_reason(what: str) -> str:
    return (
        f"Without a domain there is no certificate: {what} is served over HTTP on the ALB's "
        "DNS name (design: no custom domain needed); setting domain_name turns on HTTPS with "
        "port 80 redirecting to 443."
    )


def acknowledge_port_80(security_group: ec2.ISecurityGroup, *, https: bool, what: str) -> None:
    """Port 80 open to the internet: a redirect to HTTPS, or plain HTTP without a domain."""
    acknowledge_checkov(
        security_group,
        "CKV_AWS_260",
        "Port 80 only answers with a redirect to HTTPS on 443, so browsers typing the bare "
        "host name arrive at TLS."
        if https
        else plain_http_reason(what),
    )


def acknowledge_plain_http_listener(listener: elbv2.IApplicationListener, what: str) -> None:
    for check_id in ("CKV_AWS_2", "CKV_AWS_103"):
        acknowledge_checkov(listener, check_id, plain_http_reason(what))


# Before every host rule (10, 20, ...): /metrics is refused whatever the host.
METRICS_RULE_PRIORITY = 1


def refuse_metrics(listener: elbv2.ApplicationListener, construct_id: str) -> None:
    """The app's /metrics are for Prometheus, which scrapes the tasks directly (Cloud Map); a
    public load balancer answers 404 for them, so they tell nobody else the app's internals."""
    listener.add_action(
        construct_id,
        priority=METRICS_RULE_PRIORITY,
        conditions=[elbv2.ListenerCondition.path_patterns(["/metrics", "/metrics/*"])],
        action=elbv2.ListenerAction.fixed_response(
            404, content_type="text/plain", message_body="Not found"
        ),
    )
