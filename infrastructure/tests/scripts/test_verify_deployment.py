"""verify-deployment.py: stacks and secrets in moto, ECS/ELB answers stubbed, health over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

import boto3
import pytest
from botocore.stub import Stubber

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_secretsmanager import SecretsManagerClient

REGION = "us-east-1"
ENV = "staging"
StackFactory = Callable[[str, dict[str, str]], None]
SecretWriter = Callable[[str, dict[str, Any]], None]


class HealthServer(Protocol):
    """The conftest's local HTTP server: base URL, status per path, requests seen per path."""

    url: str
    statuses: dict[str, int]
    hits: dict[str, int]


ACCOUNT = "123456789012"
CLUSTER = f"{ENV}-family-budget"
SERVICES = [f"{ENV}-{name}" for name in ("backend", "frontend", "worker", "grafana", "prometheus")]
TARGET_GROUPS = {
    name: f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{ENV}-{name}/0f1e2d3c4b5a"
    for name in ("backend", "frontend", "grafana", "prometheus")
}
STACKS_WITHOUT_OUTPUTS = (
    "SecurityStack",
    "EcrStack",
    "StorageStack",
    "DatabaseStack",
    "CacheStack",
    "NotificationStack",
)
SECRETS: dict[str, dict[str, Any]] = {
    "database": {
        "username": "dbadmin",
        "password": "db-password-value",
        "engine": "postgres",
        "host": "db.example.internal",
        "port": 5432,
        "dbname": "family_budget",
    },
    "plaid": {
        "client_id": "client-id",
        "secret": "plaid-secret",
        "environment": "development",
        "bank_token_encryption_key": "bank-token-key",
    },
    "jwt": {
        "secret_key": "jwt-signing-key",
        "algorithm": "HS256",
        "access_token_expire_minutes": 15,
        "refresh_token_expire_days": 7,
    },
    "external-services": {
        "sendgrid_api_key": "",
        "sentry_dsn": "",
        "stripe_api_key": "",
        "vapid_private_key": "vapid-key-pem",
    },
}


def compute_outputs(health_url: str) -> dict[str, str]:
    backend, frontend, worker = SERVICES[:3]
    return {
        "ClusterName": CLUSTER,
        "BackendServiceName": backend,
        "FrontendServiceName": frontend,
        "WorkerServiceName": worker,
        "BackendTargetGroupArn": TARGET_GROUPS["backend"],
        "FrontendTargetGroupArn": TARGET_GROUPS["frontend"],
        "BackendUrl": health_url,
        "FrontendUrl": f"{health_url}/",
    }


def monitoring_outputs() -> dict[str, str]:
    return {
        "GrafanaServiceName": SERVICES[3],
        "PrometheusServiceName": SERVICES[4],
        "GrafanaTargetGroupArn": TARGET_GROUPS["grafana"],
        "PrometheusTargetGroupArn": TARGET_GROUPS["prometheus"],
    }


def deployment(status: str = "PRIMARY", rollout: str = "COMPLETED", **extra: Any) -> dict[str, Any]:
    return {"id": f"ecs-svc/{status.lower()}", "status": status, "rolloutState": rollout, **extra}


def service(
    name: str,
    *,
    running: int = 2,
    desired: int = 2,
    status: str = "ACTIVE",
    deployments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "serviceName": name,
        "serviceArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/{name}",
        "status": status,
        "desiredCount": desired,
        "runningCount": running,
        "deployments": [deployment()] if deployments is None else deployments,
    }


def target(ip: str, state: str = "healthy", **health: str) -> dict[str, Any]:
    return {"Target": {"Id": ip, "Port": 8000}, "TargetHealth": {"State": state, **health}}


@dataclass
class Aws:
    cloudformation: CloudFormationClient
    secretsmanager: SecretsManagerClient
    ecs: ECSClient
    elbv2: ElasticLoadBalancingv2Client
    ecs_stub: Stubber
    elbv2_stub: Stubber

    def expect_services(self, services: list[dict[str, Any]], names: list[str] = SERVICES) -> None:
        self.ecs_stub.add_response(
            "describe_services",
            {"services": services, "failures": []},
            {"cluster": CLUSTER, "services": names},
        )

    def expect_targets(self, by_group: dict[str, list[dict[str, Any]]]) -> None:
        for name, targets in by_group.items():
            self.elbv2_stub.add_response(
                "describe_target_health",
                {"TargetHealthDescriptions": targets},
                {"TargetGroupArn": TARGET_GROUPS[name]},
            )

    def expect_healthy(self) -> None:
        self.expect_services([service(name) for name in SERVICES])
        self.expect_targets({name: [target("10.0.1.10")] for name in TARGET_GROUPS})


