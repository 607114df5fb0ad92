"""MonitoringStack: EFS, Prometheus/Grafana services, SSM configuration, dashboards, alarms."""

from __future__ import annotations

import json
from typing import Any

import yaml

from cdk_synth import Synthesized
from stacks.settings import INFRASTRUCTURE_DIR

DASHBOARDS = INFRASTRUCTURE_DIR.parent / "monitoring" / "grafana" / "dashboards"
SIZES = {"development": ("512", "1024"), "staging": ("512", "1024"), "production": ("1024", "2048")}
ALARMS = {"development": 3, "staging": 3, "production": 5}
SCRAPE_TARGETS = {
    "backend": ("backend", 8000),
    "frontend": ("frontend", 3000),
    "worker": ("worker", 8000),
    "postgres-exporter": ("postgres-exporter", 9187),
    "redis-exporter": ("redis-exporter", 9121),
}
CONTRACT_OUTPUTS = {
    "GrafanaUrl",
    "PrometheusUrl",
    "GrafanaAdminSecretArn",
    "AlarmTopicArn",
    "GrafanaServiceName",
    "PrometheusServiceName",
    "GrafanaTargetGroupArn",
    "PrometheusTargetGroupArn",
}


def containers(env: Synthesized) -> dict[str, dict[str, Any]]:
    """Every container of the stack, keyed '<task>/<container>' (task = main container)."""
    found = {}
    for task in env.resources("Monitoring", "AWS::ECS::TaskDefinition").values():
        definitions = task["Properties"]["ContainerDefinitions"]
        main = next(c["Name"] for c in definitions if c.get("Essential", True))
        for definition in definitions:
            found[f"{main}/{definition['Name']}"] = definition | {"_task": task["Properties"]}
    return found


def parameter(env: Synthesized, name: str) -> str:
    for resource in env.resources("Monitoring", "AWS::SSM::Parameter").values():
        if resource["Properties"]["Name"] == name:
            value: str = resource["Properties"]["Value"]
            return value
    raise AssertionError(name)


class TestStorage:
    def test_efs_access_points(self, env: Synthesized) -> None:
        points = env.resources("Monitoring", "AWS::EFS::AccessPoint")
        owners = sorted(
            (
                p["Properties"]["RootDirectory"]["Path"],
                p["Properties"]["RootDirectory"]["CreationInfo"]["OwnerUid"],
                p["Properties"]["PosixUser"]["Uid"],
            )
            for p in points.values()
        )
        assert owners == [("/grafana", "472", "472"), ("/prometheus", "65534", "65534")]

    def test_efs_settings(self, env: Synthesized) -> None:
        (fs,) = env.resources("Monitoring", "AWS::EFS::FileSystem").values()
        props = fs["Properties"]
        assert props["Encrypted"] is True
        assert props["PerformanceMode"] == "generalPurpose"
        assert props["ThroughputMode"] == "bursting"
        production = env.environment == "production"
        assert (props.get("BackupPolicy", {}).get("Status") == "ENABLED") is production
        assert (fs["DeletionPolicy"] == "Retain") is production


