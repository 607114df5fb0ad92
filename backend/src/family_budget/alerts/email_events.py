"""SES bounces and complaints: the addresses email must no longer be sent to.

SES publishes its sending events to the NotificationStack's email-events topic, which delivers
them into an SQS queue (SES_EVENTS_QUEUE_URL) with raw message delivery: each body is the SES
event JSON. A body wrapped in an SNS envelope (raw delivery off) is unwrapped too.

A permanent bounce or a complaint marks the user's address undeliverable (the date and
"bounce" or "complaint"): delivery then skips email to it, and the app asks the user for a new
address. Transient bounces (a full mailbox) and other events change nothing. Messages are
deleted from the queue after the marks are committed, so a crash in between only marks again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.db import affected_rows, unit_of_work
from family_budget.models import User
from family_budget.notifications import aws

logger = logging.getLogger(__name__)

BATCH = 10  # SQS's most per ReceiveMessage
MAX_BATCHES_PER_RUN = 50


@dataclass(frozen=True, slots=True)
class Undeliverable:
    address: str
    reason: str  # "bounce" or "complaint"


def parse_event(body: str) -> list[Undeliverable]:
    """The addresses a queue message says are undeliverable (none for any other event)."""
    try:
        event: Any = json.loads(body)
        if isinstance(event, Mapping) and event.get("Type") == "Notification":
            event = json.loads(str(event.get("Message", "")))
    except json.JSONDecodeError:
        return []
    if not isinstance(event, Mapping):
        return []
    kind = event.get("eventType") or event.get("notificationType")
    if kind == "Bounce":
        bounce = event.get("bounce")
        if not isinstance(bounce, Mapping) or bounce.get("bounceType") != "Permanent":
            return []
        return _addresses(bounce.get("bouncedRecipients"), "bounce")
    if kind == "Complaint":
        complaint = event.get("complaint")
        if not isinstance(complaint, Mapping):
            return []
        return _addresses(complaint.get("complainedRecipients"), "complaint")
    return []


def _addresses(recipients: object, reason: str) -> list[Undeliverable]:
    if not isinstance(recipients, list):
        return []
    found = []
    for entry in recipients:
        address = entry.get("emailAddress") if isinstance(entry, Mapping) else None
        if isinstance(address, str) and "@" in address:
            found.append(Undeliverable(address.strip().lower(), reason))
    return found


async def mark_undeliverable(
    session: AsyncSession, marks: list[Undeliverable], now: datetime
) -> int:
    """Mark each address's user (a complaint outranks an earlier bounce); returns users marked."""
    marked = 0
    for mark in marks:
        result = await session.execute(
            update(User)
            .where(func.lower(User.email) == mark.address)
            .values(email_undeliverable_at=now, email_undeliverable_reason=mark.reason)
            .execution_options(synchronize_session=False)
        )
        marked += affected_rows(result)
    return marked


def _receive(client: Any, queue_url: str) -> list[dict[str, Any]]:
    response = client.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=BATCH, WaitTimeSeconds=0
    )
    return list(response.get("Messages", []))


def _delete(client: Any, queue_url: str, messages: list[dict[str, Any]]) -> None:
    client.delete_message_batch(
        QueueUrl=queue_url,
        Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
        ],
    )


async def consume(
    settings: Settings, factory: async_sessionmaker[AsyncSession], now: datetime
) -> int:
    """Read the queue until it is empty (or MAX_BATCHES_PER_RUN); returns the users marked."""
    queue_url = settings.ses_events_queue_url
    if not queue_url:
        return 0
    client = aws.client("sqs", region_name=settings.aws_region)
    marked = 0
    for _ in range(MAX_BATCHES_PER_RUN):
        messages = await asyncio.to_thread(_receive, client, queue_url)
        if not messages:
            break
        marks = [mark for m in messages for mark in parse_event(str(m.get("Body", "")))]
        async with unit_of_work(factory) as session:
            marked += await mark_undeliverable(session, marks, now)
        await asyncio.to_thread(_delete, client, queue_url, messages)
    if marked:
        logger.info("email addresses marked undeliverable", extra={"users": marked})
    return marked
