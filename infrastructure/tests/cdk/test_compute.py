"""ComputeStack: cluster, services, sizes, autoscaling, health checks, migrations and outputs."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from cdk_synth import IMAGE_TAG, Synthesized
from stacks.settings import example_context

# (cpu units, memory MiB, min tasks, max tasks) from the design document.
SERVICES = {
    "development": {"backend": (512, 1024, 1, 4), "frontend": (512, 1024, 1, 4)},
    "staging": {"backend": (1024, 2048, 2, 10), "frontend": (1024, 2048, 2, 6)},
    "production": {"backend": (2048, 4096, 2, 20), "frontend": (1024, 2048, 2, 10)},
}
WORKER = {"development": (512, 1024, 1), "staging": (1024, 2048, 2), "production": (1024, 2048, 3)}

CONTRACT_OUTPUTS = [
    "ClusterName",
    "ClusterArn",
    "BackendServiceName",
    "FrontendServiceName",
    "WorkerServiceName",
    "BackendServiceArn",
    "FrontendServiceArn",
    "WorkerServiceArn",
    "BeatServiceName",
    "BackendLoadBalancerDns",
    "FrontendLoadBalancerDns",
    "BackendTargetGroupArn",
    "FrontendTargetGroupArn",
    "BackendUrl",
    "FrontendUrl",
    "MigrationTaskDefinitionArn",
    "MigrationSubnetIds",
    "MigrationSecurityGroupId",
]

BACKEND_SECRETS = {
    "DATABASE_HOST": ("database", "host"),
    "DATABASE_PORT": ("database", "port"),
    "DATABASE_NAME": ("database", "dbname"),
    "DATABASE_USER": ("database", "username"),
    "DATABASE_PASSWORD": ("database", "password"),
    "REDIS_AUTH_TOKEN": ("redis", "token"),
    "JWT_SECRET": ("jwt", "secret_key"),
    "PLAID_CLIENT_ID": ("plaid", "client_id"),
    "PLAID_SECRET": ("plaid", "secret"),
    "BANK_TOKEN_ENCRYPTION_KEY": ("plaid", "bank_token_encryption_key"),
    "VAPID_PRIVATE_KEY": ("external", "vapid_private_key"),
}
# Where each secret's ARN comes from (an export of the stack that owns it).
SECRET_SOURCES = {
    "database": "DatabaseStack",
    "redis": "CacheStack:ExportsOutputRefRedisAuthSecret",
    "jwt": "SecurityStack:ExportsOutputRefJwtSecret",
    "plaid": "SecurityStack:ExportsOutputRefPlaidSecret",
    "external": "SecurityStack:ExportsOutputRefExternalServicesSecret",
}
# The topic each topic setting names (NotificationStack's export of the topic's Ref).
TOPIC_SETTINGS = {
    "BILL_REMINDERS_TOPIC_ARN": "BillRemindersTopic",
    "BUDGET_ALERTS_TOPIC_ARN": "BudgetAlertsTopic",
    "ACCOUNT_SYNC_FAILURES_TOPIC_ARN": "AccountSyncFailuresTopic",
    "SECURITY_ALERTS_TOPIC_ARN": "SecurityAlertsTopic",
}
# The platform-applications custom resource's attribute each setting names.
PLATFORM_APPLICATION_SETTINGS = {
    "APNS_PLATFORM_APPLICATION_ARN": "ApnsPlatformApplicationArn",
    "APNS_SANDBOX_PLATFORM_APPLICATION_ARN": "ApnsSandboxPlatformApplicationArn",
    "FCM_PLATFORM_APPLICATION_ARN": "FcmPlatformApplicationArn",
}
BACKEND_ENVIRONMENT = {
    "ENVIRONMENT",
    "REDIS_URL",
    "PLAID_ENV",
    "PLAID_WEBHOOK_URL",
    "EXPORTS_BUCKET",
    "RECEIPTS_BUCKET",
    "AWS_REGION",
    "SES_CONFIGURATION_SET",
    "EMAIL_FROM_ADDRESS",
    "SES_EVENTS_QUEUE_URL",
    "LOG_LEVEL",
    "VAPID_SUBJECT",
    "PUBLIC_APP_URL",
    "TRUSTED_PROXIES",
    *TOPIC_SETTINGS,
    *PLATFORM_APPLICATION_SETTINGS,
}
# The backend's settings (family_budget.config.Settings) the containers leave at their defaults,
# and why. Every other setting must be passed (test_every_backend_setting_is_passed_or_defaulted).
DEFAULTED_SETTINGS = {
    "DATA_DIR": "files live in S3; nothing is kept on a task's disk",
    "DATABASE_URL": "assembled from the DATABASE_* parts of the database secret",
    "DATABASE_POOL_SIZE": "the default suits the tasks' sizes",
    "JWT_ALGORITHM": "HS256, the default",
    "ACCESS_TOKEN_EXPIRE_MINUTES": "the default",
    "REFRESH_TOKEN_EXPIRE_DAYS": "the default",
    "REFRESH_REUSE_GRACE_SECONDS": "the default",
    "PLAID_API_URL": "only for the demo bank and tests; PLAID_ENV picks Plaid's host",
    "PLAID_MAX_ATTEMPTS": "the default",
    "PLAID_WEBHOOK_RATE_PER_ADDRESS": "the default",
    "BANK_TOKEN_ENCRYPTION_OLD_KEYS": "set by hand only while a key is rotated",
    "WORKER_TICK_SECONDS": "the default (beat ticks every minute)",
    "BACKUPS_BUCKET": "only the nightly backup task (it has its own, tested below)",
    "BACKUP_RETENTION_COUNT": "only the nightly backup task",
    "BACKUP_RETENTION_DAYS": "only the nightly backup task",
    "FILE_URL_SECRET": "signs links to local files; on AWS links are presigned S3 URLs",
    "CORS_ORIGINS": "the web app calls the API through its own /api/v1 proxy (same origin)",
    "MAX_REQUEST_BODY_BYTES": "the default",
    "LOGIN_RATE_PER_ACCOUNT": "the default",
    "LOGIN_RATE_PER_ADDRESS": "the default",
    "LOGIN_RATE_PER_ACCOUNT_NEW_DEVICES": "the default",
    "REGISTER_RATE_PER_ADDRESS": "the default",
    "FORGOT_PASSWORD_RATE_PER_ACCOUNT": "the default",
    "FORGOT_PASSWORD_RATE_PER_ADDRESS": "the default",
}
BACKEND_CONFIG = Path(__file__).resolve().parents[3] / "backend/src/family_budget/config.py"


def platform_application_of(env: Synthesized, imported: str) -> str:
    """The attribute of NotificationStack's platform-applications resource an import names."""
    match = re.fullmatch(
        f"{env.environment}-NotificationStack:ExportsOutputFnGetAttPlatformApplications"
        r"(\w+PlatformApplicationArn)[0-9A-F]{8}",
        imported,
    )
    assert match is not None, imported
    return match.group(1)


