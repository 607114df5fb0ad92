"""The API's production email sender: SES v2 with the configuration set, via moto's server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from family_budget.config import Settings
from family_budget.emails import (
    OutboxEmailSender,
    SesEmailSender,
    build_email_sender,
    compose_email,
)

from .conftest import CONFIGURATION_SET, SENDER
from .test_email import parse_mime, parts, sent_raw_messages


async def test_sends_the_composed_message_through_ses(sesv2: Any, moto_endpoint: str) -> None:
    message = compose_email(
        "password_reset",
        to="alex@example.com",
        variables={
            "recipient_name": "Alex",
            "reset_url": "https://app.example.com/reset-password?token=abc",
            "expires_in_minutes": 60,
        },
    )
    sender = SesEmailSender(from_address=SENDER, configuration_set=CONFIGURATION_SET, client=sesv2)

    await sender.send(message)

    (stored,) = sent_raw_messages(moto_endpoint)
    mime = parse_mime(stored["raw_data"])
    assert mime["Subject"] == message.subject
    assert mime["To"] == "alex@example.com"
    assert parts(mime)["text/plain"] == message.text


def test_ses_is_chosen_when_a_configuration_set_is_configured(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, ses_configuration_set="production-family-budget")
    sender = build_email_sender(settings)
    assert isinstance(sender, SesEmailSender)
    assert sender.configuration_set == "production-family-budget"


def test_outbox_is_the_embedded_default(tmp_path: Path) -> None:
    assert isinstance(build_email_sender(Settings(data_dir=tmp_path)), OutboxEmailSender)
