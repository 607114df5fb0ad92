"""Arrangement helpers shared by the household tests."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import Household, Invitation, Membership, Role, User
from family_budget.models.base import utcnow
from family_budget.security import hash_token, new_opaque_token
from tests.factories import add_member, create_household, create_user


async def household_with(
    session: AsyncSession, *roles: Role, **household: Any
) -> tuple[Household, list[User]]:
    """A household whose members have `roles`, in order (users[0] has roles[0])."""
    created = await create_household(session, **household)
    users = []
    for role in roles:
        user = await create_user(session)
        await add_member(session, created, user, role)
        users.append(user)
    return created, users


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


def sent_emails(outbox: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in sorted(outbox.glob("*.json"))]


def token_from_link(text: str, public_app_url: str) -> str:
    """The token of the one accept link in an email body."""
    prefix = f"{public_app_url}/invitations/accept?token="
    start = text.index(prefix)
    link = text[start:].split()[0].split('"')[0]
    tokens = parse_qs(urlsplit(link).query)["token"]
    assert len(tokens) == 1
    return tokens[0]
