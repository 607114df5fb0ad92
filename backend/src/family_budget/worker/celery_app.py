"""The Celery app behind `family-budget worker` and `family-budget beat`.

Celery is the transport and the process pool; what must not be lost lives in the jobs table
(family_budget.worker.jobs). Each registered job is a Celery task of the same name whose only
argument is the job's id; `jobs.relay` hands due jobs over and `jobs.tick` (sent by beat every
minute) schedules the periodic jobs (family_budget.worker.schedule) and relays.

The broker is Redis when REDIS_URL is set (AWS: ElastiCache, the design's task queue) and
otherwise Kombu's filesystem transport under `DATA_DIR/queue` — the embedded default, so that
`make run` has a worker and a schedule on a laptop without Redis.
"""

from __future__ import annotations

import asyncio
import os
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from celery import Celery
from celery.signals import worker_process_shutdown, worker_ready

from family_budget import backups
from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory, unit_of_work
from family_budget.models.base import utcnow
from family_budget.worker import jobs, metrics, schedule

T = TypeVar("T")


def queue_dir(settings: Settings) -> Path:
    return settings.data_dir / "queue"


FILESYSTEM_POLLING_SECONDS = 0.1


def broker_settings(settings: Settings) -> dict[str, Any]:
    """Celery settings naming the broker: Redis, or folders under the data directory."""
    redis_url = settings.resolved_redis_url
    if redis_url:
        options: dict[str, Any] = {"broker_url": redis_url}
        if redis_url.startswith("rediss://"):
            # ElastiCache's certificate is checked like any other (never CERT_NONE).
            options["broker_use_ssl"] = {"ssl_cert_reqs": ssl.CERT_REQUIRED}
        return options
    messages = queue_dir(settings) / "messages"
    processed = queue_dir(settings) / "processed"
    # Kombu keeps its exchange bindings there (by default in the current directory).
    control = queue_dir(settings) / "control"
    for folder in (messages, processed, control):
        folder.mkdir(parents=True, exist_ok=True)
    return {
        # The folders are the broker; the host name means nothing to it, but without one kombu
        # logs "No hostname was supplied" as a warning the first time a job is sent.
        "broker_url": "filesystem://localhost/",
        "broker_transport_options": {
            "data_folder_in": str(messages),
            "data_folder_out": str(messages),
            "processed_folder": str(processed),
            "control_folder": str(control),
            "store_processed": False,
            # The folder is polled, once a second by default. A password-reset email is four
            # hops (API -> relay -> lookup job -> relay -> email job): ~4 s at the default,
            # ~0.4 s at a tenth of a second, for ~0.6% of a core in the idle worker (was ~0.2%).
            "polling_interval": FILESYSTEM_POLLING_SECONDS,
        },
    }


def create_celery(settings: Settings) -> Celery:
    app = Celery("family_budget")
    app.conf.update(
        **broker_settings(settings),
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        # A task message is acknowledged once the task ran, so a worker killed mid-task leaves
        # it to another (the jobs table would hand it over again anyway).
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        beat_schedule={
            "jobs.tick": {"task": "jobs.tick", "schedule": settings.worker_tick_seconds},
        },
    )

    def run(work: Callable[[jobs.JobContext], Awaitable[T]]) -> T:
        return asyncio.run(_in_context(settings, app, work))

    @app.task(name="jobs.tick")  # type: ignore[untyped-decorator]
    def tick_task() -> int:
        async def tick(ctx: jobs.JobContext) -> int:
            metrics.ticks_total.inc()
            await schedule.schedule_due(ctx.session_factory, ctx.now)
            await jobs.observe_queue(ctx)
            async with unit_of_work(ctx.session_factory) as session:
                await backups.observe_last_backup(session)
            return await jobs.relay(ctx, lambda name, job_id: _send(app, name, job_id))

        return run(tick)

    @app.task(name="jobs.relay")  # type: ignore[untyped-decorator]
    def relay_task() -> int:
        return run(lambda ctx: jobs.relay(ctx, lambda name, job_id: _send(app, name, job_id)))

    for name in jobs.registered_jobs():
        app.task(name=name)(_job_task(run))
    return app


def _job_task(
    run: Callable[[Callable[[jobs.JobContext], Awaitable[jobs.Outcome]]], jobs.Outcome],
) -> Callable[[int], str]:
    def run_one(job_id: int) -> str:
        return run(lambda ctx: jobs.run_job(ctx, job_id)).value

    return run_one


def _send(app: Celery, name: str, job_id: int) -> None:
    app.send_task(name, args=[job_id])
    metrics.jobs_relayed_total.inc()


async def _in_context(
    settings: Settings, app: Celery, work: Callable[[jobs.JobContext], Awaitable[T]]
) -> T:
    # A task runs in an event loop of its own (asyncio.run), so it gets an engine of its own,
    # without a pool: pooled connections belong to the loop that opened them.
    engine = create_engine(settings, pooled=False)

    async def nudge() -> None:
        await asyncio.to_thread(app.send_task, "jobs.relay")

    try:
        factory = create_session_factory(engine, job_nudge=nudge)
        return await work(jobs.JobContext(settings, factory, now=utcnow()))
    finally:
        await engine.dispose()


# --- Metrics from every process ---------------------------------------------------------------


def serve_metrics(port: int) -> None:
    """Serve /metrics for all of the worker's processes (see family_budget.worker.metrics)."""
    from prometheus_client import CollectorRegistry, start_http_server

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        from prometheus_client import REGISTRY

        registry = REGISTRY
    start_http_server(port, registry=registry)


def install_metrics_server(port: int) -> None:
    def on_ready(**_: Any) -> None:
        serve_metrics(port)

    def on_child_exit(pid: int | None = None, **_: Any) -> None:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR") and pid is not None:
            from prometheus_client import multiprocess

            multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]

    worker_ready.connect(on_ready, weak=False)
    worker_process_shutdown.connect(on_child_exit, weak=False)