def backend_setting_names() -> set[str]:
    """The environment variable of every field of the backend's Settings class."""
    tree = ast.parse(BACKEND_CONFIG.read_text(encoding="utf-8"))
    settings = next(
        node for node in tree.body if isinstance(node, ast.ClassDef) and node.name == "Settings"
    )
    return {
        statement.target.id.upper()
        for statement in settings.body
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
    }


def task_definitions(env: Synthesized) -> dict[str, dict[str, Any]]:
    """Task definitions keyed by their first essential container's name."""
    found = {}
    for task in env.resources("Compute", "AWS::ECS::TaskDefinition").values():
        containers = task["Properties"]["ContainerDefinitions"]
        names = [c["Name"] for c in containers]
        key = (
            "migration"
            if names == ["migrate"]
            else next(c["Name"] for c in containers if c.get("Essential", True))
        )
        found[key] = task["Properties"]
    return found


def container(task: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in task["ContainerDefinitions"] if c["Name"] == name)
    return found


def service_by_discovery(env: Synthesized, name: str) -> dict[str, Any]:
    """The ECS service registered in CloudMap under ``name``."""
    discovery = env.resources("Compute", "AWS::ServiceDiscovery::Service")
    logical = next(k for k, v in discovery.items() if v["Properties"].get("Name") == name)
    for service in env.resources("Compute", "AWS::ECS::Service").values():
        registries = service["Properties"].get("ServiceRegistries", [])
        if registries and registries[0]["RegistryArn"] == {"Fn::GetAtt": [logical, "Arn"]}:
            properties: dict[str, Any] = service["Properties"]
            return properties
    raise AssertionError(f"no service registered as {name}")


class TestCluster:
    def test_container_insights(self, env: Synthesized) -> None:
        env.template("Compute").has_resource_properties(
            "AWS::ECS::Cluster",
            {"ClusterSettings": [{"Name": "containerInsights", "Value": "enabled"}]},
        )

    def test_cloudmap_namespace(self, env: Synthesized) -> None:
        env.template("Compute").has_resource_properties(
            "AWS::ServiceDiscovery::PrivateDnsNamespace",
            {"Name": f"{env.environment}.family-budget.local"},
        )
        names = {
            s["Properties"]["Name"]
            for s in env.resources("Compute", "AWS::ServiceDiscovery::Service").values()
        }
        assert names == {"backend", "frontend", "worker", "postgres-exporter", "redis-exporter"}

    def test_exporter_names_alias_their_tasks(self, env: Synthesized) -> None:
        instances = env.resources("Compute", "AWS::ServiceDiscovery::Instance")
        cnames = sorted(
            i["Properties"]["InstanceAttributes"]["AWS_INSTANCE_CNAME"] for i in instances.values()
        )
        e = env.environment
        assert cnames == [f"backend.{e}.family-budget.local", f"worker.{e}.family-budget.local"]


