"""Reading the emails the embedded mode writes to the outbox (family_budget.emails)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

_TOKEN_IN_LINK = re.compile(r"[?&]token=([A-Za-z0-9_\-]+)")


def sent_emails(outbox: Path) -> list[dict[str, Any]]:
    """The outbox's messages, oldest first.

    Ordered by each message's `sent_at` (microseconds), not by file name: names carry whole
    seconds and then a random suffix, so two emails sent within one second would come back in
    random order. `sent_at` is parsed rather than compared as text because isoformat() leaves
    out the microseconds when they are zero."""
    messages = [json.loads(path.read_text()) for path in outbox.glob("*.json")]
    return sorted(messages, key=lambda message: datetime.fromisoformat(message["sent_at"]))


def token_from_email(message: dict[str, Any]) -> str:
    """The token of the single-use link in an email's text."""
    match = _TOKEN_IN_LINK.search(message["text"])
    assert match is not None, message["text"]
    return match.group(1)


def token_from_link(text: str, public_app_url: str) -> str:
    """The token of the one invitation accept link in an email body."""
    prefix = f"{public_app_url}/invitations/accept?token="
    start = text.index(prefix)
    link = text[start:].split()[0].split('"')[0]
    tokens = parse_qs(urlsplit(link).query)["token"]
    assert len(tokens) == 1
    return tokens[0]
