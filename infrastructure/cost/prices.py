"""us-east-1 on-demand list prices used by the cost estimate.

These are AWS's published list prices as known to the author on the date given with each one;
they could not be re-checked from the machine that wrote them (no web access), so verify them
against the pricing pages below before relying on a figure. Sources: aws.amazon.com/vpc/pricing,
/elasticloadbalancing/pricing, /privatelink/pricing, /rds/postgresql/pricing,
/elasticache/pricing, /fargate/pricing, /efs/pricing, /secrets-manager/pricing,
/cloudwatch/pricing, /kms/pricing, /route53/pricing, /cloudtrail/pricing, /s3/pricing,
/sqs/pricing, /rds/performance-insights/pricing, /ec2/pricing/on-demand, /ebs/pricing.
"""

from __future__ import annotations

from dataclasses import dataclass

HOURS_PER_MONTH = 730


@dataclass(frozen=True)
class Price:
    usd: float
    unit: str
    source: str
    as_of: str


PRICE_DATE = "2025-01"

NAT_GATEWAY_HOUR = Price(0.045, "per NAT gateway-hour", "VPC pricing", PRICE_DATE)
ALB_HOUR = Price(0.0225, "per ALB-hour (LCUs extra)", "Elastic Load Balancing", PRICE_DATE)
INTERFACE_ENDPOINT_AZ_HOUR = Price(
    0.01, "per interface endpoint per AZ-hour", "PrivateLink pricing", PRICE_DATE
)
PUBLIC_IPV4_HOUR = Price(0.005, "per public IPv4 address-hour", "VPC pricing", PRICE_DATE)
FARGATE_VCPU_HOUR = Price(0.04048, "per vCPU-hour (Linux/x86)", "Fargate pricing", PRICE_DATE)
FARGATE_GB_HOUR = Price(0.004445, "per GB-hour (Linux/x86)", "Fargate pricing", PRICE_DATE)
# Graviton: the same page's Linux/ARM rows, 20 % below x86.
FARGATE_ARM_VCPU_HOUR = Price(0.03238, "per vCPU-hour (Linux/ARM)", "Fargate pricing", PRICE_DATE)
FARGATE_ARM_GB_HOUR = Price(0.00356, "per GB-hour (Linux/ARM)", "Fargate pricing", PRICE_DATE)
# Fargate Spot has no list price: the pricing page shows the current Spot price per region,
# which AWS moves with demand, "up to 70 % off" on-demand. The estimate takes the cautious end
# of what is usually seen, half price, for both architectures (Spot on ARM64 needs platform
# version 1.4.0, the current LATEST; ECS API reference, CapacityProviderStrategyItem).
FARGATE_SPOT_FRACTION = 0.5
FARGATE_SPOT_VCPU_HOUR = Price(
    FARGATE_VCPU_HOUR.usd * FARGATE_SPOT_FRACTION,
    "per vCPU-hour (Linux/x86 Spot, assumed half the on-demand price)",
    "Fargate pricing (current Spot price varies)",
    PRICE_DATE,
)
FARGATE_SPOT_GB_HOUR = Price(
    FARGATE_GB_HOUR.usd * FARGATE_SPOT_FRACTION,
    "per GB-hour (Linux/x86 Spot, assumed half the on-demand price)",
    "Fargate pricing (current Spot price varies)",
    PRICE_DATE,
)
FARGATE_SPOT_ARM_VCPU_HOUR = Price(
    FARGATE_ARM_VCPU_HOUR.usd * FARGATE_SPOT_FRACTION,
    "per vCPU-hour (Linux/ARM Spot, assumed half the on-demand price)",
    "Fargate pricing (current Spot price varies)",
    PRICE_DATE,
)
FARGATE_SPOT_ARM_GB_HOUR = Price(
    FARGATE_ARM_GB_HOUR.usd * FARGATE_SPOT_FRACTION,
    "per GB-hour (Linux/ARM Spot, assumed half the on-demand price)",
    "Fargate pricing (current Spot price varies)",
    PRICE_DATE,
)
# NAT instances (lean profile): a Graviton t4g.nano, its root volume and its public address
# (PUBLIC_IPV4_HOUR). Standard CPU credits, so no surplus-credit charges.
EC2_INSTANCE_HOUR = {
    "t4g.nano": Price(0.0042, "per hour, Linux on-demand", "EC2 On-Demand pricing", PRICE_DATE),
}
EBS_GP3_GB_MONTH = Price(0.08, "per GB-month, gp3", "EBS pricing", PRICE_DATE)
RDS_INSTANCE_HOUR = {
    "db.t4g.micro": Price(0.016, "per hour, Single-AZ", "RDS for PostgreSQL", PRICE_DATE),
    "db.t4g.small": Price(0.032, "per hour, Single-AZ", "RDS for PostgreSQL", PRICE_DATE),
    "db.t4g.medium": Price(0.065, "per hour, Single-AZ", "RDS for PostgreSQL", PRICE_DATE),
}
RDS_GP3_GB_MONTH = Price(0.115, "per GB-month, Single-AZ", "RDS for PostgreSQL", PRICE_DATE)
ELASTICACHE_NODE_HOUR = {
    "cache.t4g.micro": Price(0.016, "per node-hour", "ElastiCache pricing", PRICE_DATE),
    "cache.t4g.small": Price(0.032, "per node-hour", "ElastiCache pricing", PRICE_DATE),
    "cache.t4g.medium": Price(0.065, "per node-hour", "ElastiCache pricing", PRICE_DATE),
}
EFS_STANDARD_GB_MONTH = Price(0.30, "per GB-month, Standard", "EFS pricing", PRICE_DATE)
SECRET_MONTH = Price(0.40, "per secret-month", "Secrets Manager pricing", PRICE_DATE)
ALARM_METRIC_MONTH = Price(
    0.10, "per alarm metric-month (standard resolution)", "CloudWatch pricing", PRICE_DATE
)
KMS_KEY_MONTH = Price(1.00, "per customer managed key-month", "KMS pricing", PRICE_DATE)
HOSTED_ZONE_MONTH = Price(0.50, "per hosted zone-month", "Route 53 pricing", PRICE_DATE)