class TestServices:
    def test_task_sizes(self, env: Synthesized) -> None:
        tasks = task_definitions(env)
        for name, (cpu, memory, _, _) in SERVICES[env.environment].items():
            assert (tasks[name]["Cpu"], tasks[name]["Memory"]) == (str(cpu), str(memory)), name
        cpu, memory, _ = WORKER[env.environment]
        assert (tasks["worker"]["Cpu"], tasks["worker"]["Memory"]) == (str(cpu), str(memory))

    def test_autoscaling_bounds_and_cpu_target(self, env: Synthesized) -> None:
        targets = env.resources("Compute", "AWS::ApplicationAutoScaling::ScalableTarget")
        bounds = sorted(
            (t["Properties"]["MinCapacity"], t["Properties"]["MaxCapacity"])
            for t in targets.values()
        )
        expected = sorted((lo, hi) for _, _, lo, hi in SERVICES[env.environment].values())
        assert bounds == expected
        policies = env.resources("Compute", "AWS::ApplicationAutoScaling::ScalingPolicy")
        assert len(policies) == 2
        for policy in policies.values():
            config = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
            assert config["TargetValue"] == 70
            assert config["PredefinedMetricSpecification"] == {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            }

    def test_worker_count(self, env: Synthesized) -> None:
        worker = service_by_discovery(env, "worker")
        assert worker["DesiredCount"] == WORKER[env.environment][2]
        assert "LoadBalancers" not in worker

    def test_circuit_breaker_with_rollback(self, env: Synthesized) -> None:
        for name in ("backend", "frontend", "worker"):
            service = service_by_discovery(env, name)
            assert service["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {
                "Enable": True,
                "Rollback": True,
            }, name

    def test_health_checks(self, env: Synthesized) -> None:
        groups = env.resources("Compute", "AWS::ElasticLoadBalancingV2::TargetGroup")
        paths = {logical: g["Properties"]["HealthCheckPath"] for logical, g in groups.items()}
        assert sorted(paths.values()) == ["/api/health", "/health"]
        for name, path, port in (("backend", "/health", 8000), ("frontend", "/api/health", 3000)):
            (registration,) = service_by_discovery(env, name)["LoadBalancers"]
            assert registration["ContainerName"] == name
            assert registration["ContainerPort"] == port
            assert paths[registration["TargetGroupArn"]["Ref"]] == path

    def test_images_from_this_repository_with_the_given_tag(self, env: Synthesized) -> None:
        tasks = task_definitions(env)
        for task_name, container_name, repository in (
            ("backend", "backend", "Backend"),
            ("backend", "migrate", "Backend"),
            ("worker", "worker", "Backend"),
            ("beat", "beat", "Backend"),
            ("migration", "migrate", "Backend"),
            ("frontend", "frontend", "Frontend"),
        ):
            image = container(tasks[task_name], container_name)["Image"]
            parts = image["Fn::Join"][1]
            assert parts[-1] == f":{IMAGE_TAG}", (task_name, container_name)
            repository_ref = json.dumps(parts[0])
            assert f"EcrStack:ExportsOutputFnGetAtt{repository}Repository" in repository_ref

    def test_commands(self, env: Synthesized) -> None:
        tasks = task_definitions(env)
        assert container(tasks["backend"], "backend")["Command"] == ["serve"]
        assert container(tasks["worker"], "worker")["Command"] == ["worker"]
        assert container(tasks["beat"], "beat")["Command"] == ["beat"]
        assert container(tasks["migration"], "migrate")["Command"] == ["migrate"]

    def test_backend_environment_and_secrets(self, env: Synthesized) -> None:
        tasks = task_definitions(env)
        for task_name, name in (
            ("backend", "backend"),
            ("backend", "migrate"),
            ("worker", "worker"),
            ("beat", "beat"),
            ("migration", "migrate"),
        ):
            definition = container(tasks[task_name], name)
            assert {e["Name"] for e in definition["Environment"]} == BACKEND_ENVIRONMENT
            secrets = {s["Name"]: json.dumps(s["ValueFrom"]) for s in definition["Secrets"]}
            assert set(secrets) == set(BACKEND_SECRETS)
            for variable, (secret, key) in BACKEND_SECRETS.items():
                assert secrets[variable].endswith(f':{key}::"]]}}'), variable
                assert SECRET_SOURCES[secret] in secrets[variable], variable
            environment = {e["Name"]: e["Value"] for e in definition["Environment"]}
            assert environment["ENVIRONMENT"] == env.environment
            assert "rediss://" in json.dumps(environment["REDIS_URL"])
            # The URL of NotificationStack's email-events queue (Ref of an SQS queue).
            queue_url = environment["SES_EVENTS_QUEUE_URL"]["Fn::ImportValue"]
            assert queue_url.startswith(
                f"{env.environment}-NotificationStack:ExportsOutputRefEmailEventsQueue"
            )

    def test_every_backend_setting_is_passed_or_defaulted(self, env: Synthesized) -> None:
        names = backend_setting_names()
        assert {"PUBLIC_APP_URL", "VAPID_PRIVATE_KEY", "SECURITY_ALERTS_TOPIC_ARN"} <= names
        passed = BACKEND_ENVIRONMENT | set(BACKEND_SECRETS)
        # Every container of the backend image gets exactly these (test above); what it gets
        # is a setting, and every setting is either passed or left on purpose.
        assert passed <= names, passed - names
        assert names - passed == set(DEFAULTED_SETTINGS)

    def test_public_listeners_refuse_metrics(self, variant: Synthesized) -> None:
        """Prometheus scrapes the tasks through Cloud Map; the internet gets 404 for /metrics
        on every listener that forwards to the app, before any host rule."""
        rules = variant.resources("Compute", "AWS::ElasticLoadBalancingV2::ListenerRule")
        refusing = {
            json.dumps(rule["Properties"]["ListenerArn"], sort_keys=True)
            for rule in rules.values()
            if rule["Properties"]["Conditions"]
            == [
                {
                    "Field": "path-pattern",
                    "PathPatternConfig": {"Values": ["/metrics", "/metrics/*"]},
                }
            ]
            and rule["Properties"]["Priority"] == 1
            and rule["Properties"]["Actions"][0]["FixedResponseConfig"]["StatusCode"] == "404"
        }
        forwarding = {
            json.dumps({"Ref": listener_id}, sort_keys=True)
            for listener_id, listener in variant.resources(
                "Compute", "AWS::ElasticLoadBalancingV2::Listener"
            ).items()
            if listener["Properties"]["DefaultActions"][0]["Type"] != "redirect"
        }
        assert forwarding
        assert forwarding <= refusing

    def test_only_the_vpc_may_name_the_client(self, env: Synthesized) -> None:
        """X-Forwarded-For is believed from the load balancers (in the VPC), nobody else."""
        definition = container(task_definitions(env)["backend"], "backend")
        environment = {e["Name"]: e["Value"] for e in definition["Environment"]}
        assert "CidrBlock" in json.dumps(environment["TRUSTED_PROXIES"])

    def test_notification_settings(self, variant: Synthesized) -> None:
        """The four topics, the platform applications, Web Push and the web app's URL."""
        prefix = f"{variant.environment}-NotificationStack:ExportsOutput"
        frontend_url = variant.outputs("Compute")["FrontendUrl"]["Value"]
        for task_name, name in (
            ("backend", "backend"),
            ("backend", "migrate"),
            ("worker", "worker"),
            ("beat", "beat"),
            ("migration", "migrate"),
        ):
            definition = container(task_definitions(variant)[task_name], name)
            environment = {e["Name"]: e["Value"] for e in definition["Environment"]}
            for setting, topic in TOPIC_SETTINGS.items():
                imported = environment[setting]["Fn::ImportValue"]
                assert imported.startswith(f"{prefix}Ref{topic}"), setting
            for setting, attribute in PLATFORM_APPLICATION_SETTINGS.items():
                imported = environment[setting]["Fn::ImportValue"]
                assert platform_application_of(variant, imported) == attribute, setting
            sender = environment["EMAIL_FROM_ADDRESS"]
            assert re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", sender), sender
            assert environment["VAPID_SUBJECT"] == f"mailto:{sender}"
            assert environment["PUBLIC_APP_URL"] == frontend_url
            if variant.domain:
                suffix = {"development": "-dev", "staging": "-staging", "production": ""}[
                    variant.environment
                ]
                assert frontend_url == f"https://app{suffix}.{variant.domain}"

    def test_plaid_settings(self, variant: Synthesized) -> None:
        """PLAID_ENV from the environment's plaid_environment; webhooks to the API's public URL;
        the token key from the plaid secret (checked above)."""
        plaid_environment = example_context()[variant.environment]["plaid_environment"]
        backend_url = variant.outputs("Compute")["BackendUrl"]["Value"]
        for task_name, name in (
            ("backend", "backend"),
            ("backend", "migrate"),
            ("worker", "worker"),
            ("migration", "migrate"),
        ):
            definition = container(task_definitions(variant)[task_name], name)
            environment = {e["Name"]: e["Value"] for e in definition["Environment"]}
            assert environment["PLAID_ENV"] == plaid_environment
            webhook_url = environment["PLAID_WEBHOOK_URL"]
            if variant.domain:
                suffix = {"development": "-dev", "staging": "-staging", "production": ""}[
                    variant.environment
                ]
                assert webhook_url == f"https://api{suffix}.{variant.domain}/api/v1/webhooks/plaid"
            else:
                # The backend ALB's URL (a Join of its DNS name) with the webhook path added
                # (CloudFormation's Join merges it into a trailing ":port" string).
                joined = webhook_url["Fn::Join"][1]
                backend = backend_url["Fn::Join"][1]
                if isinstance(backend[-1], str):
                    backend = [*backend[:-1], backend[-1] + "/api/v1/webhooks/plaid"]
                else:
                    backend = [*backend, "/api/v1/webhooks/plaid"]
                assert joined == backend

    def test_no_credential_in_plain_environment(self, env: Synthesized) -> None:
        sensitive = {*BACKEND_SECRETS, "DATABASE_URL", "DATA_SOURCE_PASS", "REDIS_PASSWORD"}
        for task in env.resources("Compute", "AWS::ECS::TaskDefinition").values():
            for definition in task["Properties"]["ContainerDefinitions"]:
                plain = {e["Name"] for e in definition.get("Environment", [])}
                assert not plain & sensitive, definition["Name"]


