"""Prometheus on Fargate: its scrape configuration from SSM, its data on EFS."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_efs as efs
from aws_cdk import aws_ssm as ssm

from stacks.config import CONFIG_INIT_IMAGE, PROMETHEUS_IMAGE
from stacks.monitoring.tasks import MonitoringTasks

PROMETHEUS_PORT = 9090
PROMETHEUS_RETENTION = "15d"
PROMETHEUS_CONFIG_PATH = "/etc/prometheus-config"


class Prometheus:
    """The Prometheus task (an init container writes the configuration first) and service."""

    def __init__(
        self,
        tasks: MonitoringTasks,
        *,
        config_parameter: ssm.IStringParameter,
        access_point: efs.IAccessPoint,
        security_group: ec2.ISecurityGroup,
    ) -> None:
        task = tasks.task("PrometheusTask")
        tasks.efs_volume(task, "prometheus-data", access_point)
        task.add_volume(name="prometheus-config")
        init = task.add_container(
            "config",
            image=ecs.ContainerImage.from_registry(CONFIG_INIT_IMAGE),
            essential=False,
            entry_point=["sh", "-c"],
            command=['printf "%s" "$PROMETHEUS_CONFIG" > /config/prometheus.yml'],
            secrets={"PROMETHEUS_CONFIG": ecs.Secret.from_ssm_parameter(config_parameter)},
            logging=tasks.logging("prometheus-config"),
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
            logging=tasks.logging("prometheus"),
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
        self.task = task
        self.service = tasks.service("PrometheusService", task, security_group, "prometheus")
