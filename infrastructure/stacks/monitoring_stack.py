"""MonitoringStack: Prometheus and Grafana on ECS with EFS, their ALB, SSM-held configuration,
the dashboards delivered through S3, and at most five critical CloudWatch alarms."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_ecs_patterns as ecs_patterns
from aws_cdk import aws_efs as efs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as route53_targets
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_servicediscovery as servicediscovery
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from stacks.base import FamilyBudgetStack
from stacks.config import (
    CONFIG_INIT_IMAGE,
    GRAFANA_IMAGE,
    PROMETHEUS_IMAGE,
    EnvironmentConfig,
)
from stacks.iam_policies import acknowledge, nag_ref, open_egress, secret_reference

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent.parent
MONITORING_DIR = REPOSITORY_ROOT / "monitoring"
PROMETHEUS_CONFIG_FILE = MONITORING_DIR / "prometheus" / "prometheus.yml"
GRAFANA_DATASOURCE_FILE = (
    MONITORING_DIR / "grafana" / "provisioning" / "datasources" / "prometheus.yml"
)
GRAFANA_DASHBOARD_PROVIDER_FILE = (
    MONITORING_DIR / "grafana" / "provisioning" / "dashboards" / "family-budget.yml"
)
GRAFANA_DASHBOARDS_DIR = MONITORING_DIR / "grafana" / "dashboards"
DASHBOARDS_KEY_PREFIX = "grafana/dashboards/"

PROMETHEUS_PORT = 9090
GRAFANA_PORT = 3000
PROMETHEUS_RETENTION = "15d"
GRAFANA_CONFIG_PATH = "/etc/grafana-config"
PROMETHEUS_CONFIG_PATH = "/etc/prometheus-config"
GIB = 1024**3


def render_prometheus_config(environment: str) -> str:
    """The AWS scrape configuration with ``{env}`` replaced by the environment name."""
    return PROMETHEUS_CONFIG_FILE.read_text(encoding="utf-8").replace("{env}", environment)


def dashboard_files() -> list[Path]:
    """Every file that ships to Grafana (the whole dashboards folder)."""
    return sorted(p for p in GRAFANA_DASHBOARDS_DIR.rglob("*") if p.is_file())


def dashboards_digest() -> str:
    """Content hash of the dashboards folder: a change rolls the Grafana task."""
    digest = hashlib.sha256()
    for path in dashboard_files():
        digest.update(path.relative_to(GRAFANA_DASHBOARDS_DIR).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


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
        backend_service: ecs_patterns.ApplicationLoadBalancedFargateService,
        frontend_service: ecs_patterns.ApplicationLoadBalancedFargateService,
        worker_service: ecs.FargateService,
        database: rds.DatabaseInstance,
        alarm_email: str | None,
        ingress_cidr: str,
        certificate: acm.ICertificate | None = None,
        hosted_zone: route53.IHostedZone | None = None,
        domain_name: str | None = None,
        encryption_key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        vpc = cluster.vpc
        removal = RemovalPolicy.RETAIN if config.retain_data else RemovalPolicy.DESTROY
        private_subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)

        # --- Configuration in SSM ----------------------------------------------------------
        self.prometheus_config_parameter = ssm.StringParameter(
            self,
            "PrometheusConfig",
            parameter_name=f"/{config.name}/monitoring/prometheus-config",
            description="Prometheus scrape configuration (monitoring/prometheus/prometheus.yml)",
            string_value=render_prometheus_config(config.name),
            tier=ssm.ParameterTier.STANDARD,
        )
        self.grafana_datasource_parameter = ssm.StringParameter(
            self,
            "GrafanaDatasource",
            parameter_name=f"/{config.name}/monitoring/grafana/datasource",
            description="Grafana datasource provisioning",
            string_value=GRAFANA_DATASOURCE_FILE.read_text(encoding="utf-8"),
            tier=ssm.ParameterTier.STANDARD,
        )
        self.grafana_dashboard_parameter = ssm.StringParameter(
            self,
            "GrafanaDashboardProvider",
            parameter_name=f"/{config.name}/monitoring/grafana/dashboard",
            description="Grafana dashboard provisioning (the dashboards themselves are in S3)",
            string_value=GRAFANA_DASHBOARD_PROVIDER_FILE.read_text(encoding="utf-8"),
            tier=ssm.ParameterTier.STANDARD,
        )

        # --- Dashboards: S3 asset -> bucket -> init container -> Grafana ------------------
        self.dashboards_bucket = s3.Bucket(
            self,
            "DashboardsBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=False,
        )
        acknowledge(
            self.dashboards_bucket,
            "AwsSolutions-S1",
            "Holds only the dashboards copied from this repository on deploy; every change "
            "is already recorded in git and CloudTrail.",
        )
        self.dashboards_deployment = s3deploy.BucketDeployment(
            self,
            "DashboardsDeployment",
            sources=[s3deploy.Source.asset(str(GRAFANA_DASHBOARDS_DIR))],
            destination_bucket=self.dashboards_bucket,
            destination_key_prefix=DASHBOARDS_KEY_PREFIX,
            prune=True,
            retain_on_delete=False,
            memory_limit=256,
        )
        self._acknowledge_bucket_deployment()

        # --- EFS ----------------------------------------------------------------------------
        self.file_system = efs.FileSystem(
            self,
            "MonitoringFileSystem",
            vpc=vpc,
            vpc_subnets=private_subnets,
            encrypted=True,
            kms_key=encryption_key,
            performance_mode=efs.PerformanceMode.GENERAL_PURPOSE,
            throughput_mode=efs.ThroughputMode.BURSTING,
            removal_policy=RemovalPolicy.RETAIN if config.efs_retain else RemovalPolicy.DESTROY,
            enable_automatic_backups=config.efs_backups,
        )
        self.prometheus_access_point = self.file_system.add_access_point(
            "PrometheusAccessPoint",
            path="/prometheus",
            create_acl=efs.Acl(owner_uid="65534", owner_gid="65534", permissions="755"),
            posix_user=efs.PosixUser(uid="65534", gid="65534"),
        )
        self.grafana_access_point = self.file_system.add_access_point(
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
            removal_policy=removal,
        )

        # --- Secrets ------------------------------------------------------------------------
        self.grafana_admin_secret = secretsmanager.Secret(
            self,
            "GrafanaAdminSecret",
            secret_name=config.secret_name("grafana-admin"),
            description="Grafana admin user",
            encryption_key=encryption_key,
            removal_policy=removal,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({"username": "admin"}),
                generate_string_key="password",
                password_length=32,
                exclude_punctuation=True,
            ),
        )
        acknowledge(
            self.grafana_admin_secret,
            "AwsSolutions-SMG4",
            "Grafana stores the admin password in its own database on first start; rotating "
            "the secret would not change it, so it is changed in Grafana and then here.",
        )

        # --- Security groups ----------------------------------------------------------------
        self.prometheus_security_group = open_egress(
            ec2.SecurityGroup(self, "PrometheusSecurityGroup", vpc=vpc, description="Prometheus")
        )
        self.grafana_security_group = open_egress(
            ec2.SecurityGroup(self, "GrafanaSecurityGroup", vpc=vpc, description="Grafana task")
        )
        self.grafana_security_group.connections.allow_to(
            self.prometheus_security_group, ec2.Port.tcp(PROMETHEUS_PORT), "Grafana queries"
        )
        for service, port, what in (
            (backend_service.service, 8000, "backend metrics"),
            (backend_service.service, 9187, "postgres-exporter"),
            (frontend_service.service, 3000, "frontend metrics"),
            (worker_service, 8000, "worker metrics"),
            (worker_service, 9121, "redis-exporter"),
        ):
            self.prometheus_security_group.connections.allow_to(
                service, ec2.Port.tcp(port), f"Prometheus scrapes {what}"
            )
        for group in (self.prometheus_security_group, self.grafana_security_group):
            self.file_system.connections.allow_default_port_from(group, "EFS from monitoring")

        # --- Load balancer (first: Grafana needs its public URL) --------------------------
        self._load_balancer(vpc, ingress_cidr, certificate, hosted_zone, domain_name)

        # --- Tasks and services ---------------------------------------------------------
        self.prometheus_service = self._prometheus(cluster, private_subnets)
        self.grafana_service = self._grafana(cluster, private_subnets)
        self._listeners(certificate, domain_name)

        # --- Alarms -----------------------------------------------------------------------
        self.alarms = self._alarms(
            cluster,
            backend_service,
            frontend_service,
            worker_service,
            database,
            alarm_email,
            encryption_key,
        )
        self._outputs()

    # ------------------------------------------------------------------------------------
    def _acknowledge_bucket_deployment(self) -> None:
        """The aws-cdk-lib BucketDeployment function is a singleton at stack level."""
        handler = next(
            child
            for child in self.node.children
            if child.node.id.startswith("Custom::CDKBucketDeployment")
        )
        acknowledge(
            handler,
            "AwsSolutions-L1",
            "The BucketDeployment function and its runtime are managed by aws-cdk-lib.",
        )
        acknowledge(
            handler,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
            "The BucketDeployment function (aws-cdk-lib) logs through the AWS managed policy.",
        )
        for action in (
            "s3:GetObject*",
            "s3:GetBucket*",
            "s3:List*",
            "s3:DeleteObject*",
            "s3:Abort*",
        ):
            acknowledge(
                handler,
                f"AwsSolutions-IAM5[Action::{action}]",
                "aws-cdk-lib's BucketDeployment grants: it reads the asset and syncs (prunes) "
                "the dashboards prefix of this stack's bucket.",
            )
        acknowledge(
            handler,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-"
            f"{self.account}-{self.region}/*]",
            "BucketDeployment reads its source zip from the CDK bootstrap asset bucket, whose "
            "object keys are content hashes.",
        )
        acknowledge(
            handler,
            f"AwsSolutions-IAM5[Resource::{nag_ref(self.dashboards_bucket, 'Arn')}/*]",
            "BucketDeployment writes and prunes objects in this stack's dashboards bucket.",
        )

    def _task(self, construct_id: str) -> ecs.FargateTaskDefinition:
        size = self.config.monitoring_size
        return ecs.FargateTaskDefinition(
            self, construct_id, cpu=size.cpu, memory_limit_mib=size.memory_mib
        )

    def _logging(self, prefix: str) -> ecs.LogDriver:
        return ecs.LogDrivers.aws_logs(stream_prefix=prefix, log_group=self.log_group)

    def _efs_volume(
        self, task: ecs.FargateTaskDefinition, name: str, access_point: efs.IAccessPoint
    ) -> None:
        task.add_volume(
            name=name,
            efs_volume_configuration=ecs.EfsVolumeConfiguration(
                file_system_id=self.file_system.file_system_id,
                transit_encryption="ENABLED",
                authorization_config=ecs.AuthorizationConfig(
                    access_point_id=access_point.access_point_id, iam="ENABLED"
                ),
            ),
        )
        self.file_system.grant(
            task.task_role, "elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"
        )

    def _service(
        self,
        construct_id: str,
        cluster: ecs.ICluster,
        task: ecs.FargateTaskDefinition,
        security_group: ec2.ISecurityGroup,
        discovery_name: str,
        subnets: ec2.SubnetSelection,
    ) -> ecs.FargateService:
        # One task, never two at once: both keep a lock on their EFS data directory.
        return ecs.FargateService(
            self,
            construct_id,
            cluster=cluster,
            task_definition=task,
            desired_count=1,
            min_healthy_percent=0,
            max_healthy_percent=100,
            security_groups=[security_group],
            vpc_subnets=subnets,
            assign_public_ip=False,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            health_check_grace_period=Duration.seconds(120),
            cloud_map_options=ecs.CloudMapOptions(
                name=discovery_name, dns_record_type=servicediscovery.DnsRecordType.A
            ),
        )

    def _prometheus(
        self, cluster: ecs.ICluster, subnets: ec2.SubnetSelection
    ) -> ecs.FargateService:
        task = self._task("PrometheusTask")
        self._efs_volume(task, "prometheus-data", self.prometheus_access_point)
        task.add_volume(name="prometheus-config")
        init = task.add_container(
            "config",
            image=ecs.ContainerImage.from_registry(CONFIG_INIT_IMAGE),
            essential=False,
            entry_point=["sh", "-c"],
            command=['printf "%s" "$PROMETHEUS_CONFIG" > /config/prometheus.yml'],
            secrets={
                "PROMETHEUS_CONFIG": ecs.Secret.from_ssm_parameter(self.prometheus_config_parameter)
            },
            logging=self._logging("prometheus-config"),
        )
        init.add_mount_points(
            ecs.MountPoint(
                container_path="/config", source_volume="prometheus-config", read_only=False
            )
        )
        prometheus = task.add_container(
            "prometheus",
            image=ecs.ContainerImage.from_registry(PROMETHEUS_IMAGE),
            essential=True,
            command=[
                f"--config.file={PROMETHEUS_CONFIG_PATH}/prometheus.yml",
                "--storage.tsdb.path=/prometheus",
                f"--storage.tsdb.retention.time={PROMETHEUS_RETENTION}",
                "--web.console.libraries=/usr/share/prometheus/console_libraries",
                "--web.console.templates=/usr/share/prometheus/consoles",
            ],
            port_mappings=[ecs.PortMapping(container_port=PROMETHEUS_PORT)],
            logging=self._logging("prometheus"),
        )
        prometheus.add_mount_points(
            ecs.MountPoint(
                container_path="/prometheus", source_volume="prometheus-data", read_only=False
            ),
            ecs.MountPoint(
                container_path=PROMETHEUS_CONFIG_PATH,
                source_volume="prometheus-config",
                read_only=True,
            ),
        )
        prometheus.add_container_dependencies(
            ecs.ContainerDependency(
                container=init, condition=ecs.ContainerDependencyCondition.SUCCESS
            )
        )
        return self._service(
            "PrometheusService",
            cluster,
            task,
            self.prometheus_security_group,
            "prometheus",
            subnets,
        )

    def _grafana(self, cluster: ecs.ICluster, subnets: ec2.SubnetSelection) -> ecs.FargateService:
        task = self._task("GrafanaTask")
        self._efs_volume(task, "grafana-data", self.grafana_access_point)
        task.add_volume(name="grafana-config")
        task.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[self.dashboards_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{DASHBOARDS_KEY_PREFIX}*"]}},
            )
        )
        task.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[self.dashboards_bucket.arn_for_objects(f"{DASHBOARDS_KEY_PREFIX}*")],
            )
        )
        acknowledge(
            task.task_role,
            f"AwsSolutions-IAM5[Resource::{nag_ref(self.dashboards_bucket, 'Arn')}/"
            f"{DASHBOARDS_KEY_PREFIX}*]",
            "The init container copies every dashboard under the grafana/dashboards/ prefix "
            "of the stack's own dashboards bucket; the file names change with the repository.",
        )
        acknowledge(
            task,
            "AwsSolutions-ECS2",
            "Only non-secret settings are environment variables; the admin credentials and "
            "the provisioning files come from Secrets Manager and SSM.",
        )
        source = f"s3://{self.dashboards_bucket.bucket_name}/{DASHBOARDS_KEY_PREFIX}"
        script = " && ".join(
            [
                "set -eu",
                "mkdir -p /config/provisioning/datasources /config/provisioning/dashboards "
                "/config/dashboards",
                'printf "%s" "$GRAFANA_DATASOURCE" > '
                "/config/provisioning/datasources/prometheus.yml",
                'printf "%s" "$GRAFANA_DASHBOARD_PROVIDER" > '
                "/config/provisioning/dashboards/family-budget.yml",
                'aws s3 sync --delete --only-show-errors "$DASHBOARDS_SOURCE" /config/dashboards/',
                "chmod -R a+rX /config",
            ]
        )
        init = task.add_container(
            "config",
            image=ecs.ContainerImage.from_registry(CONFIG_INIT_IMAGE),
            essential=False,
            entry_point=["sh", "-c"],
            command=[script],
            environment={
                "DASHBOARDS_SOURCE": source,
                # Changes with the dashboards, so a new dashboard rolls the Grafana task.
                "DASHBOARDS_SHA256": dashboards_digest(),
            },
            secrets={
                "GRAFANA_DATASOURCE": ecs.Secret.from_ssm_parameter(
                    self.grafana_datasource_parameter
                ),
                "GRAFANA_DASHBOARD_PROVIDER": ecs.Secret.from_ssm_parameter(
                    self.grafana_dashboard_parameter
                ),
            },
            logging=self._logging("grafana-config"),
        )
        init.add_mount_points(
            ecs.MountPoint(
                container_path="/config", source_volume="grafana-config", read_only=False
            )
        )
        admin_secret = secret_reference(self, "GrafanaAdminSecretRef", self.grafana_admin_secret)
        grafana = task.add_container(
            "grafana",
            image=ecs.ContainerImage.from_registry(GRAFANA_IMAGE),
            essential=True,
            port_mappings=[ecs.PortMapping(container_port=GRAFANA_PORT)],
            environment={
                "GF_PATHS_PROVISIONING": f"{GRAFANA_CONFIG_PATH}/provisioning",
                "GRAFANA_DASHBOARDS_PATH": f"{GRAFANA_CONFIG_PATH}/dashboards",
                "PROMETHEUS_URL": f"http://prometheus.{self.config.namespace}:{PROMETHEUS_PORT}",
                "GF_AUTH_ANONYMOUS_ENABLED": "false",
                "GF_SECURITY_ALLOW_EMBEDDING": "true",
                "GF_USERS_ALLOW_SIGN_UP": "false",
                "GF_ANALYTICS_REPORTING_ENABLED": "false",
                "GF_SERVER_ROOT_URL": self.grafana_url,
            },
            secrets={
                "GF_SECURITY_ADMIN_USER": ecs.Secret.from_secrets_manager(admin_secret, "username"),
                "GF_SECURITY_ADMIN_PASSWORD": ecs.Secret.from_secrets_manager(
                    admin_secret, "password"
                ),
            },
            logging=self._logging("grafana"),
        )
        grafana.add_mount_points(
            ecs.MountPoint(
                container_path="/var/lib/grafana", source_volume="grafana-data", read_only=False
            ),
            ecs.MountPoint(
                container_path=GRAFANA_CONFIG_PATH, source_volume="grafana-config", read_only=True
            ),
        )
        grafana.add_container_dependencies(
            ecs.ContainerDependency(
                container=init, condition=ecs.ContainerDependencyCondition.SUCCESS
            )
        )
        service = self._service(
            "GrafanaService", cluster, task, self.grafana_security_group, "grafana", subnets
        )
        # The dashboards must be in the bucket before the first Grafana task copies them.
        service.node.add_dependency(self.dashboards_deployment)
        return service

    def _load_balancer(
        self,
        vpc: ec2.IVpc,
        ingress_cidr: str,
        certificate: acm.ICertificate | None,
        hosted_zone: route53.IHostedZone | None,
        domain_name: str | None,
    ) -> None:
        self.load_balancer_security_group = ec2.SecurityGroup(
            self,
            "MonitoringAlbSecurityGroup",
            vpc=vpc,
            description="Monitoring ALB: Grafana/Prometheus from the allowed CIDR",
        )
        ports = [80, 443] if certificate is not None else [80, PROMETHEUS_PORT]
        for port in ports:
            self.load_balancer_security_group.add_ingress_rule(
                ec2.Peer.ipv4(ingress_cidr), ec2.Port.tcp(port), f"Monitoring UI on {port}"
            )
        self.load_balancer = elbv2.ApplicationLoadBalancer(
            self,
            "MonitoringAlb",
            vpc=vpc,
            internet_facing=True,
            load_balancer_name=f"{self.config.name}-monitoring"[:32],
            security_group=self.load_balancer_security_group,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PUBLIC),
        )
        acknowledge(
            self.load_balancer,
            "AwsSolutions-ELB2",
            "ALB access logs are left off to keep monitoring costs minimal (design: "
            "CloudWatch Usage); Grafana keeps its own audit of logins.",
        )
        if ingress_cidr == "0.0.0.0/0":
            acknowledge(
                self.load_balancer_security_group,
                "AwsSolutions-EC23",
                "The design opens the monitoring ALB to the internet; Grafana requires a "
                "login. Set monitoring_ingress_cidr in the context to restrict it (README).",
            )
        dns = self.load_balancer.load_balancer_dns_name
        if certificate is not None and domain_name and hosted_zone is not None:
            self.grafana_host: str | None = self.config.host("grafana", domain_name)
            self.prometheus_host: str | None = self.config.host("prometheus", domain_name)
            self.grafana_url = f"https://{self.grafana_host}"
            self.prometheus_url = f"https://{self.prometheus_host}"
            target = route53.RecordTarget.from_alias(
                route53_targets.LoadBalancerTarget(self.load_balancer)
            )
            for record_id, host in (
                ("GrafanaRecord", self.grafana_host),
                ("PrometheusRecord", self.prometheus_host),
            ):
                route53.ARecord(self, record_id, zone=hosted_zone, record_name=host, target=target)
        else:
            self.grafana_host = None
            self.prometheus_host = None
            self.grafana_url = f"http://{dns}"
            self.prometheus_url = f"http://{dns}:{PROMETHEUS_PORT}"

    def _listeners(self, certificate: acm.ICertificate | None, domain_name: str | None) -> None:
        vpc = self.load_balancer.vpc
        self.grafana_target_group = elbv2.ApplicationTargetGroup(
            self,
            "GrafanaTargetGroup",
            vpc=vpc,
            port=GRAFANA_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            targets=[self.grafana_service],
            health_check=elbv2.HealthCheck(path="/api/health", healthy_http_codes="200"),
            deregistration_delay=Duration.seconds(15),
        )
        self.prometheus_target_group = elbv2.ApplicationTargetGroup(
            self,
            "PrometheusTargetGroup",
            vpc=vpc,
            port=PROMETHEUS_PORT,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            targets=[self.prometheus_service],
            health_check=elbv2.HealthCheck(path="/-/healthy", healthy_http_codes="200"),
            deregistration_delay=Duration.seconds(15),
        )
        if certificate is not None and self.prometheus_host is not None:
            https = self.load_balancer.add_listener(
                "HttpsListener",
                port=443,
                protocol=elbv2.ApplicationProtocol.HTTPS,
                certificates=[certificate],
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
            self.load_balancer.add_redirect(source_port=80, target_port=443, open=False)
        else:
            self.load_balancer.add_listener(
                "HttpListener",
                port=80,
                protocol=elbv2.ApplicationProtocol.HTTP,
                default_target_groups=[self.grafana_target_group],
                open=False,
            )
            self.load_balancer.add_listener(
                "PrometheusListener",
                port=PROMETHEUS_PORT,
                protocol=elbv2.ApplicationProtocol.HTTP,
                default_target_groups=[self.prometheus_target_group],
                open=False,
            )

    def _alarms(
        self,
        cluster: ecs.ICluster,
        backend_service: ecs_patterns.ApplicationLoadBalancedFargateService,
        frontend_service: ecs_patterns.ApplicationLoadBalancedFargateService,
        worker_service: ecs.FargateService,
        database: rds.DatabaseInstance,
        alarm_email: str | None,
        encryption_key: kms.IKey | None,
    ) -> list[cloudwatch.Alarm]:
        config = self.config
        self.alarm_topic = sns.Topic(
            self,
            "AlarmTopic",
            topic_name=f"{config.name}-critical-alarms",
            display_name=f"Family Budget {config.name} critical alarms",
            master_key=encryption_key,
            enforce_ssl=True,
        )
        if encryption_key is None:
            acknowledge(
                self.alarm_topic,
                "AwsSolutions-SNS2",
                "CloudWatch can only publish to a topic encrypted with a customer managed key, "
                "which the design creates in production only; alarm messages hold no user data.",
            )
        if alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        action = cloudwatch_actions.SnsAction(self.alarm_topic)

        def running(service: ecs.IBaseService) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="ECS/ContainerInsights",
                metric_name="RunningTaskCount",
                dimensions_map={
                    "ClusterName": cluster.cluster_name,
                    "ServiceName": service.service_name,
                },
                statistic="Minimum",
                period=Duration.minutes(1),
            )

        services_metrics: dict[str, cloudwatch.IMetric] = {
            "backend": running(backend_service.service),
            "frontend": running(frontend_service.service),
            "worker": running(worker_service),
        }
        down = "MIN([backend, frontend, worker]) < 1"
        description = "A service (backend, frontend or worker) has no running task"
        if config.production_alarms:
            # Folded into one alarm to stay within five: a service with no running task, or
            # an ALB with an unhealthy target, for five minutes.
            services_metrics["backendUnhealthy"] = (
                backend_service.target_group.metrics.unhealthy_host_count(
                    period=Duration.minutes(1), statistic="Maximum"
                )
            )
            services_metrics["frontendUnhealthy"] = (
                frontend_service.target_group.metrics.unhealthy_host_count(
                    period=Duration.minutes(1), statistic="Maximum"
                )
            )
            down = f"{down} OR MAX([backendUnhealthy, frontendUnhealthy]) > 0"
            description += ", or an ALB target is unhealthy"
        alarms = [
            cloudwatch.Alarm(
                self,
                "ServicesDownAlarm",
                alarm_name=f"{config.prefix}-services-down",
                alarm_description=f"CRITICAL: {description} for 5 minutes",
                metric=cloudwatch.MathExpression(
                    expression=f"IF({down}, 1, 0)",
                    using_metrics=services_metrics,
                    period=Duration.minutes(1),
                    label="services down",
                ),
                threshold=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluation_periods=5,
                treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
            ),
            cloudwatch.Alarm(
                self,
                "DatabaseStorageAlarm",
                alarm_name=f"{config.prefix}-database-storage-low",
                alarm_description="CRITICAL: database free storage below 5 GB",
                metric=database.metric_free_storage_space(
                    period=Duration.minutes(5), statistic="Minimum"
                ),
                threshold=5 * GIB,
                comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.MISSING,
            ),
            cloudwatch.Alarm(
                self,
                "DatabaseCpuAlarm",
                alarm_name=f"{config.prefix}-database-cpu-high",
                alarm_description="CRITICAL: database CPU above 95% for 15 minutes",
                metric=database.metric_cpu_utilization(
                    period=Duration.minutes(5), statistic="Average"
                ),
                threshold=95,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=3,
                treat_missing_data=cloudwatch.TreatMissingData.MISSING,
            ),
        ]
        if config.production_alarms:
            lb_metrics = backend_service.load_balancer.metrics
            alarms.append(
                cloudwatch.Alarm(
                    self,
                    "ErrorRateAlarm",
                    alarm_name=f"{config.prefix}-backend-5xx-rate",
                    alarm_description="CRITICAL: over 50% of backend responses are 5xx for 10 "
                    "minutes",
                    metric=cloudwatch.MathExpression(
                        expression="IF(requests > 0, errors / requests, 0)",
                        using_metrics={
                            "errors": lb_metrics.http_code_target(
                                elbv2.HttpCodeTarget.TARGET_5XX_COUNT,
                                period=Duration.minutes(5),
                                statistic="Sum",
                            ),
                            "requests": lb_metrics.request_count(
                                period=Duration.minutes(5), statistic="Sum"
                            ),
                        },
                        period=Duration.minutes(5),
                        label="5xx ratio",
                    ),
                    threshold=0.5,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    evaluation_periods=2,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            )
            alarms.append(
                cloudwatch.Alarm(
                    self,
                    "DatabaseConnectionsAlarm",
                    alarm_name=f"{config.prefix}-database-connections-high",
                    alarm_description="CRITICAL: database connections above 90% of "
                    f"max_connections ({config.db_max_connections}) for 5 minutes",
                    metric=database.metric_database_connections(
                        period=Duration.minutes(1), statistic="Maximum"
                    ),
                    threshold=int(config.db_max_connections * 0.9),
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    evaluation_periods=5,
                    treat_missing_data=cloudwatch.TreatMissingData.MISSING,
                )
            )
        for alarm in alarms:
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)
        return alarms

    def _outputs(self) -> None:
        outputs = {
            "GrafanaUrl": self.grafana_url,
            "PrometheusUrl": self.prometheus_url,
            "GrafanaAdminSecretArn": self.grafana_admin_secret.secret_arn,
            "AlarmTopicArn": self.alarm_topic.topic_arn,
            "GrafanaServiceName": self.grafana_service.service_name,
            "PrometheusServiceName": self.prometheus_service.service_name,
            "GrafanaTargetGroupArn": self.grafana_target_group.target_group_arn,
            "PrometheusTargetGroupArn": self.prometheus_target_group.target_group_arn,
            "MonitoringLoadBalancerDns": self.load_balancer.load_balancer_dns_name,
            "DashboardsBucketName": self.dashboards_bucket.bucket_name,
        }
        for key, value in outputs.items():
            CfnOutput(self, key, value=value, export_name=f"{self.config.name}-Monitoring-{key}")
