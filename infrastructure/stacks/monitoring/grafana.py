"""Grafana on Fargate: provisioning from SSM, dashboards from S3, its database on EFS."""

from __future__ import annotations

import json

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager

from stacks.config import CONFIG_INIT_IMAGE, GRAFANA_IMAGE, EnvironmentConfig
from stacks.iam_policies import (
    NO_CUSTOMER_KEY_REASON,
    acknowledge,
    acknowledge_checkov,
    nag_ref,
    secret_reference,
)
from stacks.monitoring.configuration import (
    DASHBOARDS_KEY_PREFIX,
    MonitoringConfiguration,
    dashboards_digest,
)
from stacks.monitoring.prometheus import PROMETHEUS_PORT
from stacks.monitoring.tasks import MonitoringTasks

GRAFANA_PORT = 3000
GRAFANA_CONFIG_PATH = "/etc/grafana-config"


def grafana_admin_secret(
    stack: Stack, config: EnvironmentConfig, encryption_key: kms.IKey | None
) -> secretsmanager.Secret:
    """``{env}/family-budget/grafana-admin``: the admin user Grafana creates on first start."""
    secret = secretsmanager.Secret(
        stack,
        "GrafanaAdminSecret",
        secret_name=config.secret_name("grafana-admin"),
        description="Grafana admin user",
        encryption_key=encryption_key,
        removal_policy=config.removal_policy,
        generate_secret_string=secretsmanager.SecretStringGenerator(
            secret_string_template=json.dumps({"username": "admin"}),
            generate_string_key="password",
            password_length=32,
            exclude_punctuation=True,
        ),
    )
    acknowledge(
        secret,
        "AwsSolutions-SMG4",
        "Grafana stores the admin password in its own database on first start; rotating "
        "the secret would not change it, so it is changed in Grafana and then here.",
    )
    if encryption_key is None:
        acknowledge_checkov(secret, "CKV_AWS_149", NO_CUSTOMER_KEY_REASON)
    return secret


class Grafana:
    """The Grafana task (an init container writes provisioning and dashboards) and service."""

    def __init__(
        self,
        tasks: MonitoringTasks,
        *,
        configuration: MonitoringConfiguration,
        admin_secret: secretsmanager.ISecret,
        access_point: efs.IAccessPoint,
        security_group: ec2.ISecurityGroup,
        root_url: str,
    ) -> None:
        stack = tasks.stack
        dashboards_bucket = configuration.dashboards_bucket
        task = tasks.task("GrafanaTask")
        tasks.efs_volume(task, "grafana-data", access_point)
        task.add_volume(name="grafana-config")
        task.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[dashboards_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{DASHBOARDS_KEY_PREFIX}*"]}},
            )
        )
        task.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[dashboards_bucket.arn_for_objects(f"{DASHBOARDS_KEY_PREFIX}*")],
            )
        )
        acknowledge(
            task.task_role,
            f"AwsSolutions-IAM5[Resource::{nag_ref(dashboards_bucket, 'Arn')}/"
            f"{DASHBOARDS_KEY_PREFIX}*]",
            "The init container copies every dashboard under the grafana/dashboards/ prefix "
            "of the stack's own dashboards bucket; the file names change with the repository.",
        )
        # The CloudWatch data source (ECS Services Health): read metric data and names only.
        task.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=[
                    "cloudwatch:GetMetricData",
                    "cloudwatch:GetMetricStatistics",
                    "cloudwatch:ListMetrics",
                ],
                resources=["*"],
            )
        )
        acknowledge(
            task.task_role,
            "AwsSolutions-IAM5[Resource::*]",
            "CloudWatch's metric-reading actions (GetMetricData, GetMetricStatistics, "
            "ListMetrics) support no resource-level permissions; they read metrics only.",
        )
        acknowledge(
            task,
            "AwsSolutions-ECS2",
            "Only non-secret settings are environment variables; the admin credentials and "
            "the provisioning files come from Secrets Manager and SSM.",
        )
        source = f"s3://{dashboards_bucket.bucket_name}/{DASHBOARDS_KEY_PREFIX}"
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
                    configuration.grafana_datasource_parameter
                ),
                "GRAFANA_DASHBOARD_PROVIDER": ecs.Secret.from_ssm_parameter(
                    configuration.grafana_dashboard_parameter
                ),
            },
            logging=tasks.logging("grafana-config"),
        )
        init.add_mount_points(
            ecs.MountPoint(
                container_path="/config", source_volume="grafana-config", read_only=False
            )
        )
        admin = secret_reference(stack, "GrafanaAdminSecretRef", admin_secret)
        grafana = task.add_container(
            "grafana",
            image=ecs.ContainerImage.from_registry(GRAFANA_IMAGE),
            essential=True,
            port_mappings=[ecs.PortMapping(container_port=GRAFANA_PORT)],
            environment={
                "GF_PATHS_PROVISIONING": f"{GRAFANA_CONFIG_PATH}/provisioning",
                "GRAFANA_DASHBOARDS_PATH": f"{GRAFANA_CONFIG_PATH}/dashboards",
                "PROMETHEUS_URL": f"http://prometheus.{tasks.config.namespace}:{PROMETHEUS_PORT}",
                "GF_AUTH_ANONYMOUS_ENABLED": "false",
                "GF_SECURITY_ALLOW_EMBEDDING": "true",
                "GF_USERS_ALLOW_SIGN_UP": "false",
                "GF_ANALYTICS_REPORTING_ENABLED": "false",
                "GF_SERVER_ROOT_URL": root_url,
                "AWS_REGION": stack.region,
            },
            secrets={
                "GF_SECURITY_ADMIN_USER": ecs.Secret.from_secrets_manager(admin, "username"),
                "GF_SECURITY_ADMIN_PASSWORD": ecs.Secret.from_secrets_manager(admin, "password"),
            },
            logging=tasks.logging("grafana"),
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
        self.task = task
        self.service = tasks.service("GrafanaService", task, security_group, "grafana")
        # The dashboards must be in the bucket before the first Grafana task copies them.
        self.service.node.add_dependency(configuration.dashboards_deployment)
