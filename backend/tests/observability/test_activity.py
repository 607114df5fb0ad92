"""Active users and households: recorded at sign-in and refresh, counted per window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import Role, User
from family_budget.observability.activity import (
    active_households,
    active_users,
    record_activity,
)
from tests.factories import add_member, create_household, create_user

NOON = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


async def _last_active(session: AsyncSession, user: User) -> datetime | None:
    value = await session.scalar(select(User.last_active_at).where(User.id == user.id))
    return value


class TestRecordActivity:
    async def test_first_activity_is_recorded(self, session: AsyncSession) -> None:
        user = await create_user(session)
        await record_activity(session, user.id, NOON)
        assert await _last_active(session, user) == NOON

    async def test_at_most_one_write_per_five_minutes(self, session: AsyncSession) -> None:
        user = await create_user(session)
        await record_activity(session, user.id, NOON)
        await record_activity(session, user.id, NOON + timedelta(minutes=4, seconds=59))
        assert await _last_active(session, user) == NOON
        await record_activity(session, user.id, NOON + timedelta(minutes=5, seconds=1))
        assert await _last_active(session, user) == NOON + timedelta(minutes=5, seconds=1)


class TestCounts:
    async def test_windows_and_a_second_household(self, session: AsyncSession) -> None:
        # Household A: two adults, active 10 minutes and 3 days ago; a teen never active.
        # Household B: one adult active 40 days ago and one 20 hours ago, who is also a member
        # of A (counted once among users, once in each household).
        ann = await create_user(session, last_active_at=NOON - timedelta(minutes=10))
        bob = await create_user(session, last_active_at=NOON - timedelta(days=3))
        teen = await create_user(session)
        cat = await create_user(session, last_active_at=NOON - timedelta(days=40))
        dan = await create_user(session, last_active_at=NOON - timedelta(hours=20))
        house_a = await create_household(session, owner=ann)
        await add_member(session, house_a, bob, Role.ADULT)
        await add_member(session, house_a, teen, Role.TEEN)
        await add_member(session, house_a, dan, Role.ADULT)
        house_b = await create_household(session, owner=cat)
        await add_member(session, house_b, dan, Role.ADULT)
        # A household whose members were never active counts in no window.
        await create_household(session, owner=await create_user(session))

        users = await active_users(session, NOON)
        households = await active_households(session, NOON)

        # Other tests' rows are rolled back; only this test's users exist in these windows.
        assert users == {"1h": 1, "1d": 2, "30d": 3}
        assert households == {"1d": 2, "30d": 2}
        # A day later Ann's ten minutes and Dan's twenty hours are past the one-day window.
        assert await active_users(session, NOON + timedelta(days=1)) == {
            "1h": 0,
            "1d": 0,
            "30d": 3,
        }
        assert await active_households(session, NOON + timedelta(days=1)) == {"1d": 0, "30d": 2}


async def test_signing_in_and_refreshing_count_as_activity(
    client: httpx.AsyncClient, app: FastAPI, session: AsyncSession
) -> None:
    email = "active-user@example.com"
    password = "correct horse battery staple 42"
    registered = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, "name": "Eve"}
    )
    assert registered.status_code == 201, registered.text
    user = (await session.execute(select(User).where(User.email == email))).scalar_one()
    assert await _last_active(session, user) is None  # registering is not using the app

    login = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert login.status_code == 200, login.text
    signed_in_at = await _last_active(session, user)
    assert signed_in_at is not None
    await client.get("/metrics")
    assert _active(app, "1h") == 1

    # Two hours later (as far as the row knows), a refresh marks the user active again.
    user.last_active_at = signed_in_at - timedelta(hours=2)
    await session.commit()
    await client.get("/metrics")
    assert _active(app, "1h") == 0
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": login.json()["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    await session.refresh(user)
    assert user.last_active_at is not None
    assert user.last_active_at >= signed_in_at
    await client.get("/metrics")
    assert _active(app, "1h") == 1
    assert _active(app, "1d") == 1


def _active(app: FastAPI, window: str) -> float:
    value = app.state.metrics.registry.get_sample_value(
        "family_budget_active_users", {"window": window}
    )
    return float(value or 0.0)
