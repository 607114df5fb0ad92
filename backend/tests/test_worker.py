from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.config import Settings
from family_budget.maintenance import GRACE, purge_expired
from family_budget.models import Invitation, OneTimeToken, RefreshToken, Role, TokenPurpose
from family_budget.security import hash_token
from family_budget.worker import WorkerConfigurationError, create_celery
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


class TestCeleryApp:
    def test_needs_redis(self, settings: Settings) -> None:
        with pytest.raises(WorkerConfigurationError, match="REDIS_URL"):
            create_celery(Settings(redis_url=None, data_dir=settings.data_dir))

    def test_schedules_the_purge_daily(self, settings: Settings) -> None:
        app = create_celery(
            Settings(redis_url="redis://127.0.0.1:6379/14", data_dir=settings.data_dir)
        )
        assert "maintenance.purge_expired" in app.tasks
        schedule = app.conf.beat_schedule["maintenance.purge_expired"]
        assert schedule["task"] == "maintenance.purge_expired"
        assert app.conf.broker_url == "redis://127.0.0.1:6379/14"
