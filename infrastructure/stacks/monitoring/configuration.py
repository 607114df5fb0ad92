"""What the monitoring tasks read when they start: the files under ``monitoring/`` in SSM
parameters, and the Grafana dashboards copied into an S3 bucket on every deploy."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from aws_cdk import aws_ssm as ssm

from stacks.config import EnvironmentConfig
from stacks.iam_policies import (
    acknowledge,
    acknowledge_checkov,
    acknowledge_deploy_time_functions,
    nag_ref,
)

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent.parent.parent
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
PROMETHEUS_RULES_DIR = MONITORING_DIR / "prometheus" / "rules"
RULES_KEY_PREFIX = "prometheus/rules/"
ALERTMANAGER_CONFIG_FILE = MONITORING_DIR / "alertmanager" / "alertmanager.yml"
BLACKBOX_EXPORTER_PORT = 9115

# Appended to the scrape configuration when the environment has a domain.
_CERTIFICATES_JOB = """
  # Added by the CDK app (the environment has a domain): the blackbox exporter, a container of
  # the Prometheus task, requests each HTTPS entry point; CertificateExpiresSoon reads it.
  - job_name: certificates
    metrics_path: /probe
    params:
      module: [http_2xx]
    static_configs:
      - targets: [{targets}]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: localhost:{port}
