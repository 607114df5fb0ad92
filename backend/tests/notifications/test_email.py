"""Sending through SES v2, against moto in server mode."""

from __future__ import annotations

import email
import json
from email.message import Message
from email.policy import default
from typing import Any

import pytest

from family_budget.notifications import aws
from family_budget.notifications.email import send_email
from family_budget.notifications.templates import render_email

from .conftest import BILL_DATA, CONFIGURATION_SET, SENDER, moto_state


def sent_raw_messages(endpoint: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = moto_state(endpoint)["ses"]["RawMessage"]
    return messages


def parse_mime(raw: str) -> Message:
    return email.message_from_string(raw, policy=default)


def parts(message: Message) -> dict[str, str]:
    return {
        part.get_content_type(): part.get_payload(decode=True).decode()  # type: ignore[union-attr]
        for part in message.walk()
        if not part.is_multipart()
    }


class TestSendEmail:
    def test_sends_text_and_html_with_configuration_set(
        self, sesv2: Any, moto_endpoint: str
    ) -> None:
        requests: list[dict[str, Any]] = []
        sesv2.meta.events.register(
            "before-call.sesv2.SendEmail", lambda params, **_: requests.append(params)
        )
        rendered = render_email(
            "bill_reminder", {**BILL_DATA, "recipient_name": "Alex <b>Parker</b>"}
        )

        message_id = send_email(
            rendered,
            to_address="alex@example.com",
            to_name="Alex Parker",
            from_address=SENDER,
            configuration_set=CONFIGURATION_SET,
            client=sesv2,
        )

        (stored,) = sent_raw_messages(moto_endpoint)
        assert stored["id"] == message_id
        assert stored["destinations"] == ["alex@example.com", "Alex Parker <alex@example.com>"]
        mime = parse_mime(stored["raw_data"])
        assert mime["Subject"] == "Electricity is due on March 5, 2025"
        assert mime["From"] == SENDER
        assert mime["To"] == "Alex Parker <alex@example.com>"
        assert mime.get_content_type() == "multipart/alternative"
        bodies = parts(mime)
        assert bodies["text/plain"] == rendered.text
        assert bodies["text/html"] == rendered.html
        assert "Alex &lt;b&gt;Parker&lt;/b&gt;" in bodies["text/html"]
        (request,) = requests
        wire_body = json.loads(request["body"])  # what went over the wire
        assert wire_body["ConfigurationSetName"] == CONFIGURATION_SET
        assert wire_body["FromEmailAddress"] == SENDER

    def test_unverified_sender_is_refused(self, sesv2: Any, moto_endpoint: str) -> None:
        rendered = render_email("bill_reminder", {**BILL_DATA, "recipient_name": "Alex"})
        with pytest.raises(Exception) as raised:  # noqa: PT011 - the type is botocore's ClientError
            send_email(
                rendered,
                to_address="alex@example.com",
                from_address="someone@unverified.test",
                configuration_set=CONFIGURATION_SET,
                client=sesv2,
            )
        assert aws.error_code(raised.value) == "MessageRejected"
        assert sent_raw_messages(moto_endpoint) == []
