"""ComputeStack: cluster, services, sizes, autoscaling, health checks, migrations and outputs."""

from __future__ import annotations

import json
from typing import Any

from cdk_synth import IMAGE_TAG, Synthesized

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
}
# Where each secret's ARN comes from (an export of the stack that owns it).
SECRET_SOURCES = {
    "database": "DatabaseStack",
    "redis": "CacheStack:ExportsOutputRefRedisAuthSecret",
    "jwt": "SecurityStack:ExportsOutputRefJwtSecret",
    "plaid": "SecurityStack:ExportsOutputRefPlaidSecret",
}
BACKEND_ENVIRONMENT = {
    "ENVIRONMENT",
    "REDIS_URL",
    "PLAID_ENVIRONMENT",
    "EXPORTS_BUCKET",
    "RECEIPTS_BUCKET",
    "AWS_REGION",
    "SES_CONFIGURATION_SET",
    "EMAIL_FROM_ADDRESS",
    "LOG_LEVEL",
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
        assert container(tasks["migration"], "migrate")["Command"] == ["migrate"]

    def test_backend_environment_and_secrets(self, env: Synthesized) -> None:
        tasks = task_definitions(env)
        for task_name, name in (
            ("backend", "backend"),
            ("backend", "migrate"),
            ("worker", "worker"),
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
        for name in ("Backend", "Frontend", "Worker"):
            expected[f"{name}ServiceName"] = env.get_att(
                "Compute", service, f"{name}Service", "Name"
            )
            expected[f"{name}ServiceArn"] = env.ref("Compute", service, f"{name}Service")
        for name in ("Backend", "Frontend"):
            expected[f"{name}LoadBalancerDns"] = env.get_att(
                "Compute", lb, f"{name}ServiceLB", "DNSName"
            )
            expected[f"{name}TargetGroupArn"] = env.ref("Compute", target_group, f"{name}Service")
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


class TestLoadBalancers:
    def test_https_only_with_a_domain(self, variant: Synthesized) -> None:
        listeners = variant.resources("Compute", "AWS::ElasticLoadBalancingV2::Listener")
        protocols = sorted(listener["Properties"]["Protocol"] for listener in listeners.values())
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
