"""MonitoringStack: Prometheus and Grafana on ECS with EFS, their ALB, SSM-held configuration,
the dashboards delivered through S3, and at most five critical CloudWatch alarms.

The parts live in ``stacks/monitoring/``. They are plain classes that build their resources
in this stack's own scope, not constructs of their own, and the stack creates them in a
fixed order: that keeps every construct path as it was, hence every logical id, task family
and security-group rule id. A construct level in between would change the logical ids, and
CloudFormation would replace the running resources (and fail on the fixed names of the SSM
parameters, the secret and the alarms).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_efs as efs
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_servicediscovery as servicediscovery
from constructs import Construct

from stacks.base import FamilyBudgetStack
from stacks.compute_stack import (
    BACKEND_PORT,
    FRONTEND_PORT,
    POSTGRES_EXPORTER_PORT,
    REDIS_EXPORTER_PORT,
)
from stacks.config import EnvironmentConfig, removal_policy
from stacks.iam_policies import (
    NO_CUSTOMER_KEY_REASON,
    acknowledge,
    acknowledge_checkov,
    open_egress,
)
from stacks.load_balancers import PublicService
from stacks.monitoring.alarms import CriticalAlarms, alarm_on_failed_backup, alarm_topic_name
from stacks.monitoring.configuration import MonitoringConfiguration
from stacks.monitoring.grafana import Grafana, grafana_admin_secret
from stacks.monitoring.load_balancer import MonitoringLoadBalancer
from stacks.monitoring.prometheus import PROMETHEUS_PORT, Prometheus
from stacks.monitoring.tasks import MonitoringTasks
from stacks.refs import DnsRefs, SharedLoadBalancerRefs


class MonitoringStack(FamilyBudgetStack):
    """Cost-effective observability: Prometheus/Grafana for metrics, CloudWatch for paging."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        cluster: ecs.ICluster,
        namespace: servicediscovery.IPrivateDnsNamespace,
        backend_service: PublicService,
        frontend_service: PublicService,
        worker_service: ecs.FargateService,
        backup_task: ecs.FargateTaskDefinition,
        database: rds.DatabaseInstance,
        alarm_email: str | None,
        ingress_cidr: str,
        dns: DnsRefs | None = None,
        shared_load_balancer: SharedLoadBalancerRefs | None = None,
        access_logs_bucket: s3.IBucket | None = None,
        encryption_key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        vpc = cluster.vpc
        private_subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)

        # With a domain, the blackbox exporter probes the app and the API (one certificate,
        # *.{domain}, covers every host).
        probe_urls = (
            [
                f"https://{config.host('app', dns.domain_name)}/api/health",
                f"https://{config.host('api', dns.domain_name)}/health",
            ]
            if dns is not None
            else []
        )
        self.configuration = MonitoringConfiguration(
            self, config, alarm_topic_name=alarm_topic_name(config), probe_urls=probe_urls
        )

        # --- Shared by both services: EFS (one access point each) and one log group ------
        self.file_system = efs.FileSystem(
            self,
            "MonitoringFileSystem",
            vpc=vpc,
            vpc_subnets=private_subnets,
            encrypted=True,
            kms_key=encryption_key,
            performance_mode=efs.PerformanceMode.GENERAL_PURPOSE,
            throughput_mode=efs.ThroughputMode.BURSTING,
            removal_policy=removal_policy(retain=config.efs_retain),
            enable_automatic_backups=config.efs_backups,
        )
        prometheus_access_point = self.file_system.add_access_point(
            "PrometheusAccessPoint",
            path="/prometheus",
            create_acl=efs.Acl(owner_uid="65534", owner_gid="65534", permissions="755"),
            posix_user=efs.PosixUser(uid="65534", gid="65534"),
        )
        grafana_access_point = self.file_system.add_access_point(
            "GrafanaAccessPoint",
            path="/grafana",
            create_acl=efs.Acl(owner_uid="472", owner_gid="472", permissions="755"),
            posix_user=efs.PosixUser(uid="472", gid="472"),
        )
        self.log_group = logs.LogGroup(
            self,
            "MonitoringLogs",
            log_group_name=f"/ecs/{config.prefix}-monitoring",
            retention=config.log_retention,
            removal_policy=config.removal_policy,
            encryption_key=encryption_key,
        )
        if encryption_key is None:
            acknowledge_checkov(self.log_group, "CKV_AWS_158", NO_CUSTOMER_KEY_REASON)
        self.grafana_admin_secret = grafana_admin_secret(self, config, encryption_key)

        # --- Who talks to whom ------------------------------------------------------------
        prometheus_security_group = open_egress(
            ec2.SecurityGroup(self, "PrometheusSecurityGroup", vpc=vpc, description="Prometheus")
        )
        grafana_security_group = open_egress(
            ec2.SecurityGroup(self, "GrafanaSecurityGroup", vpc=vpc, description="Grafana task")
        )
        grafana_security_group.connections.allow_to(
            prometheus_security_group, ec2.Port.tcp(PROMETHEUS_PORT), "Grafana queries"
        )
        for service, port, what in (
            (backend_service.service, BACKEND_PORT, "backend metrics"),
            (backend_service.service, POSTGRES_EXPORTER_PORT, "postgres-exporter"),
            (frontend_service.service, FRONTEND_PORT, "frontend metrics"),
            (worker_service, BACKEND_PORT, "worker metrics"),
            (worker_service, REDIS_EXPORTER_PORT, "redis-exporter"),
        ):
            prometheus_security_group.connections.allow_to(
                service, ec2.Port.tcp(port), f"Prometheus scrapes {what}"
            )
        for group in (prometheus_security_group, grafana_security_group):
            self.file_system.connections.allow_default_port_from(group, "EFS from monitoring")

        # --- Load balancer first (Grafana needs its public URL), then the services --------
        self.load_balancer = MonitoringLoadBalancer(
            self,
            config=config,
            vpc=vpc,
            ingress_cidr=ingress_cidr,
            dns=dns,
            access_logs_bucket=access_logs_bucket,
            shared=shared_load_balancer,
        )
        tasks = MonitoringTasks(
            self,
            config=config,
            cluster=cluster,
            subnets=private_subnets,
            file_system=self.file_system,
            log_group=self.log_group,
        )
        self.prometheus = Prometheus(
            tasks,
            configuration=self.configuration,
            access_point=prometheus_access_point,
            security_group=prometheus_security_group,
        )
        self.grafana = Grafana(
            tasks,
            configuration=self.configuration,
            admin_secret=self.grafana_admin_secret,
            access_point=grafana_access_point,
            security_group=grafana_security_group,
            root_url=self.load_balancer.grafana_url,
        )
        self.load_balancer.add_targets(
            grafana=self.grafana.service, prometheus=self.prometheus.service
        )

        self.alarms = CriticalAlarms(
            self,
            config=config,
            cluster=cluster,
            backend_service=backend_service,
            frontend_service=frontend_service,
            worker_service=worker_service,
            database=database,
            alarm_email=alarm_email,
            encryption_key=encryption_key,
        )
        # Alertmanager (in the Prometheus task) publishes the Prometheus alerts to that topic.
        self.alarms.topic.grant_publish(self.prometheus.task.task_role)
        if encryption_key is not None:
            acknowledge(
                self.prometheus.task.task_role,
                "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                "Publishing to the KMS-encrypted alarm topic needs the GenerateDataKey family "
                "on the environment's single key (aws-cdk-lib grant).",
            )
        self.backup_failed = alarm_on_failed_backup(
            self,
            config=config,
            cluster=cluster,
            family=backup_task.family,
            topic=self.alarms.topic,
        )
        self._outputs()

    def _outputs(self) -> None:
        load_balancer = self.load_balancer
        outputs = {
            "GrafanaUrl": load_balancer.grafana_url,
            "PrometheusUrl": load_balancer.prometheus_url,
            "GrafanaAdminSecretArn": self.grafana_admin_secret.secret_arn,
            "AlarmTopicArn": self.alarms.topic.topic_arn,
            "GrafanaServiceName": self.grafana.service.service_name,
            "PrometheusServiceName": self.prometheus.service.service_name,
            "GrafanaTargetGroupArn": load_balancer.grafana_target_group.target_group_arn,
            "PrometheusTargetGroupArn": load_balancer.prometheus_target_group.target_group_arn,
            "MonitoringLoadBalancerDns": load_balancer.load_balancer.load_balancer_dns_name,
            "DashboardsBucketName": self.configuration.dashboards_bucket.bucket_name,
        }
        for key, value in outputs.items():
            CfnOutput(self, key, value=value, export_name=f"{self.config.name}-Monitoring-{key}")
