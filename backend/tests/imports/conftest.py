"""Fixtures for the import tests: the shared real bank exports, read in place.

They live beside the repository (../shared/fixtures/bank-exports from its root) and are never
copied into it. When they are missing, tests that need them fail under CI (CI=true) and are
skipped elsewhere, with a message saying where they were looked for."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.worker.jobs import JobContext, Outcome, drain

REPOSITORY_ROOT = Path(__file__).resolve().parents[3]
BANK_EXPORTS = REPOSITORY_ROOT.parent / "shared" / "fixtures" / "bank-exports"


def bank_export(relative: str) -> bytes:
    """The bytes of one shared bank export, e.g. bank_export("ofxparse/checking.ofx")."""
    path = BANK_EXPORTS / relative
    if not path.is_file():
        message = (
            f"Bank export fixture {relative} not found under ../shared/fixtures/bank-exports "
            "(next to the repository root)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path.read_bytes()


RunJobs = Callable[[], Awaitable[dict[Outcome, int]]]


@pytest.fixture
def run_jobs(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> RunJobs:
    """Run every due job as the worker would (big imports are read and committed there)."""

    async def run() -> dict[Outcome, int]:
        return await drain(JobContext(settings, session_factory, now=datetime.now(UTC)))

    return run
