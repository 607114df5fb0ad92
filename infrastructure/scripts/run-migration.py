#!/usr/bin/env python3
"""Run the database migrations of one Family Budget environment as a one-off ECS task.

Run from `infrastructure/` before new backend tasks are deployed (`make migrate ENV=...`):

    python scripts/run-migration.py --environment production

Starts the migration task definition of `{env}-ComputeStack` on Fargate in the private subnets
(no public IP), waits until the task stops, and exits with the container's exit code.
The backend's `migrate` command holds a PostgreSQL advisory lock, so an overlapping run waits
instead of migrating twice.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import _aws

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_ecs.type_defs import TaskTypeDef

MIGRATION_OUTPUTS = (
    "ClusterName",
    "MigrationTaskDefinitionArn",
    "MigrationSubnetIds",
    "MigrationSecurityGroupId",
)


@dataclass(frozen=True)
class Clients:
    cloudformation: CloudFormationClient
    ecs: ECSClient


@dataclass(frozen=True)
class Waiting:
    timeout: float = 1800.0
    interval: float = 10.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic


def start_task(ecs: ECSClient, outputs: dict[str, str]) -> str:
    subnets = [
        subnet.strip() for subnet in outputs["MigrationSubnetIds"].split(",") if subnet.strip()
    ]
    response = ecs.run_task(
        cluster=outputs["ClusterName"],
        taskDefinition=outputs["MigrationTaskDefinitionArn"],
        launchType="FARGATE",
        count=1,
        startedBy="run-migration",
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": subnets,
                "securityGroups": [outputs["MigrationSecurityGroupId"]],
                "assignPublicIp": "DISABLED",
            }
        },
    )
    failures = response.get("failures", [])
    tasks = response.get("tasks", [])
    if failures or not tasks:
        reasons = "; ".join(
            " ".join(filter(None, (failure.get("reason", "unknown"), failure.get("detail"))))
            for failure in failures
        )
        raise _aws.ScriptError(f"ECS could not start the migration task: {reasons or 'no task'}.")
    return tasks[0]["taskArn"]


# ECS is eventually consistent: a task just started may be MISSING from a first DescribeTasks.
MISSING_POLLS_ALLOWED = 3


def wait_for_stop(ecs: ECSClient, cluster: str, task_arn: str, waiting: Waiting) -> TaskTypeDef:
    deadline = waiting.clock() + waiting.timeout
    last_status = ""
    missing_polls = 0
    while True:
        response = ecs.describe_tasks(cluster=cluster, tasks=[task_arn])
        tasks = response.get("tasks", [])
        if tasks:
            status = tasks[0].get("lastStatus", "")
            if status != last_status:
                print(f"  task status: {status}")
                last_status = status
            if status == "STOPPED":
                return tasks[0]
        else:
            missing_polls += 1
            if missing_polls > MISSING_POLLS_ALLOWED:
                reasons = ", ".join(f.get("reason", "?") for f in response.get("failures", []))
                raise _aws.ScriptError(f"Task {task_arn} not found: {reasons or 'no answer'}.")
        if waiting.clock() >= deadline:
            raise _aws.ScriptError(
                f"Timed out after {waiting.timeout:.0f}s waiting for task {task_arn} to stop "
                f"(last status {last_status or 'unknown'}). It may still be running: check it "
                "in the ECS console before starting another migration."
            )
        waiting.sleep(waiting.interval)


def exit_code_of(task: TaskTypeDef) -> int:
    """The containers' exit code: the first non-zero one, or 0 when all exited 0."""
    stopped_reason = task.get("stoppedReason", "unknown")
    containers = task.get("containers", [])
    if not containers:
        raise _aws.ScriptError(f"Migration task stopped without containers: {stopped_reason}.")
    codes: list[tuple[str, int]] = []
    for container in containers:
        name = container.get("name", "?")
        if "exitCode" not in container:
            why = container.get("reason") or stopped_reason
            raise _aws.ScriptError(
                f"Migration container {name} never ran to completion: {why} "
                f"(task stopped: {stopped_reason})."
            )
        codes.append((name, container["exitCode"]))
    for name, code in codes:
        if code != 0:
            print(
                f"Migration FAILED: container {name} exited with code {code} "
                f"(task stopped: {stopped_reason}). See the task's logs in CloudWatch.",
                file=sys.stderr,
            )
            return code
    return _aws.EXIT_OK


def run_migration(clients: Clients, environment: str, waiting: Waiting) -> int:
    stack = _aws.stack_name(environment, "ComputeStack")
    outputs = _aws.require_outputs(clients.cloudformation, stack, MIGRATION_OUTPUTS)
    cluster = outputs["ClusterName"]
    task_arn = start_task(clients.ecs, outputs)
    print(f"Started migration task {task_arn} in cluster {cluster}.")
    task = wait_for_stop(clients.ecs, cluster, task_arn, waiting)
    code = exit_code_of(task)
    if code == 0:
        print("Migration succeeded (exit code 0).")
    return code


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="run-migration.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _aws.add_aws_arguments(parser)
    parser.add_argument(
        "--timeout", type=float, default=1800.0, help="seconds to wait for the task to stop"
    )
    parser.add_argument(
        "--poll-interval", type=float, default=10.0, help="seconds between status polls"
    )
    return parser.parse_args(argv)


def main(
    argv: Sequence[str] | None = None,
    *,
    clients: Clients | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    args = parse_args(argv)
    waiting = Waiting(timeout=args.timeout, interval=args.poll_interval, sleep=sleep, clock=clock)

    def body() -> int:
        if clients is None:
            aws = _aws.Aws.from_args(args)
            return run_migration(
                Clients(aws.cloudformation(), aws.ecs()), args.environment, waiting
            )
        return run_migration(clients, args.environment, waiting)

    return _aws.run_cli(body)


if __name__ == "__main__":
    sys.exit(main())
