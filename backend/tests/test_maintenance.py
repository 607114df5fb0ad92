from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.maintenance import GRACE, purge_expired
from family_budget.models import Invitation, OneTimeToken, RefreshToken, Role, TokenPurpose
from family_budget.security import hash_token
from tests.factories import create_household, create_user

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


async def _count(session: AsyncSession, model: type, *where: Any) -> int:
    statement = select(func.count()).select_from(model).where(*where)
    return int((await session.execute(statement)).scalar_one())


class TestPurgeExpired:
    async def test_removes_only_rows_expired_beyond_the_grace(self, session: AsyncSession) -> None:
        user = await create_user(session)
        household = await create_household(session, owner=user)
        long_ago = NOW - GRACE - timedelta(minutes=1)
        recently = NOW - GRACE + timedelta(minutes=1)
        for n, expires in enumerate((long_ago, recently, NOW + timedelta(days=1))):
            session.add(
                RefreshToken(
                    user_id=user.id,
                    family_id=user.id,
                    token_hash=hash_token(f"r{n}"),
                    expires_at=expires,
                )
            )
            session.add(
                OneTimeToken(
                    user_id=user.id,
                    purpose=TokenPurpose.RESET_PASSWORD,
                    token_hash=hash_token(f"o{n}"),
                    expires_at=expires,
                )
            )
            session.add(
                Invitation(
                    household_id=household.id,
                    email=f"i{n}@example.com",
                    role=Role.ADULT,
                    token_hash=hash_token(f"i{n}"),
                    expires_at=expires,
                )
            )
        await session.flush()

        result = await purge_expired(session, NOW)

        assert (result.refresh_tokens, result.one_time_tokens, result.invitations) == (1, 1, 1)
        assert await _count(session, RefreshToken, RefreshToken.user_id == user.id) == 2
        assert await _count(session, OneTimeToken, OneTimeToken.user_id == user.id) == 2
        assert await _count(session, Invitation, Invitation.household_id == household.id) == 2
