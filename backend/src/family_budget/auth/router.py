"""Registration, login, sessions (refresh and logout), email verification, password reset and the
caller's own profile. Mounted at /api/v1."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget import money
from family_budget.auth import service, sessions, two_factor
from family_budget.auth.csrf import (
    REFRESH_COOKIE_NAME,
    check_csrf,
    clear_session_cookies,
    set_session_cookies,
)
from family_budget.auth.devices import is_known_device, presented_device, set_device_cookie
from family_budget.auth.rate_limit import RateLimiter
from family_budget.auth.refresh_store import RefreshTokenStore
from family_budget.auth.schemas import (
    Accepted,
    EmailChange,
    EmailUndeliverable,
    ForgotPasswordRequest,
    LoginRequest,
    MembershipRead,
    MeRead,
    MeUpdate,
    PasswordChange,
    RecoveryCodesRead,
    RefreshRequest,
    RegisterRequest,
    ResetPasswordRequest,
    SessionRead,
    SessionsSignedOut,
    TokenPair,
    TwoFactorEnable,
    TwoFactorPassword,
    TwoFactorSetupRead,
    TwoFactorSetupStart,
    TwoFactorSignIn,
    TwoFactorStatus,
    VerifyEmailRequest,
)
from family_budget.auth.service import IssuedTokens
from family_budget.bank_connections.token_crypto import TokenCipher
from family_budget.deps import CurrentUser, SessionDep, SettingsDep
from family_budget.errors import Unauthorized
from family_budget.households import service as households_service
from family_budget.models import User
from family_budget.security import hash_token

router = APIRouter(tags=["auth"])

RESET_REQUEST_ANSWER = (
    "If an account uses this address, we have sent it a link to reset the password"
)


async def get_refresh_store(request: Request) -> RefreshTokenStore:
    store: RefreshTokenStore = request.app.state.refresh_store
    return store


async def get_rate_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


RefreshStoreDep = Annotated[RefreshTokenStore, Depends(get_refresh_store)]
RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]


def _client_address(request: Request) -> str:
    # Behind the load balancer, uvicorn's proxy headers handling has already put the client here.
    return request.client.host if request.client else "unknown"


def _token_pair(response: Response, tokens: IssuedTokens) -> TokenPair:
    set_session_cookies(
        response, refresh_token=tokens.refresh_token, max_age=tokens.session_max_age
    )
    return TokenPair(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.access_expires_in,
    )


def _presented_refresh_token(request: Request, body: RefreshRequest | None) -> str | None:
    """The refresh token from the body, else from the cookie — which needs the CSRF header."""
    if body is not None and body.refresh_token:
        return body.refresh_token
    cookie = request.cookies.get(REFRESH_COOKIE_NAME)
    if not cookie:
        return None
    check_csrf(request)
    return cookie


async def _me(session: AsyncSession, user: User) -> MeRead:
    memberships = await households_service.list_households(session, user.id)
    return MeRead(
        id=user.id,
        email=user.email,
        name=user.name,
        email_verified=user.email_verified_at is not None,
        email_undeliverable=(
            None
            if user.email_undeliverable_at is None
            else EmailUndeliverable(
                since=user.email_undeliverable_at,
                reason=user.email_undeliverable_reason or "bounce",
            )
        ),
        created_at=user.created_at,
        households=[
            MembershipRead(
                household_id=household.id,
                household_name=household.name,
                currency=household.currency,
                currency_exponent=money.exponent(household.currency),
                role=role,
            )
            for household, role in memberships
        ],
    )


@router.post("/auth/register", status_code=status.HTTP_201_CREATED)
async def register_account(
    body: RegisterRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> MeRead:
    """Create an account, its first household unless create_household is false; email a link."""
    await limiter.hit(
        settings.register_rate_per_address, "register:address", _client_address(request)
    )
    user = await service.register(
        session,
        settings,
        email=body.email,
        password=body.password,
        name=body.name,
        household_name=body.household_name,
        currency=body.currency or "USD",
        create_first_household=body.create_household,
    )
    request.app.state.metrics.signups.inc()
    return await _me(session, user)


@router.post("/auth/login")
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    store: RefreshStoreDep,
    limiter: RateLimiterDep,
) -> TokenPair:
    """Log in with email and password; also sets the refresh, CSRF and device cookies (a
    sign-in from a device not seen before raises a security alert)."""
    address = _client_address(request)
    device = presented_device(request)
    await limiter.hit(settings.login_rate_per_address, "login:address", address)
    # Failures lock out one account from one place, not everywhere: a stranger guessing the
    # owner's password from elsewhere must not lock the owner out of their own known browser.
    # Sign-ins from new devices also share an account-wide allowance, against guessing spread
    # over many addresses.
    if device is not None and await is_known_device(session, body.email, device):
        device_key = f"{body.email}|{hash_token(device)}"
        await limiter.hit(settings.login_rate_per_account, "login:account-device", device_key)
    else:
        await limiter.hit(
            settings.login_rate_per_account, "login:account-address", f"{body.email}|{address}"
        )
        await limiter.hit(settings.login_rate_per_account_new_devices, "login:account", body.email)
    signed_in = await service.login(
        session,
        settings,
        store,
        email=body.email,
        password=body.password,
        device=device,
        user_agent=request.headers.get("user-agent"),
    )
    set_device_cookie(response, signed_in.device.cookie_value)
    return _token_pair(response, signed_in.tokens)


async def get_token_cipher(request: Request) -> TokenCipher:
    cipher: TokenCipher = request.app.state.token_cipher
    return cipher


CipherDep = Annotated[TokenCipher, Depends(get_token_cipher)]


@router.post("/auth/login/two-factor")
async def login_two_factor(
    body: TwoFactorSignIn,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    store: RefreshStoreDep,
    limiter: RateLimiterDep,
    cipher: CipherDep,
) -> TokenPair:
    """Finish a sign-in that answered two_factor_required: a code from the authenticator app
    (or a recovery code) with the challenge token; sets the same cookies as /auth/login."""
    claims = two_factor.read_challenge(settings, body.challenge_token)
    # Six digits are guessable only slowly: as many tries per account as passwords get.
    await limiter.hit(settings.login_rate_per_account, "two_factor:account", str(claims.user_id))
    signed_in = await service.complete_two_factor_sign_in(
        session,
        settings,
        store,
        cipher,
        user_id=claims.user_id,
        challenge_issued_at=claims.issued_at,
        code=body.code,
        recovery_code=body.recovery_code,
        remember_device=body.remember_device,
        device=presented_device(request),
        user_agent=request.headers.get("user-agent"),
    )
    set_device_cookie(response, signed_in.device.cookie_value)
    return _token_pair(response, signed_in.tokens)


@router.post("/auth/refresh")
async def refresh_session(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    store: RefreshStoreDep,
    body: RefreshRequest | None = None,
) -> TokenPair:
    """Exchange a refresh token (body, or cookie + X-CSRF-Token) for a new pair; each works once."""
    token = _presented_refresh_token(request, body)
    if token is None:
        raise Unauthorized("A refresh token is required", code="invalid_refresh_token")
    tokens = await service.rotate_session(
        session, settings, store, token, session_factory=request.app.state.session_factory
    )
    return _token_pair(response, tokens)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    store: RefreshStoreDep,
    body: RefreshRequest | None = None,
) -> Response:
    """End the session of the presented refresh token (body or cookie) and clear the cookies."""
    token = _presented_refresh_token(request, body)
    if token is not None:
        await service.end_session(session, settings, store, token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response)
    return response


@router.post("/auth/verify-email/request", status_code=status.HTTP_202_ACCEPTED)
async def request_email_verification(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> Accepted:
    """Email a new verification link to the caller's address."""
    await limiter.hit(settings.forgot_password_rate_per_account, "verify_email:account", user.email)
    await service.request_email_verification(session, settings, user)
    return Accepted(detail="We have sent a new verification link to your email address")


