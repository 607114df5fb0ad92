"""Typed dependencies shared by every router: settings, unit of work, caller, household."""

from __future__ import annotations

import functools
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import ColumnElement, Row, Select, Uuid, and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.auth.refresh_store import RefreshTokenStore
from family_budget.config import Settings
from family_budget.db import expect_writes, unit_of_work
from family_budget.errors import NotFound, Unauthorized
from family_budget.households.context import HouseholdContext
from family_budget.models import Household, Membership, Role, User
from family_budget.security import InvalidToken, TokenClaims, decode_access_token


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    if request.method in _READ_ONLY_METHODS:
        factory = request.app.state.read_session_factory
    else:
        expect_writes()
        factory = request.app.state.session_factory
    async with unit_of_work(factory) as session:
        yield session


# scope="function": the commit happens before the response is sent, so a failed commit is a 500,
# never a 2xx for data that was not saved.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]

_bearer = HTTPBearer(auto_error=False, description="Access token from /api/v1/auth/login")


_NOT_ACCEPTED = "The access token is invalid or expired"


async def get_access_claims(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenClaims:
    """The claims of a well-signed, unexpired access token; whether its user and session still
    stand is checked with the first query (get_current_user, get_household)."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthorized()
    try:
        return decode_access_token(settings, credentials.credentials)
    except InvalidToken:
        raise Unauthorized(_NOT_ACCEPTED, code="invalid_token") from None


AccessClaims = Annotated[TokenClaims, Depends(get_access_claims)]


async def _accept_caller(
    request: Request,
    session: AsyncSession,
    claims: TokenClaims,
    user: User | None,
    family_active: bool | None,
) -> User:
    """`family_active` is what the caller's query found, or None when the store must be asked
    (family_budget.auth.refresh_store: the database store answers within that query)."""
    if user is None:
        raise Unauthorized(_NOT_ACCEPTED, code="invalid_token")
    # Tokens issued before a password change stop working (the change revokes every session).
    if user.password_changed_at and claims.issued_at < user.password_changed_at.replace(
        microsecond=0
    ):
        raise Unauthorized(_NOT_ACCEPTED, code="invalid_token")
    # Every access token the API issues names its session: logging out, a revocation (refresh
    # token reuse, a password change, signing out a device) ends it at once, not at its expiry.
    if claims.family_id is not None:
        if family_active is None:
            store: RefreshTokenStore = request.app.state.refresh_store
            family_active = await store.family_active(claims.family_id, session=session)
        if not family_active:
            raise Unauthorized("The session has ended; sign in again", code="session_ended")
    # Which session is asking: the list of sessions marks it, "sign out the others" keeps it.
    request.state.session_id = claims.family_id
    return user


_CALLER = select(User).where(User.id == bindparam("user_id", type_=Uuid()))


@functools.cache
def _with_condition(
    statement: Select[*tuple[Any, ...]], condition: ColumnElement[bool]
) -> Select[*tuple[Any, ...]]:
    return statement.add_columns(condition)


async def _caller_row(
    request: Request,
    session: AsyncSession,
    claims: TokenClaims,
    statement: Select[*tuple[Any, ...]],
    parameters: dict[str, Any],
) -> tuple[Row[*tuple[Any, ...]] | None, bool | None]:
    """The first row of the caller's query, and whether their session goes on when the refresh
    token store is the database: the check then rides along as the row's last column, saving a
    round trip on every request. None when another store (Redis) must be asked."""
    condition = request.app.state.refresh_store.family_active_condition
    if condition is None or claims.family_id is None:
        return (await session.execute(statement, parameters)).first(), None
    parameters |= {"family_id": claims.family_id, "now": datetime.now(UTC)}
    row = (await session.execute(_with_condition(statement, condition), parameters)).first()
    return row, None if row is None else bool(row[-1])


async def get_current_user(request: Request, session: SessionDep, claims: AccessClaims) -> User:
    row, family_active = await _caller_row(
        request, session, claims, _CALLER, {"user_id": claims.user_id}
    )
    return await _accept_caller(request, session, claims, row[0] if row else None, family_active)


CurrentUser = Annotated[User, Depends(get_current_user)]

# Built once: the caller, their membership and the household in one round trip on every
# household route (the user is there even when the membership is not, to tell 401 from 404).
_CALLER_IN_HOUSEHOLD = (
    select(User, Membership, Household)
    .outerjoin(
        Membership,
        and_(
            Membership.user_id == User.id,
            Membership.household_id == bindparam("household_id", type_=Uuid()),
        ),
    )
    .outerjoin(Household, Household.id == Membership.household_id)
    .where(User.id == bindparam("user_id", type_=Uuid()))
)


async def get_household(
    household_id: Annotated[uuid.UUID, Path(description="The household's id")],
    request: Request,
    session: SessionDep,
    claims: AccessClaims,
) -> HouseholdContext:
    row, family_active = await _caller_row(
        request,
        session,
        claims,
        _CALLER_IN_HOUSEHOLD,
        {"household_id": household_id, "user_id": claims.user_id},
    )
    user = await _accept_caller(request, session, claims, row[0] if row else None, family_active)
    if row is None or row[1] is None or row[2] is None:
        # 404, not 403: a non-member cannot tell a foreign household from a missing one.
        raise NotFound("Household not found", code="household_not_found")
    return HouseholdContext.for_member(row[2], row[1], user)


HouseholdDep = Annotated[HouseholdContext, Depends(get_household)]


async def get_adult_household(household: HouseholdDep) -> HouseholdContext:
    household.require(Role.OWNER, Role.ADULT)
    return household


async def get_owner_household(household: HouseholdDep) -> HouseholdContext:
    household.require(Role.OWNER)
    return household


AdultHouseholdDep = Annotated[HouseholdContext, Depends(get_adult_household)]
OwnerHouseholdDep = Annotated[HouseholdContext, Depends(get_owner_household)]
