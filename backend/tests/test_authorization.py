"""Authorization generated from the route table: a new household route is covered without anyone
remembering to add it here.

- Every route under /api/v1/households/{household_id} resolves membership through get_household.
- A member of another household gets 404 on every such route, and nothing changes.
- Routes that demand the adult or owner role (through the shared dependencies) refuse lesser roles
  with 403, and nothing changes.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.app import HOUSEHOLD_PREFIX, create_app
from family_budget.config import Settings
from family_budget.deps import get_adult_household, get_household, get_owner_household
from family_budget.models import (
    Base,
    Export,
    ExportKind,
    ExportStatus,
    Invitation,
    Receipt,
    ReceiptStatus,
    Role,
)
from family_budget.security import hash_token
from tests.factories import (
    add_member,
    assign_budget,
    auth_headers,
    create_account,
    create_category,
    create_household,
    create_transaction,
    create_user,
    share_account,
)

BODY_METHODS = {"POST", "PUT", "PATCH"}


def _dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependency_calls(sub)


def household_routes(settings: Settings) -> list[tuple[str, str, RouteContext]]:
    """Every (method, full path, route) mounted under the household prefix, nested routers
    included (FastAPI keeps included routers as entries of their own in app.routes)."""
    app = create_app(settings, configure_logs=False)
    routes = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.path.startswith(HOUSEHOLD_PREFIX):
            for method in sorted(route.methods or ()):
                routes.append((method, route.path, route))
    return routes


def _route_id(item: tuple[str, str, RouteContext]) -> str:
    return f"{item[0]} {item[1]}"


@dataclass
class World:
    household_id: uuid.UUID
    owner: Any
    adult: Any
    teen: Any
    outsider: Any
    path_values: dict[str, str]


@pytest.fixture
async def world(session: AsyncSession) -> World:
    owner, adult, teen, outsider = [await create_user(session) for _ in range(4)]
    household = await create_household(session, owner=owner)
    await add_member(session, household, adult, Role.ADULT)
    await add_member(session, household, teen, Role.TEEN)
    await create_household(session, owner=outsider)
    account = await create_account(session, household, opening_balance_minor=10_000)
    await share_account(session, account, teen)
    category = await create_category(session, household)
    transaction = await create_transaction(session, account, category_id=category.id)
    await assign_budget(session, category, date(2024, 3, 1), 5_000)
    invitation = Invitation(
        household_id=household.id,
        email="invitee@example.com",
        role=Role.ADULT,
        token_hash=hash_token("invitation-token"),
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    session.add(invitation)
    receipt = Receipt(
        household_id=household.id,
        uploaded_by_id=owner.id,
        status=ReceiptStatus.AWAITING_UPLOAD,
        content_type="image/jpeg",
        size_bytes=1000,
        object_key=f"uploads/{household.id}/receipt",
    )
    export = Export(
        household_id=household.id,
        kind=ExportKind.BUDGET_CSV,
        starts_on=date(2024, 3, 1),
        ends_on=date(2024, 3, 31),
        status=ExportStatus.QUEUED,
        filename="budget.csv",
        content_type="text/csv",
        expires_at=datetime.now(UTC) + timedelta(days=30),
    )
    session.add_all([receipt, export])
    await session.commit()
    values = {
        "household_id": str(household.id),
        "account_id": str(account.id),
        "transaction_id": str(transaction.id),
        "category_id": str(category.id),
        "group_id": str(category.group_id),
        "invitation_id": str(invitation.id),
        "user_id": str(adult.id),
        "member_id": str(adult.id),
        "month": "2024-03",
        "receipt_id": str(receipt.id),
        "export_id": str(export.id),
    }
    return World(household.id, owner, adult, teen, outsider, values)


def _fill(path: str, values: dict[str, str]) -> str:
    filled = path
    for name, value in values.items():
        filled = filled.replace("{" + name + "}", value)
    assert "{" not in filled, (
        f"{path}: add a value for its path parameter to the `world` fixture of this test"
    )
    return filled


async def _snapshot(session: AsyncSession) -> str:
    digest = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        rows = (await session.execute(select(table))).all()
        for row in sorted(repr(tuple(row)) for row in rows):
            digest.update(row.encode())
    return digest.hexdigest()


async def _call(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> httpx.Response:
    kwargs: dict[str, Any] = {"headers": {**headers, "If-Match": 'W/"1"'}}
    if method in BODY_METHODS:
        kwargs["json"] = {}
    return await client.request(method, path, **kwargs)


def test_every_household_route_resolves_membership(settings: Settings) -> None:
    routes = household_routes(settings)
    assert routes, "no household routes found"
    for method, path, route in routes:
        assert get_household in set(_dependency_calls(route.dependant)), (
            f"{method} {path} does not resolve membership through deps.get_household"
        )


@pytest.mark.parametrize("item", household_routes(Settings()), ids=_route_id)
async def test_other_household_member_gets_404_and_nothing_changes(
    item: tuple[str, str, RouteContext],
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    world: World,
) -> None:
    method, path, _ = item
    before = await _snapshot(session)
    response = await _call(
        client, method, _fill(path, world.path_values), auth_headers(settings, world.outsider)
    )
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "household_not_found"
    session.expire_all()
    assert await _snapshot(session) == before


def _required_role(route: RouteContext) -> str | None:
    calls = set(_dependency_calls(route.dependant))
    if get_owner_household in calls:
        return "owner"
    if get_adult_household in calls:
        return "adult"
    return None


ROLE_RESTRICTED = [
    item for item in household_routes(Settings()) if _required_role(item[2]) is not None
]


@pytest.mark.parametrize("item", ROLE_RESTRICTED, ids=_route_id)
async def test_lesser_roles_get_403_and_nothing_changes(
    item: tuple[str, str, RouteContext],
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    world: World,
) -> None:
    method, path, route = item
    refused = [world.teen] if _required_role(route) == "adult" else [world.teen, world.adult]
    before = await _snapshot(session)
    for user in refused:
        response = await _call(
            client, method, _fill(path, world.path_values), auth_headers(settings, user)
        )
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "insufficient_role"
    session.expire_all()
    assert await _snapshot(session) == before


async def test_unauthenticated_requests_are_401(client: httpx.AsyncClient, world: World) -> None:
    for method, path, _ in household_routes(Settings()):
        response = await client.request(method, _fill(path, world.path_values))
        assert response.status_code == 401, f"{method} {path}"


def test_route_table_is_not_empty_of_role_checks() -> None:
    # If this fails, the role dependencies were bypassed everywhere (or renamed).
    assert ROLE_RESTRICTED
