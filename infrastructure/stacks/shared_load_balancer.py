"""The lean profile's one load balancer, shared by every entry point of an environment.

The standard profile gives the backend, the frontend and monitoring an ALB each (the design);
lean keeps the four entry points on one ALB (one hourly charge and two public addresses
instead of three and six):

- with a domain: HTTPS on 443 with a host rule per entry point (``api``, ``app`` here;
  ``grafana`` and ``prometheus`` from MonitoringStack, which also limits them to
  ``monitoring_ingress_cidr``), port 80 redirecting to 443, anything else a 404;
- without one: a listener per entry point on a port of the ALB's DNS name: the app on 80, the
  API on 8000 (here), Grafana on 3000 and Prometheus on 9090 (MonitoringStack).
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from aws_cdk import aws_s3 as s3

from stacks.config import EnvironmentConfig
from stacks.iam_policies import acknowledge
from stacks.load_balancers import (
    acknowledge_plain_http_listener,
    acknowledge_port_80,
    harden_load_balancer,
    refuse_metrics,
)
from stacks.refs import DnsRefs, SharedLoadBalancerRefs

# Without a domain, each entry point is a port of the one DNS name.
APP_PORT = 80
API_PORT = 8000
GRAFANA_ENTRY_PORT = 3000
PROMETHEUS_ENTRY_PORT = 9090
# With a domain, the host rules' priorities (lower wins; hosts never overlap).
HOST_RULE_PRIORITY = {"api": 10, "app": 20, "grafana": 30, "prometheus": 40}


class SharedLoadBalancer:
    """The ALB, its security group and (with a domain) the HTTPS listener and redirect."""

    def __init__(
        self,
        stack: Stack,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc,
        dns: DnsRefs | None,
        access_logs_bucket: s3.IBucket | None,
    ) -> None:
        self.stack = stack
        self.config = config
        self.dns = dns
        # All outbound: the ALB only ever opens connections to its targets, and rules of
        # targets in MonitoringStack must not be written into this stack's group (a cycle).
        self.security_group = ec2.SecurityGroup(
            stack,
            "SharedAlbSecurityGroup",
            vpc=vpc,
            description="Shared ALB: the app, the API and monitoring",
            allow_all_outbound=True,
        )
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            stack,
            "SharedAlb",
            vpc=vpc,
            internet_facing=True,
            load_balancer_name=f"{config.name}-shared"[:32],
            security_group=self.security_group,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
        )
        harden_load_balancer(
            self.load_balancer,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix="alb/shared",
        )
        acknowledge(
            self.security_group,
            "AwsSolutions-EC23",
            "This is the public entry point of the application; it must accept HTTP(S) from "
            "the internet (HTTP only redirects to HTTPS when a certificate exists).",
        )
        acknowledge_port_80(self.security_group, https=dns is not None, what="the app")
        self.https_listener: elbv2.ApplicationListener | None = None
        if dns is not None:
            self.https_listener = self.load_balancer.add_listener(
                "HttpsListener",
                port=443,
                protocol=elbv2.ApplicationProtocol.HTTPS,
                certificates=[dns.certificate],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
                default_action=elbv2.ListenerAction.fixed_response(
                    404, content_type="text/plain", message_body="Unknown host"
                ),
                open=True,
            )
            self.load_balancer.add_redirect(source_port=80, target_port=443, open=True)
            refuse_metrics(self.https_listener, "HttpsNoMetrics")

    def add_entry_point(
        self,
        construct_id: str,
        *,
        host_name: str,
        plain_port: int,
        target_group: elbv2.ApplicationTargetGroup,
    ) -> str:
        """Route ``host_name`` (with a domain) or ``plain_port`` to ``target_group``; the URL."""
        dns = self.dns
        if dns is None or self.https_listener is None:
            listener = self.load_balancer.add_listener(
                f"{construct_id}Listener",
                port=plain_port,
                protocol=elbv2.ApplicationProtocol.HTTP,
                default_target_groups=[target_group],
                open=True,
            )
            acknowledge_plain_http_listener(listener, construct_id.lower())
            refuse_metrics(listener, f"{construct_id}NoMetrics")
            address = self.load_balancer.load_balancer_dns_name
            return f"http://{address}" if plain_port == 80 else f"http://{address}:{plain_port}"
        host = self.config.host(host_name, dns.domain_name)
        self.https_listener.add_target_groups(
            f"{construct_id}Host",
            priority=HOST_RULE_PRIORITY[host_name],
            conditions=[elbv2.ListenerCondition.host_headers([host])],
            target_groups=[target_group],
        )
        route53.ARecord(
            self.stack,
            f"{construct_id}Record",
            zone=dns.hosted_zone,
            record_name=host,
            target=route53.RecordTarget.from_alias(
                route53_targets.LoadBalancerTarget(self.load_balancer)
            ),
        )
        return f"https://{host}"

    @property
    def refs(self) -> SharedLoadBalancerRefs:
        return SharedLoadBalancerRefs(
            load_balancer_arn=self.load_balancer.load_balancer_arn,
            dns_name=self.load_balancer.load_balancer_dns_name,
            canonical_hosted_zone_id=self.load_balancer.load_balancer_canonical_hosted_zone_id,
            security_group_id=self.security_group.security_group_id,
            https_listener_arn=(
                self.https_listener.listener_arn if self.https_listener is not None else None
            ),
        )
