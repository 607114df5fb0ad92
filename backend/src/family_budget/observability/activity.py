"""Who is using the app: the figures behind the active-users and active-households metrics.

A user counts as active from the moment they sign in or refresh a session (the web app
refreshes its 15-minute access token while it is used). `record_activity` runs only then, in
the request's transaction, and writes at most once per ACTIVITY_RESOLUTION per user; the
counts are read when Prometheus scrapes /metrics, never per request.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import distinct, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import Membership, User

ACTIVITY_RESOLUTION = timedelta(minutes=5)
# The windows the metrics are labelled with.
USER_WINDOWS = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "30d": timedelta(days=30)}
HOUSEHOLD_WINDOWS = {"1d": timedelta(days=1), "30d": timedelta(days=30)}


async def record_activity(session: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    """Mark the user active at `now` (one conditional UPDATE; none within the resolution)."""
    await session.execute(
        update(User)
        .where(
            User.id == user_id,
            or_(User.last_active_at.is_(None), User.last_active_at < now - ACTIVITY_RESOLUTION),
        )
        .values(last_active_at=now)
        .execution_options(synchronize_session=False)
    )


async def active_users(session: AsyncSession, now: datetime) -> dict[str, int]:
    """Users active within each window of USER_WINDOWS."""
    counts = [
        func.count().filter(User.last_active_at >= now - window) for window in USER_WINDOWS.values()
    ]
    row = (await session.execute(select(*counts))).one()
    return {name: int(count) for name, count in zip(USER_WINDOWS, row, strict=True)}


async def active_households(session: AsyncSession, now: datetime) -> dict[str, int]:
    """Households with at least one member active within each window of HOUSEHOLD_WINDOWS."""
    counts = [
        func.count(distinct(Membership.household_id)).filter(User.last_active_at >= now - window)
        for window in HOUSEHOLD_WINDOWS.values()
    ]
    statement = select(*counts).select_from(Membership).join(User, User.id == Membership.user_id)
    row = (await session.execute(statement)).one()
    return {name: int(count) for name, count in zip(HOUSEHOLD_WINDOWS, row, strict=True)}
