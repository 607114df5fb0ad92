"""Plaid webhooks: verifying the `Plaid-Verification` header, and reading the body into events.

Verification follows Plaid's steps exactly (anything else is refused):

1. The header is a compact JWT whose header says ``alg: ES256``; ``none``, HS256 (the classic
   trick of "verifying" with the public key as an HMAC secret) and everything else are refused
   before any key is looked at.
2. Its ``kid`` names a key served by /webhook_verification_key/get. Keys are cached by kid; an
   unknown kid refreshes the cached keys that have not expired (so an expiry is noticed), then
   fetches the new one. A key with ``expired_at`` set is refused.
3. The ES256 signature must verify with that key.
4. ``iat`` must be within 5 minutes of now (the clock is injectable for tests).
5. SHA-256 (hex) of the RAW body bytes must equal the ``request_body_sha256`` claim, compared in
   constant time. The raw bytes matter: Plaid sends pretty-printed JSON, and parsing and
   re-serializing changes the bytes and so the hash.

Only after that is the body parsed into one of the typed events below.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final, Literal

import jwt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

VERIFICATION_HEADER: Final = "Plaid-Verification"
MAX_WEBHOOK_AGE: Final = timedelta(minutes=5)
_ALGORITHM: Final = "ES256"

KeyFetcher = Callable[[str], Mapping[str, Any]]
Clock = Callable[[], datetime]


class WebhookVerificationError(Exception):
    """The webhook is not provably from Plaid; answer 401 (or 400) and do nothing else."""


class WebhookPayloadError(ValueError):
    """A verified webhook whose body is not the JSON its type promises."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class WebhookVerifier:
    """Verifies `Plaid-Verification` headers; thread-safe, meant to live as long as the app.

    `fetch_key(kid)` returns the JWK for a key id (`PlaidClient.get_webhook_verification_key`),
    raising when Plaid knows no such key.
    """

    def __init__(
        self,
        fetch_key: KeyFetcher,
        *,
        clock: Clock = _utcnow,
        max_age: timedelta = MAX_WEBHOOK_AGE,
    ) -> None:
        self._fetch_key = fetch_key
        self._clock = clock
        self._max_age = max_age
        self._keys: dict[str, Mapping[str, Any]] = {}
        self._lock = threading.Lock()

    def verify(self, header_value: str | None, raw_body: bytes) -> None:
        """Raises WebhookVerificationError unless Plaid signed exactly these body bytes."""
        if not header_value:
            raise WebhookVerificationError(f"missing {VERIFICATION_HEADER} header")
        try:
            header = jwt.get_unverified_header(header_value)
        except jwt.PyJWTError:
            raise WebhookVerificationError("verification header is not a JWT") from None
        if header.get("alg") != _ALGORITHM:
            raise WebhookVerificationError(f"algorithm must be {_ALGORITHM}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise WebhookVerificationError("verification header names no key (kid)")

        jwk = self._key(kid)
        if jwk.get("expired_at") is not None:
            raise WebhookVerificationError("the signing key has expired")
        try:
            key = jwt.PyJWK(dict(jwk), algorithm=_ALGORITHM)
            claims = jwt.decode(
                header_value,
                key=key,
                algorithms=[_ALGORITHM],
                # Plaid's claims are only iat and request_body_sha256; iat is checked below
                # against the injectable clock rather than PyJWT's own.
                options={"verify_exp": False, "verify_iat": False, "require": ["iat"]},
            )
        except jwt.PyJWTError as exc:
            raise WebhookVerificationError(f"signature invalid: {type(exc).__name__}") from None

        issued_at = claims.get("iat")
        if not isinstance(issued_at, int | float) or isinstance(issued_at, bool):
            raise WebhookVerificationError("iat is not a timestamp")
        age = self._clock() - datetime.fromtimestamp(issued_at, UTC)
        if abs(age) > self._max_age:
            raise WebhookVerificationError("webhook is older than 5 minutes (or from the future)")

        claimed = claims.get("request_body_sha256")
        if not isinstance(claimed, str):
            raise WebhookVerificationError("request_body_sha256 claim missing")
        actual = hashlib.sha256(raw_body).hexdigest()
        if not hmac.compare_digest(actual.encode(), claimed.lower().encode()):
            raise WebhookVerificationError("body does not match the signed hash")

    def _key(self, kid: str) -> Mapping[str, Any]:
        with self._lock:
            cached = self._keys.get(kid)
            if cached is not None:
                return cached
            # A new kid may mean Plaid rotated: refresh the live keys we hold so an expiry is
            # seen, then fetch the new one.
            for live_kid in [k for k, jwk in self._keys.items() if jwk.get("expired_at") is None]:
                try:
                    self._keys[live_kid] = self._fetch_key(live_kid)
                except Exception:  # noqa: S112 - a refresh failure keeps the cached copy
                    continue
            try:
                jwk = self._fetch_key(kid)
            except Exception as exc:
                raise WebhookVerificationError(
                    f"no verification key for kid ({type(exc).__name__})"
                ) from None
            if jwk.get("kid") not in (None, kid) or jwk.get("alg", _ALGORITHM) != _ALGORITHM:
                raise WebhookVerificationError("verification key does not match the kid")
            self._keys[kid] = jwk
            return jwk


# ---------------------------------------------------------------------------------------------
# Typed events


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    item_id: str
    environment: str | None = None


class SyncUpdatesAvailable(_Event):
    """New, changed or removed transactions: call /transactions/sync from the stored cursor."""

    kind: Literal["sync_updates_available"] = "sync_updates_available"
    initial_update_complete: bool = False
    historical_update_complete: bool = False


class WebhookError(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    error_type: str
    error_code: str
    display_message: str | None = None
    status: int | None = None


class ItemError(_Event):
    """The item is in error; with ITEM_LOGIN_REQUIRED the user must go through update mode."""

    kind: Literal["item_error"] = "item_error"
    error: WebhookError

    @property
    def error_code(self) -> str:
        return self.error.error_code


class PendingExpiration(_Event):
    """Consent ends at `consent_expiration_time`: prompt update mode before then."""

    kind: Literal["pending_expiration"] = "pending_expiration"
    consent_expiration_time: datetime


class PendingDisconnect(_Event):
    kind: Literal["pending_disconnect"] = "pending_disconnect"
    reason: str | None = None
    disconnect_time: datetime | None = None


class LoginRepaired(_Event):
    """The login works again (the user repaired it, possibly in another app)."""

    kind: Literal["login_repaired"] = "login_repaired"


class UserPermissionRevoked(_Event):
    """The account holder revoked access at the bank; the item is dead."""

    kind: Literal["user_permission_revoked"] = "user_permission_revoked"
    error: WebhookError | None = None


class NewAccountsAvailable(_Event):
    kind: Literal["new_accounts_available"] = "new_accounts_available"


class IgnoredWebhook(BaseModel):
    """A webhook we do not act on (legacy transaction webhooks, other products)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["ignored"] = "ignored"
    webhook_type: str
    webhook_code: str
    item_id: str | None = None


WebhookEvent = Annotated[
    SyncUpdatesAvailable
    | ItemError
    | PendingExpiration
    | PendingDisconnect
    | LoginRepaired
    | UserPermissionRevoked
    | NewAccountsAvailable
    | IgnoredWebhook,
    Field(discriminator="kind"),
]

_EVENT_TYPES: Final[dict[tuple[str, str], type[_Event]]] = {
    ("TRANSACTIONS", "SYNC_UPDATES_AVAILABLE"): SyncUpdatesAvailable,
    ("ITEM", "ERROR"): ItemError,
    ("ITEM", "PENDING_EXPIRATION"): PendingExpiration,
    ("ITEM", "PENDING_DISCONNECT"): PendingDisconnect,
    ("ITEM", "LOGIN_REPAIRED"): LoginRepaired,
    ("ITEM", "USER_PERMISSION_REVOKED"): UserPermissionRevoked,
    ("ITEM", "NEW_ACCOUNTS_AVAILABLE"): NewAccountsAvailable,
}


def parse_webhook(raw_body: bytes) -> WebhookEvent:
    """The event a (verified) webhook body describes; raises WebhookPayloadError if malformed."""
    try:
        body = json.loads(raw_body)
    except ValueError:
        raise WebhookPayloadError("webhook body is not JSON") from None
    if not isinstance(body, dict):
        raise WebhookPayloadError("webhook body is not a JSON object")
    webhook_type, webhook_code = body.get("webhook_type"), body.get("webhook_code")
    if not isinstance(webhook_type, str) or not isinstance(webhook_code, str):
        raise WebhookPayloadError("webhook_type and webhook_code are required")
    event_type = _EVENT_TYPES.get((webhook_type, webhook_code))
    try:
        if event_type is None:
            item_id = body.get("item_id")
            return IgnoredWebhook(
                webhook_type=webhook_type,
                webhook_code=webhook_code,
                item_id=item_id if isinstance(item_id, str) else None,
            )
        fields = {key: value for key, value in body.items() if key != "kind"}
        event: WebhookEvent = event_type.model_validate(fields)  # type: ignore[assignment]
        return event
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise WebhookPayloadError(f"{webhook_type}/{webhook_code}: {problems}") from None
