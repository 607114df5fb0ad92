"""Jobs: the transactional outbox the worker runs.

A service that needs work done after its change (an email, an alert, processing an import) calls
`enqueue` with the request's own session: the job row is written in the same transaction as the
change, so it exists exactly when the change does. After the commit the unit of work nudges the
worker (family_budget.worker.dispatch), and the worker's relay hands due jobs to Celery, one task
per job, named like the job ("domain.action").

Guarantees, whatever crashes where:
- A job is never lost: until it is marked done, the relay hands it over again once its lease has
  run out (a worker killed mid-job) or nobody claimed it (a lost message).
- A job runs once at a time: a worker claims it with one conditional UPDATE that sets a lease.
- A transactional job (the default) writes its effects and "done" in one database transaction,
  so its database effects happen exactly once. A job with effects outside the database (sending
  an email, publishing to SNS) may run again after a crash between the effect and "done": such
  jobs give every effect a key their consumer deduplicates.
- An idempotency key makes enqueueing idempotent: a second job with the same key is not added.
- A failing job is retried with exponential backoff and jitter, up to its `max_attempts`; then
  it is marked failed and logged.

`drain` runs due jobs inline, in this process: `family-budget tick` and the tests use it; the
worker's Celery tasks call `run_job` the same way.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from time import perf_counter
from typing import Any, Literal

from sqlalchemy import Connection, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from family_budget.config import Settings
from family_budget.db import after_commit, expect_writes, unit_of_work
from family_budget.models import Job
from family_budget.models.base import utcnow
from family_budget.worker import metrics

logger = logging.getLogger(__name__)

Payload = dict[str, Any]
# The relay hands a job over again when nobody claimed it this long after it was handed over.
REDISPATCH_AFTER = timedelta(minutes=2)
RELAY_BATCH = 500
_NUDGE_KEY = "jobs_nudge"


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a job runs with. `now` is the instant the job treats as now: the wall clock in the
    worker, the `--at` of `family-budget tick` when an operator or a test travels in time."""

    settings: Settings
    session_factory: async_sessionmaker[AsyncSession]
    now: datetime


TransactionalHandler = Callable[[JobContext, AsyncSession, Payload], Awaitable[None]]
StandaloneHandler = Callable[[JobContext, Payload], Awaitable[None]]


class PermanentJobError(Exception):
    """A job that can never succeed (its subject is gone, its payload is invalid): failed at
    once, not retried."""


Period = Literal["minute", "hour", "day"]


@dataclass(frozen=True, slots=True)
class JobSpec:
    name: str
    # Transactional: runs inside the transaction that marks it done. Standalone: opens its own
    # transactions (long jobs that report progress as they go) and must be idempotent.
    transactional_handler: TransactionalHandler | None
    standalone_handler: StandaloneHandler | None
    lease: timedelta
    max_attempts: int
    # Periodic jobs (family_budget.worker.schedule): enqueued once per period; a daily job from
    # its time of day (UTC) on.
    every: Period | None = None
    at: time = time(0, 0)

    def period_key(self, instant: datetime) -> str | None:
        """The period `instant` falls in, or None when the job is not due in it (yet)."""
        instant = instant.astimezone(UTC)
        if self.every == "minute":
            return instant.strftime("%Y-%m-%dT%H:%M")
        if self.every == "hour":
            return instant.strftime("%Y-%m-%dT%H")
        if self.every == "day" and instant.time() >= self.at:
            return instant.strftime("%Y-%m-%d")
        return None


_REGISTRY: dict[str, JobSpec] = {}


def job(
    name: str,
    *,
    every: Period | None = None,
    at: time = time(0, 0),
    lease: timedelta = timedelta(minutes=5),
    max_attempts: int = 8,
) -> Callable[[TransactionalHandler], TransactionalHandler]:
    """Register a transactional job handler under `name` ("domain.action"); with `every`, it
    is also scheduled once per minute, hour or day (from `at` on)."""

    def register(handler: TransactionalHandler) -> TransactionalHandler:
        _register(JobSpec(name, handler, None, lease, max_attempts, every, at))
        return handler

    return register


def standalone_job(
    name: str,
    *,
    every: Period | None = None,
    at: time = time(0, 0),
    lease: timedelta = timedelta(minutes=30),
    max_attempts: int = 5,
) -> Callable[[StandaloneHandler], StandaloneHandler]:
    """Register a job handler that manages its own transactions (see JobSpec)."""

    def register(handler: StandaloneHandler) -> StandaloneHandler:
        _register(JobSpec(name, None, handler, lease, max_attempts, every, at))
        return handler

    return register


def _register(spec: JobSpec) -> None:
    if spec.name in _REGISTRY and _REGISTRY[spec.name] != spec:
        raise ValueError(f"job {spec.name!r} is registered twice")
    _REGISTRY[spec.name] = spec


