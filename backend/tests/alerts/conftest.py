"""Fixtures for the alert tests: two households with members of every role, and a way to run
the jobs the way the worker does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.households.context import HouseholdContext
from family_budget.models import Household, Role, User
from family_budget.worker.jobs import JobContext, Outcome, drain
from tests.factories import add_member, create_household, create_user

# moto in server mode and the AWS environment, shared with the notification tests.
from tests.notifications.conftest import (  # noqa: F401 (fixtures)
    aws_environment,
    moto_endpoint,
    moto_server,
)

RunJobs = Callable[[], Awaitable[dict[Outcome, int]]]


@dataclass
class Family:
    household: Household
    owner: User
    adult: User
    teen: User

    @property
    def context(self) -> HouseholdContext:
        return HouseholdContext.for_system(self.household)


async def make_family(session: AsyncSession, name: str) -> Family:
    owner = await create_user(session, name=f"{name} Owner")
    adult = await create_user(session, name=f"{name} Adult")
    teen = await create_user(session, name=f"{name} Teen")
    household = await create_household(session, owner=owner, name=name)
    await add_member(session, household, adult, Role.ADULT)
    await add_member(session, household, teen, Role.TEEN)
    return Family(household, owner, adult, teen)


@pytest.fixture
async def parkers(session: AsyncSession) -> Family:
    return await make_family(session, "The Parkers")


@pytest.fixture
async def smiths(session: AsyncSession) -> Family:
    """A second household, with alerts of its own in the same tests."""
    return await make_family(session, "The Smiths")


@pytest.fixture
def run_jobs(settings: Settings, session_factory: async_sessionmaker[AsyncSession]) -> RunJobs:
    async def run() -> dict[Outcome, int]:
        return await drain(JobContext(settings, session_factory, now=datetime.now(UTC)))

    return run
