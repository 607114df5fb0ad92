"""Prometheus metrics: HTTP by route template, plus business counters. One registry per app."""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        labels = ("route", "method", "status")
        self.http_requests = Counter(
            "http_requests", "HTTP requests served", labels, registry=self.registry
        )
        self.http_request_duration = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.signups = Counter(
            "family_budget_signups", "Users who registered", registry=self.registry
        )
        self.plaid_webhooks = Counter(
            "family_budget_plaid_webhooks",
            "Plaid webhooks received, by type, code and verification (verified or failed; "
            "a failed one's type is not read)",
            ("webhook_type", "webhook_code", "verification"),
            registry=self.registry,
        )
        self.households = Gauge(
            "family_budget_households", "Households in the database", registry=self.registry
        )
        # Counted when /metrics is scraped, from users.last_active_at (no per-request work).
        self.active_users = Gauge(
            "family_budget_active_users",
            "Users who signed in or refreshed a session within the window",
            ("window",),
            registry=self.registry,
        )
        self.active_households = Gauge(
            "family_budget_active_households",
            "Households with a member active within the window",
            ("window",),
            registry=self.registry,
        )
        # source: manual (the API); imports and bank sync count theirs in the worker.
        self.transactions_created = Counter(
            "family_budget_transactions_created",
            "Transactions recorded, by source",
            ("source",),
            registry=self.registry,
        )
