"""The account register, the cleared toggle and reconciling (routes under /accounts/{id})."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from family_budget.accounts import register
from family_budget.accounts.register_schemas import (
    ClearedRead,
    ClearedUpdate,
    ConfirmReconciled,
    ReconcilePreviewRead,
    ReconcileRequest,
    ReconciliationRead,
    RegisterPage,
    RegisterRowRead,
)
from family_budget.accounts.router import AccountDep
from family_budget.deps import AdultHouseholdDep, HouseholdDep, SessionDep
from family_budget.models import ClearedState, Reconciliation, Transaction
from family_budget.money import MAX_AMOUNT_MINOR
from family_budget.schemas import SaneDate

router = APIRouter(prefix="/accounts", tags=["accounts"])


def _row(transaction: Transaction, running_balance_minor: int) -> RegisterRowRead:
    return RegisterRowRead(
        id=transaction.id,
        posted_on=transaction.posted_on,
        amount_minor=transaction.amount_minor,
        payee=transaction.payee,
        memo=transaction.memo,
        category_id=transaction.category_id,
        is_split=transaction.is_split,
        is_transfer=transaction.transfer_id is not None,
        status=transaction.status,
        cleared=transaction.cleared,
        version=transaction.version,
        running_balance_minor=running_balance_minor,
    )


def _reconciliation(found: Reconciliation) -> ReconciliationRead:
    return ReconciliationRead(
        id=found.id,
        statement_on=found.statement_on,
        statement_balance_minor=found.statement_balance_minor,
        adjustment_minor=found.adjustment_minor,
        adjustment_transaction_id=found.adjustment_transaction_id,
        reconciled_count=found.reconciled_count,
        reconciled_by_id=found.reconciled_by_id,
        reconciled_at=found.reconciled_at,
    )


@router.get(
    "/{account_id}/register", responses={400: {"description": "invalid_cursor: not a next_cursor"}}
)
async def get_register(
    household: HouseholdDep,
    account: AccountDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[
        str | None, Query(max_length=300, description="next_cursor of the previous page")
    ] = None,
) -> RegisterPage:
    """The account's transactions, newest first, with running, cleared and uncleared balances."""
    found = await register.read_register(session, account, limit=limit, cursor=cursor)
    last = found.last_reconciliation
    return RegisterPage(
        items=[_row(row.transaction, row.running_balance_minor) for row in found.rows],
        next_cursor=found.next_cursor,
        balance_minor=found.balances.balance_minor,
        cleared_balance_minor=found.balances.cleared_balance_minor,
        uncleared_balance_minor=found.balances.uncleared_balance_minor,
        last_reconciliation=_reconciliation(last) if last else None,
    )


@router.put(
    "/{account_id}/register/{transaction_id}/cleared",
    responses={
        404: {"description": "transaction_not_found: not a transaction of this account"},
        409: {"description": "transaction_reconciled: send confirm_reconciled=true to change it"},
    },
)
async def set_transaction_cleared(
    household: AdultHouseholdDep,
    account: AccountDep,
    session: SessionDep,
    transaction_id: Annotated[uuid.UUID, Path(description="A transaction of the account")],
    body: ClearedUpdate,
    confirm_reconciled: ConfirmReconciled = False,
) -> ClearedRead:
    """Mark a transaction cleared or uncleared (a reconciled one only when confirmed)."""
    transaction = await register.set_cleared(
        session,
        account,
        transaction_id,
        ClearedState(body.cleared.value),
        confirm_reconciled=confirm_reconciled,
    )
    return ClearedRead(id=transaction.id, cleared=transaction.cleared, version=transaction.version)


def _today() -> datetime:
    return datetime.now(UTC)


@router.get("/{account_id}/reconcile")
async def preview_reconcile(
    household: AdultHouseholdDep,
    account: AccountDep,
    session: SessionDep,
    statement_balance_minor: Annotated[int, Query(ge=-MAX_AMOUNT_MINOR, le=MAX_AMOUNT_MINOR)],
    statement_on: Annotated[
        SaneDate | None, Query(description="The statement's date; today (UTC) when absent")
    ] = None,
) -> ReconcilePreviewRead:
    """What reconciling against this statement balance would find; changes nothing."""
    found = await register.preview(
        session, account, statement_balance_minor, statement_on or _today().date()
    )
    return ReconcilePreviewRead(
        statement_on=found.statement_on,
        statement_balance_minor=found.statement_balance_minor,
        cleared_balance_minor=found.cleared_balance_minor,
        difference_minor=found.difference_minor,
        cleared_count=found.cleared_count,
    )


@router.post(
    "/{account_id}/reconcile",
    responses={
        409: {
            "description": "reconciliation_difference (with difference_minor and "
            "cleared_balance_minor; nothing changed) or account_archived"
        }
    },
)
async def reconcile_account(
    household: AdultHouseholdDep, account: AccountDep, session: SessionDep, body: ReconcileRequest
) -> ReconciliationRead:
    """Reconcile with a statement: cleared rows up to its date become reconciled (409
    reconciliation_difference, changing nothing, if the balances differ without an adjustment)."""
    found = await register.reconcile(
        session,
        household,
        account,
        statement_balance_minor=body.statement_balance_minor,
        statement_on=body.statement_on or _today().date(),
        create_adjustment=body.create_adjustment,
    )
    return _reconciliation(found)
