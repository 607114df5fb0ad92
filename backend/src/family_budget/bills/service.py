"""Scheduled transactions (recurring bills): the rules, the bill calendar, reminders and
auto-posting.

**Paid.** An occurrence is paid when auto_post created its transaction, or when a transaction of
the household matches it: the same normalized payee (one containing the other), the same sign
and an amount within 10% of the bill's, posted within 7 days of the due date. Matching happens
when the calendar is read (and when the reminder job reads it), so a transaction counts whether
it was typed, imported or synced, and editing or deleting it un-pays the bill. Each transaction
pays at most one occurrence: the closest (occurrence, transaction) pairs are matched first.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.accounts.service import (
    require_account_in_household,
    visible_account_ids_filter,
)
from family_budget.alerts.service import AlertKind, raise_alert
from family_budget.bills.recurrence import InvalidRule, Recurrence
from family_budget.bills.schemas import NEXT_OCCURRENCES, BillStatus, ScheduledCreate
from family_budget.categories.service import require_categories_in_household
from family_budget.config import Settings
from family_budget.errors import NotFound, Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.imports.payees import normalize_payee
from family_budget.models import (
    Account,
    Household,
    Membership,
    ScheduledOccurrence,
    ScheduledTransaction,
    Transaction,
    User,
)
from family_budget.models.base import utcnow

MATCH_WINDOW = timedelta(days=7)
MATCH_TOLERANCE_PERCENT = 10
MAX_CALENDAR_DAYS = 731


# --- Scheduled transactions ----------------------------------------------------------------


def household_schedules(household: HouseholdContext) -> Select[ScheduledTransaction]:
    """The schedules the caller sees: the household's, and for a teen only those on accounts
    shared with them."""
    return select(ScheduledTransaction).where(
        ScheduledTransaction.household_id == household.id,
        visible_account_ids_filter(household, ScheduledTransaction.account_id),
    )


async def get_scheduled(
    session: AsyncSession, household: HouseholdContext, scheduled_id: uuid.UUID
) -> ScheduledTransaction:
    found = await session.scalar(
        household_schedules(household).where(ScheduledTransaction.id == scheduled_id)
    )
    if found is None:
        raise NotFound("Scheduled transaction not found", code="scheduled_not_found")
    return found


async def list_scheduled(
    session: AsyncSession, household: HouseholdContext
) -> list[ScheduledTransaction]:
    return list(
        await session.scalars(
            household_schedules(household).order_by(
                ScheduledTransaction.starts_on, ScheduledTransaction.id
            )
        )
    )


def recurrence_of(scheduled: ScheduledTransaction) -> Recurrence:
    return Recurrence.parse(scheduled.rrule, scheduled.starts_on, scheduled.ends_on)


def next_occurrences(scheduled: ScheduledTransaction, today: date) -> list[date]:
    return recurrence_of(scheduled).next(today, NEXT_OCCURRENCES)


async def _check(session: AsyncSession, household: HouseholdContext, data: ScheduledCreate) -> None:
    try:
        Recurrence.parse(data.rrule, data.starts_on, data.ends_on)
    except InvalidRule as error:
        raise Unprocessable(str(error), code="invalid_rrule") from None
    await require_account_in_household(session, household, data.account_id)
    await require_categories_in_household(session, household, [data.category_id])
    if data.assignee_user_id is not None:
        member = await session.scalar(
            select(Membership.id).where(
                Membership.household_id == household.id,
                Membership.user_id == data.assignee_user_id,
            )
        )
        if member is None:
            raise Unprocessable(
                "assignee_user_id does not name a member of this household",
                code="unknown_member",
            )


async def create_scheduled(
    session: AsyncSession, household: HouseholdContext, data: ScheduledCreate
) -> ScheduledTransaction:
    await _check(session, household, data)
    scheduled = ScheduledTransaction(
        id=uuid.uuid4(),
        household_id=household.id,
        created_by_id=household.user_id,
        **data.model_dump(),
    )
    session.add(scheduled)
    await session.flush()
    return scheduled


async def update_scheduled(
    session: AsyncSession,
    household: HouseholdContext,
    scheduled: ScheduledTransaction,
    data: ScheduledCreate,
) -> ScheduledTransaction:
    await _check(session, household, data)
    for name, value in data.model_dump().items():
        setattr(scheduled, name, value)
    await session.flush()
    return scheduled


async def delete_scheduled(session: AsyncSession, scheduled: ScheduledTransaction) -> None:
    await session.delete(scheduled)
    await session.flush()


# --- The bill calendar ---------------------------------------------------------------------


@dataclass(slots=True)
class Bill:
    scheduled: ScheduledTransaction
    due_on: date
    status: BillStatus
    paid_by: Transaction | None
    assignee_name: str | None
    reminded_at: datetime | None


def _payee_key(payee: str) -> str:
    return normalize_payee(payee)


def payees_match(bill_payee: str, transaction_payee: str) -> bool:
    """The same payee once normalized, or one containing the other ("Electric Co" paid as
    "Electric Co Autopay")."""
    a, b = _payee_key(bill_payee), _payee_key(transaction_payee)
    if not a or not b:
        return False
    return a == b or (min(len(a), len(b)) >= 3 and (a in b or b in a))


def amounts_match(bill_minor: int, transaction_minor: int) -> bool:
    """Same sign, and within MATCH_TOLERANCE_PERCENT of the bill's amount."""
    if (bill_minor < 0) != (transaction_minor < 0):
        return False
    return abs(transaction_minor - bill_minor) * 100 <= abs(bill_minor) * MATCH_TOLERANCE_PERCENT


