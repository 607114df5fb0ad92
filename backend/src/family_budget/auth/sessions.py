"""The signed-in sessions a user sees on the profile page, and signing one out.

A session is a refresh-token family (family_budget.auth.refresh_store): started by a sign-in,
kept going by each refresh, ended by logout, a password change, a detected token theft, or the
user signing it out here. The store decides whether a session still goes on; the `user_sessions`
row only says what to show about it (a device label, when it started and was last used).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.auth.refresh_store import RefreshTokenStore
from family_budget.errors import NotFound
from family_budget.models import UserSession

UNKNOWN_DEVICE = "Unknown device"
# The most sessions listed: a user signs in from a handful of devices; an account with hundreds
# of live sessions is a script's, and the page need not draw them all.
LISTED_SESSIONS = 50


@lru_cache(maxsize=256)
def device_label(user_agent: str | None) -> str:
    """ "Firefox on Linux", "Mobile Safari on iOS", or UNKNOWN_DEVICE: enough for a person to tell
    their devices apart, nothing more (the raw user agent is not kept)."""
    if not user_agent:
        return UNKNOWN_DEVICE
    # Imported here: parsing rules are only needed at sign-in, not to start the server.
    from ua_parser import parse

    parsed = parse(user_agent[:1000])
    browser = parsed.user_agent.family if parsed.user_agent else None
    system = parsed.os.family if parsed.os else None
    browser = None if browser in (None, "Other") else browser
    system = None if system in (None, "Other") else system
    if browser and system:
        return f"{browser} on {system}"[:100]
    return (browser or system or UNKNOWN_DEVICE)[:100]


async def label_for(user_agent: str | None) -> str:
    """device_label off the event loop: the parser compiles its rules on first use (a few
    hundred milliseconds of CPU), which must not stall every other request."""
    return await asyncio.to_thread(device_label, user_agent)


async def record_start(
    session: AsyncSession,
    *,
    session_id: uuid.UUID,
    user_id: uuid.UUID,
    label: str,
    started_at: datetime,
    expires_at: datetime,
) -> None:
    session.add(
        UserSession(
            id=session_id,
            user_id=user_id,
            device_label=label,
            created_at=started_at,
            last_seen_at=started_at,
            expires_at=expires_at,
        )
    )
    await session.flush()


async def record_use(session: AsyncSession, session_id: uuid.UUID, used_at: datetime) -> None:
    """A refresh: the session was used now (sessions started before this table have no row;
    they simply are not listed)."""
    await session.execute(
        update(UserSession)
        .where(UserSession.id == session_id)
        .values(last_seen_at=used_at)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True, slots=True)
class ActiveSession:
    id: uuid.UUID
    device_label: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    current: bool


async def _live_rows(
    session: AsyncSession,
    store: RefreshTokenStore,
    user_id: uuid.UUID,
    now: datetime,
    *,
    limit: int | None = None,
) -> list[UserSession]:
    rows = (
        await session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user_id, UserSession.expires_at > now)
            .order_by(UserSession.last_seen_at.desc(), UserSession.id)
            .limit(limit)
        )
    ).all()
    return [row for row in rows if await store.family_active(row.id, session=session)]


async def list_active(
    session: AsyncSession,
    store: RefreshTokenStore,
    user_id: uuid.UUID,
    *,
    current_id: uuid.UUID | None,
    now: datetime,
) -> list[ActiveSession]:
    """The user's sessions that still go on, most recently used first."""
    rows = await _live_rows(session, store, user_id, now, limit=LISTED_SESSIONS)
    return [
        ActiveSession(
            id=row.id,
            device_label=row.device_label,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            expires_at=row.expires_at,
            current=row.id == current_id,
        )
        for row in rows
    ]


async def sign_out(
    session: AsyncSession,
    store: RefreshTokenStore,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    *,
    now: datetime,
) -> None:
    """End one of the user's sessions: its refresh token stops working and so do its access
    tokens (they name their session). Another user's session, or one already ended, is not found."""
    row = await session.get(UserSession, session_id)
    if (
        row is None
        or row.user_id != user_id
        or row.expires_at <= now
        or not await store.family_active(row.id, session=session)
    ):
        raise NotFound("Session not found", code="session_not_found")
    await store.revoke_family(row.id, session=session)


async def sign_out_others(
    session: AsyncSession,
    store: RefreshTokenStore,
    user_id: uuid.UUID,
    *,
    current_id: uuid.UUID | None,
    now: datetime,
) -> int:
    """End every session of the user but the one asking; returns how many were ended."""
    others = [row for row in await _live_rows(session, store, user_id, now) if row.id != current_id]
    for row in others:
        await store.revoke_family(row.id, session=session)
    return len(others)
