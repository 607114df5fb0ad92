"""Authentication rules: accounts, credentials, refresh-token rotation and the one-time email tokens
(verification, password reset)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.alerts.service import AlertKind, raise_alert
from family_budget.auth import sessions, two_factor
from family_budget.auth.devices import SignInDeviceCheck, check_device
from family_budget.auth.passwords import WeakPasswordError, check_password
from family_budget.auth.refresh_store import ConsumeOutcome, RefreshRecord, RefreshTokenStore
from family_budget.bank_connections.token_crypto import TokenCipher
from family_budget.config import Settings
from family_budget.db import unit_of_work
from family_budget.emails import EmailMessage, compose_email
from family_budget.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    Unauthorized,
    Unprocessable,
    is_dependency_failure,
)
from family_budget.households.service import create_household
from family_budget.models import OneTimeToken, TokenPurpose, User
from family_budget.observability.activity import record_activity
from family_budget.security import (
    DUMMY_PASSWORD_HASH,
    InvalidToken,
    TokenClaims,
    TokenType,
    decode_token,
    encode_token,
    hash_password,
    hash_token,
    link_token,
    password_needs_rehash,
    verify_password,
)
from family_budget.worker.jobs import enqueue

VERIFICATION_TOKEN_LIFETIME = timedelta(hours=48)
RESET_TOKEN_LIFETIME = timedelta(hours=1)

# Jobs that send the account emails (family_budget.auth.tasks); payloads hold row ids only.
VERIFICATION_EMAIL_JOB = "auth.send_verification_email"
PASSWORD_RESET_EMAIL_JOB = "auth.send_password_reset"  # noqa: S105 (a job name)
PASSWORD_RESET_REQUEST_JOB = "auth.password_reset_requested"  # noqa: S105 (a job name)
EMAIL_CHANGED_NOTICE_JOB = "auth.send_email_changed_notice"

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    access_expires_in: int
    issued_at: datetime
    session_expires_at: datetime

    @property
    def session_max_age(self) -> int:
        """Seconds the session (the refresh-token family) has left: the refresh cookie's Max-Age."""
        return max(0, int((self.session_expires_at - self.issued_at).total_seconds()))


def _invalid_credentials() -> Unauthorized:
    return Unauthorized("The email or password is incorrect", code="invalid_credentials")


def _invalid_refresh_token() -> Unauthorized:
    return Unauthorized(
        "The refresh token is invalid, expired or revoked; log in again",
        code="invalid_refresh_token",
    )


def _enforce_policy(password: str, *, email: str, name: str) -> None:
    try:
        check_password(password, email=email, name=name)
    except WeakPasswordError as exc:
        raise Unprocessable(str(exc), code="weak_password") from None


