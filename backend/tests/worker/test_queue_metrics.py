"""The queue gauges each tick sets: how many jobs wait, and since when the oldest has."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.models import Job
from family_budget.worker.jobs import JobContext, QueueDepth, enqueue, observe_queue
from tests.worker.test_jobs import add_group  # noqa: F401  (registers tests.add_group)

NOW = datetime(2027, 5, 4, 8, 0, tzinfo=UTC)


def _gauge(name: str) -> float | None:
    return REGISTRY.get_sample_value(name)


async def _add(session: AsyncSession, key: str, run_after: datetime) -> None:
    await enqueue(session, "tests.add_group", {"name": key}, key=key, run_after=run_after)


async def test_counts_due_jobs_nobody_runs(
    session: AsyncSession,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> None:
    await _add(session, "oldest", NOW - timedelta(minutes=20))
    await _add(session, "recent", NOW - timedelta(minutes=1))
    await _add(session, "future", NOW + timedelta(minutes=5))  # not due yet
    await _add(session, "running", NOW - timedelta(hours=2))  # leased to a worker
    await _add(session, "done", NOW - timedelta(hours=3))
    await _add(session, "failed", NOW - timedelta(hours=4))
    await _add(session, "abandoned", NOW - timedelta(minutes=30))  # lease ran out
    for key, values in (
        ("running", {"claimed_until": NOW + timedelta(minutes=3)}),
        ("done", {"done_at": NOW - timedelta(hours=2)}),
        ("failed", {"failed_at": NOW - timedelta(hours=1)}),
        ("abandoned", {"claimed_until": NOW - timedelta(minutes=10)}),
    ):
        await session.execute(update(Job).where(Job.key == key).values(**values))
    await session.commit()

    depth = await observe_queue(JobContext(settings, session_factory, now=NOW))

    assert depth == QueueDepth(3, NOW - timedelta(minutes=30))
    assert _gauge("family_budget_worker_jobs_due") == 3
    assert _gauge("family_budget_worker_oldest_due_job_age_seconds") == 30 * 60


async def test_an_empty_queue_is_zero(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession]
) -> None:
    depth = await observe_queue(JobContext(settings, session_factory, now=NOW))
    assert depth == QueueDepth(0, None)
    assert _gauge("family_budget_worker_jobs_due") == 0
    assert _gauge("family_budget_worker_oldest_due_job_age_seconds") == 0
