"""Password hashing and JWT encoding: the primitives the auth domain builds on."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from family_budget.config import Settings

# argon2-cffi's defaults are Argon2id with the RFC 9106 low-memory profile.
_password_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _password_hasher.check_needs_rehash(password_hash)


# Verifying against this keeps login time the same for unknown emails (no enumeration by timing).
# It is the hash of a random password nobody kept, written out rather than computed at import (an
# Argon2 hash is ~90 ms of every process's start). Its cost parameters must stay those of
# `_password_hasher`, or the verification would take another time: tests/auth/test_passwords.py
# checks that `password_needs_rehash` says no to it.
DUMMY_PASSWORD_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$9LCh7TasNcsRFv4MsVk2yg"  # noqa: S105 - a hash, of no known password
    "$ed2Dj5oqJHrjMVgkoVmSmfRH03hYW2bogmcwnz/weRw"
)


def hash_token(token: str) -> str:
    """Opaque tokens are stored by SHA-256: they are high-entropy, so no salt is needed."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def link_token(settings: Settings, purpose: str, row_id: uuid.UUID) -> str:
    """The token of an emailed link, derived from the row it unlocks (HMAC with the signing key).

    The email is sent by a job whose payload holds only the row's id; deriving the token lets
    the job rebuild the link without a secret in the payload, and a retried job sends the same
    working link instead of a second, different one. Only the hash is stored; without the key,
    an id tells nothing about its token. Rotating JWT_SECRET voids unsent links, like sessions."""
    message = f"family-budget:link-token:v1:{purpose}:{row_id}".encode()
    digest = hmac.new(settings.jwt_key.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"
    # Proof that the password was right, exchanged with a second-step code for a session.
    TWO_FACTOR = "two_factor"


class InvalidToken(Exception):
    """The token is malformed, tampered with, expired or of the wrong type."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: uuid.UUID
    token_type: TokenType
    issued_at: datetime
    expires_at: datetime
    token_id: str
    family_id: uuid.UUID | None = None


REQUIRED_CLAIMS = ["exp", "iat", "sub", "type", "jti"]


def encode_token(
    settings: Settings,
    *,
    user_id: uuid.UUID,
    token_type: TokenType,
    expires_in: timedelta,
    family_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> str:
    issued = now or datetime.now(UTC)
    payload: dict[str, Any] = {
        "sub": str(user_id),
        "type": token_type.value,
        "iat": issued,
        "exp": issued + expires_in,
        "jti": secrets.token_urlsafe(16),
    }
    if family_id is not None:
        payload["fam"] = str(family_id)
    return jwt.encode(payload, settings.jwt_key, algorithm=settings.jwt_algorithm)


def decode_token(settings: Settings, token: str, *, expected_type: TokenType) -> TokenClaims:
    return _decode(settings.jwt_key, settings.jwt_algorithm, token, expected_type)


def _decode(key: str, algorithm: str, token: str, expected_type: TokenType) -> TokenClaims:
    try:
        payload = jwt.decode(
            token,
            key,
            # Pinned: the header's "alg" is never trusted, which rules out "none" and key confusion.
            algorithms=[algorithm],
            options={"require": REQUIRED_CLAIMS},
        )
        token_type = TokenType(payload["type"])
        user_id = uuid.UUID(payload["sub"])
        family = uuid.UUID(payload["fam"]) if "fam" in payload else None
    except (jwt.PyJWTError, ValueError, KeyError, TypeError) as exc:
        raise InvalidToken(str(exc)) from exc
    if token_type is not expected_type:
        raise InvalidToken(f"expected a {expected_type.value} token")
    return TokenClaims(
        user_id=user_id,
        token_type=token_type,
        issued_at=datetime.fromtimestamp(payload["iat"], UTC),
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),
        token_id=str(payload["jti"]),
        family_id=family,
    )


# A client sends the same access token with every request for its lifetime; checking its
# signature and parsing it again each time was a measurable share of a request. What a token
# says never changes, so the verified claims of recent tokens are kept (refused tokens are not:
# an exception is never cached); only expiry, which depends on the clock, is checked each time.
_verified_access_claims = functools.lru_cache(maxsize=4096)(_decode)


def decode_access_token(settings: Settings, token: str) -> TokenClaims:
    """The claims of a valid, unexpired access token (InvalidToken otherwise)."""
    claims = _verified_access_claims(
        settings.jwt_key, settings.jwt_algorithm, token, TokenType.ACCESS
    )
    if claims.expires_at <= datetime.now(UTC):
        raise InvalidToken("Signature has expired")
    return claims


def create_access_token(settings: Settings, user_id: uuid.UUID) -> str:
    return encode_token(
        settings,
        user_id=user_id,
        token_type=TokenType.ACCESS,
        expires_in=timedelta(minutes=settings.access_token_expire_minutes),
    )