def registered_jobs() -> Mapping[str, JobSpec]:
    """Every job of the task modules that family_budget.worker.tasks imports."""
    from family_budget.worker import tasks

    tasks.load()
    return dict(_REGISTRY)


def _insert_job(
    dialect: str,
    name: str,
    payload: Mapping[str, Any],
    *,
    key: str | None,
    household_id: uuid.UUID | None,
    run_after: datetime | None,
) -> Any:
    if name not in registered_jobs():
        raise ValueError(f"no job is registered as {name!r}")
    insert = postgresql.insert(Job) if dialect == "postgresql" else sqlite.insert(Job)
    return (
        insert.values(
            name=name,
            payload=dict(payload),
            key=key or f"{name}:{uuid.uuid4().hex}",
            household_id=household_id,
            created_at=utcnow(),
            run_after=run_after or utcnow(),
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=[Job.key])
        .returning(Job.id)
    )


async def enqueue(
    session: AsyncSession,
    name: str,
    payload: Mapping[str, Any],
    *,
    key: str | None = None,
    household_id: uuid.UUID | None = None,
    run_after: datetime | None = None,
) -> bool:
    """Add a job in the session's transaction; False when a job with `key` already exists.

    The payload is JSON: ids and plain values, never secrets (it is stored and logged by id)."""
    inserted = await session.execute(
        _insert_job(
            session.get_bind().dialect.name,
            name,
            payload,
            key=key,
            household_id=household_id,
            run_after=run_after,
        )
    )
    added = inserted.first() is not None
    if added:
        nudge_worker_after_commit(session)
    return added


def nudge_worker_after_commit(session: AsyncSession | Session) -> None:
    """Wake the worker once the session's transaction commits (once per unit of work), when
    the session's factory was given a nudge."""
    nudge = session.info.get("job_nudge")
    if nudge is not None and not session.info.get(_NUDGE_KEY):
        session.info[_NUDGE_KEY] = True
        after_commit(session, nudge)


def enqueue_in_flush(
    connection: Connection,
    name: str,
    payload: Mapping[str, Any],
    *,
    key: str,
    household_id: uuid.UUID | None = None,
) -> bool:
    """`enqueue` for code that runs inside a flush, on the session's own connection (the
    monthly totals' hooks): the job is committed or rolled back with the write. The worker is
    not nudged from here (the connection does not know its session): the caller that has the
    session calls `nudge_worker_after_commit`."""
    inserted = connection.execute(
        _insert_job(
            connection.dialect.name,
            name,
            payload,
            key=key,
            household_id=household_id,
            run_after=None,
        )
    )
    return inserted.first() is not None


class Outcome(StrEnum):
    DONE = "done"
    RETRY = "retry"
    FAILED = "failed"
    # Someone else holds it, or it was done already.
    SKIPPED = "skipped"


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with full jitter: up to 10 s, 20 s, 40 s ... capped at one hour."""
    ceiling = min(10 * 2 ** max(attempts - 1, 0), 3600)
    return timedelta(seconds=(rng or random.SystemRandom()).uniform(ceiling / 2, ceiling))


async def _claim(
    factory: async_sessionmaker[AsyncSession], job_id: int, spec_leases: Mapping[str, timedelta]
) -> tuple[str, Payload, int] | None:
    now = utcnow()
    async with unit_of_work(factory) as session:
        name = await session.scalar(select(Job.name).where(Job.id == job_id))
        if name is None:
            return None
        lease = spec_leases.get(name, timedelta(minutes=5))
        claimed = (
            await session.execute(
                update(Job)
                .where(
                    Job.id == job_id,
                    Job.done_at.is_(None),
                    Job.failed_at.is_(None),
                    or_(Job.claimed_until.is_(None), Job.claimed_until < now),
                )
                .values(claimed_until=now + lease, attempts=Job.attempts + 1)
                .returning(Job.name, Job.payload, Job.attempts)
                .execution_options(synchronize_session=False)
            )
        ).first()
    return None if claimed is None else (claimed[0], dict(claimed[1]), int(claimed[2]))


async def _finish(session: AsyncSession, job_id: int) -> None:
    await session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(done_at=utcnow(), claimed_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )


async def _record_failure(
    factory: async_sessionmaker[AsyncSession],
    job_id: int,
    error: BaseException,
    *,
    attempts: int,
    give_up: bool,
) -> None:
    now = utcnow()
    values: dict[str, Any] = {
        "claimed_until": None,
        "dispatched_at": None,
        # The type and message only: a traceback can carry values the job was working on.
        "last_error": f"{type(error).__name__}: {error}"[:1000],
    }
    if give_up:
        values["failed_at"] = now
    else:
        values["run_after"] = now + retry_delay(attempts)
    async with unit_of_work(factory) as session:
        await session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


async def run_job(ctx: JobContext, job_id: int) -> Outcome:
    """Claim the job and run it (see the module doc). Never raises for the job's own errors."""
    expect_writes()
    specs = registered_jobs()
    claimed = await _claim(ctx.session_factory, job_id, {n: s.lease for n, s in specs.items()})
    if claimed is None:
        return Outcome.SKIPPED
    name, payload, attempts = claimed
    spec = specs.get(name)
    started = perf_counter()
    try:
        if spec is None:
            raise PermanentJobError(f"no job is registered as {name!r}")
        if spec.transactional_handler is not None:
            async with unit_of_work(ctx.session_factory) as session:
                await spec.transactional_handler(ctx, session, payload)
                await _finish(session, job_id)
        else:
            assert spec.standalone_handler is not None
            await spec.standalone_handler(ctx, payload)
            async with unit_of_work(ctx.session_factory) as session:
                await _finish(session, job_id)
    except Exception as error:
        give_up = isinstance(error, PermanentJobError) or (
            spec is None or attempts >= spec.max_attempts
        )
        logger.warning(
            "job failed",
            exc_info=not isinstance(error, PermanentJobError),
            extra={"job_id": job_id, "job": name, "attempts": attempts, "giving_up": give_up},
        )
        await _record_failure(
            ctx.session_factory, job_id, error, attempts=attempts, give_up=give_up
        )
        outcome = Outcome.FAILED if give_up else Outcome.RETRY
    else:
        outcome = Outcome.DONE
    metrics.record_job(name, outcome.value, perf_counter() - started)
    return outcome


