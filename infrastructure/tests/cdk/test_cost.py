"""The cost estimate counts what the synthesized templates contain."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from cdk_synth import Synthesized
from cost.estimate import estimate, main, render, total
from cost.prices import HOURS_PER_MONTH

# NAT gateways (standard) or NAT instances (lean development).
NAT = {"development": 0, "staging": 1, "production": 2}
NAT_INSTANCES = {"development": 1, "staging": 0, "production": 0}
ALBS = {"development": 1, "staging": 3, "production": 3}
INTERFACE_ENDPOINT_AZS = {"development": 0, "staging": 8, "production": 8}
RDS = {
    "development": "db.t4g.micro Single-AZ",
    "staging": "db.t4g.small Single-AZ",
    "production": "db.t4g.medium Multi-AZ",
}
# Minimum running tasks: backend, frontend, worker (design), beat + Prometheus and Grafana.
MIN_TASKS = {
    "development": 1 + 1 + 1 + 1 + 2,
    "staging": 2 + 2 + 2 + 1 + 2,
    "production": 2 + 2 + 3 + 1 + 2,
}


def templates(env: Synthesized) -> list[dict[str, Any]]:
    return [stack.template for stack in env.assembly.stacks]


def by_category(env: Synthesized) -> dict[str, list[Any]]:
    grouped: dict[str, list[Any]] = {}
    for item in estimate(templates(env)):
        grouped.setdefault(item.category, []).append(item)
    return grouped


def test_counts_from_the_templates(env: Synthesized) -> None:
    items = by_category(env)
    gateways = NAT[env.environment]
    if gateways:
        (nat,) = items["NAT gateways"]
        assert nat.quantity == gateways
        assert nat.monthly_usd == pytest.approx(0.045 * HOURS_PER_MONTH * gateways)
    else:
        assert "NAT gateways" not in items
    assert len(items.get("NAT instances", [])) == 2 * NAT_INSTANCES[env.environment]
    assert [i.detail for i in items["RDS"]] == [RDS[env.environment]]
    assert sum(i.quantity for i in items["Fargate"]) == MIN_TASKS[env.environment]
    (lbs,) = items["Load balancers"]
    assert lbs.quantity == ALBS[env.environment]
    (endpoints,) = items["Interface endpoints"]
    # ECR api, ECR dkr, Secrets Manager, SES in two AZs; lean: the S3 gateway endpoint only.
    assert endpoints.quantity == INTERFACE_ENDPOINT_AZS[env.environment]
    (addresses,) = items["Public IPv4"]
    # One per NAT gateway or instance, one per AZ of each ALB.
    assert (
        addresses.quantity == gateways + NAT_INSTANCES[env.environment] + 2 * ALBS[env.environment]
    )
    (secrets,) = items["Secrets Manager"]
    assert secrets.quantity == 6
    (kms,) = items["KMS"]
    assert kms.quantity == (1 if env.environment == "production" else 0)


def test_total_is_the_sum_and_grows_with_the_environment(synthesized: Any) -> None:
    totals = [
        total(estimate(templates(synthesized(name))))
        for name in ("development", "staging", "production")
    ]
    assert totals == sorted(totals) and totals[0] > 0
    for name, value in zip(("development", "staging", "production"), totals, strict=True):
        items = estimate(templates(synthesized(name)))
        assert value == pytest.approx(sum(i.monthly_usd for i in items), abs=0.01)
        assert f"{value:10.2f}" in render(name, items)


def test_an_extra_nat_gateway_is_priced(env: Synthesized) -> None:
    changed = copy.deepcopy(templates(env))
    security = next(t for t in changed if "AWS::EC2::VPC" in str(t))
    security["Resources"]["ExtraNat"] = {"Type": "AWS::EC2::NatGateway", "Properties": {}}
    difference = total(estimate(changed)) - total(estimate(templates(env)))
    assert difference == pytest.approx(0.045 * HOURS_PER_MONTH, abs=0.01)


def test_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--environment", "development"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Estimated monthly cost: development")
    assert "NAT instances" in out and "Total" in out


# Worker tasks long-polling the one email-events queue: 3 receives a minute each.
WORKERS = {"development": 1, "staging": 2, "production": 3}


def test_issue_17_additions_are_priced(env: Synthesized) -> None:
    items = by_category(env)
    production = env.environment == "production"
    assert ("CloudTrail" in items) is (env.environment != "development")
    if "CloudTrail" in items:
        (trail,) = items["CloudTrail"]
        assert (trail.quantity, trail.monthly_usd) == (1, 0.0)  # first trail: free
    (sqs,) = items["SQS"]
    assert sqs.quantity == WORKERS[env.environment] * 3 * 60 * HOURS_PER_MONTH
    assert sqs.monthly_usd == pytest.approx(sqs.quantity / 1e6 * 0.40)
    assert ("ALB access logs" in items) is production
    assert ("KMS requests" in items) is production
    assert ("RDS monitoring" in items) is production
    if production:
        (logs,) = items["ALB access logs"]
        # 3 ALBs x 2 AZ nodes x a file every 5 minutes; 1 GB/month each kept 3 months.
        puts = 3 * 2 * 12 * HOURS_PER_MONTH
        assert logs.monthly_usd == pytest.approx(puts / 1000 * 0.005 + 9 * 0.023)
        (kms,) = items["KMS requests"]
        assert kms.quantity == 9 * 10_000
        assert kms.monthly_usd == pytest.approx(0.27)
        monitoring = {item.detail: item.monthly_usd for item in items["RDS monitoring"]}
        assert monitoring == {
            "Enhanced Monitoring 60 s (~0.5 GB logs)": pytest.approx(0.25),
            "Performance Insights 7 days": 0.0,
        }


def test_lean_development_costs_at_most_125_dollars(synthesized: Any) -> None:
    """Issue 14's target, with every price written out here (us-east-1 list, 2025-01)."""
    items = estimate(templates(synthesized("development")))
    hours = HOURS_PER_MONTH
    arm = (0.03238, 0.00356)  # Fargate Linux/ARM per vCPU-hour, per GB-hour
    spot = (0.03238 / 2, 0.00356 / 2)  # assumed half the on-demand price

    def task(rates: tuple[float, float], vcpu: float, gb: float) -> float:
        return (rates[0] * vcpu + rates[1] * gb) * hours

    expected = {
        "NAT instances": 0.0042 * hours + 8 * 0.08,
        "Load balancers": 0.0225 * hours,
        "Interface endpoints": 0.0,
        "Public IPv4": 3 * 0.005 * hours,  # the NAT instance and two ALB nodes
        "RDS": 0.016 * hours,
        "RDS storage": 20 * 0.115,
        "ElastiCache": 0.016 * hours,
        "Fargate": (
            2 * task(arm, 0.5, 1)  # backend, frontend
            + 3 * task(spot, 0.5, 1)  # worker, Prometheus, Grafana
            + task(spot, 0.25, 0.5)  # beat
        ),
        "EFS": 5 * 0.30,
        "Secrets Manager": 6 * 0.40,
        "CloudWatch alarms": 5 * 0.10,
        "KMS": 0.0,
        "SQS": 131_400 / 1e6 * 0.40,
        # The nightly backup (issue 11): 30.4 runs of ~10 minutes on ARM, 30 dumps of ~0.1 GB.
        "Scheduled tasks": 30.4 * 10 / 60 * (0.03238 * 0.5 + 0.00356 * 1),
        "Backups storage": 30 * 0.1 * 0.023,
    }
    grouped: dict[str, float] = {}
    for item in items:
        grouped[item.category] = grouped.get(item.category, 0.0) + item.monthly_usd
    assert grouped == pytest.approx(expected, abs=0.01)
    assert total(items) == pytest.approx(sum(expected.values()), abs=0.02)
    assert total(items) <= 125


