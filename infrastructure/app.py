#!/usr/bin/env python3
"""CDK app for the Family Budget infrastructure.

Usage: ``cdk synth -c environment=staging -c image_tag=<tag>`` (or ``make synth ENV=staging``).
When cdk.context.json is absent the committed cdk.context.example.json is used, so a fresh
clone synthesizes offline without AWS credentials.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import aws_cdk as cdk

from stacks.cache_stack import CacheStack
from stacks.compute_stack import ComputeStack
from stacks.config import EnvironmentConfig, environment_config
from stacks.database_stack import DatabaseStack
from stacks.dns_stack import DnsStack
from stacks.ecr_stack import EcrStack
from stacks.monitoring_stack import MonitoringStack
from stacks.notification_stack import NotificationStack
from stacks.security_stack import SecurityStack
from stacks.settings import CONTEXT_FILE, DeploymentSettings, example_context, resolve_settings
from stacks.storage_stack import StorageStack


def context_of(app: cdk.App, keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: app.node.try_get_context(key) for key in keys}


def build_app(app: cdk.App, settings: DeploymentSettings) -> dict[str, cdk.Stack]:
    """Create the stacks of one environment in ``app`` and wire their dependencies."""
    config: EnvironmentConfig = environment_config(settings.environment)
    name = config.name
    env = cdk.Environment(account=settings.account, region=settings.region)
    domain = settings.domain_name

    cdk.Tags.of(app).add("Project", "FamilyBudget")
    cdk.Tags.of(app).add("Environment", name)
    cdk.Tags.of(app).add("ManagedBy", "CDK")

    # 1. Security
    security = SecurityStack(
        app,
        f"{name}-SecurityStack",
        config=config,
        plaid_environment=settings.plaid_environment,
        env=env,
        description=f"Security resources (VPC, Secrets, KMS) for {name}",
    )
    # 2. ECR and Storage (no dependencies)
    ecr_stack = EcrStack(
        app,
        f"{name}-EcrStack",
        config=config,
        env=env,
        description=f"Container registries for {name}",
    )
    cors_origins = [f"https://{config.host('app', domain)}"] if domain else ["*"]
    storage = StorageStack(
        app,
        f"{name}-StorageStack",
        config=config,
        cors_allowed_origins=cors_origins,
        env=env,
        description=f"S3 buckets for {name}",
    )
    # 3. Database and Cache
    database = DatabaseStack(
        app,
        f"{name}-DatabaseStack",
        config=config,
        vpc=security.vpc,
        database_secret=security.database_secret,
        encryption_key=security.encryption_key,
        env=env,
        description=f"RDS PostgreSQL for {name}",
    )
    database.add_stack_dependency(security)
    cache = CacheStack(
        app,
        f"{name}-CacheStack",
        config=config,
        vpc=security.vpc,
        encryption_key=security.encryption_key,
        env=env,
        description=f"ElastiCache Redis for {name}",
    )
    cache.add_stack_dependency(security)
    # 4. DNS (optional)
    dns: DnsStack | None = None
    if domain:
        dns = DnsStack(
            app,
            f"{name}-DnsStack",
            config=config,
            domain_name=domain,
            env=env,
            description=f"DNS and SSL for {name}",
        )
    dns_refs = dns.refs if dns else None
    # 5. Notifications
    notification = NotificationStack(
        app,
        f"{name}-NotificationStack",
        config=config,
        vpc=security.vpc,
        external_services_secret=security.external_services_secret,
        email_from_address=settings.email_from_address,
        push_credentials_revision=settings.push_credentials_revision,
        dns=dns_refs,
        encryption_key=security.encryption_key,
        env=env,
        description=f"SES and SNS for {name}",
    )
    notification.add_stack_dependency(security)
    if dns:
        notification.add_stack_dependency(dns)
    # 6. Compute
    compute = ComputeStack(
        app,
        f"{name}-ComputeStack",
        config=config,
        network=security.network,
        repositories=ecr_stack.refs,
        image_tag=settings.image_tag,
        app_secrets=security.app_secrets,
        database=database.refs,
        cache=cache.refs,
        storage=storage.refs,
        notification=notification.refs,
        plaid_environment=settings.plaid_environment,
        dns=dns_refs,
        encryption_key=security.encryption_key,
        env=env,
        description=f"ECS services for {name}",
    )
    compute_dependencies: tuple[cdk.Stack, ...] = (
        security,
        database,
        cache,
        ecr_stack,
        storage,
        notification,
    )
    for dependency in compute_dependencies:
        compute.add_stack_dependency(dependency)
    if dns:
        compute.add_stack_dependency(dns)
    # 7. Monitoring
    monitoring = MonitoringStack(
        app,
        f"{name}-MonitoringStack",
        config=config,
        cluster=compute.cluster,
        namespace=compute.namespace,
        backend_service=compute.backend_service,
        frontend_service=compute.frontend_service,
        worker_service=compute.worker_service,
        backup_task=compute.backup_task,
        database=database.database,
        alarm_email=settings.alarm_email,
        ingress_cidr=settings.monitoring_ingress_cidr,
        dns=dns_refs,
        shared_load_balancer=(
            compute.shared_load_balancer.refs if compute.shared_load_balancer else None
        ),
        access_logs_bucket=storage.refs.access_logs_bucket,
        encryption_key=security.encryption_key,
        env=env,
        description=f"Monitoring and alarms for {name}",
    )
    for monitoring_dependency in (compute, database, cache):
        monitoring.add_stack_dependency(monitoring_dependency)
    if dns:
        monitoring.add_stack_dependency(dns)

    stacks: dict[str, cdk.Stack] = {
        "Security": security,
        "Ecr": ecr_stack,
        "Storage": storage,
        "Database": database,
        "Cache": cache,
        "Notification": notification,
        "Compute": compute,
        "Monitoring": monitoring,
    }
    if dns:
        stacks["Dns"] = dns
    return stacks


def main() -> None:
    app = cdk.App()
    environment = app.node.try_get_context("environment") or os.environ.get(
        "ENVIRONMENT", "development"
    )
    context: dict[str, Any] = {
        "environment": environment,
        "image_tag": app.node.try_get_context("image_tag"),
        "account": app.node.try_get_context("account"),
        "region": app.node.try_get_context("region"),
        environment: app.node.try_get_context(environment),
    }
    if context[environment] is None:
        context[environment] = example_context().get(environment)
        print(
            f"note: {CONTEXT_FILE.name} has no {environment!r} block; using "
            "cdk.context.example.json (example accounts, offline synth only)",
            file=sys.stderr,
        )
    settings = resolve_settings(context, dict(os.environ))
    print(
        f"Family Budget {settings.environment}: account {settings.account}, region "
        f"{settings.region}, image tag {settings.image_tag}, "
        f"domain {settings.domain_name or '(none: ALB DNS names)'}",
        file=sys.stderr,
    )
    build_app(app, settings)
    app.synth()


if __name__ == "__main__":
    main()
