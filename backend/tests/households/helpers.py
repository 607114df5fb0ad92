"""Arrangement helpers shared by the household tests."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import Household, Invitation, Membership, Role
from family_budget.models.base import utcnow
from family_budget.security import hash_token, new_opaque_token


async def make_invitation(
    session: AsyncSession,
    household: Household,
    email: str,
    role: Role = Role.ADULT,
    *,
    expires_at: datetime | None = None,
    accepted_at: datetime | None = None,
    revoked_at: datetime | None = None,
    created_at: datetime | None = None,
) -> tuple[Invitation, str]:
    token = new_opaque_token()
    invitation = Invitation(
        household_id=household.id,
        email=email,
        role=role,
        token_hash=hash_token(token),
        expires_at=expires_at or utcnow() + timedelta(days=7),
        accepted_at=accepted_at,
        revoked_at=revoked_at,
        created_at=created_at or utcnow(),
    )
    session.add(invitation)
    await session.flush()
    return invitation, token


async def count(session: AsyncSession, model: Any, *where: Any) -> int:
    return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def role_of(
    session: AsyncSession, household_id: uuid.UUID, user_id: uuid.UUID
) -> Role | None:
    role: Role | None = await session.scalar(
        select(Membership.role).where(
            Membership.household_id == household_id, Membership.user_id == user_id
        )
    )
    return role


async def reload_invitation(session: AsyncSession, invitation_id: uuid.UUID) -> Invitation:
    return (
        await session.execute(
            select(Invitation)
            .where(Invitation.id == invitation_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