"""


def render_prometheus_config(environment: str, probe_urls: Sequence[str] = ()) -> str:
    """The AWS scrape configuration with ``{env}`` replaced by the environment name, and the
    certificate probes of ``probe_urls`` (the HTTPS entry points; none without a domain)."""
    rendered = PROMETHEUS_CONFIG_FILE.read_text(encoding="utf-8").replace("{env}", environment)
    if probe_urls:
        targets = ", ".join(f'"{url}"' for url in probe_urls)
        rendered += _CERTIFICATES_JOB.format(targets=targets, port=BLACKBOX_EXPORTER_PORT)
    return rendered


def render_alertmanager_config(environment: str, *, alarm_topic_arn: str, region: str) -> str:
    """Alertmanager's configuration: every alert to the environment's alarm topic."""
    return (
        ALERTMANAGER_CONFIG_FILE.read_text(encoding="utf-8")
        .replace("{alarm_topic_arn}", alarm_topic_arn)
        .replace("{region}", region)
        .replace("{environment}", environment)
    )


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def _digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in _files(folder):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def dashboard_files() -> list[Path]:
    """Every file that ships to Grafana (the whole dashboards folder)."""
    return _files(GRAFANA_DASHBOARDS_DIR)


def dashboards_digest() -> str:
    """Content hash of the dashboards folder: a change rolls the Grafana task."""
    return _digest(GRAFANA_DASHBOARDS_DIR)


def rules_digest() -> str:
    """Content hash of the alert rules: a change rolls the Prometheus task."""
    return _digest(PROMETHEUS_RULES_DIR)


class MonitoringConfiguration:
    """The three SSM parameters of the design (and Alertmanager's), and the bucket that holds
    the dashboards and the alert rules, with their deployments."""

    def __init__(
        self,
        stack: Stack,
        config: EnvironmentConfig,
        *,
        alarm_topic_name: str,
        probe_urls: Sequence[str] = (),
    ) -> None:
        self.probe_urls = tuple(probe_urls)
        self.prometheus_config_parameter = ssm.StringParameter(
            stack,
            "PrometheusConfig",
            parameter_name=f"/{config.name}/monitoring/prometheus-config",
            description="Prometheus scrape configuration (monitoring/prometheus/prometheus.yml)",
            string_value=render_prometheus_config(config.name, self.probe_urls),
            tier=ssm.ParameterTier.STANDARD,
        )
        # The topic's ARN from its fixed name: the alarms (and their topic) are built later.
        alarm_topic_arn = stack.format_arn(
            service="sns", resource=alarm_topic_name, arn_format=ArnFormat.NO_RESOURCE_NAME
        )
        self.alertmanager_config_parameter = ssm.StringParameter(
            stack,
            "AlertmanagerConfig",
            parameter_name=f"/{config.name}/monitoring/alertmanager-config",
            description="Alertmanager: alerts to the alarm topic (monitoring/alertmanager/)",
            string_value=render_alertmanager_config(
                config.name, alarm_topic_arn=alarm_topic_arn, region=stack.region
            ),
            tier=ssm.ParameterTier.STANDARD,
        )
        self.grafana_datasource_parameter = ssm.StringParameter(
            stack,
            "GrafanaDatasource",
            parameter_name=f"/{config.name}/monitoring/grafana/datasource",
            description="Grafana datasource provisioning",
            string_value=GRAFANA_DATASOURCE_FILE.read_text(encoding="utf-8"),
            tier=ssm.ParameterTier.STANDARD,
        )
        self.grafana_dashboard_parameter = ssm.StringParameter(
            stack,
            "GrafanaDashboardProvider",
            parameter_name=f"/{config.name}/monitoring/grafana/dashboard",
            description="Grafana dashboard provisioning (the dashboards themselves are in S3)",
            string_value=GRAFANA_DASHBOARD_PROVIDER_FILE.read_text(encoding="utf-8"),
            tier=ssm.ParameterTier.STANDARD,
        )

        # Dashboards are too large for SSM: S3 asset -> bucket -> init container -> Grafana.
        self.dashboards_bucket = s3.Bucket(
            stack,
            "DashboardsBucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=False,
        )
        copy_of_git = (
            "Holds only the dashboards copied from this repository on deploy; every change "
            "is already recorded in git and CloudTrail."
        )
        acknowledge(self.dashboards_bucket, "AwsSolutions-S1", copy_of_git)
        acknowledge_checkov(self.dashboards_bucket, "CKV_AWS_18", copy_of_git)
        acknowledge_checkov(
            self.dashboards_bucket,
            "CKV_AWS_21",
            "Every deploy replaces the dashboards with the versions in git, which is their "
            "history; bucket versions would duplicate it.",
        )
        self.dashboards_deployment = s3deploy.BucketDeployment(
            stack,
            "DashboardsDeployment",
            sources=[s3deploy.Source.asset(str(GRAFANA_DASHBOARDS_DIR))],
            destination_bucket=self.dashboards_bucket,
            destination_key_prefix=DASHBOARDS_KEY_PREFIX,
            prune=True,
            retain_on_delete=False,
            memory_limit=256,
        )
        # The alert rules take the same path to the Prometheus task.
        self.rules_deployment = s3deploy.BucketDeployment(
            stack,
            "PrometheusRulesDeployment",
            sources=[s3deploy.Source.asset(str(PROMETHEUS_RULES_DIR))],
            destination_bucket=self.dashboards_bucket,
            destination_key_prefix=RULES_KEY_PREFIX,
            prune=True,
            retain_on_delete=False,
            memory_limit=256,
        )
        self._acknowledge_bucket_deployment(stack)

    def _acknowledge_bucket_deployment(self, stack: Stack) -> None:
        """The aws-cdk-lib BucketDeployment function is a singleton at stack level."""
        handler = next(
            child
            for child in stack.node.children
            if child.node.id.startswith("Custom::CDKBucketDeployment")
        )
        acknowledge(
            handler,
            "AwsSolutions-L1",
            "The BucketDeployment function and its runtime are managed by aws-cdk-lib.",
        )
        acknowledge_deploy_time_functions(
            handler, "CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"
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
            f"{stack.account}-{stack.region}/*]",
            "BucketDeployment reads its source zip from the CDK bootstrap asset bucket, whose "
            "object keys are content hashes.",
        )
        acknowledge(
            handler,
            f"AwsSolutions-IAM5[Resource::{nag_ref(self.dashboards_bucket, 'Arn')}/*]",
            "BucketDeployment writes and prunes objects in this stack's dashboards bucket.",
        )
