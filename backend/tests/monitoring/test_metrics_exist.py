"""Every metric a dashboard panel or an alert rule reads is one the system really emits.

What counts as emitted:
- the backend's /metrics after a short real workload (sign-up, sign-in, refresh, a
  transaction, a request that fails, a bank linked at the demo bank, a webhook refused) on the
  test database;
- the worker's metrics after real ticks and a job run (the jobs table of a fresh database),
  and the bank sync's after that bank's first sync ran as the worker runs it;
- the lists in monitoring/metrics/: the exporters' names pinned to the deployed versions, the
  series Prometheus writes itself, the web server's names (which the frontend's unit test
  checks against the real route handlers) and the ECS metrics CloudWatch publishes;
- alert rules only: the names agreed in monitoring/metrics/pending.yml for metrics still being
  built, which must not be emitted yet (then they belong in the dashboards instead).

Dashboards and rules are read from their folders, so a new panel or rule is checked without
touching this test.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import promql_parser
import yaml
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from family_budget.cli import cli
from family_budget.config import Settings
from family_budget.migrations import upgrade_to_head
from family_budget.worker.celery_app import create_celery
from family_budget.worker.schedule import tick
from tests.arrange import arrange_family
from tests.bank_connections.bank import link_bank, run_jobs
from tests.conftest import TEST_JWT_SECRET
from tests.plaid_support import (
    DemoBankUnderTest,
    bank_app,
    bank_settings,
    demo_bank,
    webhook_receiver,
)

__all__ = ["bank_app", "bank_settings", "demo_bank", "webhook_receiver"]

MONITORING = Path(__file__).resolve().parents[3] / "monitoring"
DASHBOARDS = MONITORING / "grafana" / "dashboards"
RULES = MONITORING / "prometheus" / "rules"
METRIC_LISTS = MONITORING / "metrics"
DESIGN_DASHBOARDS = {
    "Application Overview",
    "ECS Services Health",
    "Database Performance",
    "Redis Performance",
    "Plaid Integration",
    "Business Metrics",
}
# The worker's metrics whose own "job" label Prometheus renames exported_job.
WORKER_JOB_METRICS = re.compile(r"family_budget_worker_job(s_total|_duration_seconds_\w+)$")


# --- What dashboards and rules read ----------------------------------------------------------


@dataclass(frozen=True)
class Use:
    """One metric read by one panel or rule."""

    where: str
    metric: str


@dataclass
class Reads:
    prometheus: list[Use] = field(default_factory=list)
    cloudwatch: list[Use] = field(default_factory=list)
    # (where, metric, label) of every label matcher, for the exported_job check.
    matchers: list[tuple[str, str, str]] = field(default_factory=list)


_GRAFANA_RANGES = re.compile(r"\$__(rate_interval|interval|range)|\$\{__\w+\}")
_GRAFANA_VARIABLES = re.compile(r"\$\{\w+(:\w+)?\}|\$\w+")


def promql_of_grafana(expr: str) -> str:
    """Grafana's query with its variables filled in, so that it parses as PromQL."""
    return _GRAFANA_VARIABLES.sub("x", _GRAFANA_RANGES.sub("5m", expr))


def read_promql(expr: str, where: str, reads: Reads) -> None:
    parsed = promql_parser.parse(expr)
    found: list[promql_parser.VectorSelector] = []

    def visit(node: promql_parser.Expr) -> bool:
        if isinstance(node, promql_parser.VectorSelector):
            found.append(node)
        return True

    promql_parser.walk(parsed, visit)
    assert found, f"{where}: reads no metric: {expr}"
    for selector in found:
        names = [m.value for m in selector.matchers.matchers if m.name == "__name__"]
        name = selector.name or (names[0] if names else None)
        assert name, f"{where}: a selector without a metric name: {expr}"
        reads.prometheus.append(Use(where, name))
        for matcher in selector.matchers.matchers:
            reads.matchers.append((where, name, matcher.name))


