"""Typed dependencies shared by every router: settings, unit of work, caller, household."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.auth.refresh_store import RefreshTokenStore
from family_budget.config import Settings
from family_budget.db import expect_writes, unit_of_work
from family_budget.errors import NotFound, Unauthorized
from family_budget.households.context import HouseholdContext
from family_budget.models import Household, Membership, Role, User
from family_budget.security import InvalidToken, TokenType, decode_token


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    if request.method not in _READ_ONLY_METHODS:
        expect_writes()
    async with unit_of_work(request.app.state.session_factory) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a failed commit is a 500,
# never a 2xx for data that was not saved.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="Access token from /api/v1/auth/login")


async def get_current_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized()
    try:
        claims = decode_token(settings, credentials.credentials, expected_type=TokenType.ACCESS)
    except InvalidToken:
        raise Unauthorized("The access token is invalid or expired", code="invalid_token") from None
    user = await session.get(User, claims.user_id)
    if user is None:
        raise Unauthorized("The access token is invalid or expired", code="invalid_token")
    # Tokens issued before a password change stop working (the change revokes every session).
    if user.password_changed_at and claims.issued_at < user.password_changed_at.replace(
        microsecond=0
    ):
        raise Unauthorized("The access token is invalid or expired", code="invalid_token")
    # Every access token the API issues names its session: logging out, a revocation (refresh
    # token reuse, a password change, signing out a device) ends it at once, not at its expiry.
    if claims.family_id is not None:
        store: RefreshTokenStore = request.app.state.refresh_store
        if not await store.family_active(claims.family_id, session=session):
            raise Unauthorized("The session has ended; sign in again", code="session_ended")
    # Which session is asking: the list of sessions marks it, "sign out the others" keeps it.
    request.state.session_id = claims.family_id
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]


async def get_household(
    household_id: Annotated[uuid.UUID, Path(description="The household's id")],
    user: CurrentUser,
    session: SessionDep,
) -> HouseholdContext:
    row = (
        await session.execute(
            select(Household, Membership)
            .join(Membership, Membership.household_id == Household.id)
            .where(Household.id == household_id, Membership.user_id == user.id)
        )
    ).first()
    if row is None:
        # 404, not 403: a non-member cannot tell a foreign household from a missing one.
        raise NotFound("Household not found", code="household_not_found")
    household, membership = row
    return HouseholdContext.for_member(household, membership, user)


HouseholdDep = Annotated[HouseholdContext, Depends(get_household)]


async def get_adult_household(household: HouseholdDep) -> HouseholdContext:
    household.require(Role.OWNER, Role.ADULT)
    return household


async def get_owner_household(household: HouseholdDep) -> HouseholdContext:
    household.require(Role.OWNER)
    return household


AdultHouseholdDep = Annotated[HouseholdContext, Depends(get_adult_household)]
OwnerHouseholdDep = Annotated[HouseholdContext, Depends(get_owner_household)]