@pytest.fixture
def aws(
    cloudformation: CloudFormationClient,
    secretsmanager: SecretsManagerClient,
    health_server: HealthServer,
    put_secret: SecretWriter,
    create_stack: StackFactory,
) -> Iterator[Aws]:
    """A deployed staging environment: real stacks and secrets in moto, stubbed ECS and ELB."""
    for suffix in STACKS_WITHOUT_OUTPUTS:
        create_stack(f"{ENV}-{suffix}", {"Marker": suffix})
    create_stack(f"{ENV}-ComputeStack", compute_outputs(health_server.url))
    create_stack(f"{ENV}-MonitoringStack", monitoring_outputs())
    for kind, value in SECRETS.items():
        put_secret(f"{ENV}/family-budget/{kind}", value)
    ecs = boto3.client("ecs", region_name=REGION)
    elbv2 = boto3.client("elbv2", region_name=REGION)
    with Stubber(ecs) as ecs_stub, Stubber(elbv2) as elbv2_stub:
        yield Aws(cloudformation, secretsmanager, ecs, elbv2, ecs_stub, elbv2_stub)
        ecs_stub.assert_no_pending_responses()
        elbv2_stub.assert_no_pending_responses()


def run(verify_deployment: ModuleType, aws: Aws, *extra: str) -> int:
    clients = verify_deployment.Clients(aws.cloudformation, aws.ecs, aws.elbv2, aws.secretsmanager)
    argv = ["--environment", ENV, "--http-attempts", "2", "--http-delay", "0", *extra]
    code: int = verify_deployment.main(argv, clients=clients)
    return code


def lines(output: str, prefix: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(prefix)]