def panels(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in items:
        yield panel
        yield from panels(panel.get("panels", []))


def dashboard_reads() -> tuple[dict[str, int], Reads]:
    """Panels per dashboard title, and what every panel and template variable reads."""
    reads = Reads()
    counts: dict[str, int] = {}
    files = sorted(DASHBOARDS.glob("*.json"))
    assert files
    for path in files:
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        title = dashboard["title"]
        counts[title] = 0
        for variable in dashboard.get("templating", {}).get("list", []):
            query = variable.get("query")
            if variable.get("datasource", {}).get("type") == "prometheus":
                text = query["query"] if isinstance(query, dict) else query
                (metric,) = re.findall(r"label_values\((\w+)", text)
                reads.prometheus.append(Use(f"{title} / variable {variable['name']}", metric))
            elif variable.get("datasource", {}).get("type") == "cloudwatch":
                reads.cloudwatch.append(
                    Use(f"{title} / variable {variable['name']}", query["metricName"])
                )
        for panel in panels(dashboard["panels"]):
            if panel["type"] == "row":
                continue
            counts[title] += 1
            where = f"{title} / {panel['title']}"
            assert panel.get("targets"), f"{where}: a panel without a query"
            assert panel.get("description"), f"{where}: say what question the panel answers"
            for target in panel["targets"]:
                source = (target.get("datasource") or panel["datasource"])["type"]
                if source == "prometheus":
                    read_promql(promql_of_grafana(target["expr"]), where, reads)
                else:
                    assert source == "cloudwatch", where
                    assert target["namespace"] == "ECS/ContainerInsights", where
                    reads.cloudwatch.append(Use(where, target["metricName"]))
    return counts, reads


def rule_reads() -> tuple[list[str], Reads]:
    reads = Reads()
    alerts: list[str] = []
    files = sorted(RULES.glob("*.yml"))
    assert files
    for path in files:
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            for rule in group["rules"]:
                name = rule.get("alert") or rule["record"]
                alerts.append(name)
                read_promql(rule["expr"], f"rule {name}", reads)
    return alerts, reads


def listed(filename: str) -> set[str]:
    lines = (METRIC_LISTS / filename).read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def pending() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((METRIC_LISTS / "pending.yml").read_text())
    return loaded


def pinned_lists() -> set[str]:
    """The exporters', Prometheus' and the web server's names (monitoring/metrics/*.txt)."""
    names: set[str] = set()
    for path in sorted(METRIC_LISTS.glob("*.txt")):
        if path.name.startswith("cloudwatch-"):
            continue
        names |= listed(path.name)
    return names


def sample_names(exposition: str) -> set[str]:
    return {
        sample.name
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


# --- What the system emits ---------------------------------------------------------------------


async def backend_metrics(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    demo_bank: DemoBankUnderTest,
    session_factory: async_sessionmaker[AsyncSession],
) -> set[str]:
    """The backend's /metrics after a short real workload, and the bank sync's metrics after
    a bank was linked and synced (the sync runs in this process, as in the worker)."""
    email = f"metrics-{uuid.uuid4().hex[:8]}@example.com"
    password = "correct horse battery staple 42"
    registered = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, "name": "Mo"}
    )
    assert registered.status_code == 201, registered.text
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    family = await arrange_family(session, settings)
    created = await client.post(
        f"{family.base}/transactions",
        json={
            "account_id": str(family.private.id),
            "posted_on": "2024-03-10",
            "amount_minor": -4599,
            "payee": "Grocer",
        },
        headers=family.headers(),
    )
    assert created.status_code == 201, created.text
    assert (await client.get("/api/v1/me")).status_code == 401
    linked = await link_bank(client, family, demo_bank)
    assert linked.status_code == 201, linked.text
    outcomes = await run_jobs(settings, session_factory)
    assert sum(outcomes.values()) >= 1
    unsigned = await client.post("/api/v1/webhooks/plaid", json={"webhook_type": "ITEM"})
    assert unsigned.status_code == 401, unsigned.text
    bank_sync = {
        name
        for name in sample_names(generate_latest(REGISTRY).decode())
        if name.startswith("family_budget_plaid_")
    }
    return sample_names((await client.get("/metrics")).text) | bank_sync