class TestMigrations:
    def test_backend_waits_for_a_successful_migration(self, env: Synthesized) -> None:
        backend_task = task_definitions(env)["backend"]
        migrate = container(backend_task, "migrate")
        assert migrate["Essential"] is False
        assert migrate["Command"] == ["migrate"]
        backend = container(backend_task, "backend")
        assert backend["DependsOn"] == [{"Condition": "SUCCESS", "ContainerName": "migrate"}]
        assert backend["Essential"] is True
        assert migrate["Image"] == backend["Image"]

    def test_one_off_migration_task(self, env: Synthesized) -> None:
        migration = task_definitions(env)["migration"]
        assert [c["Name"] for c in migration["ContainerDefinitions"]] == ["migrate"]
        assert migration["ContainerDefinitions"][0]["Essential"] is True

    def test_outputs_for_make_migrate(self, env: Synthesized) -> None:
        outputs = env.outputs("Compute")
        assert set(CONTRACT_OUTPUTS) <= set(outputs)
        subnets = json.dumps(outputs["MigrationSubnetIds"]["Value"])
        assert subnets.count("PrivateSubnet") == 2 and "Fn::Join" in subnets

    def test_outputs_name_the_resources(self, env: Synthesized) -> None:
        service, lb = "AWS::ECS::Service", "AWS::ElasticLoadBalancingV2::LoadBalancer"
        target_group = "AWS::ElasticLoadBalancingV2::TargetGroup"
        expected = {
            "ClusterName": env.ref("Compute", "AWS::ECS::Cluster", "Cluster"),
            "ClusterArn": env.get_att("Compute", "AWS::ECS::Cluster", "Cluster", "Arn"),
            "MigrationTaskDefinitionArn": env.ref(
                "Compute", "AWS::ECS::TaskDefinition", "MigrationTask"
            ),
            "MigrationSecurityGroupId": env.get_att(
                "Compute", "AWS::EC2::SecurityGroup", "MigrationSecurityGroup", "GroupId"
            ),
        }
        # The lean profile serves every entry point from one shared load balancer (its public
        # services are plain Fargate services with target groups of their own).
        shared = any(logical.startswith("SharedAlb") for logical in env.resources("Compute", lb))
        public = "FargateService" if shared else "Service"
        for name in ("Backend", "Frontend", "Worker"):
            construct = f"{name}{public}" if name != "Worker" else "WorkerService"
            expected[f"{name}ServiceName"] = env.get_att("Compute", service, construct, "Name")
            expected[f"{name}ServiceArn"] = env.ref("Compute", service, construct)
        expected["BeatServiceName"] = env.get_att("Compute", service, "BeatService", "Name")
        for name in ("Backend", "Frontend"):
            expected[f"{name}LoadBalancerDns"] = env.get_att(
                "Compute", lb, "SharedAlb" if shared else f"{name}ServiceLB", "DNSName"
            )
            expected[f"{name}TargetGroupArn"] = env.ref(
                "Compute", target_group, f"{name}TargetGroup" if shared else f"{name}Service"
            )
        assert set(expected) | {"BackendUrl", "FrontendUrl", "MigrationSubnetIds"} == set(
            CONTRACT_OUTPUTS
        )
        env.assert_outputs("Compute", expected, f"{env.environment}-Compute-")

    def test_migration_security_group_reaches_the_database(self, env: Synthesized) -> None:
        """The PostgreSQL rule from the migration task's group is on the group the database
        instance itself uses (exported by the DatabaseStack), not merely on some group."""
        rules = [
            rule["Properties"]
            for rule in env.resources("Compute", "AWS::EC2::SecurityGroupIngress").values()
            if rule["Properties"]["SourceSecurityGroupId"]
            == env.get_att(
                "Compute", "AWS::EC2::SecurityGroup", "MigrationSecurityGroup", "GroupId"
            )
            and rule["Properties"]["FromPort"] == 5432
        ]
        assert len(rules) == 1
        (rule,) = rules
        assert (rule["IpProtocol"], rule["ToPort"]) == ("tcp", 5432)
        exports = {
            output["Export"]["Name"]: output["Value"]
            for output in env.outputs("Database").values()
            if "Export" in output
        }
        on_group = exports[rule["GroupId"]["Fn::ImportValue"]]
        (database,) = env.resources("Database", "AWS::RDS::DBInstance").values()
        assert database["Properties"]["VPCSecurityGroups"] == [on_group]


