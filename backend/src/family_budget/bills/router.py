"""Scheduled transactions (recurring bills), the bill calendar and its private iCal feed."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from family_budget.bills import feed, service
from family_budget.bills.schemas import (
    BillCalendar,
    BillRead,
    CalendarFeedRead,
    CalendarFeedStatus,
    ScheduledCreate,
    ScheduledRead,
    ScheduledUpdate,
)
from family_budget.deps import AdultHouseholdDep, HouseholdDep, SessionDep, SettingsDep
from family_budget.errors import NotFound
from family_budget.households.context import HouseholdContext
from family_budget.models import ScheduledTransaction

router = APIRouter(tags=["bills"])
# Public: the feed's secret token is its credential (calendar apps send no bearer token).
feed_router = APIRouter(prefix=feed.FEED_PATH.removeprefix("/api/v1"), tags=["bills"])


def _today() -> date:
    return datetime.now(UTC).date()


async def _scheduled_from_path(
    scheduled_id: Annotated[uuid.UUID, Path(description="The scheduled transaction's id")],
    household: HouseholdDep,
    session: SessionDep,
) -> ScheduledTransaction:
    return await service.get_scheduled(session, household, scheduled_id)


ScheduledDep = Annotated[ScheduledTransaction, Depends(_scheduled_from_path)]


def _read(household: HouseholdContext, scheduled: ScheduledTransaction) -> ScheduledRead:
    return ScheduledRead(
        id=scheduled.id,
        account_id=scheduled.account_id,
        payee=scheduled.payee,
        amount_minor=scheduled.amount_minor,
        currency=household.currency,
        category_id=scheduled.category_id,
        rrule=scheduled.rrule,
        starts_on=scheduled.starts_on,
        ends_on=scheduled.ends_on,
        remind_days_before=scheduled.remind_days_before,
        auto_post=scheduled.auto_post,
        assignee_user_id=scheduled.assignee_user_id,
        next_occurrences=service.next_occurrences(scheduled, _today()),
        created_at=scheduled.created_at,
        updated_at=scheduled.updated_at,
    )


_WRITE_ERRORS: dict[int | str, dict[str, str]] = {
    422: {
        "description": "invalid_rrule, unknown_account, unknown_category, unknown_member, "
        "or invalid fields"
    }
}


@router.get("/scheduled")
async def list_scheduled(household: HouseholdDep, session: SessionDep) -> list[ScheduledRead]:
    """List the household's scheduled transactions, each with its next occurrences."""
    return [_read(household, s) for s in await service.list_scheduled(session, household)]


@router.post("/scheduled", status_code=status.HTTP_201_CREATED, responses=_WRITE_ERRORS)
async def create_scheduled(
    household: AdultHouseholdDep, session: SessionDep, body: ScheduledCreate
) -> ScheduledRead:
    """Create a scheduled transaction (a recurring bill)."""
    return _read(household, await service.create_scheduled(session, household, body))


@router.get("/scheduled/{scheduled_id}")
async def get_scheduled(household: HouseholdDep, scheduled: ScheduledDep) -> ScheduledRead:
    """Read one scheduled transaction with its next occurrences."""
    return _read(household, scheduled)


@router.put("/scheduled/{scheduled_id}", responses=_WRITE_ERRORS)
async def update_scheduled(
    household: AdultHouseholdDep,
    session: SessionDep,
    scheduled: ScheduledDep,
    body: ScheduledUpdate,
) -> ScheduledRead:
    """Replace a scheduled transaction."""
    return _read(household, await service.update_scheduled(session, household, scheduled, body))


@router.delete("/scheduled/{scheduled_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_scheduled(
    household: AdultHouseholdDep, session: SessionDep, scheduled: ScheduledDep
) -> Response:
    """Delete a scheduled transaction (the transactions it posted stay)."""
    await service.delete_scheduled(session, scheduled)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/bills", responses={422: {"description": "invalid_range"}})
async def bill_calendar(
    household: HouseholdDep,
    session: SessionDep,
    from_: Annotated[date, Query(alias="from", description="First day, included")],
    to: Annotated[date, Query(description="Last day, included (at most 731 days after from)")],
) -> BillCalendar:
    """The bill calendar: every occurrence due in the range, paid, overdue or due, and who
    pays."""
    bills = await service.bill_calendar(session, household, from_, to, _today())
    return BillCalendar(
        from_=from_,
        to=to,
        bills=[
            BillRead(
                scheduled_id=b.scheduled.id,
                due_on=b.due_on,
                payee=b.scheduled.payee,
                amount_minor=b.scheduled.amount_minor,
                currency=household.currency,
                account_id=b.scheduled.account_id,
                category_id=b.scheduled.category_id,
                status=b.status,
                paid_by_transaction_id=b.paid_by.id if b.paid_by else None,
                paid_on=b.paid_by.posted_on if b.paid_by else None,
                assignee_user_id=b.scheduled.assignee_user_id,
                assignee_name=b.assignee_name,
                reminded_at=b.reminded_at,
            )
            for b in bills
        ],
    )


@router.get("/bills/calendar-feed")
async def calendar_feed_status(household: HouseholdDep, session: SessionDep) -> CalendarFeedStatus:
    """Whether the caller has a private iCal URL of the bill calendar (the URL itself is shown
    only when it is created)."""
    current = await feed.current_feed(session, household)
    return CalendarFeedStatus(
        active=current is not None, created_at=current.created_at if current else None
    )


@router.post("/bills/calendar-feed", status_code=status.HTTP_201_CREATED)
async def create_calendar_feed(
    household: HouseholdDep, session: SessionDep, settings: SettingsDep
) -> CalendarFeedRead:
    """Create the caller's private iCal URL of the bill calendar, replacing their previous one."""
    row, token = await feed.create_feed(session, household)
    return CalendarFeedRead(url=feed.feed_url(settings, token), created_at=row.created_at)


@router.delete("/bills/calendar-feed", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_calendar_feed(household: HouseholdDep, session: SessionDep) -> Response:
    """Revoke the caller's private iCal URL."""
    await feed.revoke_feed(session, household)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@feed_router.get(
    "/{token}.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {}}, "description": "The bill calendar"},
        404: {"description": "feed_not_found: unknown or revoked"},
    },
)
async def bill_calendar_feed(
    token: Annotated[str, Path(min_length=20, max_length=100)],
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """The bill calendar as iCalendar, for calendar apps (the token in the URL is the secret)."""
    household = await feed.context_of_token(session, token)
    if household is None:
        raise NotFound("No such calendar feed", code="feed_not_found")
    body = await feed.render_feed(session, settings, household, _today())
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )
