"""MonitoringStack: EFS, Prometheus/Grafana services, SSM configuration, dashboards, alarms."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import yaml

from app import build_app
from cdk_synth import DOMAIN, Synthesized, cli_context
from stacks.settings import INFRASTRUCTURE_DIR, resolve_settings

DASHBOARDS = INFRASTRUCTURE_DIR.parent / "monitoring" / "grafana" / "dashboards"
RULES = INFRASTRUCTURE_DIR.parent / "monitoring" / "prometheus" / "rules"
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
            f"/{e}/monitoring/alertmanager-config",
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
        assert config["rule_files"] == ["rules/*.yml"]
        assert config["alerting"]["alertmanagers"] == [
            {"static_configs": [{"targets": ["localhost:9093"]}]}
        ]

    def test_certificate_probes_only_with_a_domain(self, variant: Synthesized) -> None:
        name = f"/{variant.environment}/monitoring/prometheus-config"
        config = yaml.safe_load(parameter(variant, name))
        jobs = {job["job_name"]: job for job in config["scrape_configs"]}
        if not variant.domain:
            assert "certificates" not in jobs
            return
        suffix = {"development": "-dev", "staging": "-staging", "production": ""}[
            variant.environment
        ]
        probe = jobs["certificates"]
        assert probe["metrics_path"] == "/probe"
        assert probe["params"] == {"module": ["http_2xx"]}
        assert probe["static_configs"] == [
            {
                "targets": [
                    f"https://app{suffix}.familybudget.app/api/health",
                    f"https://api{suffix}.familybudget.app/health",
                ]
            }
        ]
        assert probe["relabel_configs"][-1] == {
            "target_label": "__address__",
            "replacement": "localhost:9115",
        }

    def test_alertmanager_publishes_to_the_alarm_topic(self, env: Synthesized) -> None:
        e = env.environment
        value = next(
            p["Properties"]["Value"]
            for p in env.resources("Monitoring", "AWS::SSM::Parameter").values()
            if p["Properties"]["Name"] == f"/{e}/monitoring/alertmanager-config"
        )
        joined = "".join(
            part if isinstance(part, str) else json.dumps(part) for part in value["Fn::Join"][1]
        )
        assert f':{e}-critical-alarms"' in joined
        assert 'region: "us-east-1"' in joined
        assert f"[{e}]" in joined
        (topic,) = env.resources("Monitoring", "AWS::SNS::Topic").values()
        assert topic["Properties"]["TopicName"] == f"{e}-critical-alarms"
        role = containers(env)["prometheus/prometheus"]["_task"]["TaskRoleArn"]["Fn::GetAtt"][0]
        statements = [
            statement
            for policy in env.resources("Monitoring", "AWS::IAM::Policy").values()
            if {"Ref": role} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]
        (publish,) = [s for s in statements if s["Action"] == "sns:Publish"]
        assert publish["Resource"]["Ref"].startswith("AlarmTopic")

    def test_grafana_provisioning(self, env: Synthesized) -> None:
        datasource = yaml.safe_load(
            parameter(env, f"/{env.environment}/monitoring/grafana/datasource")
        )
        assert datasource["datasources"][0]["type"] == "prometheus"
        provider = yaml.safe_load(
            parameter(env, f"/{env.environment}/monitoring/grafana/dashboard")
        )
        assert provider["providers"][0]["options"]["path"] == "${GRAFANA_DASHBOARDS_PATH}"
        assert [(d["name"], d["type"], d["uid"]) for d in datasource["datasources"]] == [
            ("Prometheus", "prometheus", "prometheus"),
            ("CloudWatch", "cloudwatch", "cloudwatch"),
        ]
        assert datasource["datasources"][1]["jsonData"] == {
            "authType": "default",
            "defaultRegion": "${AWS_REGION}",
        }
        grafana = containers(env)["grafana/grafana"]
        variables = {e["Name"]: e["Value"] for e in grafana["Environment"]}
        assert variables["AWS_REGION"] == "us-east-1"
        assert variables["GRAFANA_DASHBOARDS_PATH"] == "/etc/grafana-config/dashboards"
        assert variables["PROMETHEUS_URL"] == (
            f"http://prometheus.{env.environment}.family-budget.local:9090"
        )
        assert variables["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
        assert variables["GF_SECURITY_ALLOW_EMBEDDING"] == "true"
        secrets = {s["Name"] for s in grafana["Secrets"]}
        assert secrets == {"GF_SECURITY_ADMIN_USER", "GF_SECURITY_ADMIN_PASSWORD"}


class TestDashboards:
    def test_every_dashboard_and_rule_file_is_deployed(self, env: Synthesized) -> None:
        deployments = {
            d["Properties"]["DestinationBucketKeyPrefix"]: d["Properties"]
            for d in env.resources("Monitoring", "Custom::CDKBucketDeployment").values()
        }
        folders = {"grafana/dashboards/": DASHBOARDS, "prometheus/rules/": RULES}
        assert set(deployments) == set(folders)
        for prefix, folder in folders.items():
            (key,) = deployments[prefix]["SourceObjectKeys"]
            staged = env.outdir / f"asset.{key.removesuffix('.zip')}"
            deployed = sorted(
                p.relative_to(staged).as_posix() for p in staged.rglob("*") if p.is_file()
            )
            in_repo = sorted(
                p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
            )
            assert in_repo and deployed == in_repo
            for name in in_repo:
                assert (staged / name).read_bytes() == (folder / name).read_bytes()

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
            target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])
        )
        for metric in (
            "http_requests_total",
            "http_request_duration_seconds_bucket",
            "family_budget_signups_total",
            "family_budget_households",
            "family_budget_active_users",
            # The web server's proxy (issue 14).
            "family_budget_web_api_proxy_duration_seconds_bucket",
            "family_budget_web_api_proxy_requests_total",
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

    def test_prometheus_task_copies_its_rules_and_runs_alertmanager(
        self, variant: Synthesized
    ) -> None:
        found = containers(variant)
        init = found["prometheus/config"]
        assert "aws s3 sync" in init["Command"][0]
        assert "/config/alertmanager.yml" in init["Command"][0]
        assert {s["Name"] for s in init["Secrets"]} == {"PROMETHEUS_CONFIG", "ALERTMANAGER_CONFIG"}
        alertmanager = found["prometheus/alertmanager"]
        assert alertmanager["Image"] == "prom/alertmanager:v0.27.0"
        assert alertmanager["Essential"] is True
        assert "--config.file=/etc/prometheus-config/alertmanager.yml" in alertmanager["Command"]
        assert alertmanager["DependsOn"] == [{"Condition": "SUCCESS", "ContainerName": "config"}]
        blackbox = found.get("prometheus/blackbox-exporter")
        if variant.domain:
            assert blackbox is not None
            assert blackbox["Image"] == "prom/blackbox-exporter:v0.25.0"
            assert blackbox["PortMappings"][0]["ContainerPort"] == 9115
        else:
            assert blackbox is None

    def test_grafana_reads_cloudwatch_metrics_only(self, env: Synthesized) -> None:
        role = containers(env)["grafana/grafana"]["_task"]["TaskRoleArn"]["Fn::GetAtt"][0]
        statements = [
            statement
            for policy in env.resources("Monitoring", "AWS::IAM::Policy").values()
            if {"Ref": role} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        ]
        cloudwatch = [s for s in statements if "cloudwatch" in json.dumps(s["Action"])]
        assert cloudwatch == [
            {
                "Action": [
                    "cloudwatch:GetMetricData",
                    "cloudwatch:GetMetricStatistics",
                    "cloudwatch:ListMetrics",
                ],
                "Effect": "Allow",
                "Resource": "*",
            }
        ]

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
        lb = "AWS::ElasticLoadBalancingV2::LoadBalancer"
        alb: Any
        if env.resources("Monitoring", lb):
            alb = env.get_att("Monitoring", lb, "MonitoringAlb", "DNSName")
        else:
            # The lean profile: the entry points are ports of the one load balancer that
            # ComputeStack shares.
            shared = env.logical_id("Compute", lb, "SharedAlb")
            exports = env.outputs("Monitoring")["MonitoringLoadBalancerDns"]["Value"]
            assert exports["Fn::ImportValue"].startswith(
                f"{env.environment}-ComputeStack:ExportsOutputFnGetAtt{shared}DNSName"
            )
            alb = exports
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
    rules = variant.resources("Monitoring", "AWS::ElasticLoadBalancingV2::ListenerRule")
    if variant.environment != "development":
        assert ports == ([80, 443] if variant.domain else [80, 9090])
        return
    # Lean: entry points on the shared ALB of ComputeStack (imported, not created here).
    shared_alb = "development-ComputeStack:ExportsOutputRefSharedAlb"
    if not variant.domain:
        assert ports == [3000, 9090]
        assert rules == {}
        for listener in listeners.values():
            arn = listener["Properties"]["LoadBalancerArn"]["Fn::ImportValue"]
            assert arn.startswith(shared_alb)
        return
    assert ports == []
    hosts = sorted(
        (
            rule["Properties"]["Priority"],
            rule["Properties"]["Conditions"][0]["HostHeaderConfig"]["Values"][0],
        )
        for rule in rules.values()
    )
    assert hosts == [
        (30, "grafana-dev.familybudget.app"),
        (40, "prometheus-dev.familybudget.app"),
    ]
    for rule in rules.values():
        listener = rule["Properties"]["ListenerArn"]["Fn::ImportValue"]
        assert listener.startswith(
            "development-ComputeStack:ExportsOutputRefSharedAlbHttpsListener"
        )
        # The example context leaves monitoring_ingress_cidr at the design's 0.0.0.0/0.
        assert len(rule["Properties"]["Conditions"]) == 1


def test_monitoring_urls_on_the_shared_load_balancer(synthesized: Any) -> None:
    outputs = synthesized("development").outputs("Monitoring")
    for key, port in (("GrafanaUrl", 3000), ("PrometheusUrl", 9090)):
        parts = outputs[key]["Value"]["Fn::Join"][1]
        assert parts[0] == "http://"
        assert parts[1]["Fn::ImportValue"].startswith(
            "development-ComputeStack:ExportsOutputFnGetAttSharedAlb"
        )
        assert parts[2] == f":{port}"
    domain = synthesized("development+domain").outputs("Monitoring")
    assert domain["GrafanaUrl"]["Value"] == "https://grafana-dev.familybudget.app"
    assert domain["PrometheusUrl"]["Value"] == "https://prometheus-dev.familybudget.app"


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


def test_restricted_range_limits_the_shared_monitoring_hosts(tmp_path: Path) -> None:
    """With monitoring_ingress_cidr set, the shared ALB's Grafana and Prometheus host rules
    also match on the source address (the ALB's 443 stays open to the world for the app)."""
    context = cli_context("development", DOMAIN)
    context["development"]["monitoring_ingress_cidr"] = "203.0.113.0/24"
    app = cdk.App(context=context, outdir=str(tmp_path))
    build_app(app, resolve_settings(context))
    template = app.synth().get_stack_by_name("development-MonitoringStack").template
    rules = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::ElasticLoadBalancingV2::ListenerRule"
    ]
    assert len(rules) == 2
    for rule in rules:
        assert rule["Conditions"][1:] == [
            {"Field": "source-ip", "SourceIpConfig": {"Values": ["203.0.113.0/24"]}}
        ]