def test_healthy_environment_passes_every_check(
    verify_deployment: ModuleType,
    aws: Aws,
    health_server: HealthServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    aws.expect_healthy()

    assert run(verify_deployment, aws) == 0

    out, _ = capsys.readouterr()
    assert lines(out, "FAIL") == []
    ok = lines(out, "OK")
    # 9 stacks, 5 services, 4 target groups, 2 health endpoints, 4 secrets.
    assert len(ok) == 24
    assert f"OK    stack {ENV}-ComputeStack: CREATE_COMPLETE" in ok
    assert f"OK    stack {ENV}-DnsStack: not deployed (optional: no domain configured)" in ok
    assert f"OK    ecs service {ENV}-worker: ACTIVE, 2/2 running, rollout COMPLETED" in ok
    assert "OK    targets prometheus: 1/1 healthy" in ok
    assert f"OK    http GET {health_server.url}/api/health: 200" in ok
    assert (
        f"OK    secret {ENV}/family-budget/external-services: required keys set (vapid_private_key)"
        in ok
    )
    assert "All 24 checks passed." in out
    assert health_server.hits == {"/health": 1, "/api/health": 1}
    assert "db-password-value" not in out and "jwt-signing-key" not in out


def test_deployed_dns_stack_is_checked(
    verify_deployment: ModuleType,
    aws: Aws,
    capsys: pytest.CaptureFixture[str],
    create_stack: StackFactory,
) -> None:
    create_stack(f"{ENV}-DnsStack", {"HostedZoneId": "Z0123456789"})
    aws.expect_healthy()

    assert run(verify_deployment, aws) == 0

    out, _ = capsys.readouterr()
    assert f"OK    stack {ENV}-DnsStack: CREATE_COMPLETE" in out


def test_running_below_desired_fails(
    verify_deployment: ModuleType, aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    services = [service(name) for name in SERVICES]
    services[0] = service(SERVICES[0], running=1, desired=2)
    aws.expect_services(services)
    aws.expect_targets({name: [target("10.0.1.10")] for name in TARGET_GROUPS})

    assert run(verify_deployment, aws) == 1

    out, _ = capsys.readouterr()
    assert lines(out, "FAIL") == [f"FAIL  ecs service {ENV}-backend: running 1 of 2 desired"]
    assert "1 of 24 checks FAILED." in out


def test_failed_rollout_fails(
    verify_deployment: ModuleType, aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    services = [service(name) for name in SERVICES]
    services[1] = service(
        SERVICES[1],
        deployments=[
            deployment(
                rollout="FAILED",
                rolloutStateReason="ECS deployment circuit breaker: tasks failed to start.",
            )
        ],
    )
    aws.expect_services(services)
    aws.expect_targets({name: [target("10.0.1.10")] for name in TARGET_GROUPS})

    assert run(verify_deployment, aws) == 1

    out, _ = capsys.readouterr()
    assert lines(out, "FAIL") == [
        (
            f"FAIL  ecs service {ENV}-frontend: rollout FAILED "
            "(ECS deployment circuit breaker: tasks failed to start.)"
        )
    ]


def test_rollout_in_progress_fails(
    verify_deployment: ModuleType, aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    services = [service(name) for name in SERVICES]
    services[2] = service(
        SERVICES[2],
        deployments=[deployment(rollout="IN_PROGRESS"), deployment("ACTIVE", "COMPLETED")],
    )
    aws.expect_services(services)
    aws.expect_targets({name: [target("10.0.1.10")] for name in TARGET_GROUPS})

    assert run(verify_deployment, aws) == 1

    out, _ = capsys.readouterr()
    (failure,) = lines(out, "FAIL")
    assert failure.startswith(f"FAIL  ecs service {ENV}-worker: 2 deployments")
    assert "rollout IN_PROGRESS" in failure


def test_missing_service_fails(
    verify_deployment: ModuleType, aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.ecs_stub.add_response(
        "describe_services",
        {
            "services": [service(name) for name in SERVICES[1:]],
            "failures": [
                {
                    "arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{CLUSTER}/{SERVICES[0]}",
                    "reason": "MISSING",
                }
            ],
        },
        {"cluster": CLUSTER, "services": SERVICES},
    )
    aws.expect_targets({name: [target("10.0.1.10")] for name in TARGET_GROUPS})

    assert run(verify_deployment, aws) == 1

    out, _ = capsys.readouterr()
    assert lines(out, "FAIL") == [f"FAIL  ecs service {ENV}-backend: MISSING in {CLUSTER}"]


def test_unhealthy_target_fails(
    verify_deployment: ModuleType, aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.expect_services([service(name) for name in SERVICES])
    aws.expect_targets(
        {
            "backend": [
                target("10.0.1.10"),
                target(
                    "10.0.2.20",
                    "unhealthy",
                    Reason="Target.ResponseCodeMismatch",
                    Description="Health checks failed with these codes: [503]",
                ),
            ],
            "frontend": [target("10.0.1.11")],
            "grafana": [],
            "prometheus": [target("10.0.1.13")],
        }
    )

    assert run(verify_deployment, aws) == 1

    out, _ = capsys.readouterr()
    assert lines(out, "FAIL") == [
        (
            "FAIL  targets backend: 1/2 not healthy: 10.0.2.20:8000 unhealthy "
            "(Health checks failed with these codes: [503])"
        ),
        "FAIL  targets grafana: no registered targets",
    ]


def test_health_endpoint_503_fails_after_retries(
    verify_deployment: ModuleType,
    aws: Aws,
    health_server: HealthServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    health_server.statuses["/health"] = 503
    aws.expect_healthy()

    assert run(verify_deployment, aws) == 1

    out, _ = capsys.readouterr()
    assert lines(out, "FAIL") == [
        f"FAIL  http GET {health_server.url}/health: HTTP 503 after 2 attempt(s)"
    ]
    assert health_server.hits["/health"] == 2
    assert health_server.hits["/api/health"] == 1


def test_unreachable_endpoint_fails(
    verify_deployment: ModuleType,
) -> None:
    probe = verify_deployment.HttpProbe(timeout=2, attempts=1, delay=0)
    # Port 9 (discard) on loopback has no listener here: the connection is refused.
    check = probe.get("http://127.0.0.1:9/health")
    assert not check.ok
    assert check.detail.startswith("unreachable (")


def test_missing_secret_key_fails(
    verify_deployment: ModuleType, aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.secretsmanager.put_secret_value(
        SecretId=f"{ENV}/family-budget/plaid",
        SecretString=json.dumps(
            {
                "client_id": "client-id",
                "secret": "",
                "environment": "development",
                "bank_token_encryption_key": "bank-token-key",
            }
        ),
    )
    aws.secretsmanager.put_secret_value(
        SecretId=f"{ENV}/family-budget/database",
        SecretString='{"username": "dbadmin", "password": "pw-value-1"}',
    )
    aws.expect_healthy()

    assert run(verify_deployment, aws) == 1

    out, _ = capsys.readouterr()
    assert lines(out, "FAIL") == [
        (
            f"FAIL  secret {ENV}/family-budget/database: missing or empty key(s): "
            "engine, host, port, dbname"
        ),
        f"FAIL  secret {ENV}/family-budget/plaid: missing or empty key(s): secret",
    ]
    assert "pw-value-1" not in out


def test_missing_secret_fails(
    verify_deployment: ModuleType, aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.secretsmanager.delete_secret(
        SecretId=f"{ENV}/family-budget/jwt", ForceDeleteWithoutRecovery=True
    )
    aws.expect_healthy()

    assert run(verify_deployment, aws) == 1

    out, _ = capsys.readouterr()
    (failure,) = lines(out, "FAIL")
    assert failure.startswith(f"FAIL  secret {ENV}/family-budget/jwt: does not exist")


def test_missing_monitoring_stack_fails_and_skips_its_services(
    verify_deployment: ModuleType, aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.cloudformation.delete_stack(StackName=f"{ENV}-MonitoringStack")
    aws.expect_services([service(name) for name in SERVICES[:3]], names=SERVICES[:3])
    aws.expect_targets({name: [target("10.0.1.10")] for name in ("backend", "frontend")})

    assert run(verify_deployment, aws) == 1

    out, _ = capsys.readouterr()
    assert lines(out, "FAIL") == [f"FAIL  stack {ENV}-MonitoringStack: does not exist"]


def test_missing_output_is_reported(
    verify_deployment: ModuleType,
    aws: Aws,
    capsys: pytest.CaptureFixture[str],
    create_stack: StackFactory,
) -> None:
    outputs = monitoring_outputs()
    del outputs["GrafanaServiceName"]
    aws.cloudformation.delete_stack(StackName=f"{ENV}-MonitoringStack")
    create_stack(f"{ENV}-MonitoringStack", outputs)
    names = [name for name in SERVICES if name != f"{ENV}-grafana"]
    aws.expect_services([service(name) for name in names], names=names)
    aws.expect_targets({name: [target("10.0.1.10")] for name in TARGET_GROUPS})

    assert run(verify_deployment, aws) == 1

    out, _ = capsys.readouterr()
    assert lines(out, "FAIL") == [
        (
            f"FAIL  output {ENV}-MonitoringStack.GrafanaServiceName: "
            "missing: cannot run the checks it feeds"
        )
    ]


def test_stack_in_rollback_state_fails(verify_deployment: ModuleType) -> None:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    with Stubber(cloudformation) as stub:
        for suffix in (
            "SecurityStack",
            "EcrStack",
            "StorageStack",
            "DatabaseStack",
            "CacheStack",
            "DnsStack",
            "NotificationStack",
            "ComputeStack",
            "MonitoringStack",
        ):
            name = f"{ENV}-{suffix}"
            if suffix == "DnsStack":
                stub.add_client_error(
                    "describe_stacks",
                    service_error_code="ValidationError",
                    service_message=f"Stack with id {name} does not exist",
                    expected_params={"StackName": name},
                )
                continue
            rolled_back = suffix == "ComputeStack"
            stack: dict[str, Any] = {
                "StackName": name,
                "CreationTime": "2026-01-01T00:00:00Z",
                "StackStatus": "UPDATE_ROLLBACK_COMPLETE" if rolled_back else "UPDATE_COMPLETE",
            }
            if rolled_back:
                stack["StackStatusReason"] = "Resource BackendService failed to stabilize"
            stub.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": name})

        checks, outputs = verify_deployment.check_stacks(cloudformation, ENV)
        stub.assert_no_pending_responses()

    failures = [check.line() for check in checks if not check.ok]
    assert failures == [
        (
            f"FAIL  stack {ENV}-ComputeStack: UPDATE_ROLLBACK_COMPLETE "
            "(Resource BackendService failed to stabilize)"
        )
    ]
    assert len(checks) == 9
    assert set(outputs) == {
        "SecurityStack",
        "EcrStack",
        "StorageStack",
        "DatabaseStack",
        "CacheStack",
        "NotificationStack",
        "ComputeStack",
        "MonitoringStack",
    }


def test_access_denied_on_ecs_is_reported_as_failure(
    verify_deployment: ModuleType, aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    aws.ecs_stub.add_client_error(
        "describe_services",
        service_error_code="AccessDeniedException",
        service_message="not authorized to perform ecs:DescribeServices",
    )
    aws.expect_targets({name: [target("10.0.1.10")] for name in TARGET_GROUPS})

    assert run(verify_deployment, aws) == 1

    out, _ = capsys.readouterr()
    failures = lines(out, "FAIL")
    assert len(failures) == 5
    assert all("AWS denied DescribeServices (AccessDeniedException)" in f for f in failures)


def test_no_credentials_is_a_clear_message(
    verify_deployment: ModuleType,
    moto_endpoint: str,
    no_credentials: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = verify_deployment.main(["--environment", ENV, "--endpoint-url", moto_endpoint])

    assert code == 2
    _, err = capsys.readouterr()
    assert "No usable AWS credentials were found" in err
    assert "Traceback" not in err


def test_url_without_scheme_is_a_failed_check(verify_deployment: ModuleType) -> None:
    probe = verify_deployment.HttpProbe(timeout=2, attempts=1, delay=0)
    check = probe.get("backend.example.internal/health")
    assert not check.ok
    assert check.detail.startswith("invalid URL (unknown url type")