def matches(scheduled: ScheduledTransaction, due_on: date, transaction: Transaction) -> bool:
    return (
        abs(transaction.posted_on - due_on) <= MATCH_WINDOW
        and amounts_match(scheduled.amount_minor, transaction.amount_minor)
        and (
            payees_match(scheduled.payee, transaction.payee)
            or payees_match(scheduled.payee, transaction.payee_original)
        )
    )


def check_range(first: date, last: date) -> None:
    if last < first:
        raise Unprocessable("to is before from", code="invalid_range")
    if (last - first).days > MAX_CALENDAR_DAYS:
        raise Unprocessable(
            f"The calendar covers at most {MAX_CALENDAR_DAYS} days", code="invalid_range"
        )


async def bill_calendar(
    session: AsyncSession,
    household: HouseholdContext,
    first: date,
    last: date,
    today: date,
    *,
    schedules: Sequence[ScheduledTransaction] | None = None,
) -> list[Bill]:
    """Every occurrence due from `first` to `last` (both included), paid, overdue or due."""
    check_range(first, last)
    if schedules is None:
        schedules = await list_scheduled(session, household)
    due = sorted(
        ((day, s) for s in schedules for day in recurrence_of(s).between(first, last)),
        key=lambda pair: (pair[0], pair[1].id),
    )
    if not due:
        return []
    ids = sorted({s.id for _, s in due})
    states = {
        (row.scheduled_id, row.due_on): row
        for row in await session.scalars(
            select(ScheduledOccurrence).where(
                ScheduledOccurrence.household_id == household.id,
                ScheduledOccurrence.scheduled_id.in_(ids),
                ScheduledOccurrence.due_on.between(first, last),
            )
        )
    }
    candidates = list(
        await session.scalars(
            select(Transaction)
            .where(
                Transaction.household_id == household.id,
                visible_account_ids_filter(household, Transaction.account_id),
                Transaction.transfer_id.is_(None),
                Transaction.posted_on.between(first - MATCH_WINDOW, last + MATCH_WINDOW),
            )
            .order_by(Transaction.posted_on, Transaction.id)
        )
    )
    by_id = {t.id: t for t in candidates}
    used: set[uuid.UUID] = {
        row.transaction_id for row in states.values() if row.transaction_id is not None
    }
    names = await _member_names(session, household, {s.assignee_user_id for _, s in due})
    paid: dict[tuple[uuid.UUID, date], Transaction] = {}
    for (scheduled_id, day), row in states.items():
        if row.transaction_id is not None and row.transaction_id in by_id:
            paid[(scheduled_id, day)] = by_id[row.transaction_id]
    # The closest (occurrence, transaction) pairs first; each side is used once.
    pairs = sorted(
        (
            (abs(t.posted_on - day), day, t.posted_on, str(t.id), scheduled, t)
            for day, scheduled in due
            if (scheduled.id, day) not in paid
            for t in candidates
            if t.id not in used and matches(scheduled, day, t)
        ),
        key=lambda pair: pair[:4],
    )
    for _, day, _, _, scheduled, transaction in pairs:
        if (scheduled.id, day) not in paid and transaction.id not in used:
            paid[(scheduled.id, day)] = transaction
            used.add(transaction.id)
    bills: list[Bill] = []
    for day, scheduled in due:
        state = states.get((scheduled.id, day))
        paid_by = paid.get((scheduled.id, day))
        status: BillStatus = "paid" if paid_by else ("overdue" if day < today else "due")
        bills.append(
            Bill(
                scheduled=scheduled,
                due_on=day,
                status=status,
                paid_by=paid_by,
                assignee_name=names.get(scheduled.assignee_user_id)
                if scheduled.assignee_user_id
                else None,
                reminded_at=state.reminded_at if state else None,
            )
        )
    return bills