class TestConfiguration:
    def test_ssm_parameters(self, env: Synthesized) -> None:
        names = sorted(
            p["Properties"]["Name"]
            for p in env.resources("Monitoring", "AWS::SSM::Parameter").values()
        )
        e = env.environment
        assert names == [
            f"/{e}/monitoring/grafana/dashboard",
            f"/{e}/monitoring/grafana/datasource",
            f"/{e}/monitoring/prometheus-config",
        ]

    def test_prometheus_scrape_targets(self, env: Synthesized) -> None:
        config = yaml.safe_load(parameter(env, f"/{env.environment}/monitoring/prometheus-config"))
        assert config["global"]["scrape_interval"] == "15s"
        assert config["global"]["evaluation_interval"] == "15s"
        jobs = {job["job_name"]: job for job in config["scrape_configs"]}
        for job_name, (host, port) in SCRAPE_TARGETS.items():
            (sd,) = jobs[job_name]["dns_sd_configs"]
            assert sd == {
                "names": [f"{host}.{env.environment}.family-budget.local"],
                "type": "A",
                "port": port,
            }
            assert jobs[job_name]["metrics_path"] == "/metrics"
        assert "{env}" not in parameter(env, f"/{env.environment}/monitoring/prometheus-config")

    def test_grafana_provisioning(self, env: Synthesized) -> None:
        datasource = yaml.safe_load(
            parameter(env, f"/{env.environment}/monitoring/grafana/datasource")
        )
        assert datasource["datasources"][0]["type"] == "prometheus"
        provider = yaml.safe_load(
            parameter(env, f"/{env.environment}/monitoring/grafana/dashboard")
        )
        assert provider["providers"][0]["options"]["path"] == "${GRAFANA_DASHBOARDS_PATH}"
        grafana = containers(env)["grafana/grafana"]
        variables = {e["Name"]: e["Value"] for e in grafana["Environment"]}
        assert variables["GRAFANA_DASHBOARDS_PATH"] == "/etc/grafana-config/dashboards"
        assert variables["PROMETHEUS_URL"] == (
            f"http://prometheus.{env.environment}.family-budget.local:9090"
        )
        assert variables["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
        assert variables["GF_SECURITY_ALLOW_EMBEDDING"] == "true"
        secrets = {s["Name"] for s in grafana["Secrets"]}
        assert secrets == {"GF_SECURITY_ADMIN_USER", "GF_SECURITY_ADMIN_PASSWORD"}


class TestDashboards:
    def test_every_dashboard_file_is_deployed(self, env: Synthesized) -> None:
        (deployment,) = env.resources("Monitoring", "Custom::CDKBucketDeployment").values()
        props = deployment["Properties"]
        assert props["DestinationBucketKeyPrefix"] == "grafana/dashboards/"
        (key,) = props["SourceObjectKeys"]
        staged = env.outdir / f"asset.{key.removesuffix('.zip')}"
        deployed = sorted(
            p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()
        )
        in_repo = sorted(
            p.relative_to(DASHBOARDS).as_posix() for p in DASHBOARDS.rglob("*") if p.is_file()
        )
        assert in_repo and deployed == in_repo
        for name in in_repo:
            assert (staged / name).read_bytes() == (DASHBOARDS / name).read_bytes()

    def test_init_container_copies_them_before_grafana_starts(self, env: Synthesized) -> None:
        found = containers(env)
        init, grafana = found["grafana/config"], found["grafana/grafana"]
        assert init["Essential"] is False
        assert "aws s3 sync" in init["Command"][0]
        assert grafana["DependsOn"] == [{"Condition": "SUCCESS", "ContainerName": "config"}]
        (efs_mount, config_mount) = sorted(
            grafana["MountPoints"], key=lambda m: m["ContainerPath"] == "/etc/grafana-config"
        )
        assert efs_mount["ContainerPath"] == "/var/lib/grafana"
        assert config_mount["ReadOnly"] is True

    def test_application_overview_uses_the_backend_metrics(self) -> None:
        dashboard = json.loads((DASHBOARDS / "application-overview.json").read_text())
        assert dashboard["title"] == "Application Overview"
        queries = " ".join(
            target["expr"] for panel in dashboard["panels"] for target in panel["targets"]
        )
        for metric in (
            "http_requests_total",
            "http_request_duration_seconds_bucket",
            "family_budget_signups_total",
            "family_budget_households",
        ):
            assert metric in queries


class TestServices:
    def test_pinned_images(self, env: Synthesized) -> None:
        for name, definition in containers(env).items():
            image = definition["Image"]
            assert isinstance(image, str) and ":" in image, name
            assert not image.endswith(":latest"), name

    def test_task_sizes(self, env: Synthesized) -> None:
        for main in ("prometheus", "grafana"):
            task = containers(env)[f"{main}/{main}"]["_task"]
            assert (task["Cpu"], task["Memory"]) == SIZES[env.environment]

    def test_prometheus_retention_and_config(self, env: Synthesized) -> None:
        prometheus = containers(env)["prometheus/prometheus"]
        assert "--storage.tsdb.retention.time=15d" in prometheus["Command"]
        assert "--config.file=/etc/prometheus-config/prometheus.yml" in prometheus["Command"]
        assert prometheus["DependsOn"] == [{"Condition": "SUCCESS", "ContainerName": "config"}]

    def test_single_task_services_in_cloudmap(self, env: Synthesized) -> None:
        for service in env.resources("Monitoring", "AWS::ECS::Service").values():
            props = service["Properties"]
            assert props["DesiredCount"] == 1
            assert props["DeploymentConfiguration"]["MaximumPercent"] == 100
        names = sorted(
            s["Properties"]["Name"]
            for s in env.resources("Monitoring", "AWS::ServiceDiscovery::Service").values()
        )
        assert names == ["grafana", "prometheus"]

    def test_target_group_health_checks(self, env: Synthesized) -> None:
        paths = sorted(
            g["Properties"]["HealthCheckPath"]
            for g in env.resources(
                "Monitoring", "AWS::ElasticLoadBalancingV2::TargetGroup"
            ).values()
        )
        assert paths == ["/-/healthy", "/api/health"]

    def test_outputs(self, env: Synthesized) -> None:
        assert set(env.outputs("Monitoring")) >= CONTRACT_OUTPUTS
        service, target_group = "AWS::ECS::Service", "AWS::ElasticLoadBalancingV2::TargetGroup"
        alb = env.get_att(
            "Monitoring", "AWS::ElasticLoadBalancingV2::LoadBalancer", "MonitoringAlb", "DNSName"
        )
        env.assert_outputs(
            "Monitoring",
            {
                "GrafanaAdminSecretArn": env.ref(
                    "Monitoring", "AWS::SecretsManager::Secret", "GrafanaAdminSecret"
                ),
                "AlarmTopicArn": env.ref("Monitoring", "AWS::SNS::Topic", "AlarmTopic"),
                "GrafanaServiceName": env.get_att("Monitoring", service, "GrafanaService", "Name"),
                "PrometheusServiceName": env.get_att(
                    "Monitoring", service, "PrometheusService", "Name"
                ),
                "GrafanaTargetGroupArn": env.ref("Monitoring", target_group, "GrafanaTargetGroup"),
                "PrometheusTargetGroupArn": env.ref(
                    "Monitoring", target_group, "PrometheusTargetGroup"
                ),
                "MonitoringLoadBalancerDns": alb,
                "DashboardsBucketName": env.ref(
                    "Monitoring", "AWS::S3::Bucket", "DashboardsBucket"
                ),
            },
            f"{env.environment}-Monitoring-",
        )
        outputs = env.outputs("Monitoring")
        for key in ("GrafanaUrl", "PrometheusUrl"):
            # Through the monitoring load balancer: its DNS name, or the domain that aliases it.
            value = json.dumps(outputs[key]["Value"])
            assert json.dumps(alb) in value or (env.domain and env.domain in value), key


class TestAlarms:
    def test_at_most_five_critical_alarms(self, env: Synthesized) -> None:
        alarms = env.resources("Monitoring", "AWS::CloudWatch::Alarm")
        assert len(alarms) == ALARMS[env.environment]
        topics = env.resources("Monitoring", "AWS::SNS::Topic")
        ((topic_logical, topic),) = topics.items()
        assert topic["Properties"]["TopicName"] == f"{env.environment}-critical-alarms"
        for alarm in alarms.values():
            assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_logical}]

    def test_alarm_email_subscription(self, env: Synthesized) -> None:
        subscriptions = env.resources("Monitoring", "AWS::SNS::Subscription")
        endpoints = [s["Properties"]["Endpoint"] for s in subscriptions.values()]
        # The example context sets alarm_email for staging and production, not development.
        expected = [] if env.environment == "development" else ["alerts@example.com"]
        assert endpoints == expected

    def test_database_alarm_thresholds(self, env: Synthesized) -> None:
        template = env.template("Monitoring")
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {"MetricName": "FreeStorageSpace", "Threshold": 5 * 1024**3},
        )
        template.has_resource_properties(
            "AWS::CloudWatch::Alarm",
            {
                "MetricName": "CPUUtilization",
                "Threshold": 95,
                "EvaluationPeriods": 3,
                "Period": 300,
            },
        )


def test_monitoring_load_balancer_listeners(variant: Synthesized) -> None:
    listeners = variant.resources("Monitoring", "AWS::ElasticLoadBalancingV2::Listener")
    ports = sorted(listener["Properties"]["Port"] for listener in listeners.values())
    assert ports == ([80, 443] if variant.domain else [80, 9090])


def test_local_prometheus_config_scrapes_the_same_jobs() -> None:
    folder = INFRASTRUCTURE_DIR.parent / "monitoring" / "prometheus"
    local = yaml.safe_load((folder / "prometheus.local.yml").read_text())
    aws = yaml.safe_load((folder / "prometheus.yml").read_text())
    local_jobs = {
        job["job_name"]: int(job["static_configs"][0]["targets"][0].rsplit(":", 1)[1])
        for job in local["scrape_configs"]
    }
    aws_jobs = {
        job["job_name"]: job["dns_sd_configs"][0]["port"]
        for job in aws["scrape_configs"]
        if "dns_sd_configs" in job
    }
    assert {name: port for name, port in local_jobs.items() if name != "prometheus"} == aws_jobs
    assert aws_jobs == {name: port for name, (_, port) in SCRAPE_TARGETS.items()}