CLOUDTRAIL_FIRST_TRAIL_MONTH = Price(
    0.0, "first copy of management events per account (free)", "CloudTrail pricing", PRICE_DATE
)
PERFORMANCE_INSIGHTS_7_DAYS_MONTH = Price(
    0.0, "7-day retention (free tier)", "RDS Performance Insights pricing", PRICE_DATE
)
CLOUDWATCH_LOGS_INGESTED_GB = Price(0.50, "per GB ingested", "CloudWatch pricing", PRICE_DATE)
S3_STANDARD_GB_MONTH = Price(0.023, "per GB-month, S3 Standard", "S3 pricing", PRICE_DATE)
S3_PUT_PER_1000 = Price(0.005, "per 1,000 PUT requests", "S3 pricing", PRICE_DATE)
KMS_PER_10K_REQUESTS = Price(0.03, "per 10,000 requests", "KMS pricing", PRICE_DATE)
SQS_PER_MILLION_REQUESTS = Price(
    0.40, "per million standard-queue requests (past the free million)", "SQS pricing", PRICE_DATE
)

# Usage that a template cannot show; stated with the estimate.
ASSUMED_EFS_GB = 5
# Enhanced Monitoring at 60 s: one OS-metrics record (with the process list) per minute into
# the RDSOSMetrics log group, about 0.5 GB a month per instance.
ASSUMED_ENHANCED_MONITORING_GB = 0.5
# ALB access logs: every load balancer node (one per AZ at least) delivers a file every five
# minutes; a quiet family app writes about 1 GB a month per ALB, kept 90 days (3 months).
ALB_LOG_FILES_PER_NODE_HOUR = 12
ASSUMED_ALB_LOG_GB = 1.0
ALB_LOG_MONTHS_KEPT = 3
# CloudWatch Logs asks KMS for data keys per log group and caches them: at most about one
# request every 5 minutes per group, 10,000 a month (an upper bound, not a measurement).
ASSUMED_KMS_REQUESTS_PER_LOG_GROUP = 10_000
# A worker long-polling a queue (20 s wait) makes at most 3 receive requests a minute.
LONG_POLL_REQUESTS_PER_TASK_MONTH = 3 * 60 * HOURS_PER_MONTH
# The nightly backup (issue 11): a scheduled Fargate task of about ten minutes (pg_dump of a
# family's database and the upload; an upper bound for years of data), every night.
ASSUMED_BACKUP_MINUTES = 10
BACKUP_RUNS_PER_MONTH = 30.4
# A compressed custom-format dump of a family's database: well under 100 MB; 30 are kept (and,
# in production, 30 days of old versions on top: counted as 60).
ASSUMED_BACKUP_GB = 0.1
BACKUPS_KEPT = 30
