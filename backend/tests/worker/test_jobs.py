"""The outbox's guarantees (family_budget.worker.jobs), on the real database."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.db import create_session_factory, unit_of_work
from family_budget.models import CategoryGroup, Household, Job
from family_budget.worker.jobs import (
    REDISPATCH_AFTER,
    JobContext,
    Outcome,
    PermanentJobError,
    drain,
    enqueue,
    job,
    relay,
    retry_delay,
    run_job,
)

NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
# What the test jobs below are told to do, by group name (a test sets it before running them).
_FAILURES: dict[str, int] = {}


@job("tests.add_group", max_attempts=3)
async def add_group(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    """Adds a category group, then fails as many times as _FAILURES says (after writing)."""
    session.add(
        CategoryGroup(household_id=uuid.UUID(payload["household_id"]), name=payload["name"])
    )
    await session.flush()
    if _FAILURES.get(payload["name"], 0) > 0:
        _FAILURES[payload["name"]] -= 1
        raise RuntimeError("the mail server is down")


@job("tests.impossible")
async def impossible(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    raise PermanentJobError("the import it was for is gone")


@job("tests.slow")
async def slow(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    session.add(
        CategoryGroup(household_id=uuid.UUID(payload["household_id"]), name=payload["name"])
    )
    await session.flush()
    await asyncio.sleep(0.2)


async def _groups(session: AsyncSession, household: Household, name: str) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(
                CategoryGroup.household_id == household.id, CategoryGroup.name == name
            )
        )
        or 0
    )


async def _enqueue_then_fail(
    factory: async_sessionmaker[AsyncSession], payload: dict[str, Any], key: str | None = None
) -> None:
    async with unit_of_work(factory) as session:
        await enqueue(session, "tests.add_group", payload, key=key)
        raise RuntimeError("the request failed after enqueueing")


async def _job(session: AsyncSession, key: str) -> Job:
    found = await session.scalar(
        select(Job).where(Job.key == key).execution_options(populate_existing=True)
    )
    assert found is not None
    return found


@pytest.fixture
def context(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> JobContext:
    return JobContext(settings, session_factory, now=NOW)


@pytest.fixture
async def household(session: AsyncSession) -> Household:
    household = Household(name="Outbox family", currency="USD")
    session.add(household)
    await session.commit()
    return household


class TestEnqueue:
    async def test_the_job_exists_only_if_the_change_commits(
        self, session_factory: async_sessionmaker[AsyncSession], household: Household
    ) -> None:
        payload = {"household_id": str(household.id), "name": "kept"}
        with pytest.raises(RuntimeError):
            await _enqueue_then_fail(session_factory, payload, key="rolled-back")
        async with unit_of_work(session_factory) as session:
            await enqueue(session, "tests.add_group", payload, key="committed")
        async with session_factory() as session:
            keys = set(await session.scalars(select(Job.key)))
        assert keys == {"committed"}

    async def test_a_key_is_enqueued_once(
        self, session: AsyncSession, household: Household
    ) -> None:
        payload = {"household_id": str(household.id), "name": "once"}
        first = await enqueue(session, "tests.add_group", payload, key="reminder:bill-1:2026-12")
        second = await enqueue(session, "tests.add_group", payload, key="reminder:bill-1:2026-12")
        assert (first, second) == (True, False)
        assert await session.scalar(select(func.count()).select_from(Job)) == 1

    async def test_an_unknown_job_is_a_programming_error(self, session: AsyncSession) -> None:
        with pytest.raises(ValueError, match="no job is registered"):
            await enqueue(session, "tests.nobody", {})

    async def test_the_worker_is_nudged_once_after_a_commit_that_enqueued(
        self, connection: Any, household: Household
    ) -> None:
        nudges: list[str] = []

        async def nudge() -> None:
            nudges.append("nudged")

        factory = create_session_factory(
            connection, job_nudge=nudge, join_transaction_mode="create_savepoint"
        )
        payload = {"household_id": str(household.id), "name": "nudge"}
        async with unit_of_work(factory) as session:
            await enqueue(session, "tests.add_group", payload)
            await enqueue(session, "tests.add_group", payload)
        assert nudges == ["nudged"]
        async with unit_of_work(factory) as session:
            session.add(CategoryGroup(household_id=household.id, name="no job"))
        with pytest.raises(RuntimeError):
            await _enqueue_then_fail(factory, payload)
        assert nudges == ["nudged"]


class TestRunning:
    async def test_effects_and_done_are_one_transaction(
        self, context: JobContext, session: AsyncSession, household: Household
    ) -> None:
        _FAILURES["flaky"] = 1
        await enqueue(
            session,
            "tests.add_group",
            {"household_id": str(household.id), "name": "flaky"},
            key="flaky",
        )
        await session.commit()

        assert await drain(context) == {**dict.fromkeys(Outcome, 0), Outcome.RETRY: 1}
        failed_once = await _job(session, "flaky")
        # The group written before the failure was rolled back with it.
        assert await _groups(session, household, "flaky") == 0
        assert (failed_once.attempts, failed_once.done_at) == (1, None)
        assert failed_once.last_error == "RuntimeError: the mail server is down"
        assert failed_once.run_after > datetime.now(UTC)

        # Its retry is due later; a drain now leaves it alone.
        assert (await drain(context))[Outcome.RETRY] == 0
        await session.execute(update(Job).values(run_after=NOW - timedelta(days=1)))
        await session.commit()
        assert (await drain(context))[Outcome.DONE] == 1
        assert await _groups(session, household, "flaky") == 1
        done = await _job(session, "flaky")
        assert (done.attempts, done.last_error, done.claimed_until) == (2, None, None)
        assert done.done_at is not None
        # Done is done: draining again runs nothing.
        assert sum((await drain(context)).values()) == 0
        assert await _groups(session, household, "flaky") == 1

    async def test_gives_up_after_max_attempts(
        self, context: JobContext, session: AsyncSession, household: Household
    ) -> None:
        _FAILURES["never"] = 99
        await enqueue(
            session,
            "tests.add_group",
            {"household_id": str(household.id), "name": "never"},
            key="never",
        )
        await session.commit()
        outcomes = []
        for _ in range(3):
            await session.execute(update(Job).values(run_after=NOW - timedelta(days=1)))
            await session.commit()
            job_id = (await _job(session, "never")).id
            outcomes.append(await run_job(context, job_id))
        assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.FAILED]
        failed = await _job(session, "never")
        assert failed.failed_at is not None
        assert failed.attempts == 3
        assert sum((await drain(context)).values()) == 0

    async def test_a_permanent_error_fails_at_once(
        self, context: JobContext, session: AsyncSession
    ) -> None:
        await enqueue(session, "tests.impossible", {}, key="impossible")
        await session.commit()
        assert (await drain(context))[Outcome.FAILED] == 1
        failed = await _job(session, "impossible")
        assert (failed.attempts, failed.failed_at is not None) == (1, True)

    async def test_a_job_abandoned_by_a_dead_worker_runs_once_its_lease_is_over(
        self, context: JobContext, session: AsyncSession, household: Household
    ) -> None:
        await enqueue(
            session,
            "tests.add_group",
            {"household_id": str(household.id), "name": "abandoned"},
            key="abandoned",
        )
        # A worker claimed it and died (its transaction never committed anything else).
        await session.execute(
            update(Job).values(claimed_until=datetime.now(UTC) + timedelta(minutes=5), attempts=1)
        )
        await session.commit()
        assert sum((await drain(context)).values()) == 0
        assert await _groups(session, household, "abandoned") == 0

        await session.execute(update(Job).values(claimed_until=datetime.now(UTC)))
        await session.commit()
        assert (await drain(context))[Outcome.DONE] == 1
        assert await _groups(session, household, "abandoned") == 1
        assert (await _job(session, "abandoned")).attempts == 2

    async def test_jobs_enqueued_by_jobs_run_in_the_same_drain(
        self, context: JobContext, session: AsyncSession, household: Household
    ) -> None:
        for n in range(3):
            await enqueue(
                session,
                "tests.add_group",
                {"household_id": str(household.id), "name": f"batch {n}"},
            )
        await session.commit()
        assert (await drain(context))[Outcome.DONE] == 3
        names = set(
            await session.scalars(
                select(CategoryGroup.name).where(CategoryGroup.household_id == household.id)
            )
        )
        assert names == {"batch 0", "batch 1", "batch 2"}


class TestRelay:
    async def test_hands_each_due_job_over_once_until_it_is_overdue(
        self, context: JobContext, session: AsyncSession, household: Household
    ) -> None:
        payload = {"household_id": str(household.id), "name": "relayed"}
        await enqueue(session, "tests.add_group", payload, key="due")
        await enqueue(
            session, "tests.add_group", payload, key="later", run_after=NOW + timedelta(days=365)
        )
        await session.commit()
        sent: list[tuple[str, int]] = []

        def send(name: str, job_id: int) -> None:
            sent.append((name, job_id))

        due = await _job(session, "due")
        assert await relay(context, send) == 1
        assert await relay(context, send) == 0
        assert sent == [("tests.add_group", due.id)]

        # The message was lost (nobody claimed the job): after a while it is handed over again.
        await session.execute(
            update(Job)
            .where(Job.key == "due")
            .values(dispatched_at=datetime.now(UTC) - REDISPATCH_AFTER - timedelta(seconds=1))
        )
        await session.commit()
        assert await relay(context, send) == 1
        assert sent == [("tests.add_group", due.id)] * 2


class TestRetryDelay:
    @pytest.mark.parametrize(
        ("attempts", "low", "high"),
        [(1, 5, 10), (2, 10, 20), (3, 20, 40), (12, 1800, 3600), (40, 1800, 3600)],
    )
    def test_grows_exponentially_with_jitter_and_a_cap(
        self, attempts: int, low: float, high: float
    ) -> None:
        delays = {retry_delay(attempts).total_seconds() for _ in range(50)}
        assert all(low <= d <= high for d in delays)
        assert len(delays) > 1


@pytest.fixture
async def committed_factory(
    engine: AsyncEngine,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions that really commit, for races between connections; cleaned up afterwards."""
    factory = create_session_factory(engine)
    yield factory
    async with unit_of_work(factory) as session:
        await session.execute(delete(Job).where(Job.name == "tests.slow"))
        await session.execute(delete(Household).where(Household.name == "Race family"))


async def test_two_workers_racing_for_a_job_run_it_once(
    settings: Settings, committed_factory: async_sessionmaker[AsyncSession]
) -> None:
    async with unit_of_work(committed_factory) as session:
        household = Household(name="Race family", currency="USD")
        session.add(household)
        await session.flush()
        await enqueue(session, "tests.slow", {"household_id": str(household.id), "name": "raced"})
    async with committed_factory() as session:
        job_id = await session.scalar(select(Job.id).where(Job.name == "tests.slow"))
    assert job_id is not None
    context = JobContext(settings, committed_factory, now=NOW)

    outcomes = await asyncio.gather(*(run_job(context, job_id) for _ in range(4)))

    assert sorted(outcomes) == sorted([Outcome.DONE] + [Outcome.SKIPPED] * 3)
    async with committed_factory() as session:
        assert await _groups(session, household, "raced") == 1
