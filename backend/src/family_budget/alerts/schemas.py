"""Request and response bodies of the notifications, preferences and devices routes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool

from family_budget.alerts.service import AlertKind
from family_budget.models import DevicePlatform
from family_budget.schemas import ReadSchema, Schema


class NotificationRead(ReadSchema):
    id: uuid.UUID
    kind: AlertKind
    household_id: uuid.UUID | None = Field(description="null for a security alert")
    title: str
    body: str
    url: str | None = Field(description="The page the notification is about")
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    items: list[NotificationRead]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next (older) page; null on the last page"
    )
    unread_count: int = Field(description="Unread notifications in all pages")


class MarkedRead(BaseModel):
    marked: int = Field(description="How many notifications were unread before")


class ChannelSwitches(Schema):
    email: StrictBool
    push: StrictBool
    in_app: StrictBool


class KindSwitches(Schema):
    bill_reminder: ChannelSwitches
    budget_alert: ChannelSwitches
    account_sync_failure: ChannelSwitches
    security_alert: ChannelSwitches


class NotificationPreferences(Schema):
    """Every switch: a channel is used for a kind when its global switch AND the kind's switch
    are on. Security alerts are emailed whatever the switches say."""

    channels: ChannelSwitches
    kinds: KindSwitches
    always_emailed: list[AlertKind] = Field(
        default_factory=lambda: [AlertKind.SECURITY_ALERT],
        description="Kinds emailed whatever the switches say (read-only; ignored in a PUT)",
    )


class MobileDeviceCreate(Schema):
    platform: Literal["ios", "android"]
    token: Annotated[str, Field(min_length=8, max_length=4096, pattern=r"^[A-Za-z0-9_:.\-]+$")]
    apns_sandbox: StrictBool = Field(
        default=False, description="iOS only: a development build's token (APNs sandbox)"
    )


class WebPushKeys(Schema):
    p256dh: Annotated[str, Field(min_length=1, max_length=200)]
    auth: Annotated[str, Field(min_length=1, max_length=100)]


class WebPushSubscription(Schema):
    """PushSubscription.toJSON() of the browser; expirationTime is accepted and ignored."""

    endpoint: Annotated[str, Field(min_length=1, max_length=2000)]
    keys: WebPushKeys
    expirationTime: Any = None  # noqa: N815 (the browser's own field name)


class WebDeviceCreate(Schema):
    platform: Literal["web"]
    subscription: WebPushSubscription


DeviceCreate = Annotated[MobileDeviceCreate | WebDeviceCreate, Field(discriminator="platform")]


class DeviceRead(ReadSchema):
    id: uuid.UUID
    platform: DevicePlatform
    push_enabled: bool = Field(
        description="false for a phone while this server has no push platform for it"
    )
    created_at: datetime


class WebPushKey(BaseModel):
    public_key: str = Field(description="The VAPID public key (base64url): applicationServerKey")
