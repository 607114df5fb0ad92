"""Periodic jobs and `tick` (family_budget.worker.schedule)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.models import Job
from family_budget.worker.jobs import JobSpec, registered_jobs
from family_budget.worker.schedule import schedule_due


def _spec(every: str | None, at: time = time(0, 0)) -> JobSpec:
    return JobSpec("tests.periodic", None, None, timedelta(minutes=5), 3, every, at)  # type: ignore[arg-type]


class TestPeriodKey:
    @pytest.mark.parametrize(
        ("every", "at", "instant", "expected"),
        [
            ("minute", time(0), datetime(2026, 12, 2, 8, 5, 59, tzinfo=UTC), "2026-12-02T08:05"),
            ("hour", time(0), datetime(2026, 12, 2, 8, 59, tzinfo=UTC), "2026-12-02T08"),
            ("day", time(3, 17), datetime(2026, 12, 2, 3, 16, 59, tzinfo=UTC), None),
            ("day", time(3, 17), datetime(2026, 12, 2, 3, 17, tzinfo=UTC), "2026-12-02"),
            ("day", time(3, 17), datetime(2026, 12, 2, 23, 0, tzinfo=UTC), "2026-12-02"),
            # Periods are UTC whatever offset the instant is written with.
            (
                "day",
                time(3, 17),
                datetime(2026, 12, 2, 0, 30, tzinfo=timezone(timedelta(hours=-5))),
                "2026-12-02",
            ),
            ("day", time(0), datetime(2028, 2, 29, 0, 0, tzinfo=UTC), "2028-02-29"),
            (None, time(0), datetime(2026, 12, 2, 8, 0, tzinfo=UTC), None),
        ],
    )
    def test_examples(
        self, every: str | None, at: time, instant: datetime, expected: str | None
    ) -> None:
        assert _spec(every, at).period_key(instant) == expected


class TestScheduleDue:
    async def test_the_purge_is_scheduled_once_a_day_from_its_time_on(
        self, session_factory: async_sessionmaker[AsyncSession], session: AsyncSession
    ) -> None:
        assert registered_jobs()["maintenance.purge_expired"].every == "day"
        early = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
        assert await schedule_due(session_factory, early) == []

        later = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
        # (Other domains' daily jobs are scheduled beside it.)
        assert "maintenance.purge_expired@2026-12-02" in await schedule_due(session_factory, later)
        # Beat and an operator ticking in the same day schedule nothing more.
        assert await schedule_due(session_factory, later) == []
        assert await schedule_due(session_factory, later + timedelta(hours=10)) == []
        assert "maintenance.purge_expired@2026-12-03" in await schedule_due(
            session_factory, later + timedelta(days=1)
        )
        payloads = list(
            await session.scalars(
                select(Job.payload).where(Job.name == "maintenance.purge_expired")
            )
        )
        assert sorted(p["at"] for p in payloads) == [
            "2026-12-02T09:00:00+00:00",
            "2026-12-03T09:00:00+00:00",
        ]
