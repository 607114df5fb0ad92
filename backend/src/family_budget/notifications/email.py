"""Sending a rendered email through Amazon SES (API v2) with a configuration set."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from typing import Any

from family_budget.notifications import aws
from family_budget.notifications.templates import RenderedEmail


def build_message(
    rendered: RenderedEmail, *, from_address: str, to_address: str, to_name: str = ""
) -> EmailMessage:
    """A multipart/alternative message with the plain-text and HTML parts of `rendered`."""
    message = EmailMessage()
    message["Subject"] = rendered.subject
    message["From"] = from_address
    message["To"] = Address(display_name=to_name, addr_spec=to_address)
    _, sender = parseaddr(from_address)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def send_email(
    rendered: RenderedEmail,
    *,
    to_address: str,
    to_name: str = "",
    from_address: str,
    configuration_set: str | None,
    client: Any = None,
) -> str:
    """Send through SES v2 and return the SES message id.

    `client` is an SES v2 boto3 client; one is created from the environment when omitted.
    The configuration set is what records deliveries, bounces and complaints, so production
    callers always pass one.
    """
    message = build_message(
        rendered, from_address=from_address, to_address=to_address, to_name=to_name
    )
    ses = client if client is not None else aws.client("sesv2")
    request: dict[str, Any] = {
        "FromEmailAddress": from_address,
        "Destination": {"ToAddresses": [to_address]},
        "Content": {"Raw": {"Data": message.as_bytes()}},
    }
    if configuration_set:
        request["ConfigurationSetName"] = configuration_set
    response = ses.send_email(**request)
    return str(response["MessageId"])
