"""What the Prometheus and Grafana tasks share: size, cluster, subnets, EFS and the log group."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_efs as efs
from aws_cdk import aws_logs as logs
from aws_cdk import aws_servicediscovery as servicediscovery

from stacks.compute_stack import capacity, runtime_platform
from stacks.config import EnvironmentConfig, ServiceName


class MonitoringTasks:
    """Builds the single-task Fargate services of the monitoring stack in ``stack``."""

    def __init__(
        self,
        stack: Stack,
        *,
        config: EnvironmentConfig,
        cluster: ecs.ICluster,
        subnets: ec2.SubnetSelection,
        file_system: efs.FileSystem,
        log_group: logs.ILogGroup,
    ) -> None:
        self.stack = stack
        self.config = config
        self.cluster = cluster
        self.subnets = subnets
        self.file_system = file_system
        self.log_group = log_group

    def task(self, construct_id: str) -> ecs.FargateTaskDefinition:
        size = self.config.monitoring_size
        # Standard: no runtime platform, as these tasks have always been (x86).
        return ecs.FargateTaskDefinition(
            self.stack,
            construct_id,
            cpu=size.cpu,
            memory_limit_mib=size.memory_mib,
            runtime_platform=runtime_platform(self.config)
            if self.config.cost_profile.arm64
            else None,
        )

    def logging(self, prefix: str) -> ecs.LogDriver:
        return ecs.LogDrivers.aws_logs(stream_prefix=prefix, log_group=self.log_group)

    def efs_volume(
        self, task: ecs.FargateTaskDefinition, name: str, access_point: efs.IAccessPoint
    ) -> None:
        """Mount ``access_point`` as volume ``name`` (TLS and IAM authorization)."""
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

    def service(
        self,
        construct_id: str,
        task: ecs.FargateTaskDefinition,
        security_group: ec2.ISecurityGroup,
        discovery_name: ServiceName,
    ) -> ecs.FargateService:
        # One task, never two at once: both keep a lock on their EFS data directory.
        return ecs.FargateService(
            self.stack,
            construct_id,
            cluster=self.cluster,
            task_definition=task,
            desired_count=1,
            min_healthy_percent=0,
            max_healthy_percent=100,
            security_groups=[security_group],
            vpc_subnets=self.subnets,
            assign_public_ip=False,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            health_check_grace_period=Duration.seconds(120),
            cloud_map_options=ecs.CloudMapOptions(
                name=discovery_name, dns_record_type=servicediscovery.DnsRecordType.A
            ),
            capacity_provider_strategies=capacity(self.config, discovery_name),
        )