class TestBeat:
    def service(self, env: Synthesized) -> dict[str, Any]:
        beat_task = next(
            logical
            for logical, task in env.resources("Compute", "AWS::ECS::TaskDefinition").items()
            if [c["Name"] for c in task["Properties"]["ContainerDefinitions"]] == ["beat"]
        )
        (service,) = [
            s["Properties"]
            for s in env.resources("Compute", "AWS::ECS::Service").values()
            if s["Properties"]["TaskDefinition"] == {"Ref": beat_task}
        ]
        properties: dict[str, Any] = service
        return properties

    def test_exactly_one_task_never_two_during_a_deployment(self, env: Synthesized) -> None:
        service = self.service(env)
        assert service["DesiredCount"] == 1
        deployment = service["DeploymentConfiguration"]
        assert deployment["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
        assert (deployment["MaximumPercent"], deployment["MinimumHealthyPercent"]) == (100, 0)
        assert "LoadBalancers" not in service and "ServiceRegistries" not in service
        assert service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] == (
            "DISABLED"
        )

    def test_smallest_size_and_a_role_without_permissions(self, env: Synthesized) -> None:
        beat = task_definitions(env)["beat"]
        assert (beat["Cpu"], beat["Memory"]) == ("256", "512")
        role = beat["TaskRoleArn"]["Fn::GetAtt"][0]
        assert role.startswith("BeatTask")
        assert role_statements(env, role) == []

    def test_reaches_redis_and_not_the_database(self, env: Synthesized) -> None:
        group = self.service(env)["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"][
            0
        ]["Fn::GetAtt"][0]
        assert group.startswith("BeatSecurityGroup")
        ports = {
            rule["Properties"]["FromPort"]
            for rule in env.resources("Compute", "AWS::EC2::SecurityGroupIngress").values()
            if rule["Properties"].get("SourceSecurityGroupId") == {"Fn::GetAtt": [group, "GroupId"]}
        }
        assert ports == {6379}


