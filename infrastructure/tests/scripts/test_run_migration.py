"""run-migration.py: ComputeStack outputs from moto, the ECS task lifecycle stubbed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.stub import Stubber

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_ecs import ECSClient

REGION = "us-east-1"
ENV = "production"
StackFactory = Callable[[str, dict[str, str]], None]
ACCOUNT = "123456789012"
CLUSTER = f"{ENV}-family-budget"
TASK_DEFINITION = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{ENV}-migration:7"
TASK_ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{CLUSTER}/4f1c2b9e8a7d4c3b"
OUTPUTS = {
    "ClusterName": CLUSTER,
    "MigrationTaskDefinitionArn": TASK_DEFINITION,
    "MigrationSubnetIds": "subnet-0aaa1111, subnet-0bbb2222",
    "MigrationSecurityGroupId": "sg-0ccc3333",
}
RUN_TASK_PARAMS = {
    "cluster": CLUSTER,
    "taskDefinition": TASK_DEFINITION,
    "launchType": "FARGATE",
    "count": 1,
    "startedBy": "run-migration",
    "networkConfiguration": {
        "awsvpcConfiguration": {
            "subnets": ["subnet-0aaa1111", "subnet-0bbb2222"],
            "securityGroups": ["sg-0ccc3333"],
            "assignPublicIp": "DISABLED",
        }
    },
}


@dataclass
class FakeClock:
    """Time that passes only when the script sleeps, so polling needs no real waiting."""

    now: float = 0.0
    sleeps: list[float] = field(default_factory=list)

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


def task(status: str, **extra: Any) -> dict[str, Any]:
    return {"taskArn": TASK_ARN, "clusterArn": CLUSTER, "lastStatus": status, **extra}


def container(name: str = "migrate", **extra: Any) -> dict[str, Any]:
    return {"name": name, "lastStatus": "STOPPED", **extra}


@dataclass
class Ecs:
    client: ECSClient
    stub: Stubber

    def expect_run_task(self) -> None:
        self.stub.add_response(
            "run_task", {"tasks": [task("PROVISIONING")], "failures": []}, RUN_TASK_PARAMS
        )

    def expect_describe(self, *tasks: dict[str, Any]) -> None:
        for answer in tasks:
            self.stub.add_response(
                "describe_tasks",
                {"tasks": [answer], "failures": []},
                {"cluster": CLUSTER, "tasks": [TASK_ARN]},
            )


@pytest.fixture
def ecs() -> Iterator[Ecs]:
    client = boto3.client("ecs", region_name=REGION)
    with Stubber(client) as stub:
        yield Ecs(client, stub)
        stub.assert_no_pending_responses()


@pytest.fixture
def compute_stack(
    cloudformation: CloudFormationClient,
    create_stack: StackFactory,
) -> None:
    create_stack(f"{ENV}-ComputeStack", OUTPUTS)


def run(
    run_migration: ModuleType,
    cloudformation: CloudFormationClient,
    ecs: Ecs,
    clock: FakeClock,
    *extra: str,
) -> int:
    clients = run_migration.Clients(cloudformation, ecs.client)
    code: int = run_migration.main(
        ["--environment", ENV, "--poll-interval", "5", *extra],
        clients=clients,
        sleep=clock.sleep,
        clock=clock.monotonic,
    )
    return code


@pytest.mark.usefixtures("compute_stack")
class TestRunMigration:
    def test_success_exits_zero(
        self,
        run_migration: ModuleType,
        cloudformation: CloudFormationClient,
        ecs: Ecs,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        clock = FakeClock()
        ecs.expect_run_task()
        ecs.expect_describe(
            task("PENDING"),
            task("RUNNING"),
            task(
                "STOPPED",
                stoppedReason="Essential container in task exited",
                containers=[container(exitCode=0)],
            ),
        )

        assert run(run_migration, cloudformation, ecs, clock) == 0

        assert clock.sleeps == [5.0, 5.0]
        out, _ = capsys.readouterr()
        assert f"Started migration task {TASK_ARN} in cluster {CLUSTER}." in out
        assert "task status: RUNNING" in out
        assert "Migration succeeded (exit code 0)." in out

    def test_task_briefly_missing_after_start_is_waited_for(
        self, run_migration: ModuleType, cloudformation: CloudFormationClient, ecs: Ecs
    ) -> None:
        clock = FakeClock()
        ecs.expect_run_task()
        ecs.stub.add_response(
            "describe_tasks",
            {"tasks": [], "failures": [{"arn": TASK_ARN, "reason": "MISSING"}]},
            {"cluster": CLUSTER, "tasks": [TASK_ARN]},
        )
        ecs.expect_describe(task("STOPPED", containers=[container(exitCode=0)]))

        assert run(run_migration, cloudformation, ecs, clock) == 0
        assert clock.sleeps == [5.0]

    def test_task_that_stays_missing_is_an_error(
        self,
        run_migration: ModuleType,
        cloudformation: CloudFormationClient,
        ecs: Ecs,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        ecs.expect_run_task()
        for _ in range(4):
            ecs.stub.add_response(
                "describe_tasks",
                {"tasks": [], "failures": [{"arn": TASK_ARN, "reason": "MISSING"}]},
                {"cluster": CLUSTER, "tasks": [TASK_ARN]},
            )

        assert run(run_migration, cloudformation, ecs, FakeClock()) == 1

        _, err = capsys.readouterr()
        assert f"Task {TASK_ARN} not found: MISSING." in err

    def test_failed_migration_exits_with_container_code(
        self,
        run_migration: ModuleType,
        cloudformation: CloudFormationClient,
        ecs: Ecs,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        ecs.expect_run_task()
        ecs.expect_describe(
            task(
                "STOPPED",
                stoppedReason="Essential container in task exited",
                containers=[container(exitCode=1)],
            )
        )

        assert run(run_migration, cloudformation, ecs, FakeClock()) == 1

        _, err = capsys.readouterr()
        assert "Migration FAILED: container migrate exited with code 1" in err
        assert "(task stopped: Essential container in task exited)" in err

    def test_other_exit_codes_are_passed_through(
        self, run_migration: ModuleType, cloudformation: CloudFormationClient, ecs: Ecs
    ) -> None:
        ecs.expect_run_task()
        ecs.expect_describe(
            task(
                "STOPPED",
                stoppedReason="Essential container in task exited",
                containers=[container("log-router", exitCode=0), container(exitCode=3)],
            )
        )
        assert run(run_migration, cloudformation, ecs, FakeClock()) == 3

    def test_container_that_never_ran_is_a_failure_with_reason(
        self,
        run_migration: ModuleType,
        cloudformation: CloudFormationClient,
        ecs: Ecs,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        ecs.expect_run_task()
        ecs.expect_describe(
            task(
                "STOPPED",
                stopCode="TaskFailedToStart",
                stoppedReason="CannotPullContainerError: pull image manifest has been retried",
                containers=[container(reason="CannotPullContainerError: image not found")],
            )
        )

        assert run(run_migration, cloudformation, ecs, FakeClock()) == 1

        _, err = capsys.readouterr()
        assert "Migration container migrate never ran to completion" in err
        assert "CannotPullContainerError: image not found" in err
        assert "Traceback" not in err

    def test_run_task_failure_is_reported(
        self,
        run_migration: ModuleType,
        cloudformation: CloudFormationClient,
        ecs: Ecs,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        ecs.stub.add_response(
            "run_task",
            {"tasks": [], "failures": [{"reason": "RESOURCE:ENI", "detail": "ENI limit reached"}]},
            RUN_TASK_PARAMS,
        )

        assert run(run_migration, cloudformation, ecs, FakeClock()) == 1

        _, err = capsys.readouterr()
        assert "ECS could not start the migration task: RESOURCE:ENI ENI limit reached." in err

    def test_times_out_when_the_task_never_stops(
        self,
        run_migration: ModuleType,
        cloudformation: CloudFormationClient,
        ecs: Ecs,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        clock = FakeClock()
        ecs.expect_run_task()
        ecs.expect_describe(*[task("RUNNING") for _ in range(4)])

        assert run(run_migration, cloudformation, ecs, clock, "--timeout", "15") == 1

        assert clock.sleeps == [5.0, 5.0, 5.0]
        _, err = capsys.readouterr()
        assert f"Timed out after 15s waiting for task {TASK_ARN} to stop" in err
        assert "last status RUNNING" in err

    def test_access_denied_is_a_clear_message(
        self,
        run_migration: ModuleType,
        cloudformation: CloudFormationClient,
        ecs: Ecs,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        ecs.stub.add_client_error(
            "run_task",
            service_error_code="AccessDeniedException",
            service_message="not authorized to perform ecs:RunTask",
        )

        assert run(run_migration, cloudformation, ecs, FakeClock()) == 2

        _, err = capsys.readouterr()
        assert "AWS denied RunTask (AccessDeniedException)" in err
        assert "Traceback" not in err


def test_missing_compute_stack_is_reported(
    run_migration: ModuleType,
    cloudformation: CloudFormationClient,
    ecs: Ecs,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run(run_migration, cloudformation, ecs, FakeClock()) == 1
    _, err = capsys.readouterr()
    assert f"Stack {ENV}-ComputeStack does not exist: deploy it first." in err


def test_missing_output_is_reported(
    run_migration: ModuleType,
    cloudformation: CloudFormationClient,
    create_stack: StackFactory,
    ecs: Ecs,
    capsys: pytest.CaptureFixture[str],
) -> None:
    create_stack(
        f"{ENV}-ComputeStack",
        {k: v for k, v in OUTPUTS.items() if k != "MigrationSecurityGroupId"},
    )
    assert run(run_migration, cloudformation, ecs, FakeClock()) == 1
    _, err = capsys.readouterr()
    assert f"Stack {ENV}-ComputeStack has no output(s) MigrationSecurityGroupId." in err


def test_no_credentials_is_a_clear_message(
    run_migration: ModuleType,
    moto_endpoint: str,
    no_credentials: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = run_migration.main(["--environment", ENV, "--endpoint-url", moto_endpoint])
    assert code == 2
    _, err = capsys.readouterr()
    assert "No usable AWS credentials were found" in err
    assert "Traceback" not in err


def test_no_region_is_a_clear_message(
    run_migration: ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    assert run_migration.main(["--environment", ENV]) == 2
    _, err = capsys.readouterr()
    assert "No AWS region is configured: pass --region or set AWS_REGION." in err


def test_aws_region_variable_is_honoured(
    run_migration: ModuleType,
    moto_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("AWS_REGION", REGION)

    code = run_migration.main(["--environment", ENV, "--endpoint-url", moto_endpoint])

    # It got as far as asking CloudFormation (in moto) for the stack.
    assert code == 1
    _, err = capsys.readouterr()
    assert f"Stack {ENV}-ComputeStack does not exist: deploy it first." in err
