"""Web Push (RFC 8030) with VAPID (RFC 8292) through pywebpush: push for a family without a
mobile app. The payload is encrypted for the browser (aes128gcm, RFC 8291); the push service
only sees who sent it (the VAPID JWT) and an opaque body.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization

from family_budget.config import Settings

if TYPE_CHECKING:
    from py_vapid import Vapid

logger = logging.getLogger(__name__)

# How long a push service keeps an undelivered message (a laptop asleep over a weekend).
TTL_SECONDS = 3 * 24 * 3600
# A push service answers these for a subscription that is gone (the user revoked permission or
# cleared the site's data): the device is dropped.
GONE_STATUSES = frozenset({404, 410})
REQUEST_TIMEOUT_SECONDS = 10


class InvalidSubscription(ValueError):
    """A Web Push subscription this API will not send to."""


@dataclass(frozen=True, slots=True)
class WebSubscription:
    endpoint: str
    p256dh: str
    auth: str

    def as_pywebpush(self) -> dict[str, Any]:
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def _b64url_decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def check_subscription(settings: Settings, subscription: WebSubscription) -> None:
    """Refuse what is not a browser's subscription. The worker POSTs to the endpoint, so outside
    development it must be an https URL on a public host name: never an address inside the
    network (an endpoint is a URL of the user's choosing)."""
    parts = urlsplit(subscription.endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InvalidSubscription("The endpoint must be an https URL")
    if settings.environment.value != "development":
        if parts.scheme != "https":
            raise InvalidSubscription("The endpoint must be an https URL")
        host = parts.hostname
        try:
            ipaddress.ip_address(host)
        except ValueError:
            pass
        else:
            raise InvalidSubscription("The endpoint must name a push service, not an address")
        if host == "localhost" or host.endswith((".localhost", ".internal", ".local")):
            raise InvalidSubscription("The endpoint must name a public push service")
    try:
        p256dh = _b64url_decode(subscription.p256dh)
        auth = _b64url_decode(subscription.auth)
    except (ValueError, TypeError):
        raise InvalidSubscription("The keys must be base64url") from None
    # An uncompressed P-256 point and a 16-byte secret (RFC 8291).
    if len(p256dh) != 65 or p256dh[0] != 4 or len(auth) != 16:
        raise InvalidSubscription("The keys are not a browser's P-256 key and 16-byte secret")


def vapid(settings: Settings) -> Vapid:
    # py_vapid and pywebpush (which brings aiohttp and requests: ~170 ms and several MB) are
    # imported on first use: the API needs py_vapid only to serve the public key, and pushes are
    # sent by the job worker.
    from py_vapid import Vapid

    return Vapid.from_pem(settings.vapid_key.encode())


def public_key(settings: Settings) -> str:
    """The application server key browsers subscribe with (base64url, uncompressed point)."""
    point = vapid(settings).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(point).decode("ascii").rstrip("=")


class SubscriptionGone(Exception):
    """The push service says the subscription no longer exists."""


def _send(settings: Settings, subscription: WebSubscription, body: str) -> None:
    from pywebpush import WebPushException, webpush

    try:
        webpush(
            subscription.as_pywebpush(),
            data=body,
            vapid_private_key=vapid(settings),
            vapid_claims={"sub": settings.vapid_subject},
            ttl=TTL_SECONDS,
            timeout=REQUEST_TIMEOUT_SECONDS,
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in GONE_STATUSES:
            raise SubscriptionGone() from None
        # The message names the status only: the endpoint URL is a capability.
        raise RuntimeError(f"web push failed with status {status}") from None


async def send(
    settings: Settings, subscription: WebSubscription, message: Mapping[str, Any]
) -> None:
    """Encrypt `message` (JSON) for the browser and post it; raises SubscriptionGone."""
    body = json.dumps(dict(message), ensure_ascii=False)
    await asyncio.to_thread(_send, settings, subscription, body)