class TestLoadBalancers:
    def test_https_only_with_a_domain(self, variant: Synthesized) -> None:
        listeners = variant.resources("Compute", "AWS::ElasticLoadBalancingV2::Listener")
        protocols = sorted(listener["Properties"]["Protocol"] for listener in listeners.values())
        if variant.environment == "development":
            # Lean: one shared ALB (TestSharedLoadBalancer).
            ports = sorted(
                (lis["Properties"]["Port"], lis["Properties"]["Protocol"])
                for lis in listeners.values()
            )
            assert ports == (
                [(80, "HTTP"), (443, "HTTPS")] if variant.domain else [(80, "HTTP"), (8000, "HTTP")]
            )
            return
        if variant.domain:
            assert protocols == ["HTTP", "HTTP", "HTTPS", "HTTPS"]
            redirects = [
                listener
                for listener in listeners.values()
                if listener["Properties"]["DefaultActions"][0]["Type"] == "redirect"
            ]
            assert len(redirects) == 2
        else:
            assert protocols == ["HTTP", "HTTP"]

    def test_urls(self, variant: Synthesized) -> None:
        outputs = variant.outputs("Compute")
        backend = json.dumps(outputs["BackendUrl"]["Value"])
        if variant.domain:
            suffix = {"development": "-dev", "staging": "-staging", "production": ""}[
                variant.environment
            ]
            assert backend == json.dumps(f"https://api{suffix}.{variant.domain}")
        else:
            assert backend.startswith('{"Fn::Join": ["", ["http://"')


