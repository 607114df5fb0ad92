"""The caller's notifications, notification preferences and push devices. Mounted at /api/v1.

- `GET /me/notifications?limit=&cursor=`: the in-app list, newest first, with `unread_count`
- `POST /me/notifications/{notification_id}/read`: mark one read
- `POST /me/notifications/read-all`: mark every one read
- `GET|PUT /me/notification-preferences`: every kind x channel switch, plus global switches
- `POST /me/devices`: register a push target; `DELETE /me/devices/{device_id}`: forget it
- `GET /me/devices/web-push-key`: the VAPID public key browsers subscribe with
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from family_budget.alerts import devices, service, web_push
from family_budget.alerts.schemas import (
    ChannelSwitches,
    DeviceCreate,
    DeviceRead,
    KindSwitches,
    MarkedRead,
    MobileDeviceCreate,
    NotificationList,
    NotificationPreferences,
    NotificationRead,
    WebPushKey,
)
from family_budget.alerts.service import LINK_VARIABLES, AlertKind, Channel, PreferenceSet
from family_budget.deps import CurrentUser, SessionDep, SettingsDep
from family_budget.models import DevicePlatform, Notification, PushDevice

router = APIRouter(tags=["notifications"])


def _notification(row: Notification) -> NotificationRead:
    kind = AlertKind(row.kind)
    link = row.data.get(LINK_VARIABLES[kind])
    return NotificationRead(
        id=row.id,
        kind=kind,
        household_id=row.household_id,
        title=row.title,
        body=row.body,
        url=link if isinstance(link, str) else None,
        created_at=row.created_at,
        read_at=row.read_at,
    )


@router.get("/me/notifications")
async def list_notifications(
    user: CurrentUser,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> NotificationList:
    """Your in-app notifications, newest first, and how many are unread."""
    page = await service.list_notifications(session, user.id, limit=limit, cursor=cursor)
    return NotificationList(
        items=[_notification(row) for row in page.items],
        next_cursor=page.next_cursor,
        unread_count=page.unread_count,
    )


@router.post("/me/notifications/{notification_id}/read", status_code=status.HTTP_204_NO_CONTENT)
async def mark_notification_read(
    notification_id: uuid.UUID, user: CurrentUser, session: SessionDep
) -> Response:
    """Mark one of your notifications read."""
    await service.mark_read(session, user.id, notification_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/me/notifications/read-all")
async def mark_all_notifications_read(user: CurrentUser, session: SessionDep) -> MarkedRead:
    """Mark all your notifications read."""
    return MarkedRead(marked=await service.mark_all_read(session, user.id))


def _switches(switches: ChannelSwitches) -> dict[Channel, bool]:
    return {"email": switches.email, "push": switches.push, "in_app": switches.in_app}


def _preferences_read(preferences: PreferenceSet) -> NotificationPreferences:
    return NotificationPreferences(
        channels=ChannelSwitches(**preferences.channels),
        kinds=KindSwitches(
            **{
                kind.value: ChannelSwitches(**switches)
                for kind, switches in preferences.kinds.items()
            }
        ),
    )


@router.get("/me/notification-preferences")
async def get_notification_preferences(
    user: CurrentUser, session: SessionDep
) -> NotificationPreferences:
    """Your notification switches (all on until you change them)."""
    loaded = await service.load_preferences(session, [user.id])
    return _preferences_read(loaded[user.id])


@router.put("/me/notification-preferences")
async def put_notification_preferences(
    body: NotificationPreferences, user: CurrentUser, session: SessionDep
) -> NotificationPreferences:
    """Replace your notification switches (every channel and every kind)."""
    preferences = PreferenceSet(
        channels=_switches(body.channels),
        kinds={kind: _switches(getattr(body.kinds, kind.value)) for kind in AlertKind},
    )
    await service.replace_preferences(session, user.id, preferences)
    return _preferences_read(preferences)


def _device(row: PushDevice) -> DeviceRead:
    return DeviceRead(
        id=row.id,
        platform=row.platform,
        push_enabled=row.platform is DevicePlatform.WEB or row.endpoint_arn is not None,
        created_at=row.created_at,
    )


@router.post("/me/devices", status_code=status.HTTP_201_CREATED)
async def register_device(
    body: DeviceCreate, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> DeviceRead:
    """Register a phone's push token or a browser's Web Push subscription (again: same device)."""
    if isinstance(body, MobileDeviceCreate):
        row = await devices.register_mobile(
            session,
            settings,
            user.id,
            devices.MobileRegistration(
                platform=DevicePlatform(body.platform),
                token=body.token,
                apns_sandbox=body.apns_sandbox,
            ),
        )
    else:
        subscription = web_push.WebSubscription(
            endpoint=body.subscription.endpoint,
            p256dh=body.subscription.keys.p256dh,
            auth=body.subscription.keys.auth,
        )
        row = await devices.register_web(session, settings, user.id, subscription)
    return _device(row)


@router.delete("/me/devices/{device_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def unregister_device(
    device_id: uuid.UUID, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> Response:
    """Stop push to one of your devices."""
    await devices.unregister(session, settings, user.id, device_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me/devices/web-push-key")
async def get_web_push_key(user: CurrentUser, settings: SettingsDep) -> WebPushKey:
    """The VAPID public key to subscribe a browser with (applicationServerKey)."""
    return WebPushKey(public_key=web_push.public_key(settings))
