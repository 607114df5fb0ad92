"""Housekeeping the worker runs on a schedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.db import affected_rows
from family_budget.models import Invitation, OneTimeToken, RefreshToken

# Expired rows are kept a little while so that a reuse or a late click can still be told apart
# from a token that never existed (useful when reading logs), then removed.
GRACE = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    refresh_tokens: int
    one_time_tokens: int
    invitations: int


async def purge_expired(session: AsyncSession, now: datetime) -> PurgeResult:
    cutoff = now - GRACE
    refresh = await session.execute(delete(RefreshToken).where(RefreshToken.expires_at < cutoff))
    one_time = await session.execute(delete(OneTimeToken).where(OneTimeToken.expires_at < cutoff))
    invitations = await session.execute(
        delete(Invitation).where(Invitation.expires_at < cutoff, Invitation.accepted_at.is_(None))
    )
    return PurgeResult(
        refresh_tokens=affected_rows(refresh),
        one_time_tokens=affected_rows(one_time),
        invitations=affected_rows(invitations),
    )