def role_statements(env: Synthesized, role_logical_id: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for policy in env.resources("Compute", "AWS::IAM::Policy").values():
        if {"Ref": role_logical_id} in policy["Properties"]["Roles"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def actions(statements: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        action = statement["Action"]
        found.update([action] if isinstance(action, str) else action)
    return found


class TestTaskRoles:
    def roles(self, env: Synthesized) -> dict[str, str | None]:
        """Task role logical id per task definition (keyed like task_definitions)."""
        return {
            name: task["TaskRoleArn"]["Fn::GetAtt"][0] if "TaskRoleArn" in task else None
            for name, task in task_definitions(env).items()
        }

    def test_worker_has_a_role_of_its_own(self, env: Synthesized) -> None:
        roles = self.roles(env)
        # The frontend runs with the empty role aws-cdk-lib makes for it.
        assert roles["frontend"] is not None and roles["frontend"].startswith("FrontendTask")
        assert role_statements(env, roles["frontend"]) == []
        assert roles["backend"] == roles["migration"]
        assert roles["backend"] is not None and roles["backend"].startswith("AppTaskRole")
        assert roles["worker"] is not None and roles["worker"].startswith("WorkerTaskRole")

    def test_only_the_worker_consumes_the_email_events_queue(self, env: Synthesized) -> None:
        roles = self.roles(env)
        assert roles["backend"] is not None and roles["worker"] is not None
        queue_import = f"{env.environment}-NotificationStack:ExportsOutputFnGetAttEmailEventsQueue"
        worker = role_statements(env, roles["worker"])
        (sqs_statement,) = [s for s in worker if "sqs:ReceiveMessage" in s["Action"]]
        assert {"sqs:ReceiveMessage", "sqs:DeleteMessage"} <= set(sqs_statement["Action"])
        assert sqs_statement["Resource"]["Fn::ImportValue"].startswith(queue_import)
        assert not any(
            action.startswith("sqs:") for action in actions(role_statements(env, roles["backend"]))
        )
        if env.environment == "production":
            # The queue is encrypted with the environment's key: the worker may decrypt.
            (decrypt,) = [s for s in worker if s["Action"] == "kms:Decrypt"]
            assert decrypt["Resource"]["Fn::ImportValue"].startswith(
                "production-SecurityStack:ExportsOutputFnGetAttEncryptionKey"
            )

    def test_push_endpoints(self, env: Synthesized) -> None:
        """The API registers devices as endpoints of the platform applications and keeps or
        drops them; the worker checks endpoints and drops dead ones; neither more."""
        roles = self.roles(env)
        assert roles["backend"] is not None and roles["worker"] is not None
        # This account's endpoint/* namespace in the environment's region.
        settings = example_context()[env.environment]
        endpoints = {
            "Fn::Join": [
                "",
                [
                    "arn:",
                    {"Ref": "AWS::Partition"},
                    f":sns:{settings.get('region', 'us-east-1')}:{settings['account']}:endpoint/*",
                ],
            ]
        }

        def sns_statements(role: str) -> dict[str, Any]:
            return {
                json.dumps(
                    sorted([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
                ): s["Resource"]
                for s in role_statements(env, role)
                if any(a.startswith("sns:") and a != "sns:Publish" for a in actions([s]))
            }

        api = sns_statements(roles["backend"])
        create = api.pop(json.dumps(["sns:CreatePlatformEndpoint"]))
        assert sorted(platform_application_of(env, r["Fn::ImportValue"]) for r in create) == sorted(
            PLATFORM_APPLICATION_SETTINGS.values()
        )
        assert api == {
            json.dumps(
                ["sns:DeleteEndpoint", "sns:GetEndpointAttributes", "sns:SetEndpointAttributes"]
            ): endpoints
        }
        worker = sns_statements(roles["worker"])
        assert worker == {
            json.dumps(["sns:DeleteEndpoint", "sns:GetEndpointAttributes"]): endpoints
        }

    def test_both_roles_keep_the_application_permissions(self, env: Synthesized) -> None:
        roles = self.roles(env)
        for role in (roles["backend"], roles["worker"]):
            assert role is not None
            granted = actions(role_statements(env, role))
            assert {"s3:PutObject", "sns:Publish", "ses:SendEmail"} <= granted, role


class TestLoadBalancerHardening:
    def attributes(self, variant: Synthesized) -> dict[str, dict[str, Any]]:
        return {
            logical: {a["Key"]: a["Value"] for a in lb["Properties"]["LoadBalancerAttributes"]}
            for logical, lb in variant.resources(
                "Compute", "AWS::ElasticLoadBalancingV2::LoadBalancer"
            ).items()
        }

    def test_invalid_header_fields_are_dropped(self, variant: Synthesized) -> None:
        attributes = self.attributes(variant)
        assert len(attributes) == (1 if variant.environment == "development" else 2)
        for values in attributes.values():
            assert values["routing.http.drop_invalid_header_fields.enabled"] == "true"

    def test_access_logs_in_production_only(self, variant: Synthesized) -> None:
        for logical, values in self.attributes(variant).items():
            if variant.environment != "production":
                assert "access_logs.s3.enabled" not in values
                continue
            assert values["access_logs.s3.enabled"] == "true"
            assert values["access_logs.s3.bucket"]["Fn::ImportValue"].startswith(
                "production-StorageStack:ExportsOutputRefAccessLogsBucket"
            )
            service = "backend" if logical.startswith("Backend") else "frontend"
            assert values["access_logs.s3.prefix"] == f"alb/{service}"

    def test_the_elb_account_may_write_the_logs(self, synthesized: Any) -> None:
        env: Synthesized = synthesized("production")
        policies = env.resources("Storage", "AWS::S3::BucketPolicy")
        (policy,) = [p for p in policies.values() if "AccessLogsBucket" in json.dumps(p)]
        text = json.dumps(policy["Properties"]["PolicyDocument"])
        # us-east-1's Elastic Load Balancing account writes under each ALB's prefix.
        assert text.count(":iam::127311923021:root") == 3
        for prefix in ("alb/backend", "alb/frontend", "alb/monitoring"):
            assert f"/{prefix}/AWSLogs/987654321098/*" in text


# Lean cost profile (development): every task ARM64; worker, beat, Prometheus and Grafana on
# Fargate Spot. Staging: production's x86, its worker on Spot. Production: as the design.
SPOT_SERVICES = {
    "development": {"worker", "beat", "prometheus", "grafana"},
    "staging": {"worker"},
    "production": set(),
}
ARCHITECTURE = {"development": "ARM64", "staging": "X86_64", "production": "X86_64"}


def services_by_task(env: Synthesized, short: str) -> dict[str, dict[str, Any]]:
    """ECS services of a stack keyed by the name of their task's first essential container."""
    tasks = env.resources(short, "AWS::ECS::TaskDefinition")
    found = {}
    for service in env.resources(short, "AWS::ECS::Service").values():
        task = tasks[service["Properties"]["TaskDefinition"]["Ref"]]["Properties"]
        main = next(c["Name"] for c in task["ContainerDefinitions"] if c.get("Essential", True))
        found[main] = {"service": service["Properties"], "task": task}
    return found


class TestCostProfile:
    def test_every_task_runs_on_the_profile_architecture(self, env: Synthesized) -> None:
        for short in ("Compute", "Monitoring"):
            for task in env.resources(short, "AWS::ECS::TaskDefinition").values():
                platform = task["Properties"].get("RuntimePlatform")
                if env.environment == "development":
                    assert platform == {
                        "CpuArchitecture": "ARM64",
                        "OperatingSystemFamily": "LINUX",
                    }
                elif short == "Compute":
                    assert platform["CpuArchitecture"] == ARCHITECTURE[env.environment]
                else:
                    # Monitoring tasks have never set one: Fargate's default, x86.
                    assert platform is None

    def test_spot_services(self, env: Synthesized) -> None:
        found = {
            **services_by_task(env, "Compute"),
            **services_by_task(env, "Monitoring"),
        }
        assert set(found) == {"backend", "frontend", "worker", "beat", "prometheus", "grafana"}
        on_spot = set()
        for name, parts in found.items():
            service = parts["service"]
            strategy = service.get("CapacityProviderStrategy")
            if strategy is None:
                assert service["LaunchType"] == "FARGATE", name
            else:
                assert strategy == [{"CapacityProvider": "FARGATE_SPOT", "Weight": 1}], name
                assert "LaunchType" not in service, name
                on_spot.add(name)
        assert on_spot == SPOT_SERVICES[env.environment]

    def test_cluster_offers_spot_only_where_used(self, env: Synthesized) -> None:
        associations = env.resources("Compute", "AWS::ECS::ClusterCapacityProviderAssociations")
        if not SPOT_SERVICES[env.environment]:
            assert associations == {}
            return
        (association,) = associations.values()
        assert association["Properties"]["CapacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
        assert association["Properties"]["DefaultCapacityProviderStrategy"] == []


class TestSharedLoadBalancer:
    """Lean: the app, the API, Grafana and Prometheus behind one ALB."""

    def test_one_load_balancer_for_the_whole_environment(self, synthesized: Any) -> None:
        for name in ("development", "development+domain"):
            env: Synthesized = synthesized(name)
            albs = {
                short: env.resources(short, "AWS::ElasticLoadBalancingV2::LoadBalancer")
                for short in ("Compute", "Monitoring")
            }
            assert albs["Monitoring"] == {}
            ((logical, alb),) = albs["Compute"].items()
            assert logical.startswith("SharedAlb")
            assert alb["Properties"]["Name"] == "development-shared"
            assert alb["Properties"]["Scheme"] == "internet-facing"
            assert json.dumps(alb["Properties"]["Subnets"]).count("PublicSubnet") == 2

    def test_without_a_domain_each_entry_point_is_a_port(self, synthesized: Any) -> None:
        env: Synthesized = synthesized("development")
        groups = env.resources("Compute", "AWS::ElasticLoadBalancingV2::TargetGroup")
        forwards = {}
        for listener in env.resources("Compute", "AWS::ElasticLoadBalancingV2::Listener").values():
            (action,) = listener["Properties"]["DefaultActions"]
            group = groups[action["TargetGroupArn"]["Ref"]]["Properties"]
            forwards[listener["Properties"]["Port"]] = (group["Port"], group["HealthCheckPath"])
        assert forwards == {80: (3000, "/api/health"), 8000: (8000, "/health")}
        outputs = env.outputs("Compute")
        for key, suffix in (("FrontendUrl", None), ("BackendUrl", ":8000")):
            parts = outputs[key]["Value"]["Fn::Join"][1]
            assert parts[0] == "http://"
            logical, attribute = parts[1]["Fn::GetAtt"]
            assert logical.startswith("SharedAlb") and attribute == "DNSName"
            assert parts[2:] == ([suffix] if suffix else [])
        # Open to the internet on exactly the two application ports.
        (alb_group,) = [
            g["Properties"]
            for logical, g in env.resources("Compute", "AWS::EC2::SecurityGroup").items()
            if logical.startswith("SharedAlbSecurityGroup")
        ]
        ingress = sorted((r["FromPort"], r["CidrIp"]) for r in alb_group["SecurityGroupIngress"])
        assert ingress == [(80, "0.0.0.0/0"), (8000, "0.0.0.0/0")]

    def test_with_a_domain_one_host_rule_per_entry_point(self, synthesized: Any) -> None:
        env: Synthesized = synthesized("development+domain")
        listeners = env.resources("Compute", "AWS::ElasticLoadBalancingV2::Listener")
        by_port = {lis["Properties"]["Port"]: lis["Properties"] for lis in listeners.values()}
        assert by_port[80]["DefaultActions"][0]["RedirectConfig"]["Port"] == "443"
        https = by_port[443]
        assert https["DefaultActions"] == [
            {
                "FixedResponseConfig": {
                    "ContentType": "text/plain",
                    "MessageBody": "Unknown host",
                    "StatusCode": "404",
                },
                "Type": "fixed-response",
            }
        ]
        assert https["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
        groups = env.resources("Compute", "AWS::ElasticLoadBalancingV2::TargetGroup")
        rules = sorted(
            (
                rule["Properties"]["Priority"],
                rule["Properties"]["Conditions"][0]["HostHeaderConfig"]["Values"][0],
                groups[rule["Properties"]["Actions"][0]["TargetGroupArn"]["Ref"]]["Properties"][
                    "Port"
                ],
            )
            for rule in env.resources(
                "Compute", "AWS::ElasticLoadBalancingV2::ListenerRule"
            ).values()
            if rule["Properties"]["Conditions"][0]["Field"] == "host-header"
        )
        assert rules == [
            (10, "api-dev.familybudget.app", 8000),
            (20, "app-dev.familybudget.app", 3000),
        ]
        records = sorted(
            r["Properties"]["Name"]
            for r in env.resources("Compute", "AWS::Route53::RecordSet").values()
        )
        assert records == ["api-dev.familybudget.app.", "app-dev.familybudget.app."]
