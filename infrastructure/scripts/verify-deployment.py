#!/usr/bin/env python3
"""Check that a deployed Family Budget environment is complete and healthy.

Run from `infrastructure/` after a deployment:

    python scripts/verify-deployment.py --environment staging

Checks the CloudFormation stacks, the ECS services, the load balancer targets, the public health
endpoints and the four secrets, prints one OK/FAIL line per check, and exits non-zero when any
check fails. Secret values are read to check they are set, never printed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import _aws
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_ecs.type_defs import ServiceTypeDef
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_secretsmanager import SecretsManagerClient

HTTP_OK = 200
COMPLETE_STATES = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE"})

# (stack suffix, output holding the service name) for every ECS service the environment runs.
SERVICE_OUTPUTS = (
    ("ComputeStack", "BackendServiceName"),
    ("ComputeStack", "FrontendServiceName"),
    ("ComputeStack", "WorkerServiceName"),
    ("MonitoringStack", "GrafanaServiceName"),
    ("MonitoringStack", "PrometheusServiceName"),
)
TARGET_GROUP_OUTPUTS = (
    ("ComputeStack", "BackendTargetGroupArn"),
    ("ComputeStack", "FrontendTargetGroupArn"),
    ("MonitoringStack", "GrafanaTargetGroupArn"),
    ("MonitoringStack", "PrometheusTargetGroupArn"),
)
# (output holding the base URL, health path) of the public endpoints.
HEALTH_ENDPOINTS = (("BackendUrl", "/health"), ("FrontendUrl", "/api/health"))

REQUIRED_SECRET_KEYS: dict[str, tuple[str, ...]] = {
    "database": ("username", "password", "engine", "host", "port", "dbname"),
    # The tasks of the backend image read the bank token key and the VAPID key at start.
    "plaid": ("client_id", "secret", "environment", "bank_token_encryption_key"),
    "jwt": ("secret_key", "algorithm", "access_token_expire_minutes", "refresh_token_expire_days"),
    # The other external keys are optional; the secret must exist and hold a JSON object.
    "external-services": ("vapid_private_key",),
}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


@dataclass(frozen=True)
class Clients:
    cloudformation: CloudFormationClient
    ecs: ECSClient
    elbv2: ElasticLoadBalancingv2Client
    secretsmanager: SecretsManagerClient


@dataclass(frozen=True)
class HttpProbe:
    """GETs a URL a few times until it answers 200."""

    timeout: float = 10.0
    attempts: int = 3
    delay: float = 5.0
    sleep: Callable[[float], None] = time.sleep

    def get(self, url: str) -> Check:
        name = f"http GET {url}"
        reason = "not tried"
        for attempt in range(1, self.attempts + 1):
            try:
                with urllib.request.urlopen(url, timeout=self.timeout) as response:
                    status = response.status
                if status == HTTP_OK:
                    return Check(name, True, "200")
                reason = f"HTTP {status}"
            except urllib.error.HTTPError as error:
                reason = f"HTTP {error.code}"
            except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
                cause = error.reason if isinstance(error, urllib.error.URLError) else error
                reason = f"unreachable ({cause})"
            except ValueError as error:
                return Check(name, False, f"invalid URL ({error})")
            if attempt < self.attempts:
                self.sleep(self.delay)
        return Check(name, False, f"{reason} after {self.attempts} attempt(s)")


def _aws_failure(name: str, error: ClientError) -> Check:
    return Check(name, False, _aws.describe_aws_error(error))


def check_stacks(
    cloudformation: CloudFormationClient, environment: str
) -> tuple[list[Check], dict[str, dict[str, str]]]:
    """One check per stack, plus the outputs of every stack that exists (keyed by suffix)."""
    checks: list[Check] = []
    outputs: dict[str, dict[str, str]] = {}
    for suffix in _aws.STACK_SUFFIXES:
        name = _aws.stack_name(environment, suffix)
        label = f"stack {name}"
        try:
            stack = _aws.describe_stack(cloudformation, name)
        except ClientError as error:
            checks.append(_aws_failure(label, error))
            continue
        if stack is None:
            if suffix in _aws.OPTIONAL_STACK_SUFFIXES:
                checks.append(Check(label, True, "not deployed (optional: no domain configured)"))
            else:
                checks.append(Check(label, False, "does not exist"))
            continue
        status = stack["StackStatus"]
        outputs[suffix] = _aws.stack_outputs(stack)
        if status in COMPLETE_STATES:
            checks.append(Check(label, True, status))
        else:
            reason = stack.get("StackStatusReason")
            checks.append(Check(label, False, f"{status}{f' ({reason})' if reason else ''}"))
    return checks, outputs


def _output(
    outputs: dict[str, dict[str, str]], suffix: str, key: str, environment: str
) -> tuple[str | None, Check | None]:
    if suffix not in outputs:
        # The stack itself is missing or unreadable, which its own check already reports.
        return None, None
    value = outputs[suffix].get(key)
    if value:
        return value, None
    stack = _aws.stack_name(environment, suffix)
    return None, Check(f"output {stack}.{key}", False, "missing: cannot run the checks it feeds")


def assess_service(service: ServiceTypeDef) -> Check:
    name = f"ecs service {service.get('serviceName', '?')}"
    problems: list[str] = []
    status = service.get("status")
    if status != "ACTIVE":
        problems.append(f"status {status}")
    running, desired = service.get("runningCount", 0), service.get("desiredCount", 0)
    if desired < 1:
        problems.append("desired count is 0")
    if running != desired:
        problems.append(f"running {running} of {desired} desired")
    deployments = service.get("deployments", [])
    primary = [d for d in deployments if d.get("status") == "PRIMARY"]
    if len(deployments) != 1 or len(primary) != 1:
        states = ", ".join(f"{d.get('status')}:{d.get('rolloutState', '?')}" for d in deployments)
        problems.append(f"{len(deployments)} deployments ({states or 'none'}), expected 1 PRIMARY")
    for deployment in primary:
        rollout = deployment.get("rolloutState")
        if rollout != "COMPLETED":
            reason = deployment.get("rolloutStateReason")
            problems.append(f"rollout {rollout}{f' ({reason})' if reason else ''}")
    if problems:
        return Check(name, False, "; ".join(problems))
    return Check(name, True, f"ACTIVE, {running}/{desired} running, rollout COMPLETED")


def check_services(ecs: ECSClient, cluster: str, service_names: Sequence[str]) -> list[Check]:
    checks: list[Check] = []
    # DescribeServices accepts at most 10 services per call.
    for start in range(0, len(service_names), 10):
        batch = list(service_names[start : start + 10])
        try:
            response = ecs.describe_services(cluster=cluster, services=batch)
        except ClientError as error:
            checks.extend(_aws_failure(f"ecs service {name}", error) for name in batch)
            continue
        found = {service.get("serviceName"): service for service in response.get("services", [])}
        failures = {
            failure.get("arn", "").rsplit("/", 1)[-1]: failure.get("reason", "unknown")
            for failure in response.get("failures", [])
        }
        for name in batch:
            if name in found:
                checks.append(assess_service(found[name]))
            else:
                reason = failures.get(name, "not returned by ECS")
                checks.append(Check(f"ecs service {name}", False, f"{reason} in {cluster}"))
    return checks


def check_target_group(elbv2: ElasticLoadBalancingv2Client, arn: str, label: str) -> Check:
    name = f"targets {label}"
    try:
        descriptions = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    except ClientError as error:
        return _aws_failure(name, error)
    if not descriptions:
        return Check(name, False, "no registered targets")
    unhealthy: list[str] = []
    for description in descriptions:
        health = description.get("TargetHealth", {})
        state = health.get("State", "unknown")
        if state != "healthy":
            target = description.get("Target", {})
            where = f"{target.get('Id', '?')}:{target.get('Port', '?')}"
            why = health.get("Description") or health.get("Reason") or ""
            unhealthy.append(f"{where} {state}{f' ({why})' if why else ''}")
    if unhealthy:
        return Check(
            name,
            False,
            f"{len(unhealthy)}/{len(descriptions)} not healthy: " + "; ".join(unhealthy),
        )
    return Check(name, True, f"{len(descriptions)}/{len(descriptions)} healthy")


def check_secret(secretsmanager: SecretsManagerClient, environment: str, kind: str) -> Check:
    secret = _aws.secret_name(environment, kind)
    name = f"secret {secret}"
    try:
        raw = secretsmanager.get_secret_value(SecretId=secret).get("SecretString") or ""
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return Check(name, False, "does not exist (or has no value): run populate-secrets.py")
        return _aws_failure(name, error)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        return Check(name, False, "value is not a JSON object")
    empty = [key for key in REQUIRED_SECRET_KEYS[kind] if value.get(key) in (None, "")]
    if empty:
        return Check(name, False, f"missing or empty key(s): {', '.join(empty)}")
    keys = REQUIRED_SECRET_KEYS[kind]
    return Check(name, True, f"required keys set ({', '.join(keys)})" if keys else "present")


def verify(environment: str, clients: Clients, http: HttpProbe) -> list[Check]:
    checks, outputs = check_stacks(clients.cloudformation, environment)

    cluster, missing = _output(outputs, "ComputeStack", "ClusterName", environment)
    service_names: list[str] = []
    for suffix, key in SERVICE_OUTPUTS:
        value, problem = _output(outputs, suffix, key, environment)
        if value:
            service_names.append(value)
        if problem:
            checks.append(problem)
    if cluster:
        checks.extend(check_services(clients.ecs, cluster, service_names))
    elif missing:
        checks.append(missing)

    for suffix, key in TARGET_GROUP_OUTPUTS:
        value, problem = _output(outputs, suffix, key, environment)
        if value:
            label = key.removesuffix("TargetGroupArn").lower()
            checks.append(check_target_group(clients.elbv2, value, label))
        elif problem:
            checks.append(problem)

    for key, path in HEALTH_ENDPOINTS:
        value, problem = _output(outputs, "ComputeStack", key, environment)
        if value:
            checks.append(http.get(value.rstrip("/") + path))
        elif problem:
            checks.append(problem)

    checks.extend(
        check_secret(clients.secretsmanager, environment, kind) for kind in _aws.SECRET_KINDS
    )
    return checks


def report(environment: str, region: str, checks: Sequence[Check]) -> int:
    print(f"Verifying {environment} in {region}:")
    for check in checks:
        print(check.line())
    failed = sum(1 for check in checks if not check.ok)
    if failed:
        print(f"{failed} of {len(checks)} checks FAILED.")
        return _aws.EXIT_FAILURE
    print(f"All {len(checks)} checks passed.")
    return _aws.EXIT_OK


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="verify-deployment.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _aws.add_aws_arguments(parser)
    parser.add_argument("--http-timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument("--http-attempts", type=int, default=3, help="tries per health endpoint")
    parser.add_argument(
        "--http-delay", type=float, default=5.0, help="seconds between health endpoint tries"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, clients: Clients | None = None) -> int:
    args = parse_args(argv)
    http = HttpProbe(
        timeout=args.http_timeout, attempts=max(1, args.http_attempts), delay=args.http_delay
    )

    def body() -> int:
        if clients is None:
            aws = _aws.Aws.from_args(args)
            used = Clients(aws.cloudformation(), aws.ecs(), aws.elbv2(), aws.secretsmanager())
            region = aws.region
        else:
            used = clients
            region = used.cloudformation.meta.region_name
        return report(args.environment, region, verify(args.environment, used, http))

    return _aws.run_cli(body)


if __name__ == "__main__":
    sys.exit(main())
