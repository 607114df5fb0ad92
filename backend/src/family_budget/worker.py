"""The Celery worker and beat: `family-budget worker` / `family-budget beat`.

Redis is the broker (the design's task queue). The worker serves its Prometheus metrics on
port 8000 at /metrics, where the design's scrape configuration looks for them.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import task_failure, task_success, worker_ready
from prometheus_client import CollectorRegistry, Counter, start_http_server

from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory, unit_of_work
from family_budget.maintenance import purge_expired

WORKER_METRICS_PORT = 8000
registry = CollectorRegistry()
tasks_total = Counter(
    "family_budget_worker_tasks",
    "Tasks finished by the worker",
    ("task", "outcome"),
    registry=registry,
)


class WorkerConfigurationError(RuntimeError):
    pass


def create_celery(settings: Settings) -> Celery:
    broker = settings.resolved_redis_url
    if not broker:
        raise WorkerConfigurationError("the worker needs REDIS_URL (its task queue lives in Redis)")
    app = Celery("family_budget", broker=broker)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        beat_schedule={
            "maintenance.purge_expired": {
                "task": "maintenance.purge_expired",
                "schedule": crontab(hour=3, minute=17),
            }
        },
    )
    app.task(name="maintenance.purge_expired")(_purge_expired_task)
    return app


def _purge_expired_task() -> dict[str, int]:
    return asyncio.run(run_purge(Settings()))


async def run_purge(settings: Settings) -> dict[str, int]:
    engine = create_engine(settings)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            result = await purge_expired(session, datetime.now(UTC))
    finally:
        await engine.dispose()
    return {
        "refresh_tokens": result.refresh_tokens,
        "one_time_tokens": result.one_time_tokens,
        "invitations": result.invitations,
    }


def _serve_metrics(**_: Any) -> None:
    start_http_server(WORKER_METRICS_PORT, registry=registry)


def _count_success(sender: Any = None, **_: Any) -> None:
    tasks_total.labels(getattr(sender, "name", "unknown"), "success").inc()


def _count_failure(sender: Any = None, **_: Any) -> None:
    tasks_total.labels(getattr(sender, "name", "unknown"), "failure").inc()


worker_ready.connect(_serve_metrics)
task_success.connect(_count_success)
task_failure.connect(_count_failure)