@router.post("/auth/verify-email", status_code=status.HTTP_204_NO_CONTENT)
async def verify_email(body: VerifyEmailRequest, session: SessionDep) -> Response:
    """Confirm the email address with the token from the verification link."""
    await service.verify_email(session, body.token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/auth/forgot-password", status_code=status.HTTP_202_ACCEPTED)
async def forgot_password(
    body: ForgotPasswordRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> Accepted:
    """Email a password reset link; the answer is the same whether or not the address is known."""
    await limiter.hit(
        settings.forgot_password_rate_per_address,
        "forgot_password:address",
        _client_address(request),
    )
    await limiter.hit(
        settings.forgot_password_rate_per_account, "forgot_password:account", body.email
    )
    await service.queue_password_reset_request(session, body.email)
    return Accepted(detail=RESET_REQUEST_ANSWER)


@router.post("/auth/reset-password", status_code=status.HTTP_204_NO_CONTENT)
async def reset_password(
    body: ResetPasswordRequest, session: SessionDep, settings: SettingsDep, store: RefreshStoreDep
) -> Response:
    """Set a new password with the token from the reset link; ends every session."""
    await service.reset_password(
        session, settings, store, token=body.token, new_password=body.new_password
    )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookies(response)
    return response


@router.get("/me")
async def get_me(user: CurrentUser, session: SessionDep) -> MeRead:
    """The caller, with their households and role in each."""
    return await _me(session, user)


@router.patch("/me")
async def update_me(body: MeUpdate, user: CurrentUser, session: SessionDep) -> MeRead:
    """Change the caller's display name."""
    await service.update_profile(session, user, name=body.name)
    return await _me(session, user)


@router.post("/me/password")
async def change_password(
    body: PasswordChange,
    request: Request,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    store: RefreshStoreDep,
    limiter: RateLimiterDep,
) -> TokenPair:
    """Change the password: ends every session and returns tokens for a new one."""
    # Guessing the current password with a stolen access token is as limited as guessing at login.
    await limiter.hit(settings.login_rate_per_account, "password_change:account", str(user.id))
    tokens = await service.change_password(
        session,
        settings,
        store,
        user,
        current_password=body.current_password,
        new_password=body.new_password,
        user_agent=request.headers.get("user-agent"),
    )
    return _token_pair(response, tokens)


@router.post("/me/email")
async def change_email(
    body: EmailChange,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> MeRead:
    """Change your email address: the new one gets a verification link, the old one a notice."""
    await limiter.hit(settings.login_rate_per_account, "email_change:account", str(user.id))
    await service.change_email(
        session,
        settings,
        user,
        new_email=body.new_email,
        current_password=body.current_password,
    )
    return await _me(session, user)


@router.get("/me/sessions")
async def list_sessions(
    request: Request, user: CurrentUser, session: SessionDep, store: RefreshStoreDep
) -> list[SessionRead]:
    """Your signed-in sessions (browsers and apps), most recently used first."""
    active = await sessions.list_active(
        session, store, user.id, current_id=request.state.session_id, now=datetime.now(UTC)
    )
    return [SessionRead.model_validate(item) for item in active]


@router.delete("/me/sessions/{session_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out_session(
    session_id: uuid.UUID, user: CurrentUser, session: SessionDep, store: RefreshStoreDep
) -> Response:
    """Sign a session out: its refresh token and its access tokens stop working at once."""
    await sessions.sign_out(session, store, user.id, session_id, now=datetime.now(UTC))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/sessions/sign-out-others")
async def sign_out_other_sessions(
    request: Request, user: CurrentUser, session: SessionDep, store: RefreshStoreDep
) -> SessionsSignedOut:
    """Sign out every session but this one (a lost phone, a shared computer)."""
    ended = await sessions.sign_out_others(
        session, store, user.id, current_id=request.state.session_id, now=datetime.now(UTC)
    )
    return SessionsSignedOut(signed_out_count=ended)


@router.get("/me/two-factor")
async def get_two_factor(user: CurrentUser, session: SessionDep) -> TwoFactorStatus:
    """Whether two-step sign-in is on, and how many recovery codes are left."""
    enabled = user.totp_enabled_at is not None
    return TwoFactorStatus(
        enabled=enabled,
        enabled_at=user.totp_enabled_at,
        recovery_codes_left=await two_factor.recovery_codes_left(session, user) if enabled else 0,
    )


@router.post("/me/two-factor/setup")
async def start_two_factor_setup(
    body: TwoFactorSetupStart,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    cipher: CipherDep,
) -> TwoFactorSetupRead:
    """Make a new authenticator secret (a QR code to scan); confirm it with /enable."""
    await limiter.hit(settings.login_rate_per_account, "two_factor_setup:account", str(user.id))
    setup = await service.start_two_factor_setup(
        session, cipher, user, current_password=body.current_password
    )
    return TwoFactorSetupRead(
        secret=setup.secret,
        otpauth_uri=setup.otpauth_uri,
        qr_code_svg_data_uri=setup.qr_code_svg_data_uri,
    )


@router.post("/me/two-factor/enable")
async def enable_two_factor(
    body: TwoFactorEnable,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    cipher: CipherDep,
) -> RecoveryCodesRead:
    """Turn two-step sign-in on with a code from the app; answers the recovery codes, once."""
    await limiter.hit(settings.login_rate_per_account, "two_factor_enable:account", str(user.id))
    codes = await service.turn_on_two_factor(session, settings, cipher, user, code=body.code)
    return RecoveryCodesRead(recovery_codes=codes)


@router.post("/me/two-factor/disable", status_code=status.HTTP_204_NO_CONTENT)
async def disable_two_factor(
    body: TwoFactorPassword,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> Response:
    """Turn two-step sign-in off (needs the password)."""
    await limiter.hit(settings.login_rate_per_account, "two_factor_disable:account", str(user.id))
    await service.turn_off_two_factor(
        session, settings, user, current_password=body.current_password
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/two-factor/recovery-codes")
async def new_recovery_codes(
    body: TwoFactorPassword,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
) -> RecoveryCodesRead:
    """Replace the recovery codes (the old ones stop working)."""
    await limiter.hit(settings.login_rate_per_account, "recovery_codes:account", str(user.id))
    codes = await service.replace_recovery_codes(
        session, settings, user, current_password=body.current_password
    )
    return RecoveryCodesRead(recovery_codes=codes)
