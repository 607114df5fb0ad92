"""Raising alerts, and what a user reads and decides about them: the in-app list and the
notification preferences.

`raise_alert` is the one door every domain uses (bills and budgets, bank sync, security). It
writes one `alerts.deliver` job in the caller's transaction (the transactional outbox,
family_budget.worker.jobs); the job delivers the alert after the commit
(family_budget.alerts.delivery): in-app, email and push, each as the recipient's preferences
allow.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, get_args

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.db import affected_rows
from family_budget.errors import BadRequest, NotFound
from family_budget.households.context import HouseholdContext
from family_budget.models import Notification, NotificationPreference
from family_budget.models.base import utcnow
from family_budget.notifications import templates
from family_budget.worker.jobs import enqueue

DELIVER_JOB = "alerts.deliver"
# The jobs table keys are 200 characters; "alert:" comes in front of the caller's key.
MAX_KEY_LENGTH = 190


class AlertKind(StrEnum):
    BILL_REMINDER = "bill_reminder"
    BUDGET_ALERT = "budget_alert"
    ACCOUNT_SYNC_FAILURE = "account_sync_failure"
    SECURITY_ALERT = "security_alert"


Channel = Literal["email", "push", "in_app"]
CHANNELS: tuple[Channel, ...] = get_args(Channel)
# The scope of a channel's global switch in notification_preferences.
ALL_KINDS = "all"

# The template variable that holds each kind's link (the in-app list and Web Push open it).
LINK_VARIABLES: dict[AlertKind, str] = {
    AlertKind.BILL_REMINDER: "bill_url",
    AlertKind.BUDGET_ALERT: "budget_url",
    AlertKind.ACCOUNT_SYNC_FAILURE: "reconnect_url",
    AlertKind.SECURITY_ALERT: "security_url",
}


async def raise_alert(
    session: AsyncSession,
    *,
    kind: AlertKind,
    data: Mapping[str, Any],
    key: str,
    household: HouseholdContext | None,
    user_ids: Collection[uuid.UUID] | None = None,
) -> bool:
    """Raise an alert: it is delivered after the caller's transaction commits, never if it
    rolls back. Returns False when an alert with `key` was raised already (nothing is added).

    - `kind`: which template and topic; the template is named like the kind.
    - `data`: the template's variables (family_budget/notifications/README.md) without
      `recipient_name`, which is filled in per recipient. Money is
      `{"amount_minor": int, "currency": "USD"}`, dates "YYYY-MM-DD", date-times ISO 8601 with
      an offset, links absolute http(s) URLs. Checked here: a missing or mistyped variable
      raises `TemplateError` in the caller, not later in the worker.
    - `key`: idempotency, at most 190 characters. The same key raises nothing the second time,
      and delivery carries it to every consumer (the in-app row, the outbox file name, the SNS
      message) so a retried delivery does not notify twice. Name the occurrence, e.g.
      "bill:{bill_id}:{due_on}", "budget:{category_id}:{month}:90",
      "sync-failure:{connection_id}:{code}:{day}", "security:password:{user_id}:{changed_at}".
    - `household`: the household the alert is about; None for a user's own security alerts.
    - `user_ids`: who is told. Default: the household's owners and adults. Given with a
      household, only those of them still members when the alert is delivered are told.
      Required without a household.

    Recipients, their addresses, names, preferences and devices are read when the alert is
    delivered, not now: a preference switched off in between is honoured.
    """
    if len(key) > MAX_KEY_LENGTH or not key.strip():
        raise ValueError(f"an alert key must have 1 to {MAX_KEY_LENGTH} characters")
    if household is None and not user_ids:
        raise ValueError("an alert without a household needs user_ids")
    templates.check_variables(kind.value, data, supplied_later=frozenset({"recipient_name"}))
    payload: dict[str, Any] = {
        "kind": kind.value,
        "key": key,
        "data": dict(data),
        "household_id": None if household is None else str(household.id),
        "user_ids": None if user_ids is None else sorted(str(u) for u in user_ids),
    }
    return await enqueue(
        session,
        DELIVER_JOB,
        payload,
        key=f"alert:{key}",
        household_id=None if household is None else household.id,
    )


# --- The in-app list ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NotificationPage:
    items: list[Notification]
    next_cursor: str | None
    unread_count: int


def _encode_cursor(row: Notification) -> str:
    raw = f"{row.created_at.isoformat()}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created, row_id = raw.split("|", 1)
        moment = datetime.fromisoformat(created)
        if moment.tzinfo is None:
            raise ValueError("no offset")
        return moment, uuid.UUID(row_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest(
            "The cursor is not one this list gave out", code="invalid_cursor"
        ) from None


async def list_notifications(
    session: AsyncSession, user_id: uuid.UUID, *, limit: int, cursor: str | None
) -> NotificationPage:
    """The user's notifications, newest first, `limit` per page."""
    statement = select(Notification).where(Notification.user_id == user_id)
    if cursor is not None:
        created, row_id = _decode_cursor(cursor)
        statement = statement.where(
            or_(
                Notification.created_at < created,
                and_(Notification.created_at == created, Notification.id < row_id),
            )
        )
    rows = list(
        await session.scalars(
            statement.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(
                limit + 1
            )
        )
    )
    unread = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return NotificationPage(
        items=rows,
        next_cursor=_encode_cursor(rows[-1]) if more and rows else None,
        unread_count=int(unread or 0),
    )


