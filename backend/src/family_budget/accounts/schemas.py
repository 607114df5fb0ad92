"""Account request and response bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import ClassVar, Self

from pydantic import BaseModel, Field, StrictBool, model_validator

from family_budget.models import AccountKind, AccountSource
from family_budget.schemas import AmountMinor, CurrencyCode, Name, SaneDate, Schema

MAX_SHARED_USERS = 50
ON_BUDGET_DESCRIPTION = (
    "On-budget accounts hold the money the budget assigns; a tracking account (false) only "
    "shows its balance, and its transactions are never budget activity. A transfer between an "
    "on-budget and a tracking account is spending or income of its category"
)


class AccountCreate(Schema):
    name: Name
    kind: AccountKind
    currency: CurrencyCode | None = Field(
        default=None, description="ISO 4217 code; the household's currency when absent"
    )
    opening_balance_minor: AmountMinor = 0
    opened_on: SaneDate | None = Field(default=None, description="Today (UTC) when absent")
    on_budget: StrictBool | None = Field(
        default=None,
        description=ON_BUDGET_DESCRIPTION
        + "; absent: false for loan and investment accounts, true for the others",
    )
    shared_with_user_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_SHARED_USERS,
        description="Teen members of the household who may see this account",
    )


class AccountUpdate(Schema):
    """Only the fields sent are changed; none of them may be null."""

    _not_null: ClassVar[tuple[str, ...]] = (
        "name",
        "currency",
        "opening_balance_minor",
        "opened_on",
        "on_budget",
        "shared_with_user_ids",
    )

    name: Name | None = None
    currency: CurrencyCode | None = Field(
        default=None, description="Can change only while the account has no transactions"
    )
    opening_balance_minor: AmountMinor | None = None
    opened_on: SaneDate | None = None
    on_budget: StrictBool | None = Field(
        default=None,
        description=ON_BUDGET_DESCRIPTION,
    )
    shared_with_user_ids: list[uuid.UUID] | None = Field(
        default=None,
        max_length=MAX_SHARED_USERS,
        description="Replaces the set of teen members who may see this account",
    )

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        for field in self._not_null:
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be null")
        return self


class AccountRead(BaseModel):
    id: uuid.UUID
    name: str
    kind: AccountKind
    currency: str
    currency_exponent: int = Field(
        description="Decimal digits of the currency's minor unit (2 for USD, 0 for JPY, 3 for KWD)"
    )
    opening_balance_minor: int
    opened_on: date
    on_budget: bool = Field(description="False for a tracking account (not in the budget)")
    source: AccountSource
    archived_at: datetime | None
    balance_minor: int = Field(description="Opening balance plus every transaction of the account")
    shared_with_user_ids: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime
