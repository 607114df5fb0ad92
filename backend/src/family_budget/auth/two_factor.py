"""Two-step sign-in with an authenticator app (TOTP, RFC 6238) and recovery codes.

- Turning it on is two steps: `begin_setup` makes a secret (shown once as a QR code and as text,
  kept encrypted as "pending"), `enable` takes a code the app shows for it — proof the app holds
  the secret — and only then switches two-step sign-in on and hands out ten recovery codes.
- At sign-in, a right password no longer starts a session by itself: the user gets a short-lived
  challenge token (`issue_challenge`) to exchange, with a code, for a session
  (auth.service.complete_two_factor_sign_in). A browser the user chose to remember skips the
  second step for REMEMBER_DEVICE.
- Each code works once: the time step of the last accepted code is stored, and only later steps
  are accepted (one step of clock drift either way); recovery codes are stored hashed and marked
  used by a conditional UPDATE, so two requests cannot both spend one.
- Secrets are encrypted at rest with the key that protects bank access tokens (AES-256-GCM,
  bank_connections.token_crypto), bound to the user's id.
"""

from __future__ import annotations

import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.bank_connections.token_crypto import TokenCipher
from family_budget.config import Settings
from family_budget.db import affected_rows
from family_budget.errors import Conflict, Unauthorized, Unprocessable
from family_budget.models import RecoveryCode, SignInDevice, User
from family_budget.security import (
    InvalidToken,
    TokenClaims,
    TokenType,
    decode_token,
    encode_token,
    hash_token,
)

ISSUER = "Family Budget"
RECOVERY_CODES = 10
REMEMBER_DEVICE = timedelta(days=30)
CHALLENGE_LIFETIME = timedelta(minutes=5)
# Recovery codes: 10 characters of an alphabet without look-alikes (50 bits), shown as xxxxx-xxxxx.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_TOTP_CODE = re.compile(r"\d{6}")


def _secret_context(user_id: uuid.UUID) -> str:
    return f"totp-secret:{user_id}"


def _normalize_recovery_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def accepted_step(secret: str, code: str, *, after_step: int | None, now: datetime) -> int | None:
    """The time step `code` is right for — the current one or one either side — if later than
    `after_step` (a code already used, or an earlier one, never works again)."""
    code = re.sub(r"\s", "", code)
    if not _TOTP_CODE.fullmatch(code):
        return None
    import pyotp  # only two-step sign-ins need it; keeps it out of the server's start

    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if after_step is not None and step <= after_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@dataclass(frozen=True, slots=True)
class Setup:
    secret: str
    otpauth_uri: str
    qr_code_svg_data_uri: str


def begin_setup(cipher: TokenCipher, user: User) -> Setup:
    """A new secret, kept pending until `enable` sees a code made from it. Replaces any pending
    one; two-step sign-in, if on, stays on with its current secret until then."""
    import pyotp
    import segno  # only needed here; keeps it out of the server's start

    secret = pyotp.random_base32()
    user.totp_pending_secret_encrypted = cipher.encrypt(secret, context=_secret_context(user.id))
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return Setup(secret=secret, otpauth_uri=uri, qr_code_svg_data_uri=qr)


async def _replace_recovery_codes(session: AsyncSession, user: User, now: datetime) -> list[str]:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(
        RecoveryCode(
            user_id=user.id,
            code_hash=hash_token(_normalize_recovery_code(code)),
            created_at=now,
        )
        for code in codes
    )
    await session.flush()
    return codes


def _invalid_code() -> Unprocessable:
    return Unprocessable(
        "That code is not right; enter the 6 digits your authenticator app shows now",
        code="invalid_two_factor_code",
    )


async def enable(
    session: AsyncSession, cipher: TokenCipher, user: User, code: str, now: datetime
) -> list[str]:
    """Switch two-step sign-in on with the pending secret; returns the new recovery codes."""
    pending = user.totp_pending_secret_encrypted
    if pending is None:
        raise Conflict("Start the setup first", code="two_factor_setup_not_started")
    secret = cipher.decrypt(pending, context=_secret_context(user.id))
    step = accepted_step(secret, code, after_step=None, now=now)
    if step is None:
        raise _invalid_code()
    user.totp_secret_encrypted = pending
    user.totp_pending_secret_encrypted = None
    user.totp_enabled_at = now
    user.totp_last_step = step
    return await _replace_recovery_codes(session, user, now)


async def disable(session: AsyncSession, user: User) -> None:
    """Switch two-step sign-in off: the secret, the recovery codes and remembered browsers go."""
    user.totp_secret_encrypted = None
    user.totp_pending_secret_encrypted = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    await session.execute(
        update(SignInDevice)
        .where(SignInDevice.user_id == user.id)
        .values(two_factor_until=None)
        .execution_options(synchronize_session=False)
    )
    await session.flush()


async def regenerate_recovery_codes(session: AsyncSession, user: User, now: datetime) -> list[str]:
    if user.totp_enabled_at is None:
        raise Conflict("Two-step sign-in is off", code="two_factor_not_enabled")
    return await _replace_recovery_codes(session, user, now)


async def recovery_codes_left(session: AsyncSession, user: User) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    return int(count or 0)


# --- Signing in ----------------------------------------------------------------------------------


def issue_challenge(settings: Settings, user: User, now: datetime) -> str:
    return encode_token(
        settings,
        user_id=user.id,
        token_type=TokenType.TWO_FACTOR,
        expires_in=CHALLENGE_LIFETIME,
        now=now,
    )


def invalid_challenge() -> Unauthorized:
    return Unauthorized(
        "This sign-in took too long or is not valid; enter your password again",
        code="invalid_two_factor_challenge",
    )


def read_challenge(settings: Settings, token: str) -> TokenClaims:
    try:
        return decode_token(settings, token, expected_type=TokenType.TWO_FACTOR)
    except InvalidToken:
        raise invalid_challenge() from None


async def device_remembered(
    session: AsyncSession, user: User, device: str | None, now: datetime
) -> bool:
    if device is None:
        return False
    found = await session.scalar(
        select(SignInDevice.id).where(
            SignInDevice.user_id == user.id,
            SignInDevice.device_hash == hash_token(device),
            SignInDevice.two_factor_until > now,
        )
    )
    return found is not None


async def remember_device(
    session: AsyncSession, user: User, device_hash: str, now: datetime
) -> None:
    await session.execute(
        update(SignInDevice)
        .where(SignInDevice.user_id == user.id, SignInDevice.device_hash == device_hash)
        .values(two_factor_until=now + REMEMBER_DEVICE)
        .execution_options(synchronize_session=False)
    )


async def spend_code(
    session: AsyncSession, cipher: TokenCipher, user: User, code: str, now: datetime
) -> None:
    """Accept an authenticator code once, or raise."""
    if user.totp_secret_encrypted is None:
        raise _invalid_code()
    secret = cipher.decrypt(user.totp_secret_encrypted, context=_secret_context(user.id))
    step = accepted_step(secret, code, after_step=user.totp_last_step, now=now)
    if step is None:
        raise _invalid_code()
    # Conditional: of two requests with one code, one moves the step on and the other fails.
    result = await session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(result) != 1:
        raise _invalid_code()


async def spend_recovery_code(session: AsyncSession, user: User, code: str, now: datetime) -> None:
    """Accept a recovery code once, or raise."""
    result = await session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == hash_token(_normalize_recovery_code(code)),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(result) != 1:
        raise Unprocessable(
            "That recovery code is not right or was used already",
            code="invalid_recovery_code",
        )
