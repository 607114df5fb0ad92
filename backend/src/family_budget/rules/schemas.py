"""Rule request and response bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

from family_budget.imports.payees import normalize_payee
from family_budget.models import PayeeMatch
from family_budget.schemas import AmountMinor, Name, Payee, Schema, at_least_one_of, given
from family_budget.transactions.schemas import Tags

MAX_RULE_IDS = 1000
SAMPLE_SIZE = 20


def _has_letters(value: str) -> str:
    if not normalize_payee(value):
        raise ValueError("needs at least one letter (case, digits and punctuation do not count)")
    return value


PayeeText = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_has_letters)]
MemoText = Annotated[Payee, Field(min_length=1)]
NewPayee = Annotated[Payee, Field(min_length=1)]


class PayeeCondition(Schema):
    match: PayeeMatch = Field(
        description="equals: the whole payee; contains: a part of it. Compared without case, "
        "accents, punctuation or digits"
    )
    value: PayeeText


class RuleConditions(Schema):
    """Every condition given must hold; at least one is needed."""

    model_config = ConfigDict(
        json_schema_extra=at_least_one_of(
            "payee", "memo_contains", "min_amount_minor", "max_amount_minor", "account_id"
        )
    )

    payee: PayeeCondition | None = None
    memo_contains: MemoText | None = Field(default=None, description="Case-insensitive")
    min_amount_minor: AmountMinor | None = Field(
        default=None, description="Inclusive, signed (negative is money out)"
    )
    max_amount_minor: AmountMinor | None = Field(
        default=None, description="Inclusive, signed (negative is money out)"
    )
    account_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _sane(self) -> Self:
        if (
            self.payee is None
            and self.memo_contains is None
            and self.min_amount_minor is None
            and self.max_amount_minor is None
            and self.account_id is None
        ):
            raise ValueError("a rule needs at least one condition")
        if (
            self.min_amount_minor is not None
            and self.max_amount_minor is not None
            and self.min_amount_minor > self.max_amount_minor
        ):
            raise ValueError("min_amount_minor must not be above max_amount_minor")
        return self


class RuleActions(Schema):
    """At least one action is needed."""

    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "anyOf": [
                        given("category_id"),
                        given("payee"),
                        {"required": ["tags"], "properties": {"tags": {"minItems": 1}}},
                    ]
                }
            ]
        }
    )

    category_id: uuid.UUID | None = None
    payee: NewPayee | None = Field(default=None, description="Replaces the payee")
    tags: Tags = Field(default_factory=list, description="Added to the transaction's tags")

    @model_validator(mode="after")
    def _some(self) -> Self:
        if self.category_id is None and self.payee is None and not self.tags:
            raise ValueError("a rule needs at least one action")
        return self


class RuleCreate(Schema):
    name: Name
    enabled: StrictBool = True
    conditions: RuleConditions
    actions: RuleActions


class RuleUpdate(Schema):
    """Only the fields sent change; `conditions` and `actions` are replaced whole."""

    name: Name | None = None
    enabled: StrictBool | None = None
    conditions: RuleConditions | None = None
    actions: RuleActions | None = None

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, data: Any) -> Any:
        if isinstance(data, dict):
            nulls = sorted(key for key, value in data.items() if value is None)
            if nulls:
                raise ValueError(f"{', '.join(nulls)} cannot be null; leave the field out instead")
        return data


class RuleOrder(Schema):
    rule_ids: list[uuid.UUID] = Field(
        min_length=1,
        max_length=MAX_RULE_IDS,
        description="Every rule of the household, each once, in the new order (first wins)",
    )


class RuleFromTransaction(Schema):
    """ "Always do this": a rule giving every transaction with this one's payee the category."""

    transaction_id: uuid.UUID
    category_id: uuid.UUID


class PayeeConditionRead(BaseModel):
    match: PayeeMatch
    value: str


class RuleConditionsRead(BaseModel):
    payee: PayeeConditionRead | None
    memo_contains: str | None
    min_amount_minor: int | None
    max_amount_minor: int | None
    account_id: uuid.UUID | None


class RuleActionsRead(BaseModel):
    category_id: uuid.UUID | None = Field(
        description="null: no category action (or its category was deleted)"
    )
    payee: str | None
    tags: list[str]


class RuleRead(BaseModel):
    id: uuid.UUID
    name: str
    position: int = Field(description="0 is the first rule")
    enabled: bool
    conditions: RuleConditionsRead
    actions: RuleActionsRead
    created_at: datetime
    updated_at: datetime


class RuleChange(BaseModel):
    """One transaction a rule changes (or would change)."""

    transaction_id: uuid.UUID
    account_id: uuid.UUID
    posted_on: date
    amount_minor: int
    payee: str = Field(description="The payee before the rule")
    new_payee: str | None = Field(description="null: the payee stays")
    category_id: uuid.UUID | None = Field(description="The category before the rule")
    new_category_id: uuid.UUID | None = Field(description="null: the category stays")
    added_tags: list[str]


class RuleApplyResult(BaseModel):
    dry_run: bool
    matched: int = Field(description="Transactions the rule's conditions match")
    changed: int = Field(
        description="Of those, the transactions the rule changes (would change, in a dry run)"
    )
    sample: list[RuleChange] = Field(
        description=f"Up to {SAMPLE_SIZE} of the changed transactions, newest first"
    )
