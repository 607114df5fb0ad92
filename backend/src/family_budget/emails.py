"""One interface for sending email. The embedded default writes each message to data/outbox/."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from family_budget.config import Settings
from family_budget.notifications.templates import render_email

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str
    template: str


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


def compose_email(template: str, *, to: str, variables: Mapping[str, object]) -> EmailMessage:
    """A message rendered from one of the shared notification templates (by name)."""
    rendered = render_email(template, variables)
    return EmailMessage(
        to=to, subject=rendered.subject, text=rendered.text, html=rendered.html, template=template
    )


async def send_after_response(sender: EmailSender, message: EmailMessage) -> None:
    """Deliver a message from a background task: by then the request's data is committed and the
    answer is sent, so a failure can only be logged (without the body, which holds links)."""
    try:
        await sender.send(message)
    except Exception:
        logger.exception("email delivery failed", extra={"template": message.template})


class OutboxEmailSender:
    """Development delivery: one JSON file per message, and a log line without the body
    (bodies carry single-use links, which must not reach the logs)."""

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    async def send(self, message: EmailMessage) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        sent_at = datetime.now(UTC)
        path = self.outbox / f"{sent_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.json"
        path.write_text(json.dumps({**asdict(message), "sent_at": sent_at.isoformat()}, indent=2))
        logger.info(
            "email written to outbox",
            extra={"template": message.template, "file": path.name},
        )


def build_email_sender(settings: Settings) -> EmailSender:
    return OutboxEmailSender(settings.outbox_dir)
