"""Periodic jobs, and `tick`: scheduling everything due at one instant.

A periodic job is an ordinary job (family_budget.worker.jobs, registered with `every=`) that
`schedule_due` enqueues once per period under the key "<job>@<period>". Enqueueing is idempotent
by key, so ticking twice at the same instant — or beat and an operator's `family-budget tick` at
once — schedules it once. A daily job is due from its time of day on, so a worker that was down
at that time catches up at its next tick. Its payload carries `at`, the instant it was scheduled
for: the job's "now".

Beat sends `jobs.tick` every minute (family_budget.worker.celery_app); `family-budget tick
[--at ISO-8601]` schedules the same way and then runs the due jobs inline (operators, and tests
that travel in time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory, unit_of_work
from family_budget.worker.jobs import JobContext, Outcome, drain, enqueue, registered_jobs


async def schedule_due(factory: async_sessionmaker[AsyncSession], instant: datetime) -> list[str]:
    """Enqueue every periodic job due at `instant` that was not scheduled for its period yet;
    returns the keys of the jobs added."""
    added: list[str] = []
    async with unit_of_work(factory) as session:
        for spec in sorted(registered_jobs().values(), key=lambda s: s.name):
            period = spec.period_key(instant)
            if period is None:
                continue
            key = f"{spec.name}@{period}"
            if await enqueue(session, spec.name, {"at": instant.isoformat()}, key=key):
                added.append(key)
    return added


@dataclass(frozen=True, slots=True)
class TickReport:
    scheduled: list[str]
    outcomes: dict[Outcome, int]


async def tick(settings: Settings, instant: datetime) -> TickReport:
    """Schedule what is due at `instant`, then run every due job here (the jobs see `instant`
    as now)."""
    engine = create_engine(settings, pooled=False)
    try:
        factory = create_session_factory(engine)
        scheduled = await schedule_due(factory, instant)
        outcomes = await drain(JobContext(settings, factory, now=instant))
    finally:
        await engine.dispose()
    return TickReport(scheduled, outcomes)