def test_staging_worker_is_priced_at_spot(synthesized: Any) -> None:
    (worker,) = [
        item
        for item in estimate(templates(synthesized("staging")))
        if item.category == "Fargate" and item.detail.startswith("Worker")
    ]
    assert worker.detail == "Worker: 2 x 1 vCPU / 2 GB (Spot)"
    assert worker.monthly_usd == pytest.approx(2 * (0.04048 + 2 * 0.004445) / 2 * HOURS_PER_MONTH)


# The nightly backup task runs at the worker's size (vCPU, GB), on the profile's architecture:
# ARM64 in the lean development profile, x86 elsewhere (on-demand prices per vCPU-hour, GB-hour).
BACKUP_SIZE = {"development": (0.5, 1), "staging": (1, 2), "production": (1, 2)}
BACKUP_RATES = {
    "development": (0.03238, 0.00356),
    "staging": (0.04048, 0.004445),
    "production": (0.04048, 0.004445),
}


def test_issue_11_nightly_backup_is_priced(env: Synthesized) -> None:
    items = by_category(env)
    (run,) = items["Scheduled tasks"]
    vcpu, gb = BACKUP_SIZE[env.environment]
    hours = 10 / 60 * 30.4
    vcpu_rate, gb_rate = BACKUP_RATES[env.environment]
    assert run.monthly_usd == pytest.approx(hours * (vcpu * vcpu_rate + gb * gb_rate))
    assert run.detail.startswith("Backup: nightly")
    (storage,) = items["Backups storage"]
    kept = 60 if env.environment == "production" else 30
    assert storage.quantity == kept
    assert storage.monthly_usd == pytest.approx(kept * 0.1 * 0.023)