# Argon2 takes tens of milliseconds of CPU; in a thread (argon2-cffi releases the GIL) the event
# loop keeps serving other requests meanwhile.
async def _hash(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def _verify(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()


async def create_account(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    name: str,
    household_name: str | None,
    currency: str,
    create_first_household: bool = True,
    verified_at: datetime | None = None,
) -> User:
    """A user and, unless told not to, their first household (which they own). `email` must be
    normalized."""
    _enforce_policy(password, email=email, name=name)
    # Hashed before the look-up, so a taken address costs the same time as a free one.
    password_hash = await _hash(password)
    if await find_user_by_email(session, email) is not None:
        raise Conflict("An account with this email address already exists", code="email_taken")
    user = User(email=email, name=name, password_hash=password_hash, email_verified_at=verified_at)
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:  # registered concurrently, between the look-up and the insert
        raise Conflict(
            "An account with this email address already exists", code="email_taken"
        ) from None
    if create_first_household:
        await create_household(
            session, owner=user, name=household_name or f"{name}'s household", currency=currency
        )
    return user


async def register(
    session: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    name: str,
    household_name: str | None,
    currency: str,
    create_first_household: bool = True,
) -> User:
    """Create the account; its verification email is sent once the data is saved (a job)."""
    user = await create_account(
        session,
        email=email,
        password=password,
        name=name,
        household_name=household_name,
        currency=currency,
        create_first_household=create_first_household,
    )
    await _send_verification_email(session, settings, user)
    return user


@dataclass(frozen=True, slots=True)
class SignIn:
    tokens: IssuedTokens
    device: SignInDeviceCheck


async def login(
    session: AsyncSession,
    settings: Settings,
    store: RefreshTokenStore,
    *,
    email: str,
    password: str,
    device: str | None = None,
    user_agent: str | None = None,
) -> SignIn:
    """Check the credentials and start a session (a new refresh-token family). `device` is the
    sign-in device cookie presented (family_budget.auth.devices): a new device raises a security
    alert.

    An unknown email and a wrong password fail identically, and both verify one Argon2 hash.
    """
    user = await find_user_by_email(session, email)
    if user is None:
        await _verify(DUMMY_PASSWORD_HASH, password)
        raise _invalid_credentials()
    if not await _verify(user.password_hash, password):
        raise _invalid_credentials()
    if password_needs_rehash(user.password_hash):
        user.password_hash = await _hash(password)
        await session.flush()
    now = datetime.now(UTC)
    if user.totp_enabled_at is not None and not await two_factor.device_remembered(
        session, user, device, now
    ):
        # Nothing starts yet: the client exchanges the challenge and a code for the session.
        raise Unauthorized(
            "Enter the code from your authenticator app to finish signing in",
            code="two_factor_required",
            extra={"challenge_token": two_factor.issue_challenge(settings, user, now)},
        )
    return await _sign_in(session, settings, store, user, device, user_agent, now)


async def complete_two_factor_sign_in(
    session: AsyncSession,
    settings: Settings,
    store: RefreshTokenStore,
    cipher: TokenCipher,
    *,
    user_id: uuid.UUID,
    challenge_issued_at: datetime,
    code: str | None,
    recovery_code: str | None,
    remember_device: bool,
    device: str | None = None,
    user_agent: str | None = None,
) -> SignIn:
    """The second step of a sign-in (after `login` answered two_factor_required): a code from the
    authenticator app, or a recovery code, starts the session. `remember_device` lets this
    browser skip the second step for the next 30 days."""
    user = await session.get(User, user_id)
    if (
        user is None
        or user.totp_enabled_at is None
        or (
            user.password_changed_at is not None
            and challenge_issued_at < user.password_changed_at.replace(microsecond=0)
        )
    ):
        raise two_factor.invalid_challenge()
    now = datetime.now(UTC)
    if recovery_code is not None:
        await two_factor.spend_recovery_code(session, user, recovery_code, now)
        await security_alert(
            session,
            settings,
            user,
            activity="A recovery code was used to sign in",
            key=f"security:recovery-code:{user.id}:{now.isoformat()}",
            occurred_at=now,
        )
    else:
        await two_factor.spend_code(session, cipher, user, code or "", now)
    signed_in = await _sign_in(session, settings, store, user, device, user_agent, now)
    if remember_device:
        await two_factor.remember_device(session, user, signed_in.device.device_hash, now)
    return signed_in


async def _sign_in(
    session: AsyncSession,
    settings: Settings,
    store: RefreshTokenStore,
    user: User,
    device: str | None,
    user_agent: str | None,
    now: datetime,
) -> SignIn:
    checked = await check_device(session, user.id, device, now)
    if checked.is_new:
        await security_alert(
            session,
            settings,
            user,
            activity="A sign-in from a new device or browser",
            key=f"security:new-device:{user.id}:{checked.device_hash[:32]}",
            occurred_at=now,
        )
    tokens = await start_session(
        session, settings, store, user.id, now=now, label=await sessions.label_for(user_agent)
    )
    return SignIn(tokens=tokens, device=checked)


async def start_session(
    session: AsyncSession,
    settings: Settings,
    store: RefreshTokenStore,
    user_id: uuid.UUID,
    *,
    now: datetime | None = None,
    label: str = sessions.UNKNOWN_DEVICE,
) -> IssuedTokens:
    """New access and refresh tokens; the family lives refresh_token_expire_days, never longer.
    `label` names the device in the user's list of sessions (family_budget.auth.sessions)."""
    now = now or datetime.now(UTC)
    expires_at = now + timedelta(days=settings.refresh_token_expire_days)
    family_id = uuid.uuid4()
    await sessions.record_start(
        session,
        session_id=family_id,
        user_id=user_id,
        label=label,
        started_at=now,
        expires_at=expires_at,
    )
    return await _issue(session, settings, store, user_id, family_id, expires_at, now)


async def _issue(
    session: AsyncSession,
    settings: Settings,
    store: RefreshTokenStore,
    user_id: uuid.UUID,
    family_id: uuid.UUID,
    session_expires_at: datetime,
    now: datetime,
) -> IssuedTokens:
    refresh_token = encode_token(
        settings,
        user_id=user_id,
        token_type=TokenType.REFRESH,
        expires_in=session_expires_at - now,
        family_id=family_id,
        now=now,
    )
    record = RefreshRecord(user_id=user_id, family_id=family_id, expires_at=session_expires_at)
    await store.add(hash_token(refresh_token), record, session=session)
    await record_activity(session, user_id, now)
    access_lifetime = timedelta(minutes=settings.access_token_expire_minutes)
    access_token = encode_token(
        settings,
        user_id=user_id,
        token_type=TokenType.ACCESS,
        expires_in=access_lifetime,
        family_id=family_id,
        now=now,
    )
    return IssuedTokens(
        access_token=access_token,
        refresh_token=refresh_token,
        access_expires_in=int(access_lifetime.total_seconds()),
        issued_at=now,
        session_expires_at=session_expires_at,
    )


def _decode_refresh_token(settings: Settings, token: str) -> TokenClaims:
    try:
        claims = decode_token(settings, token, expected_type=TokenType.REFRESH)
    except InvalidToken:
        raise _invalid_refresh_token() from None
    if claims.family_id is None:
        raise _invalid_refresh_token()
    return claims


async def rotate_session(
    session: AsyncSession,
    settings: Settings,
    store: RefreshTokenStore,
    refresh_token: str,
    *,
    session_factory: async_sessionmaker[AsyncSession] | None = None,
) -> IssuedTokens:
    """Exchange a refresh token for a new pair. Each token works once: presenting a used one means
    a copy was stolen, so the whole family (every device of that login) is revoked — unless it was
    first used only refresh_reuse_grace_seconds ago, which is a race between requests of the same
    browser (a reload, two tabs): that request is refused and the family lives on."""
    claims = _decode_refresh_token(settings, refresh_token)
    token_hash = hash_token(refresh_token)
    outcome, record = await store.consume(
        token_hash, reuse_grace=timedelta(seconds=settings.refresh_reuse_grace_seconds)
    )
    if outcome is ConsumeOutcome.SUPERSEDED:
        raise Unauthorized(
            "This session was refreshed moments ago by another request; "
            "retry with the newest cookie",
            code="refresh_token_superseded",
        )
    if outcome is ConsumeOutcome.REUSED and record is not None:
        # Its own transaction: the revocation must outlive this request's failure.
        await store.revoke_family(record.family_id)
        if session_factory is not None:
            await _alert_session_revoked(session_factory, settings, record)
        raise Unauthorized(
            "This refresh token was already used; the session has been ended for safety",
            code="refresh_token_reused",
        )
    if (
        outcome is not ConsumeOutcome.ROTATED
        or record is None
        or record.user_id != claims.user_id
        or record.family_id != claims.family_id
    ):
        raise _invalid_refresh_token()
    try:
        user = await session.get(User, record.user_id)
        if user is None or (
            user.password_changed_at is not None
            and claims.issued_at < user.password_changed_at.replace(microsecond=0)
        ):
            raise _invalid_refresh_token()
        now = datetime.now(UTC)
        if record.expires_at <= now:
            raise _invalid_refresh_token()
        tokens = await _issue(
            session, settings, store, user.id, record.family_id, record.expires_at, now
        )
        await sessions.record_use(session, record.family_id, now)
        # Committed here, not after the route: the old token may stay used only once the new
        # one is saved for sure.
        await session.commit()
    except Exception as exc:
        if is_dependency_failure(exc):
            # The database failed after the token was used: it works again, so the client's
            # retry rotates normally instead of reading as theft and ending the whole session.
            await _restore_quietly(store, token_hash)
        raise
    return tokens


async def _restore_quietly(store: RefreshTokenStore, token_hash: str) -> None:
    try:
        await store.restore(token_hash)
    except Exception:
        logger.exception("could not restore a refresh token after a failed rotation")


async def _alert_session_revoked(
    factory: async_sessionmaker[AsyncSession], settings: Settings, record: RefreshRecord
) -> None:
    # Its own transaction, like the revocation: the request that detected the reuse fails.
    # One alert per session (family), however often the stolen token is replayed.
    async with unit_of_work(factory) as alert_session:
        user = await alert_session.get(User, record.user_id)
        if user is not None:
            await security_alert(
                alert_session,
                settings,
                user,
                activity=(
                    "A session was signed out because its sign-in token was used twice, "
                    "which happens when a copy of it was stolen"
                ),
                key=f"security:refresh-reuse:{record.family_id}",
                occurred_at=datetime.now(UTC),
            )


async def end_session(
    session: AsyncSession, settings: Settings, store: RefreshTokenStore, refresh_token: str
) -> None:
    """Revoke the family of a refresh token. An invalid or expired token has nothing left to end."""
    try:
        claims = _decode_refresh_token(settings, refresh_token)
    except Unauthorized:
        return
    if claims.family_id is not None:  # always, after _decode_refresh_token; for the type checker
        await store.revoke_family(claims.family_id, session=session)


async def update_profile(session: AsyncSession, user: User, *, name: str) -> User:
    user.name = name
    await session.flush()
    return user


async def change_password(
    session: AsyncSession,
    settings: Settings,
    store: RefreshTokenStore,
    user: User,
    *,
    current_password: str,
    new_password: str,
    user_agent: str | None = None,
) -> IssuedTokens:
    """Set a new password, end every session of the user and start a fresh one for the caller."""
    await _require_current_password(user, current_password)
    _enforce_policy(new_password, email=user.email, name=user.name)
    now = await _set_password(session, store, user, new_password)
    await _password_changed_alert(session, settings, user, now)
    # Same instant as password_changed_at: the new access token passes the "issued before the
    # change" check (whole seconds), the old ones fail it.
    return await start_session(
        session, settings, store, user.id, now=now, label=await sessions.label_for(user_agent)
    )


# --- Two-step sign-in (family_budget.auth.two_factor) -------------------------------------------


async def _require_current_password(user: User, current_password: str) -> None:
    if not await _verify(user.password_hash, current_password):
        raise Forbidden("The current password is incorrect", code="invalid_current_password")


async def start_two_factor_setup(
    session: AsyncSession, cipher: TokenCipher, user: User, *, current_password: str
) -> two_factor.Setup:
    await _require_current_password(user, current_password)
    setup = two_factor.begin_setup(cipher, user)
    await session.flush()
    return setup


async def turn_on_two_factor(
    session: AsyncSession, settings: Settings, cipher: TokenCipher, user: User, *, code: str
) -> list[str]:
    """Confirm the setup with a code: two-step sign-in is on; returns the recovery codes."""
    now = datetime.now(UTC)
    codes = await two_factor.enable(session, cipher, user, code, now)
    await security_alert(
        session,
        settings,
        user,
        activity="Two-step sign-in was turned on",
        key=f"security:two-factor-on:{user.id}:{now.isoformat()}",
        occurred_at=now,
    )
    return codes


async def turn_off_two_factor(
    session: AsyncSession, settings: Settings, user: User, *, current_password: str
) -> None:
    await _require_current_password(user, current_password)
    now = datetime.now(UTC)
    await two_factor.disable(session, user)
    await security_alert(
        session,
        settings,
        user,
        activity="Two-step sign-in was turned off",
        key=f"security:two-factor-off:{user.id}:{now.isoformat()}",
        occurred_at=now,
    )


async def replace_recovery_codes(
    session: AsyncSession, settings: Settings, user: User, *, current_password: str
) -> list[str]:
    await _require_current_password(user, current_password)
    now = datetime.now(UTC)
    codes = await two_factor.regenerate_recovery_codes(session, user, now)
    await security_alert(
        session,
        settings,
        user,
        activity="New recovery codes were made (the old ones no longer work)",
        key=f"security:recovery-codes:{user.id}:{now.isoformat()}",
        occurred_at=now,
    )
    return codes


async def _set_password(
    session: AsyncSession, store: RefreshTokenStore, user: User, password: str
) -> datetime:
    user.password_hash = await _hash(password)
    now = datetime.now(UTC)
    user.password_changed_at = now
    await session.flush()
    await store.revoke_user(user.id, session=session)
    return now


async def _password_changed_alert(
    session: AsyncSession, settings: Settings, user: User, changed_at: datetime
) -> None:
    await security_alert(
        session,
        settings,
        user,
        activity="Your password was changed",
        key=f"security:password:{user.id}:{changed_at.isoformat()}",
        occurred_at=changed_at,
    )


async def security_alert(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    activity: str,
    key: str,
    occurred_at: datetime,
) -> bool:
    """Raise a security alert to the user about their own account (always emailed)."""
    return await raise_alert(
        session,
        kind=AlertKind.SECURITY_ALERT,
        data={
            "activity": activity,
            "occurred_at": occurred_at.astimezone(UTC).isoformat(),
            "security_url": security_url(settings),
        },
        key=key,
        household=None,
        user_ids=[user.id],
    )


def security_url(settings: Settings) -> str:
    return f"{settings.public_app_url.rstrip('/')}/profile"


def _app_link(settings: Settings, page: str, token: str) -> str:
    return f"{settings.public_app_url.rstrip('/')}/{page}?{urlencode({'token': token})}"


async def _new_one_time_token(
    session: AsyncSession,
    settings: Settings,
    user: User,
    purpose: TokenPurpose,
    lifetime: timedelta,
) -> OneTimeToken:
    row_id = uuid.uuid4()
    row = OneTimeToken(
        id=row_id,
        user_id=user.id,
        purpose=purpose,
        token_hash=hash_token(link_token(settings, purpose.value, row_id)),
        expires_at=datetime.now(UTC) + lifetime,
    )
    session.add(row)
    await session.flush()
    return row


async def emailable_token(
    session: AsyncSession, settings: Settings, token_id: uuid.UUID, purpose: TokenPurpose
) -> tuple[User, str] | None:
    """The user and the link token of an unused, unexpired one-time token row, for the job that
    emails it; None when there is nothing to send any more (used, expired, replaced, address
    known to bounce)."""
    row = await session.get(OneTimeToken, token_id)
    if row is None or row.purpose is not purpose or row.used_at is not None:
        return None
    if row.expires_at <= datetime.now(UTC):
        return None
    user = await session.get(User, row.user_id)
    if user is None or user.email_undeliverable_at is not None:
        return None
    token = link_token(settings, purpose.value, row.id)
    if hash_token(token) != row.token_hash:
        # Signed with a previous JWT_SECRET: this link could never work.
        return None
    return user, token


async def _use_one_time_token(
    session: AsyncSession, token: str, purpose: TokenPurpose
) -> User | None:
    """Mark the token used and return its user, or None when it is unknown, used or expired.
    One conditional UPDATE: of two concurrent uses, exactly one wins."""
    now = datetime.now(UTC)
    user_id = (
        await session.execute(
            update(OneTimeToken)
            .where(
                OneTimeToken.token_hash == hash_token(token),
                OneTimeToken.purpose == purpose,
                OneTimeToken.used_at.is_(None),
                OneTimeToken.expires_at > now,
            )
            .values(used_at=now)
            .returning(OneTimeToken.user_id)
            .execution_options(synchronize_session=False)
        )
    ).scalar_one_or_none()
    return None if user_id is None else await session.get(User, user_id)


async def _send_verification_email(session: AsyncSession, settings: Settings, user: User) -> None:
    row = await _new_one_time_token(
        session, settings, user, TokenPurpose.VERIFY_EMAIL, VERIFICATION_TOKEN_LIFETIME
    )
    await enqueue(session, VERIFICATION_EMAIL_JOB, {"token_id": str(row.id)}, key=f"email:{row.id}")


def verification_email(settings: Settings, user: User, token: str) -> EmailMessage:
    return compose_email(
        "email_verification",
        to=user.email,
        variables={
            "recipient_name": user.name,
            "verify_url": _app_link(settings, "verify-email", token),
            "expires_in_hours": int(VERIFICATION_TOKEN_LIFETIME.total_seconds()) // 3600,
        },
    )


async def request_email_verification(session: AsyncSession, settings: Settings, user: User) -> None:
    """Send a new verification email; links sent earlier keep working until they expire."""
    if user.email_verified_at is not None:
        raise Conflict("This email address is already verified", code="email_already_verified")
    await _send_verification_email(session, settings, user)


async def verify_email(session: AsyncSession, token: str) -> User:
    user = await _use_one_time_token(session, token, TokenPurpose.VERIFY_EMAIL)
    if user is None:
        raise BadRequest(
            "This verification link is invalid, already used or expired",
            code="invalid_verification_token",
        )
    if user.email_verified_at is None:
        user.email_verified_at = datetime.now(UTC)
        await session.flush()
    return user


async def queue_password_reset_request(session: AsyncSession, email: str) -> None:
    """What the forgot-password request does, the same for every address: one job, which looks
    the address up later (request_password_reset). Looking it up in the request made a known
    address measurably slower to answer than an unknown one."""
    await enqueue(
        session,
        PASSWORD_RESET_REQUEST_JOB,
        {"email": email},
        key=f"password-reset-request:{uuid.uuid4()}",
    )


async def request_password_reset(session: AsyncSession, settings: Settings, email: str) -> None:
    """Send the reset email to a known address (nothing for an unknown one: the caller answers
    the same either way). A new request invalidates the user's earlier unused reset links."""
    user = await find_user_by_email(session, email)
    if user is None:
        return
    await session.execute(
        delete(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == TokenPurpose.RESET_PASSWORD,
            OneTimeToken.used_at.is_(None),
        )
        .execution_options(synchronize_session=False)
    )
    row = await _new_one_time_token(
        session, settings, user, TokenPurpose.RESET_PASSWORD, RESET_TOKEN_LIFETIME
    )
    await enqueue(
        session, PASSWORD_RESET_EMAIL_JOB, {"token_id": str(row.id)}, key=f"email:{row.id}"
    )


def password_reset_email(settings: Settings, user: User, token: str) -> EmailMessage:
    return compose_email(
        "password_reset",
        to=user.email,
        variables={
            "recipient_name": user.name,
            "reset_url": _app_link(settings, "reset-password", token),
            "expires_in_minutes": int(RESET_TOKEN_LIFETIME.total_seconds()) // 60,
        },
    )


async def reset_password(
    session: AsyncSession,
    settings: Settings,
    store: RefreshTokenStore,
    *,
    token: str,
    new_password: str,
) -> None:
    """Set the password from a reset link and end every session of the user. The link came by
    email, so it also proves the address."""
    user = await _use_one_time_token(session, token, TokenPurpose.RESET_PASSWORD)
    if user is None:
        raise BadRequest(
            "This password reset link is invalid, already used or expired",
            code="invalid_reset_token",
        )
    # A weak password fails the request, which rolls back the token's use: the link still works.
    _enforce_policy(new_password, email=user.email, name=user.name)
    changed_at = await _set_password(session, store, user, new_password)
    await _password_changed_alert(session, settings, user, changed_at)
    if user.email_verified_at is None:
        user.email_verified_at = datetime.now(UTC)
        await session.flush()


async def change_email(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    new_email: str,
    current_password: str,
) -> User:
    """Move the account to a new address (normalized), unverified until its link is opened.

    The old address is told by email (a taken-over account's new owner cannot silence that),
    the new one gets a verification link, and a security alert goes through the usual path.
    A change clears a bounce or complaint mark: the new address has not failed yet."""
    if not await _verify(user.password_hash, current_password):
        raise Forbidden("The current password is incorrect", code="invalid_current_password")
    if new_email == user.email:
        raise Conflict("This is already your email address", code="email_unchanged")
    if await find_user_by_email(session, new_email) is not None:
        raise Conflict("An account with this email address already exists", code="email_taken")
    previous_email = user.email
    now = datetime.now(UTC)
    user.email = new_email
    user.email_verified_at = None
    user.email_undeliverable_at = None
    user.email_undeliverable_reason = None
    try:
        await session.flush()
    except IntegrityError:  # taken concurrently, between the look-up and the update
        raise Conflict(
            "An account with this email address already exists", code="email_taken"
        ) from None
    # A verification link sent to the old address must not verify the new one.
    await session.execute(
        delete(OneTimeToken)
        .where(
            OneTimeToken.user_id == user.id,
            OneTimeToken.purpose == TokenPurpose.VERIFY_EMAIL,
            OneTimeToken.used_at.is_(None),
        )
        .execution_options(synchronize_session=False)
    )
    key = f"security:email:{user.id}:{now.isoformat()}"
    await security_alert(
        session,
        settings,
        user,
        activity="The email address of your account was changed",
        key=key,
        occurred_at=now,
    )
    await enqueue(
        session,
        EMAIL_CHANGED_NOTICE_JOB,
        {"user_id": str(user.id), "previous_email": previous_email, "changed_at": now.isoformat()},
        key=f"email:{key}",
    )
    await _send_verification_email(session, settings, user)
    return user
