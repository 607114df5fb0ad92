"""What one stack hands to another: typed, frozen bundles of references.

Each producing stack exposes its bundle (``security.network``, ``database.refs``, ...) and
app.py passes bundles, not loose values, so a consumer's signature says which stacks it
builds on and a new shared value is added in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs


@dataclass(frozen=True)
class NetworkRefs:
    """SecurityStack: the VPC every other stack places its resources in."""

    vpc: ec2.IVpc


@dataclass(frozen=True)
class AppSecretRefs:
    """SecurityStack: the application's own secrets (the database secret is DatabaseStack's)."""

    plaid_secret: secretsmanager.ISecret
    jwt_secret: secretsmanager.ISecret
    # Third-party keys and push credentials; the app reads vapid_private_key from it.
    external_services_secret: secretsmanager.ISecret


@dataclass(frozen=True)
class RepositoryRefs:
    """EcrStack: the repositories the two images of this repository are pulled from."""

    backend: ecr.IRepository
    frontend: ecr.IRepository


@dataclass(frozen=True)
class DatabaseRefs:
    """DatabaseStack: how the tasks reach PostgreSQL."""

    secret: secretsmanager.ISecret
    endpoint: str
    security_group: ec2.ISecurityGroup


@dataclass(frozen=True)
class CacheRefs:
    """CacheStack: how the tasks reach Redis."""

    endpoint: str
    port: str
    auth_secret: secretsmanager.ISecret
    security_group: ec2.ISecurityGroup


@dataclass(frozen=True)
class StorageRefs:
    """StorageStack: the application buckets, and where access logs go."""

    exports_bucket: s3.IBucket
    receipts_bucket: s3.IBucket
    backups_bucket: s3.IBucket
    # Production only: S3 server access logs and the load balancers' access logs.
    access_logs_bucket: s3.IBucket | None


@dataclass(frozen=True)
class NotificationRefs:
    """NotificationStack: where the backend publishes events and sends mail from."""

    topics: tuple[sns.ITopic, ...]
    ses_identity_name: str
    ses_configuration_set_name: str
    email_from_address: str
    # SES bounce/complaint events for the worker (raw delivery: the body is the SES event).
    ses_events_queue: sqs.IQueue
    # The same topics by their short name ("bill-reminders", ...).
    topics_by_name: Mapping[str, sns.ITopic]
    # The SNS mobile platform applications' ARNs: "apns", "apns_sandbox", "fcm".
    platform_application_arns: Mapping[str, str]


@dataclass(frozen=True)
class DnsRefs:
    """DnsStack (only when a domain is configured): the zone and its wildcard certificate."""

    domain_name: str
    hosted_zone: route53.IHostedZone
    certificate: acm.ICertificate


@dataclass(frozen=True)
class SharedLoadBalancerRefs:
    """ComputeStack, lean profile: the one load balancer every entry point shares, for the
    monitoring entry points MonitoringStack adds (plain values: the stack imports them)."""

    load_balancer_arn: str
    dns_name: str
    canonical_hosted_zone_id: str
    security_group_id: str
    # With a domain: the HTTPS listener the host rules hang on (None without a domain).
    https_listener_arn: str | None
