"""The "Plaid Integration" dashboard queries only metrics the app exports."""

from __future__ import annotations

import json
import re

from prometheus_client import REGISTRY

from family_budget.bank_connections import metrics as worker_metrics
from family_budget.observability.metrics import Metrics
from tests.plaid_support import REPOSITORY_ROOT

DASHBOARD = REPOSITORY_ROOT / "monitoring" / "grafana" / "dashboards" / "plaid-integration.json"


def _exported_names() -> set[str]:
    assert worker_metrics.syncs_total is not None  # the worker's metrics are registered
    names: set[str] = set()
    for registry in (REGISTRY, Metrics().registry):
        for metric in registry.collect():
            names.add(metric.name)
            for suffix in ("_total", "_bucket", "_count", "_sum"):
                names.add(metric.name + suffix)
    return names


def test_every_plaid_metric_of_the_dashboard_is_exported() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["title"] == "Plaid Integration"
    queries = " ".join(t["expr"] for panel in dashboard["panels"] for t in panel["targets"])
    used = set(re.findall(r"family_budget_plaid_\w+", queries))
    assert used >= {
        "family_budget_plaid_syncs_total",
        "family_budget_plaid_sync_duration_seconds_bucket",
        "family_budget_plaid_transactions_total",
        "family_budget_plaid_connections",
        "family_budget_plaid_webhooks_total",
    }
    assert used <= _exported_names()