async def mark_read(session: AsyncSession, user_id: uuid.UUID, notification_id: uuid.UUID) -> None:
    """Mark one of the user's notifications read (again: no change); another's is 404."""
    found = await session.scalar(
        select(Notification.id).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )
    if found is None:
        raise NotFound("Notification not found", code="notification_not_found")
    await session.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )


async def mark_all_read(session: AsyncSession, user_id: uuid.UUID) -> int:
    """Mark every unread notification of the user read; returns how many were unread."""
    result = await session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return affected_rows(result)


# --- Preferences -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PreferenceSet:
    """Every switch of one user: global per channel, then per kind and channel (on unless set)."""

    channels: dict[Channel, bool]
    kinds: dict[AlertKind, dict[Channel, bool]]

    @classmethod
    def all_on(cls) -> PreferenceSet:
        return cls(
            channels=dict.fromkeys(CHANNELS, True),
            kinds={kind: dict.fromkeys(CHANNELS, True) for kind in AlertKind},
        )

    def allows(self, kind: AlertKind, channel: Channel) -> bool:
        return self.channels[channel] and self.kinds[kind][channel]


def _apply(preferences: PreferenceSet, row: NotificationPreference) -> None:
    if row.channel not in CHANNELS:
        return
    channel: Channel = row.channel
    if row.scope == ALL_KINDS:
        preferences.channels[channel] = row.enabled
    elif row.scope in AlertKind.__members__.values():
        preferences.kinds[AlertKind(row.scope)][channel] = row.enabled


async def load_preferences(
    session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, PreferenceSet]:
    """The switches of each user (every user gets an entry; unset switches are on)."""
    result = {user_id: PreferenceSet.all_on() for user_id in user_ids}
    if not result:
        return result
    rows = await session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id.in_(list(result)))
    )
    for row in rows:
        _apply(result[row.user_id], row)
    return result


async def replace_preferences(
    session: AsyncSession, user_id: uuid.UUID, preferences: PreferenceSet
) -> None:
    """Store every switch of the user (the whole set replaces the previous one)."""
    await session.execute(
        delete(NotificationPreference)
        .where(NotificationPreference.user_id == user_id)
        .execution_options(synchronize_session=False)
    )
    rows = [
        NotificationPreference(user_id=user_id, scope=ALL_KINDS, channel=channel, enabled=on)
        for channel, on in preferences.channels.items()
    ]
    rows += [
        NotificationPreference(user_id=user_id, scope=kind.value, channel=channel, enabled=on)
        for kind, switches in preferences.kinds.items()
        for channel, on in switches.items()
    ]
    session.add_all(rows)
    await session.flush()
