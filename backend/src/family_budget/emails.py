"""One interface for sending email. The embedded default writes each message to data/outbox/."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from family_budget.config import Settings
from family_budget.notifications.email import send_email
from family_budget.notifications.templates import RenderedEmail, render_email

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class EmailMessage:
    to: str
    subject: str
    text: str
    html: str
    template: str


class EmailSender(Protocol):
    async def send(self, message: EmailMessage, *, key: str | None = None) -> None:
        """Deliver `message`. `key` names the message for idempotency: the outbox writes the
        same file again for the same key (a retried job), instead of a second one."""
        ...


def compose_email(template: str, *, to: str, variables: Mapping[str, object]) -> EmailMessage:
    """A message rendered from one of the shared notification templates (by name)."""
    rendered = render_email(template, variables)
    return EmailMessage(
        to=to, subject=rendered.subject, text=rendered.text, html=rendered.html, template=template
    )


class OutboxEmailSender:
    """Development delivery: one JSON file per message, and a log line without the body
    (bodies carry single-use links, which must not reach the logs)."""

    def __init__(self, outbox: Path) -> None:
        self.outbox = outbox

    async def send(self, message: EmailMessage, *, key: str | None = None) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        sent_at = datetime.now(UTC)
        if key is None:
            name = f"{sent_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        else:
            # Keys name users and alerts; the file name shows only a digest of it.
            name = f"key-{hashlib.sha256(key.encode()).hexdigest()[:32]}"
        path = self.outbox / f"{name}.json"
        path.write_text(json.dumps({**asdict(message), "sent_at": sent_at.isoformat()}, indent=2))
        logger.info(
            "email written to outbox",
            extra={"template": message.template, "file": path.name},
        )


class SesEmailSender:
    """Real delivery through Amazon SES with the configuration set (which records deliveries,
    bounces and complaints), using the same sending code as the notification functions."""

    def __init__(self, *, from_address: str, configuration_set: str, client: Any = None) -> None:
        self.from_address = from_address
        self.configuration_set = configuration_set
        self.client = client

    async def send(self, message: EmailMessage, *, key: str | None = None) -> None:
        # SES has no idempotency key: a retried job after a crash between the send and "done"
        # sends again (at-least-once); the key is only logged, as a digest, to spot that.
        rendered = RenderedEmail(subject=message.subject, html=message.html, text=message.text)
        # boto3 is blocking; a thread keeps the event loop serving other requests meanwhile.
        message_id = await asyncio.to_thread(
            send_email,
            rendered,
            to_address=message.to,
            from_address=self.from_address,
            configuration_set=self.configuration_set,
            client=self.client,
        )
        logger.info(
            "email sent", extra={"template": message.template, "ses_message_id": message_id}
        )


def build_email_sender(settings: Settings) -> EmailSender:
    """SES when a configuration set is configured (the deployed environments), else the outbox."""
    if settings.ses_configuration_set:
        return SesEmailSender(
            from_address=settings.email_from_address,
            configuration_set=settings.ses_configuration_set,
        )
    return OutboxEmailSender(settings.outbox_dir)
