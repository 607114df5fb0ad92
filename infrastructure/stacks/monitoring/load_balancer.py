"""The monitoring ALB: Grafana (and Prometheus) from ``monitoring_ingress_cidr``.

With a domain: HTTPS, ``grafana.{domain}`` by default and ``prometheus.{domain}`` by host
header, HTTP redirected. Without one: Grafana on port 80, Prometheus on 9090 of the ALB.

Lean profile: no ALB of its own; the two entry points are added to ComputeStack's shared ALB
(stacks/shared_load_balancer.py), imported here from its references so that every rule
(listeners, host rules, security-group rules) lives in this stack: with a domain, host rules
``grafana.{domain}`` and ``prometheus.{domain}`` on its HTTPS listener, limited to
``monitoring_ingress_cidr`` by a source-IP condition; without one, Grafana on port 3000 and
Prometheus on 9090 of its DNS name, open to that range only.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
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
)
from stacks.monitoring.grafana import GRAFANA_PORT
from stacks.monitoring.prometheus import PROMETHEUS_PORT
from stacks.refs import DnsRefs, SharedLoadBalancerRefs
from stacks.shared_load_balancer import (
    GRAFANA_ENTRY_PORT,
    HOST_RULE_PRIORITY,
    PROMETHEUS_ENTRY_PORT,
)


class MonitoringLoadBalancer:
    """Built before the services (Grafana needs its public URL), targets added after them."""

    def __init__(
        self,
        stack: Stack,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc,
        ingress_cidr: str,
        dns: DnsRefs | None,
        access_logs_bucket: s3.IBucket | None,
        shared: SharedLoadBalancerRefs | None = None,
    ) -> None:
        self.stack = stack
        self.dns = dns
        self.config = config
        self.ingress_cidr = ingress_cidr
        self.vpc = vpc
        self.shared = shared
        if shared is not None:
            self._use_shared(shared)
            return
        self.security_group: ec2.ISecurityGroup = ec2.SecurityGroup(
            stack,
            "MonitoringAlbSecurityGroup",
            vpc=vpc,
            description="Monitoring ALB: Grafana/Prometheus from the allowed CIDR",
        )
        ports = [80, 443] if dns is not None else [80, PROMETHEUS_PORT]
        for port in ports:
            self.security_group.add_ingress_rule(
                ec2.Peer.ipv4(ingress_cidr), ec2.Port.tcp(port), f"Monitoring UI on {port}"
            )
        self.load_balancer: elbv2.IApplicationLoadBalancer = elbv2.ApplicationLoadBalancer(
            stack,
            "MonitoringAlb",
            vpc=vpc,
            internet_facing=True,
            load_balancer_name=f"{config.name}-monitoring"[:32],
            security_group=self.security_group,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
        )
        assert isinstance(self.load_balancer, elbv2.ApplicationLoadBalancer)
        harden_load_balancer(
            self.load_balancer,
            access_logs_bucket=access_logs_bucket,
            access_logs_prefix="alb/monitoring",
        )
        if ingress_cidr == "0.0.0.0/0":
            acknowledge(
                self.security_group,
                "AwsSolutions-EC23",
                "The design opens the monitoring ALB to the internet; Grafana requires a "
                "login. Set monitoring_ingress_cidr in the context to restrict it (README).",
            )
            acknowledge_port_80(self.security_group, https=dns is not None, what="Grafana")
        address = self.load_balancer.load_balancer_dns_name
        if dns is not None:
            self.grafana_host: str | None = config.host("grafana", dns.domain_name)
            self.prometheus_host: str | None = config.host("prometheus", dns.domain_name)
            self.grafana_url = f"https://{self.grafana_host}"
            self.prometheus_url = f"https://{self.prometheus_host}"
            target = route53.RecordTarget.from_alias(
                route53_targets.LoadBalancerTarget(self.load_balancer)
            )
            for record_id, host in (
                ("GrafanaRecord", self.grafana_host),
                ("PrometheusRecord", self.prometheus_host),
            ):
                route53.ARecord(
                    stack, record_id, zone=dns.hosted_zone, record_name=host, target=target
                )
        else:
            self.grafana_host = None
            self.prometheus_host = None
            self.grafana_url = f"http://{address}"
            self.prometheus_url = f"http://{address}:{PROMETHEUS_PORT}"

    def _use_shared(self, shared: SharedLoadBalancerRefs) -> None:
        """Import the shared ALB (its group, and the HTTPS listener with a domain)."""
        stack, dns = self.stack, self.dns
        self.security_group = ec2.SecurityGroup.from_security_group_id(
            stack, "SharedAlbSecurityGroupRef", shared.security_group_id, allow_all_outbound=True
        )
        self.load_balancer = (
            elbv2.ApplicationLoadBalancer.from_application_load_balancer_attributes(
                stack,
                "SharedAlbRef",
                load_balancer_arn=shared.load_balancer_arn,
                security_group_id=shared.security_group_id,
                load_balancer_dns_name=shared.dns_name,
                load_balancer_canonical_hosted_zone_id=shared.canonical_hosted_zone_id,
                security_group_allows_all_outbound=True,
            )
        )
        if dns is not None:
            self.grafana_host = self.config.host("grafana", dns.domain_name)
            self.prometheus_host = self.config.host("prometheus", dns.domain_name)
            self.grafana_url = f"https://{self.grafana_host}"
            self.prometheus_url = f"https://{self.prometheus_host}"
            target = route53.RecordTarget.from_alias(
                route53_targets.LoadBalancerTarget(self.load_balancer)
            )
            for record_id, host in (
                ("GrafanaRecord", self.grafana_host),
                ("PrometheusRecord", self.prometheus_host),
            ):
                route53.ARecord(
                    stack, record_id, zone=dns.hosted_zone, record_name=host, target=target
                )
        else:
            self.grafana_host = None
            self.prometheus_host = None
            address = shared.dns_name
            self.grafana_url = f"http://{address}:{GRAFANA_ENTRY_PORT}"
            self.prometheus_url = f"http://{address}:{PROMETHEUS_ENTRY_PORT}"

    def _add_shared_targets(self, shared: SharedLoadBalancerRefs) -> None:
        if shared.https_listener_arn is not None:
            listener = elbv2.ApplicationListener.from_application_listener_attributes(
                self.stack,
                "SharedHttpsListenerRef",
                listener_arn=shared.https_listener_arn,
                security_group=self.security_group,
            )
            # The ALB's 443 is open to the world for the app; these hosts answer only the
            # monitoring range (unless that range is the world, the design's default).
            source = (
                [elbv2.ListenerCondition.source_ips([self.ingress_cidr])]
                if self.ingress_cidr != "0.0.0.0/0"
                else []
            )
            for name, host, group in (
                ("Grafana", self.grafana_host, self.grafana_target_group),
                ("Prometheus", self.prometheus_host, self.prometheus_target_group),
            ):
                assert host is not None
                listener.add_target_groups(
                    f"{name}Host",
                    priority=HOST_RULE_PRIORITY[name.lower()],
                    conditions=[elbv2.ListenerCondition.host_headers([host]), *source],
                    target_groups=[group],
                )
            return
        if self.ingress_cidr == "0.0.0.0/0":
            acknowledge(
                self.security_group,
                "AwsSolutions-EC23",
                "The design opens the monitoring entry points to the internet; Grafana requires "
                "a login. Set monitoring_ingress_cidr in the context to restrict them (README).",
            )
        for name, port, group in (
            ("Grafana", GRAFANA_ENTRY_PORT, self.grafana_target_group),
            ("Prometheus", PROMETHEUS_ENTRY_PORT, self.prometheus_target_group),
        ):
            self.security_group.add_ingress_rule(
                ec2.Peer.ipv4(self.ingress_cidr), ec2.Port.tcp(port), f"{name} on {port}"
            )
            listener = elbv2.ApplicationListener(
                self.stack,
                f"{name}Listener",
                load_balancer=self.load_balancer,
                port=port,
                protocol=elbv2.ApplicationProtocol.HTTP,
                default_target_groups=[group],
                open=False,
            )
            acknowledge_plain_http_listener(listener, name)

    def add_targets(self, *, grafana: ecs.FargateService, prometheus: ecs.FargateService) -> None:
        vpc = self.vpc
        self.grafana_target_group = elbv2.ApplicationTargetGroup(
            self.stack,
            "GrafanaTargetGroup",
            vpc=vpc,
            port=GRAFANA_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            targets=[grafana],
            health_check=elbv2.HealthCheck(path="/api/health", healthy_http_codes="200"),
            deregistration_delay=Duration.seconds(15),
        )
        self.prometheus_target_group = elbv2.ApplicationTargetGroup(
            self.stack,
            "PrometheusTargetGroup",
            vpc=vpc,
            port=PROMETHEUS_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            targets=[prometheus],
            health_check=elbv2.HealthCheck(path="/-/healthy", healthy_http_codes="200"),
            deregistration_delay=Duration.seconds(15),
        )
        if self.shared is not None:
            self._add_shared_targets(self.shared)
        elif self.dns is not None and self.prometheus_host is not None:
            https = self.load_balancer.add_listener(
                "HttpsListener",
                port=443,
                protocol=elbv2.ApplicationProtocol.HTTPS,
                certificates=[self.dns.certificate],
                ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS,
                default_target_groups=[self.grafana_target_group],
                open=False,
            )
            https.add_target_groups(
                "PrometheusHost",
                priority=10,
                conditions=[elbv2.ListenerCondition.host_headers([self.prometheus_host])],
                target_groups=[self.prometheus_target_group],
            )
            assert isinstance(self.load_balancer, elbv2.ApplicationLoadBalancer)
            self.load_balancer.add_redirect(source_port=80, target_port=443, open=False)
        else:
            grafana_listener = self.load_balancer.add_listener(
                "HttpListener",
                port=80,
                protocol=elbv2.ApplicationProtocol.HTTP,
                default_target_groups=[self.grafana_target_group],
                open=False,
            )
            prometheus_listener = self.load_balancer.add_listener(
                "PrometheusListener",
                port=PROMETHEUS_PORT,
                protocol=elbv2.ApplicationProtocol.HTTP,
                default_target_groups=[self.prometheus_target_group],
                open=False,
            )
            acknowledge_plain_http_listener(grafana_listener, "Grafana")
            acknowledge_plain_http_listener(prometheus_listener, "Prometheus")