def worker_metrics(tmp_path: Path) -> set[str]:
    """The worker's metrics after `family-budget tick` ran a job and beat's tick ran once."""
    database = f"sqlite+aiosqlite:///{(tmp_path / 'worker.db').as_posix()}"
    upgrade_to_head(database)
    settings = Settings(
        environment="development",
        database_url=database,
        jwt_secret=TEST_JWT_SECRET,
        data_dir=tmp_path / "data",
    )
    # After 03:17 UTC the daily maintenance job is due: the tick schedules it and runs it.
    report = asyncio.run(tick(settings, datetime(2027, 1, 5, 4, 0, tzinfo=UTC)))
    assert sum(report.outcomes.values()) >= 1
    # A backup, as the nightly task makes it (after the tick above, whose time travel purges
    # old jobs): beat's tick reads when it was recorded.
    backup_started = datetime.now(UTC).timestamp()
    backed_up = CliRunner().invoke(
        cli,
        ["backup"],
        env={"DATABASE_URL": database, "DATA_DIR": str(tmp_path / "data")},
    )
    assert backed_up.exit_code == 0, backed_up.output
    # Beat's tick, as the worker runs it (schedules, measures the queue, relays).
    create_celery(settings).tasks["jobs.tick"]()
    last_backup = REGISTRY.get_sample_value("family_budget_backup_last_success_timestamp_seconds")
    assert last_backup is not None
    assert last_backup >= backup_started
    return {
        name
        for name in sample_names(generate_latest(REGISTRY).decode())
        if name.startswith(("family_budget_worker_", "family_budget_backup_"))
    }


def test_the_six_design_dashboards_have_panels() -> None:
    counts, _ = dashboard_reads()
    assert set(counts) >= DESIGN_DASHBOARDS
    assert all(count >= 2 for count in counts.values()), counts


async def test_every_panel_and_rule_reads_a_metric_that_exists(
    client: httpx.AsyncClient,
    session: AsyncSession,
    bank_settings: Settings,
    bank_app: object,
    demo_bank: DemoBankUnderTest,
    session_factory: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    backend = await backend_metrics(client, session, bank_settings, demo_bank, session_factory)
    # The worker runs its jobs in event loops of its own: a thread of its own here.
    emitted = backend | await asyncio.to_thread(worker_metrics, tmp_path)
    known = emitted | pinned_lists()
    waiting = pending()

    _, panel_reads = dashboard_reads()
    missing = sorted(
        {f"{use.where}: {use.metric}" for use in panel_reads.prometheus if use.metric not in known}
    )
    assert missing == [], "panels on metrics nobody emits"
    cloudwatch = listed("cloudwatch-ecs-container-insights.txt")
    assert panel_reads.cloudwatch
    assert (
        sorted(
            {f"{u.where}: {u.metric}" for u in panel_reads.cloudwatch if u.metric not in cloudwatch}
        )
        == []
    )

    _, rules = rule_reads()
    missing = sorted(
        {
            f"{use.where}: {use.metric}"
            for use in rules.prometheus
            if use.metric not in known | set(waiting)
        }
    )
    assert missing == [], "rules on metrics nobody emits and nobody agreed to"

    # A pending metric: read by a rule, by no panel, and not emitted yet (once it is, its
    # entry in pending.yml goes and its panels come).
    assert set(waiting) <= {use.metric for use in rules.prometheus}
    assert not set(waiting) & {use.metric for use in panel_reads.prometheus}
    arrived = sorted(
        name for name in waiting if {name, f"{name}_total", name.removesuffix("_total")} & emitted
    )
    assert arrived == [], "emitted now: move them out of monitoring/metrics/pending.yml"


def test_the_worker_job_label_is_read_as_exported_job() -> None:
    """The worker's "job" label (the job's name) is renamed exported_job when scraped: a
    matcher on "job" would compare with the scrape job ("worker") and match nothing."""
    _, panel_reads = dashboard_reads()
    _, rules = rule_reads()
    wrong = sorted(
        f"{where}: {metric}"
        for where, metric, label in panel_reads.matchers + rules.matchers
        if WORKER_JOB_METRICS.match(metric) and label == "job"
    )
    assert wrong == []
