"""The private iCal feed of the bill calendar: one secret URL per member and household.

The URL carries an opaque token; only its hash is stored, so a copy of the database does not
give the URLs away. Creating a feed again replaces the token (the old URL stops working);
deleting it revokes the URL. The feed shows what its member sees in the app (a teen, the bills
on accounts shared with them), from 60 days back to a year ahead.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.bills.service import Bill, bill_calendar, bill_url
from family_budget.config import Settings
from family_budget.households.context import HouseholdContext
from family_budget.models import BillCalendarFeed, Household, Membership, User
from family_budget.models.base import utcnow
from family_budget.notifications.money import format_money
from family_budget.security import hash_token, new_opaque_token

FEED_PATH = "/api/v1/bill-calendars"
PAST = timedelta(days=60)
AHEAD = timedelta(days=365)


def feed_url(settings: Settings, token: str) -> str:
    return f"{settings.public_app_url.rstrip('/')}{FEED_PATH}/{token}.ics"


async def current_feed(
    session: AsyncSession, household: HouseholdContext
) -> BillCalendarFeed | None:
    return await session.get(BillCalendarFeed, (household.id, household.user_id))


async def create_feed(
    session: AsyncSession, household: HouseholdContext
) -> tuple[BillCalendarFeed, str]:
    """A new secret URL for the caller (replacing theirs); returns the row and the token."""
    assert household.user_id is not None
    token = new_opaque_token()
    await revoke_feed(session, household)
    feed = BillCalendarFeed(
        household_id=household.id,
        user_id=household.user_id,
        token_hash=hash_token(token),
        created_at=utcnow(),
    )
    session.add(feed)
    await session.flush()
    return feed, token


async def revoke_feed(session: AsyncSession, household: HouseholdContext) -> None:
    await session.execute(
        delete(BillCalendarFeed)
        .where(
            BillCalendarFeed.household_id == household.id,
            BillCalendarFeed.user_id == household.user_id,
        )
        .execution_options(synchronize_session=False)
    )


async def context_of_token(session: AsyncSession, token: str) -> HouseholdContext | None:
    """The member (still a member) whose feed the token opens, or None."""
    row = (
        await session.execute(
            select(Household, Membership, User)
            .join(BillCalendarFeed, BillCalendarFeed.household_id == Household.id)
            .join(
                Membership,
                (Membership.household_id == Household.id)
                & (Membership.user_id == BillCalendarFeed.user_id),
            )
            .join(User, User.id == BillCalendarFeed.user_id)
            .where(BillCalendarFeed.token_hash == hash_token(token))
        )
    ).first()
    if row is None:
        return None
    household, membership, user = row
    return HouseholdContext.for_member(household, membership, user)


async def render_feed(
    session: AsyncSession, settings: Settings, household: HouseholdContext, today: date
) -> bytes:
    bills = await bill_calendar(session, household, today - PAST, today + AHEAD, today)
    return to_ical(settings, household, bills)


def to_ical(settings: Settings, household: HouseholdContext, bills: list[Bill]) -> bytes:
    # Imported when a feed is read, not at the start of every API process.
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Family Budget//Bills//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{household.household.name} bills")
    stamp = datetime.now(UTC)
    for bill in bills:
        scheduled = bill.scheduled
        amount = format_money(abs(scheduled.amount_minor), household.currency)
        event = Event()
        event.add("uid", f"{scheduled.id}-{bill.due_on:%Y%m%d}@family-budget")
        event.add("dtstamp", stamp)
        # All-day events: a date has no time zone to move it.
        event.add("dtstart", bill.due_on)
        event.add("dtend", bill.due_on + timedelta(days=1))
        event.add(
            "summary", f"{scheduled.payee} {amount}" + (" (paid)" if bill.status == "paid" else "")
        )
        lines = [f"Status: {bill.status}"]
        if bill.assignee_name:
            lines.append(f"Paid by: {bill.assignee_name}")
        event.add("description", "\n".join(lines))
        event.add("url", bill_url(settings, household.id, bill.due_on))
        calendar.add_component(event)
    body: bytes = calendar.to_ical()
    return body
