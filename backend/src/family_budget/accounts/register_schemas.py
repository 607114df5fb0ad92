"""Register and reconciliation request and response bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from family_budget.models import ClearedState, TransactionStatus
from family_budget.schemas import AmountMinor, SaneDate, Schema

# A query parameter of every route that can change what a bank statement confirmed.
ConfirmReconciled = Annotated[
    bool, Query(description="Required (true) to change or delete a reconciled transaction")
]


class ClearedChoice(StrEnum):
    """What a client may set; only reconciling makes a transaction reconciled."""

    UNCLEARED = "uncleared"
    CLEARED = "cleared"


class ClearedUpdate(Schema):
    cleared: ClearedChoice


class ClearedRead(BaseModel):
    id: uuid.UUID
    cleared: ClearedState
    version: int


class ReconcileRequest(Schema):
    statement_balance_minor: AmountMinor = Field(
        description="The balance the bank's statement shows, in minor units"
    )
    statement_on: SaneDate | None = Field(
        default=None, description="The statement's date; today (UTC) when absent"
    )
    create_adjustment: bool = Field(
        default=False,
        description="Book any difference as a 'Reconciliation adjustment' transaction; "
        "without it a difference is a 409 and nothing changes",
    )


class ReconciliationRead(BaseModel):
    id: uuid.UUID
    statement_on: date
    statement_balance_minor: int
    adjustment_minor: int = Field(description="0 when the cleared balance already matched")
    adjustment_transaction_id: uuid.UUID | None
    reconciled_count: int = Field(description="Transactions that became reconciled")
    reconciled_by_id: uuid.UUID | None
    reconciled_at: datetime


class ReconcilePreviewRead(BaseModel):
    statement_on: date
    statement_balance_minor: int
    cleared_balance_minor: int = Field(
        description="Opening balance plus the cleared and reconciled transactions up to "
        "statement_on"
    )
    difference_minor: int = Field(description="statement_balance_minor - cleared_balance_minor")
    cleared_count: int = Field(description="Cleared transactions that would become reconciled")


class RegisterRowRead(BaseModel):
    id: uuid.UUID
    posted_on: date
    amount_minor: int
    payee: str
    memo: str
    category_id: uuid.UUID | None
    is_split: bool
    is_transfer: bool
    status: TransactionStatus
    cleared: ClearedState
    version: int = Field(description="Send it back as If-Match when changing or deleting")
    running_balance_minor: int = Field(
        description="Opening balance plus every transaction of the account up to this one "
        "(date, then entry order)"
    )


class RegisterPage(BaseModel):
    items: list[RegisterRowRead] = Field(description="Newest first")
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` to get the next page; null on the last page"
    )
    balance_minor: int
    cleared_balance_minor: int = Field(
        description="Opening balance plus the cleared and reconciled transactions"
    )
    uncleared_balance_minor: int = Field(description="Sum of the uncleared transactions")
    last_reconciliation: ReconciliationRead | None
