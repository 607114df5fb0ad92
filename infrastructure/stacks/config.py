"""Per-environment settings: one typed row per environment, read by every stack.

Every size, count and switch that differs between development, staging and production lives
here and nowhere else; the stacks take the row (or single values from it) as keyword arguments.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs

EnvironmentName = Literal["development", "staging", "production"]
ENVIRONMENT_NAMES: tuple[EnvironmentName, ...] = ("development", "staging", "production")

PROJECT = "family-budget"
VPC_CIDR = "10.0.0.0/16"

# Pinned third-party images (the design says ":latest"; a deploy must be reproducible).
PROMETHEUS_IMAGE = "prom/prometheus:v2.53.3"
GRAFANA_IMAGE = "grafana/grafana:11.6.0"
POSTGRES_EXPORTER_IMAGE = "quay.io/prometheuscommunity/postgres-exporter:v0.16.0"
REDIS_EXPORTER_IMAGE = "oliver006/redis_exporter:v1.66.0"
# Beside Prometheus in its task: alert delivery, and (with a domain) certificate probes.
ALERTMANAGER_IMAGE = "prom/alertmanager:v0.27.0"
BLACKBOX_EXPORTER_IMAGE = "prom/blackbox-exporter:v0.25.0"
# Init containers that write the SSM-held configuration and the dashboards into a task volume.
CONFIG_INIT_IMAGE = "amazon/aws-cli:2.22.0"

POSTGRES_MINOR_VERSION = "15.17"
REDIS_ENGINE_VERSION = "7.1"

# The tag used when synthesizing without -c image_tag=... outside production (documented in
# the README): a deploy of development/staging with it runs whatever was last pushed as "dev".
DEFAULT_NON_PRODUCTION_IMAGE_TAG = "dev"


@dataclass(frozen=True)
class TaskSize:
    """Fargate task size: cpu in CPU units (1024 = 1 vCPU), memory in MiB."""

    cpu: int
    memory_mib: int


@dataclass(frozen=True)
class ScaledService:
    """A load-balanced service: task size and CPU-target autoscaling bounds."""

    size: TaskSize
    min_tasks: int
    max_tasks: int
    cpu_target_percent: int = 70


ServiceName = Literal["backend", "frontend", "worker", "beat", "prometheus", "grafana"]


@dataclass(frozen=True)
class CostProfile:
    """How an environment buys what the design asks for; every feature is there in both.

    ``standard`` is the design as written: a NAT gateway per ``nat_count``, one ALB per entry
    point (backend, frontend, monitoring), interface endpoints for ECR, Secrets Manager and SES,
    x86 Fargate on demand. ``lean`` (development) builds the same services and entry points
    for less than half the price: NAT instances, one shared ALB with a listener (or, with a
    domain, a host rule) per entry point, the S3 gateway endpoint only, ARM64 tasks, and Fargate
    Spot for the services that survive an interruption (README, "Cost profiles").
    """

    name: Literal["lean", "standard"]
    nat_instances: bool
    shared_load_balancer: bool
    interface_endpoints: bool
    arm64: bool
    # Services whose tasks run on Fargate Spot (two minutes' notice, then stopped and replaced).
    spot_services: frozenset[ServiceName] = frozenset()

    def on_spot(self, service: ServiceName) -> bool:
        return service in self.spot_services


STANDARD = CostProfile(
    "standard",
    nat_instances=False,
    shared_load_balancer=False,
    interface_endpoints=True,
    arm64=False,
)
LEAN = CostProfile(
    "lean",
    nat_instances=True,
    shared_load_balancer=True,
    interface_endpoints=False,
    arm64=True,
    # The worker's jobs are leased rows that another task picks up after an interruption; beat
    # only sends a tick a minute, and a missed tick is caught up by the next; Prometheus and
    # Grafana keep their data on EFS. The backend and frontend serve users: on demand.
    spot_services=frozenset({"worker", "beat", "prometheus", "grafana"}),
)
# NAT instances: the smallest Graviton instance; development sends little traffic out.
NAT_INSTANCE_TYPE = "t4g.nano"


@dataclass(frozen=True)
class EnvironmentConfig:
    """Everything that differs between environments."""

    name: EnvironmentName
    cost_profile: CostProfile
    # Network and audit: NAT gateways (standard profile) or NAT instances (lean)
    nat_count: int
    flow_logs: bool
    flow_logs_to_s3: bool
    kms_encryption: bool
    # A trail records the whole account in every region, and only an account's first trail
    # of management events is free: development shares staging's account in the example
    # context, so staging's trail covers it. Give development one with an account of its own.
    cloudtrail: bool
    trail_retention_days: int
    # Database
    db_instance_type: str
    db_memory_gib: float
    db_backup_retention_days: int
    db_multi_az: bool
    db_rotation_days: int | None
    db_deletion_protection: bool
    # Enhanced Monitoring writes OS metrics every N seconds to CloudWatch Logs (None: off).
    db_enhanced_monitoring_seconds: int | None
    # Performance Insights (free 7-day tier) is not offered on db.t4g.micro and db.t4g.small.
    db_performance_insights: bool
    # Cache
    cache_node_type: str
    cache_failover: bool
    cache_at_rest_encryption: bool
    # Container registries
    ecr_immutable_tags: bool
    # Storage
    backups_versioned: bool
    receipts_versioned: bool
    # S3 server access logs and ALB access logs, both into the access-logs bucket.
    bucket_access_logs: bool
    # Notification Lambdas: reserved concurrency per function (None: the account's pool).
    notification_reserved_concurrency: int | None
    # Compute
    backend: ScaledService
    frontend: ScaledService
    worker_size: TaskSize
    worker_tasks: int
    # Monitoring
    monitoring_size: TaskSize
    efs_retain: bool
    efs_backups: bool
    production_alarms: bool
    # Logs
    log_retention_days: int
    # Everything else
    retain_data: bool
    subdomain_suffix: str

    @property
    def prefix(self) -> str:
        """Prefix of physical names, e.g. ``production-family-budget``."""
        return f"{self.name}-{PROJECT}"

    @property
    def namespace(self) -> str:
        """CloudMap private DNS namespace."""
        return f"{self.name}.{PROJECT}.local"

    def secret_name(self, short: str) -> str:
        """Secrets Manager name, e.g. ``staging/family-budget/jwt``."""
        return f"{self.name}/{PROJECT}/{short}"

    def host(self, service: str, domain_name: str) -> str:
        """Public host name of a service: ``api.example.com`` or ``api-staging.example.com``."""
        return f"{service}{self.subdomain_suffix}.{domain_name}"

    @property
    def removal_policy(self) -> RemovalPolicy:
        """What deleting a stack (or replacing a resource) does to the data it holds."""
        return removal_policy(retain=self.retain_data)

    @property
    def log_retention(self) -> logs.RetentionDays:
        """CloudWatch Logs retention of application, Lambda and flow logs."""
        return _RETENTION[self.log_retention_days]

    @property
    def db_max_connections(self) -> int:
        """RDS PostgreSQL default max_connections: LEAST(DBInstanceClassMemory/9531392, 5000)."""
        return min(int(self.db_memory_gib * 1024**3 / 9531392), 5000)


def removal_policy(*, retain: bool) -> RemovalPolicy:
    """RETAIN where the environment keeps its data (production), DESTROY elsewhere."""
    return RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY


_RETENTION = {
    3: logs.RetentionDays.THREE_DAYS,
    14: logs.RetentionDays.TWO_WEEKS,
    90: logs.RetentionDays.THREE_MONTHS,
}

DEVELOPMENT = EnvironmentConfig(
    name="development",
    cost_profile=LEAN,
    nat_count=1,
    flow_logs=False,
    flow_logs_to_s3=False,
    kms_encryption=False,
    cloudtrail=False,
    trail_retention_days=90,
    db_instance_type="t4g.micro",
    db_memory_gib=1,
    db_backup_retention_days=7,
    db_multi_az=False,
    db_rotation_days=None,
    db_deletion_protection=False,
    db_enhanced_monitoring_seconds=None,
    db_performance_insights=False,
    cache_node_type="cache.t4g.micro",
    cache_failover=False,
    cache_at_rest_encryption=False,
    ecr_immutable_tags=False,
    backups_versioned=False,
    receipts_versioned=False,
    bucket_access_logs=False,
    notification_reserved_concurrency=None,
    backend=ScaledService(TaskSize(512, 1024), min_tasks=1, max_tasks=4),
    frontend=ScaledService(TaskSize(512, 1024), min_tasks=1, max_tasks=4),
    worker_size=TaskSize(512, 1024),
    worker_tasks=1,
    monitoring_size=TaskSize(512, 1024),
    efs_retain=False,
    efs_backups=False,
    production_alarms=False,
    log_retention_days=3,
    retain_data=False,
    subdomain_suffix="-dev",
)

STAGING = EnvironmentConfig(
    name="staging",
    # A production rehearsal: production's network, load balancers and CPU architecture. Its
    # workers alone run on Spot: an interrupted worker is what production must survive too.
    cost_profile=replace(STANDARD, spot_services=frozenset({"worker"})),
    nat_count=1,
    flow_logs=True,
    flow_logs_to_s3=False,
    kms_encryption=False,
    cloudtrail=True,
    trail_retention_days=90,
    db_instance_type="t4g.small",
    db_memory_gib=2,
    db_backup_retention_days=14,
    db_multi_az=False,
    db_rotation_days=None,
    db_deletion_protection=False,
    db_enhanced_monitoring_seconds=None,
    db_performance_insights=False,
    cache_node_type="cache.t4g.small",
    cache_failover=False,
    cache_at_rest_encryption=False,
    ecr_immutable_tags=False,
    backups_versioned=False,
    receipts_versioned=False,
    bucket_access_logs=False,
    notification_reserved_concurrency=None,
    backend=ScaledService(TaskSize(1024, 2048), min_tasks=2, max_tasks=10),
    frontend=ScaledService(TaskSize(1024, 2048), min_tasks=2, max_tasks=6),
    worker_size=TaskSize(1024, 2048),
    worker_tasks=2,
    monitoring_size=TaskSize(512, 1024),
    efs_retain=False,
    efs_backups=False,
    production_alarms=False,
    log_retention_days=14,
    retain_data=False,
    subdomain_suffix="-staging",
)

PRODUCTION = EnvironmentConfig(
    name="production",
    cost_profile=STANDARD,
    nat_count=2,
    flow_logs=True,
    flow_logs_to_s3=True,
    kms_encryption=True,
    cloudtrail=True,
    trail_retention_days=365,
    db_instance_type="t4g.medium",
    db_memory_gib=4,
    db_backup_retention_days=30,
    db_multi_az=True,
    db_rotation_days=30,
    db_deletion_protection=True,
    db_enhanced_monitoring_seconds=60,
    db_performance_insights=True,
    cache_node_type="cache.t4g.medium",
    cache_failover=True,
    cache_at_rest_encryption=True,
    ecr_immutable_tags=True,
    backups_versioned=True,
    receipts_versioned=True,
    bucket_access_logs=True,
    notification_reserved_concurrency=10,
    backend=ScaledService(TaskSize(2048, 4096), min_tasks=2, max_tasks=20),
    frontend=ScaledService(TaskSize(1024, 2048), min_tasks=2, max_tasks=10),
    worker_size=TaskSize(1024, 2048),
    worker_tasks=3,
    monitoring_size=TaskSize(1024, 2048),
    efs_retain=True,
    efs_backups=True,
    production_alarms=True,
    log_retention_days=90,
    retain_data=True,
    subdomain_suffix="",
)

ENVIRONMENTS: dict[str, EnvironmentConfig] = {
    config.name: config for config in (DEVELOPMENT, STAGING, PRODUCTION)
}


def environment_config(name: str) -> EnvironmentConfig:
    """The row for ``name``; an unknown name is an error, never a silent default."""
    try:
        return ENVIRONMENTS[name]
    except KeyError:
        known = ", ".join(ENVIRONMENT_NAMES)
        raise ValueError(f"Unknown environment {name!r}; expected one of: {known}") from None


def availability_zones(region: str) -> list[str]:
    """Two zones per region, named explicitly so synthesis needs no AWS lookup."""
    return [f"{region}a", f"{region}b"]
