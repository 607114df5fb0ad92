"""The worker's Plaid metrics (the "Plaid Integration" dashboard), in the default registry so that
the worker's multiprocess /metrics adds them up across its processes.

Webhook counts are the API's: they live in its per-app registry
(family_budget.observability.metrics). Connections by status is a gauge the worker recounts after
every job that can change a status, so that no scrape of anything queries the database.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from family_budget.models import BankConnectionStatus

syncs_total = Counter(
    "family_budget_plaid_syncs",
    "Bank syncs by outcome: success, login_required, retry (a retryable Plaid error), error, "
    "skipped (the connection is gone or disconnected)",
    ("outcome",),
)
sync_duration_seconds = Histogram(
    "family_budget_plaid_sync_duration_seconds",
    "Time a bank sync took, fetching and applying",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
sync_restarts_total = Counter(
    "family_budget_plaid_sync_restarts",
    "Fetches started again: data changed during pagination, or another sync applied first",
    ("reason",),
)
transactions_total = Counter(
    "family_budget_plaid_transactions",
    "Bank transactions applied by change: added, modified, removed",
    ("change",),
)
connections = Gauge(
    "family_budget_plaid_connections",
    "Bank connections by status (recounted by the worker after each bank job)",
    ("status",),
    multiprocess_mode="mostrecent",
)


# Every known label value starts at zero, so a rate over them reads 0 rather than nothing
# before the first sync, restart or change of its kind. (The gauge is not: a worker process
# writing zeros at start would hide the last count another process recorded.)
SYNC_OUTCOMES = ("success", "login_required", "retry", "error", "skipped")
for _outcome in SYNC_OUTCOMES:
    syncs_total.labels(_outcome)
for _reason in ("plaid", "superseded"):
    sync_restarts_total.labels(_reason)
for _change in ("added", "modified", "removed"):
    transactions_total.labels(_change)


def record_connection_counts(counts: dict[BankConnectionStatus, int]) -> None:
    for status in BankConnectionStatus:
        connections.labels(status.value).set(counts.get(status, 0))
