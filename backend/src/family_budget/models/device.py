"""Where a user's push notifications go, and the browsers a user has signed in from."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, utcnow


class DevicePlatform(StrEnum):
    IOS = "ios"
    ANDROID = "android"
    WEB = "web"


class PushDevice(IdMixin, Base):
    """A registered push target: a mobile token (as an SNS platform endpoint in AWS) or a
    browser's Web Push subscription. The token itself is kept only as a hash: SNS holds it for
    mobile devices, and a Web Push subscription is its endpoint and keys."""

    __tablename__ = "push_devices"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[DevicePlatform] = mapped_column(
        Enum(DevicePlatform, name="device_platform", values_callable=lambda e: [m.value for m in e])
    )
    # SHA-256 of the device token or of the Web Push endpoint: one row per device, whoever
    # registered it last (a shared tablet follows the person signed in).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Mobile, in AWS: the SNS platform endpoint and the event contract's platform name
    # (apns, apns_sandbox, fcm). Null without platform application settings.
    endpoint_arn: Mapped[str | None] = mapped_column(String(300))
    sns_platform: Mapped[str | None] = mapped_column(String(20))
    # Web Push: the push service URL and the browser's keys (base64url, from the subscription).
    web_endpoint: Mapped[str | None] = mapped_column(Text)
    web_p256dh: Mapped[str | None] = mapped_column(String(200))
    web_auth: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SignInDevice(IdMixin, Base):
    """A browser or app a user has signed in from, known by the hash of a random, long-lived
    cookie the API set there (family_budget.auth.devices). Nothing about the device itself is
    stored: no address, no user agent."""

    __tablename__ = "sign_in_devices"
    __table_args__ = (UniqueConstraint("user_id", "device_hash"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    device_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Until when sign-ins from this browser skip the second step ("remember this device").
    two_factor_until: Mapped[datetime | None]