async def _member_names(
    session: AsyncSession, household: HouseholdContext, user_ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, str]:
    wanted = sorted({u for u in user_ids if u is not None})
    if not wanted:
        return {}
    rows = await session.execute(
        select(User.id, User.name)
        .join(
            Membership,
            and_(Membership.user_id == User.id, Membership.household_id == household.id),
        )
        .where(User.id.in_(wanted))
    )
    return {user_id: name for user_id, name in rows}


async def occurrence_state(
    session: AsyncSession, scheduled: ScheduledTransaction, due_on: date
) -> ScheduledOccurrence:
    """The state row of one occurrence, added when it has none yet."""
    row = await session.get(ScheduledOccurrence, (scheduled.id, due_on))
    if row is None:
        row = ScheduledOccurrence(
            scheduled_id=scheduled.id, due_on=due_on, household_id=scheduled.household_id
        )
        session.add(row)
    return row


# --- The jobs: reminders and auto-posting ----------------------------------------------------


def bill_url(settings: Settings, household_id: uuid.UUID, due_on: date) -> str:
    """The web app's bill calendar at the due date's month."""
    return f"{settings.public_app_url.rstrip('/')}/h/{household_id}/bills?month={due_on:%Y-%m}"


async def households_with_schedules(session: AsyncSession) -> list[Household]:
    ids = select(ScheduledTransaction.household_id).distinct()
    return list(
        await session.scalars(select(Household).where(Household.id.in_(ids)).order_by(Household.id))
    )


async def send_reminders(
    session: AsyncSession, settings: Settings, household: HouseholdContext, today: date
) -> int:
    """Remind of every unpaid occurrence due within its schedule's remind_days_before from
    `today` (today included: a worker that was down catches up), once per occurrence (the alert
    key names it). Returns how many reminders were raised."""
    schedules = [
        s for s in await list_scheduled(session, household) if s.remind_days_before is not None
    ]
    if not schedules:
        return 0
    horizon = today + timedelta(days=max(s.remind_days_before or 0 for s in schedules))
    raised = 0
    for bill in await bill_calendar(session, household, today, horizon, today, schedules=schedules):
        scheduled = bill.scheduled
        assert scheduled.remind_days_before is not None
        if bill.status == "paid" or bill.due_on - today > timedelta(
            days=scheduled.remind_days_before
        ):
            continue
        added = await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data={
                "household_name": household.household.name,
                "bill_name": scheduled.payee,
                "amount": {
                    "amount_minor": abs(scheduled.amount_minor),
                    "currency": household.currency,
                },
                "due_on": bill.due_on.isoformat(),
                "bill_url": bill_url(settings, household.id, bill.due_on),
            },
            key=f"bill:{scheduled.id}:{bill.due_on.isoformat()}",
            household=household,
            # The assignee while still a member (the calendar names only members), else the
            # owners and adults: a bill whose payer left is still someone's to pay.
            user_ids=None
            if bill.assignee_name is None or scheduled.assignee_user_id is None
            else [scheduled.assignee_user_id],
        )
        if added:
            state = await occurrence_state(session, scheduled, bill.due_on)
            state.reminded_at = utcnow()
            raised += 1
    await session.flush()
    return raised


async def post_due(session: AsyncSession, household: HouseholdContext, today: date) -> int:
    """Create the transaction of every auto_post occurrence due by `today` since the schedule
    was created, once (the occurrence's state row records it); an occurrence a matching
    transaction already pays is left alone. Returns how many transactions were created."""
    schedules = [s for s in await list_scheduled(session, household) if s.auto_post]
    posted = 0
    for scheduled in schedules:
        first = max(scheduled.starts_on, scheduled.created_at.date())
        if first > today:
            continue
        account = await session.get(Account, scheduled.account_id)
        if account is None or account.archived_at is not None:
            continue
        for bill in await bill_calendar(
            session, household, first, today, today, schedules=[scheduled]
        ):
            state = await occurrence_state(session, scheduled, bill.due_on)
            if state.posted_at is not None or bill.status == "paid":
                continue
            transaction = Transaction(
                id=uuid.uuid4(),
                household_id=household.id,
                account_id=scheduled.account_id,
                posted_on=bill.due_on,
                amount_minor=scheduled.amount_minor,
                payee=scheduled.payee,
                memo="",
                category_id=scheduled.category_id,
            )
            session.add(transaction)
            # The transaction's row first: the state row refers to it (no ORM relationship
            # orders the two inserts).
            await session.flush()
            state.transaction_id = transaction.id
            state.posted_at = utcnow()
            posted += 1
        await session.flush()
    return posted
