"""Prometheus on Fargate: its scrape configuration from SSM, its alert rules from S3, its data on
EFS; Alertmanager beside it (alerts to the alarm topic) and, with a domain, the blackbox
exporter (certificate probes)."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_efs as efs
from aws_cdk import aws_iam as iam

from stacks.config import (
    ALERTMANAGER_IMAGE,
    BLACKBOX_EXPORTER_IMAGE,
    CONFIG_INIT_IMAGE,
    PROMETHEUS_IMAGE,
)
from stacks.iam_policies import acknowledge, nag_ref
from stacks.monitoring.configuration import (
    BLACKBOX_EXPORTER_PORT,
    RULES_KEY_PREFIX,
    MonitoringConfiguration,
    rules_digest,
)
from stacks.monitoring.tasks import MonitoringTasks

PROMETHEUS_PORT = 9090
ALERTMANAGER_PORT = 9093
PROMETHEUS_RETENTION = "15d"
PROMETHEUS_CONFIG_PATH = "/etc/prometheus-config"


class Prometheus:
    """The Prometheus task (an init container writes the configuration first) and service."""

    def __init__(
        self,
        tasks: MonitoringTasks,
        *,
        configuration: MonitoringConfiguration,
        access_point: efs.IAccessPoint,
        security_group: ec2.ISecurityGroup,
    ) -> None:
        bucket = configuration.dashboards_bucket
        task = tasks.task("PrometheusTask")
        tasks.efs_volume(task, "prometheus-data", access_point)
        task.add_volume(name="prometheus-config")
        task.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{RULES_KEY_PREFIX}*"]}},
            )
        )
        task.add_to_task_role_policy(
            iam.PolicyStatement(
                actions=["s3:GetObject"],
                resources=[bucket.arn_for_objects(f"{RULES_KEY_PREFIX}*")],
            )
        )
        acknowledge(
            task.task_role,
            f"AwsSolutions-IAM5[Resource::{nag_ref(bucket, 'Arn')}/{RULES_KEY_PREFIX}*]",
            "The init container copies every rule file under the prometheus/rules/ prefix of "
            "the stack's own monitoring bucket; the file names change with the repository.",
        )
        acknowledge(
            task,
            "AwsSolutions-ECS2",
            "Only non-secret settings are environment variables (where the rules are, their "
            "hash); the configuration files come from SSM.",
        )
        script = " && ".join(
            [
                "set -eu",
                "mkdir -p /config/rules",
                'printf "%s" "$PROMETHEUS_CONFIG" > /config/prometheus.yml',
                'printf "%s" "$ALERTMANAGER_CONFIG" > /config/alertmanager.yml',
                'aws s3 sync --delete --only-show-errors "$RULES_SOURCE" /config/rules/',
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
                "RULES_SOURCE": f"s3://{bucket.bucket_name}/{RULES_KEY_PREFIX}",
                # Changes with the rules, so a changed rule rolls the Prometheus task.
                "RULES_SHA256": rules_digest(),
            },
            secrets={
                "PROMETHEUS_CONFIG": ecs.Secret.from_ssm_parameter(
                    configuration.prometheus_config_parameter
                ),
                "ALERTMANAGER_CONFIG": ecs.Secret.from_ssm_parameter(
                    configuration.alertmanager_config_parameter
                ),
            },
            logging=tasks.logging("prometheus-config"),
        )
        init.add_mount_points(
            ecs.MountPoint(
                container_path="/config", source_volume="prometheus-config", read_only=False
            )
        )
        config_mount = ecs.MountPoint(
            container_path=PROMETHEUS_CONFIG_PATH, source_volume="prometheus-config", read_only=True
        )
        after_init = ecs.ContainerDependency(
            container=init, condition=ecs.ContainerDependencyCondition.SUCCESS
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
            logging=tasks.logging("prometheus"),
        )
        prometheus.add_mount_points(
            ecs.MountPoint(
                container_path="/prometheus", source_volume="prometheus-data", read_only=False
            ),
            config_mount,
        )
        prometheus.add_container_dependencies(after_init)
        # Essential: without it no alert leaves the task, so its failure restarts the task.
        alertmanager = task.add_container(
            "alertmanager",
            image=ecs.ContainerImage.from_registry(ALERTMANAGER_IMAGE),
            essential=True,
            command=[
                f"--config.file={PROMETHEUS_CONFIG_PATH}/alertmanager.yml",
                "--storage.path=/alertmanager",
                f"--web.listen-address=:{ALERTMANAGER_PORT}",
                # One Alertmanager per environment: no cluster to gossip with.
                "--cluster.listen-address=",
            ],
            logging=tasks.logging("alertmanager"),
        )
        alertmanager.add_mount_points(config_mount)
        alertmanager.add_container_dependencies(after_init)
        if configuration.probe_urls:
            task.add_container(
                "blackbox-exporter",
                image=ecs.ContainerImage.from_registry(BLACKBOX_EXPORTER_IMAGE),
                essential=False,
                logging=tasks.logging("blackbox-exporter"),
                port_mappings=[ecs.PortMapping(container_port=BLACKBOX_EXPORTER_PORT)],
            )
        self.task = task
        self.service = tasks.service("PrometheusService", task, security_group, "prometheus")
        # The rules must be in the bucket before the first Prometheus task copies them.
        self.service.node.add_dependency(configuration.rules_deployment)
