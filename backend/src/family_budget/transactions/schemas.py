"""Transaction request and response bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, ClassVar, Self

from pydantic import AfterValidator, BaseModel, Field, model_validator

from family_budget.accounts.register_schemas import ClearedChoice
from family_budget.models import ClearedState, TransactionStatus
from family_budget.schemas import (
    AmountMinor,
    Memo,
    Payee,
    PositiveAmountMinor,
    SaneDate,
    Schema,
    Tag,
)

MAX_TAGS = 20
MAX_SPLIT_LINES = 100
MAX_BULK_IDS = 500


def _unique_tags(tags: list[str]) -> list[str]:
    if len(set(tags)) != len(tags):
        raise ValueError("tags must be unique")
    return tags


Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS), AfterValidator(_unique_tags)]


class SplitLineIn(Schema):
    category_id: uuid.UUID | None = None
    amount_minor: AmountMinor
    memo: Memo = ""


Splits = Annotated[
    list[SplitLineIn],
    Field(
        max_length=MAX_SPLIT_LINES,
        description="Two or more lines summing exactly to amount_minor; an empty list means "
        "not split. The parent's category_id must then be null.",
    ),
]


class TransactionCreate(Schema):
    account_id: uuid.UUID
    posted_on: SaneDate
    amount_minor: AmountMinor = Field(description="Minor units; negative is money going out")
    payee: Payee = ""
    memo: Memo = ""
    category_id: uuid.UUID | None = None
    status: TransactionStatus = TransactionStatus.POSTED
    cleared: ClearedChoice = Field(
        default=ClearedChoice.UNCLEARED, description="Whether it already shows at the bank"
    )
    tags: Tags = Field(default_factory=list)
    splits: Splits = Field(default_factory=list)


class TransactionUpdate(Schema):
    """Only the fields sent are changed. category_id may be null (uncategorized); the others not.
    A teen may send only category_id, splits and tags."""

    _not_null: ClassVar[tuple[str, ...]] = (
        "account_id",
        "posted_on",
        "amount_minor",
        "payee",
        "memo",
        "status",
        "cleared",
        "tags",
        "splits",
    )

    account_id: uuid.UUID | None = None
    posted_on: SaneDate | None = None
    amount_minor: AmountMinor | None = None
    payee: Payee | None = None
    memo: Memo | None = None
    category_id: uuid.UUID | None = None
    status: TransactionStatus | None = None
    cleared: ClearedChoice | None = Field(
        default=None,
        description="Only reconciling makes a transaction reconciled; changing the cleared state "
        "of a reconciled one needs confirm_reconciled",
    )
    tags: Tags | None = None
    splits: Splits | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        for field in self._not_null:
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class TransferCreate(Schema):
    from_account_id: uuid.UUID
    to_account_id: uuid.UUID
    amount_minor: PositiveAmountMinor = Field(description="Moved from one account to the other")
    posted_on: SaneDate
    memo: Memo = ""
    payee: Payee = ""
    category_id: uuid.UUID | None = Field(
        default=None,
        description="Only for a transfer between an on-budget and a tracking account: the "
        "category of the on-budget leg (e.g. a mortgage payment into a loan account is "
        "spending in 'Mortgage'); 422 transfer_not_categorizable otherwise",
    )


class BulkCategorize(Schema):
    transaction_ids: list[uuid.UUID] = Field(min_length=1, max_length=MAX_BULK_IDS)
    category_id: uuid.UUID | None


class BulkCategorizeResult(BaseModel):
    updated: int


class SplitLineRead(BaseModel):
    id: uuid.UUID
    category_id: uuid.UUID | None
    amount_minor: int
    memo: str


class TransferLink(BaseModel):
    transfer_id: uuid.UUID
    counterpart_account_id: uuid.UUID | None = Field(
        description="The other leg's account; null for a teen it is not shared with"
    )
    counterpart_transaction_id: uuid.UUID | None = Field(
        description="The other leg; null for a teen its account is not shared with"
    )
    from_account_id: uuid.UUID | None = Field(
        description="The account the money left; null for a teen it is not shared with"
    )
    from_account_name: str | None
    to_account_id: uuid.UUID | None = Field(
        description="The account the money went to; null for a teen it is not shared with"
    )
    to_account_name: str | None
    moved_minor: int = Field(
        gt=0, description="The amount moved, positive (each leg carries it with its own sign)"
    )


class TransactionRead(BaseModel):
    id: uuid.UUID
    account_id: uuid.UUID
    posted_on: date
    amount_minor: int
    payee: str
    memo: str
    category_id: uuid.UUID | None
    status: TransactionStatus = Field(
        description="pending: the bank has not posted it yet (it may still change or go away). "
        "Pending transactions count in budgets and reports like posted ones: the money is "
        "committed. A bank transaction keeps its id, category, memo, tags and splits when it "
        "posts"
    )
    cleared: ClearedState = Field(
        description="uncleared, cleared (shows at the bank) or reconciled (a statement "
        "confirmed it: changing its amount, date or account, or deleting it, needs "
        "confirm_reconciled)"
    )
    tags: list[str]
    splits: list[SplitLineRead]
    transfer: TransferLink | None
    receipt_count: int = Field(
        default=0, description="Receipts attached (GET …/receipts?transaction_id= lists them)"
    )
    version: int = Field(description="Send it back as If-Match when changing or deleting")
    created_at: datetime
    updated_at: datetime


class TransferRead(BaseModel):
    transfer_id: uuid.UUID
    from_transaction: TransactionRead
    to_transaction: TransactionRead
