from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, status

from family_budget import money
from family_budget.accounts import service
from family_budget.accounts.schemas import AccountCreate, AccountRead, AccountUpdate
from family_budget.deps import AdultHouseholdDep, HouseholdDep, SessionDep
from family_budget.models import Account

router = APIRouter(prefix="/accounts", tags=["accounts"])


async def _account_from_path(
    account_id: Annotated[uuid.UUID, Path(description="The account's id")],
    household: HouseholdDep,
    session: SessionDep,
) -> Account:
    return await service.get_account(session, household, account_id)


AccountDep = Annotated[Account, Depends(_account_from_path)]


def _read(details: service.AccountDetails) -> AccountRead:
    account = details.account
    return AccountRead(
        id=account.id,
        name=account.name,
        kind=account.kind,
        currency=account.currency,
        currency_exponent=money.exponent(account.currency),
        opening_balance_minor=account.opening_balance_minor,
        opened_on=account.opened_on,
        on_budget=account.on_budget,
        source=account.source,
        archived_at=account.archived_at,
        balance_minor=details.balance_minor,
        shared_with_user_ids=details.shared_with_user_ids,
        created_at=account.created_at,
        updated_at=account.updated_at,
    )


@router.get("")
async def list_accounts(
    household: HouseholdDep,
    session: SessionDep,
    include_archived: Annotated[bool, Query(description="Also list archived accounts")] = False,
) -> list[AccountRead]:
    """List the household's accounts with their balances (a teen sees those shared with them)."""
    rows = await service.list_accounts(session, household, include_archived=include_archived)
    return [_read(details) for details in rows]


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_account(
    household: AdultHouseholdDep, session: SessionDep, body: AccountCreate
) -> AccountRead:
    """Create an account."""
    return _read(await service.create_account(session, household, body))


@router.get("/{account_id}")
async def get_account(
    account: AccountDep, household: HouseholdDep, session: SessionDep
) -> AccountRead:
    """Get one account with its balance."""
    return _read(await service.account_details(session, household, account))


@router.patch("/{account_id}")
async def update_account(
    household: AdultHouseholdDep, account: AccountDep, session: SessionDep, body: AccountUpdate
) -> AccountRead:
    """Change an account's name, opening balance, opening date, currency or sharing."""
    return _read(await service.update_account(session, household, account, body))


@router.post("/{account_id}/archive")
async def archive_account(
    household: AdultHouseholdDep, account: AccountDep, session: SessionDep
) -> AccountRead:
    """Archive an account: it leaves the default list and takes no new transactions."""
    return _read(await service.set_archived(session, household, account, archived=True))


@router.post("/{account_id}/unarchive")
async def unarchive_account(
    household: AdultHouseholdDep, account: AccountDep, session: SessionDep
) -> AccountRead:
    """Bring an archived account back."""
    return _read(await service.set_archived(session, household, account, archived=False))


@router.delete("/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_account(
    household: AdultHouseholdDep, account: AccountDep, session: SessionDep
) -> None:
    """Delete an account that has no transactions."""
    await service.delete_account(session, account)
