"""Scheduled transactions, the bill calendar and its feed: request and response bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, StrictInt

from family_budget.schemas import AmountMinor, Payee, SaneDate, Schema

MAX_REMIND_DAYS = 60
NEXT_OCCURRENCES = 5

BillStatus = Literal["paid", "overdue", "due"]


class ScheduledCreate(Schema):
    account_id: uuid.UUID
    payee: Payee = Field(min_length=1)
    amount_minor: AmountMinor = Field(description="Minor units; negative is money going out")
    category_id: uuid.UUID | None = None
    rrule: str = Field(
        min_length=1,
        max_length=500,
        description="An RFC 5545 RRULE without DTSTART or UNTIL, e.g. FREQ=MONTHLY;BYMONTHDAY=31 "
        "(a day past the month's end lands on its last day), FREQ=WEEKLY;INTERVAL=2, FREQ=YEARLY",
        examples=["FREQ=MONTHLY;BYMONTHDAY=1"],
    )
    starts_on: SaneDate
    ends_on: SaneDate | None = None
    remind_days_before: StrictInt | None = Field(
        default=3, ge=0, le=MAX_REMIND_DAYS, description="null: no reminder"
    )
    auto_post: bool = Field(
        default=False, description="Create the transaction on each due date (once)"
    )
    assignee_user_id: uuid.UUID | None = Field(
        default=None, description="Who pays and is reminded; null: the owners and adults"
    )


# The whole schedule is replaced (PUT).
ScheduledUpdate = ScheduledCreate


class ScheduledRead(BaseModel):
    id: uuid.UUID
    account_id: uuid.UUID
    payee: str
    amount_minor: int
    currency: str
    category_id: uuid.UUID | None
    rrule: str
    starts_on: date
    ends_on: date | None
    remind_days_before: int | None
    auto_post: bool
    assignee_user_id: uuid.UUID | None
    next_occurrences: list[date] = Field(
        description=f"The next {NEXT_OCCURRENCES} due dates from today on"
    )
    created_at: datetime
    updated_at: datetime


class BillRead(BaseModel):
    """One occurrence of a scheduled transaction in the bill calendar."""

    scheduled_id: uuid.UUID
    due_on: date
    payee: str
    amount_minor: int
    currency: str
    account_id: uuid.UUID
    category_id: uuid.UUID | None
    status: BillStatus = Field(
        description="paid: a transaction matches it (payee, amount within 10%, posted within 7 "
        "days of the due date) or auto_post created it; overdue: unpaid and past due; due"
    )
    paid_by_transaction_id: uuid.UUID | None
    paid_on: date | None
    assignee_user_id: uuid.UUID | None
    assignee_name: str | None
    reminded_at: datetime | None


class BillCalendar(BaseModel):
    from_: date = Field(alias="from")
    to: date
    bills: list[BillRead]

    model_config = {"populate_by_name": True}


class CalendarFeedRead(BaseModel):
    url: str = Field(
        description="The private iCal URL (text/calendar). Shown once: only its hash is kept; "
        "creating a new one replaces the old"
    )
    created_at: datetime


class CalendarFeedStatus(BaseModel):
    active: bool
    created_at: datetime | None
