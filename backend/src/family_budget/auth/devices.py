"""Recognising the browsers and apps a user signs in from, to warn about a new one.

A device is a long-lived random value the API puts in a cookie (`fb_device`, HttpOnly, only
sent to /api/v1/auth) at sign-in. The database keeps its SHA-256 per user, nothing else: no
address, no user agent, no fingerprint. A sign-in that presents a value the user signed in with
before is a known device; any other is new (a new browser, a private window, cleared cookies),
and raises a security alert, except for the first device an account ever signs in from.
Clients without cookies (scripts, some apps) get a new value each time: they can send the
cookie back like a browser does to be recognised.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request, Response
from sqlalchemy import exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import SignInDevice, User
from family_budget.security import hash_token, new_opaque_token

DEVICE_COOKIE_NAME = "fb_device"
DEVICE_COOKIE_PATH = "/api/v1/auth"
# Browsers cap a cookie's lifetime at 400 days; each sign-in renews it.
DEVICE_COOKIE_MAX_AGE = 400 * 24 * 3600
_VALUE = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True, slots=True)
class SignInDeviceCheck:
    cookie_value: str
    device_hash: str
    # True when this device is new and the account had signed in from another one before.
    is_new: bool


def presented_device(request: Request) -> str | None:
    value = request.cookies.get(DEVICE_COOKIE_NAME)
    return value if value and _VALUE.match(value) else None


def set_device_cookie(response: Response, value: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE_NAME,
        value,
        max_age=DEVICE_COOKIE_MAX_AGE,
        path=DEVICE_COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="strict",
    )


async def check_device(
    session: AsyncSession, user_id: uuid.UUID, presented: str | None, now: datetime
) -> SignInDeviceCheck:
    """Record this sign-in's device for the user and tell whether it is a new one."""
    value = presented or new_opaque_token()
    device_hash = hash_token(value)
    known = await session.execute(
        update(SignInDevice)
        .where(SignInDevice.user_id == user_id, SignInDevice.device_hash == device_hash)
        .values(last_seen_at=now)
        .returning(SignInDevice.id)
        .execution_options(synchronize_session=False)
    )
    if known.first() is not None:
        return SignInDeviceCheck(value, device_hash, is_new=False)
    had_devices = await session.scalar(select(exists().where(SignInDevice.user_id == user_id)))
    insert = (
        postgresql.insert(SignInDevice)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(SignInDevice)
    )
    await session.execute(
        insert.values(
            id=uuid.uuid4(),
            user_id=user_id,
            device_hash=device_hash,
            created_at=now,
            last_seen_at=now,
        ).on_conflict_do_nothing(index_elements=[SignInDevice.user_id, SignInDevice.device_hash])
    )
    return SignInDeviceCheck(value, device_hash, is_new=bool(had_devices))


async def is_known_device(session: AsyncSession, email: str, presented: str) -> bool:
    """Whether the device cookie presented is one the account with this email signed in from."""
    known = await session.scalar(
        select(
            exists().where(
                SignInDevice.user_id == User.id,
                User.email == email,
                SignInDevice.device_hash == hash_token(presented),
            )
        )
    )
    return bool(known)