async def due_job_ids(
    session: AsyncSession, *, limit: int, for_dispatch: bool
) -> list[tuple[int, str]]:
    """(id, name) of jobs that are due and that nobody is running, oldest first. For dispatch,
    jobs handed over recently are left alone (their message is on its way)."""
    now = utcnow()
    conditions = [
        Job.done_at.is_(None),
        Job.failed_at.is_(None),
        Job.run_after <= now,
        or_(Job.claimed_until.is_(None), Job.claimed_until < now),
    ]
    if for_dispatch:
        conditions.append(
            or_(Job.dispatched_at.is_(None), Job.dispatched_at < now - REDISPATCH_AFTER)
        )
    statement = select(Job.id, Job.name).where(*conditions).order_by(Job.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    return [(int(i), str(n)) for i, n in await session.execute(statement)]


@dataclass(frozen=True, slots=True)
class QueueDepth:
    due: int
    oldest_due_since: datetime | None


async def queue_depth(session: AsyncSession, now: datetime) -> QueueDepth:
    """Jobs due at `now` that nobody is running (one aggregate query; the worker's gauges)."""
    row = (
        await session.execute(
            select(func.count(), func.min(Job.run_after)).where(
                Job.done_at.is_(None),
                Job.failed_at.is_(None),
                Job.run_after <= now,
                or_(Job.claimed_until.is_(None), Job.claimed_until < now),
            )
        )
    ).one()
    return QueueDepth(int(row[0]), row[1])


async def observe_queue(ctx: JobContext) -> QueueDepth:
    """Measure the queue at the context's now into the worker's metrics."""
    async with unit_of_work(ctx.session_factory) as session:
        depth = await queue_depth(session, ctx.now)
    oldest = depth.oldest_due_since
    age = (ctx.now - oldest.replace(tzinfo=oldest.tzinfo or UTC)).total_seconds() if oldest else 0
    metrics.record_queue(depth.due, max(age, 0.0))
    return depth


async def relay(ctx: JobContext, send: Callable[[str, int], None]) -> int:
    """Hand every due job to Celery (`send(name, job_id)`); returns how many were handed over."""
    expect_writes()
    async with unit_of_work(ctx.session_factory) as session:
        due = await due_job_ids(session, limit=RELAY_BATCH, for_dispatch=True)
        if due:
            await session.execute(
                update(Job)
                .where(Job.id.in_([job_id for job_id, _ in due]))
                .values(dispatched_at=utcnow())
                .execution_options(synchronize_session=False)
            )
    # After the commit: a worker that picks a job up at once finds it marked as handed over.
    for job_id, name in due:
        send(name, job_id)
    return len(due)


async def drain(ctx: JobContext, *, max_jobs: int = 10_000) -> dict[Outcome, int]:
    """Run due jobs here, including the jobs they enqueue, until none is due (or `max_jobs`)."""
    counts = dict.fromkeys(Outcome, 0)
    ran = 0
    while ran < max_jobs:
        async with unit_of_work(ctx.session_factory) as session:
            due = await due_job_ids(session, limit=min(100, max_jobs - ran), for_dispatch=False)
        if not due:
            break
        for job_id, _ in due:
            counts[await run_job(ctx, job_id)] += 1
            ran += 1
    return counts
