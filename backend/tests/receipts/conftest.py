from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.worker.jobs import JobContext, Outcome, drain
from tests.notifications.conftest import aws_environment, moto_endpoint, moto_server

__all__ = ["aws_environment", "moto_endpoint", "moto_server"]


RunJobs = Callable[[], Awaitable[dict[Outcome, int]]]


@pytest.fixture
def run_jobs(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> RunJobs:
    """Run every due job as the worker would (OCR of uploaded receipts)."""

    async def run() -> dict[Outcome, int]:
        return await drain(JobContext(settings, session_factory, now=datetime.now(UTC)))

    return run
