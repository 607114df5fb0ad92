from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget import money
from family_budget.accounts import service
from family_budget.accounts.schemas import AccountCreate, AccountRead, AccountUpdate
from family_budget.audit import service as audit
from family_budget.audit.service import Target
from family_budget.deps import AdultHouseholdDep, HouseholdDep, SessionDep
from family_budget.households.context import HouseholdContext
from family_budget.models import Account, AuditAction

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


def _audited(details: service.AccountDetails) -> dict[str, Any]:
    """The account's fields as the audit log records them (JSON values)."""
    account = details.account
    return {
        "name": account.name,
        "kind": account.kind.value,
        "currency": account.currency,
        "opening_balance_minor": account.opening_balance_minor,
        "opened_on": account.opened_on.isoformat(),
        "shared_with_user_ids": sorted(str(user_id) for user_id in details.shared_with_user_ids),
    }


async def _record(
    session: AsyncSession,
    household: HouseholdContext,
    action: AuditAction,
    account: Account,
    details: dict[str, Any] | None = None,
) -> None:
    await audit.record(
        session, household, action, Target("account", account.id, account.name), details
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
    created = await service.create_account(session, household, body)
    await _record(
        session, household, AuditAction.ACCOUNT_CREATED, created.account, _audited(created)
    )
    return _read(created)


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
    before = _audited(await service.account_details(session, household, account))
    updated = await service.update_account(session, household, account, body)
    changed = audit.changes(before, _audited(updated))
    if changed:
        await _record(session, household, AuditAction.ACCOUNT_UPDATED, account, changed)
    return _read(updated)


@router.post("/{account_id}/archive")
async def archive_account(
    household: AdultHouseholdDep, account: AccountDep, session: SessionDep
) -> AccountRead:
    """Archive an account: it leaves the default list and takes no new transactions."""
    was_archived = account.archived_at is not None
    archived = await service.set_archived(session, household, account, archived=True)
    if not was_archived:
        await _record(session, household, AuditAction.ACCOUNT_ARCHIVED, account)
    return _read(archived)


@router.post("/{account_id}/unarchive")
async def unarchive_account(
    household: AdultHouseholdDep, account: AccountDep, session: SessionDep
) -> AccountRead:
    """Bring an archived account back."""
    was_archived = account.archived_at is not None
    unarchived = await service.set_archived(session, household, account, archived=False)
    if was_archived:
        await _record(session, household, AuditAction.ACCOUNT_UNARCHIVED, account)
    return _read(unarchived)


@router.delete("/{account_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_account(
    household: AdultHouseholdDep, account: AccountDep, session: SessionDep
) -> None:
    """Delete an account that has no transactions."""
    await service.delete_account(session, account)
    await _record(session, household, AuditAction.ACCOUNT_DELETED, account)
