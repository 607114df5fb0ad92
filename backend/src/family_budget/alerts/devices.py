"""Push devices: registering a phone's token (an SNS platform endpoint in AWS) or a browser's
Web Push subscription, forgetting them, and dropping the ones push services gave up on.

Tokens and subscription endpoints are never logged or returned: a device is known by its id.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.alerts import web_push
from family_budget.config import Settings
from family_budget.errors import NotFound, Unprocessable
from family_budget.models import DevicePlatform, PushDevice
from family_budget.notifications import aws
from family_budget.security import hash_token

logger = logging.getLogger(__name__)

# SNS answers these when an endpoint no longer exists (the push Lambda reports them the same).
ENDPOINT_GONE_ERRORS = frozenset({"NotFound", "EndpointDisabled"})


@dataclass(frozen=True, slots=True)
class MobileRegistration:
    platform: DevicePlatform  # ios or android
    token: str
    apns_sandbox: bool = False


def sns_client(settings: Settings) -> Any:
    return aws.client("sns", region_name=settings.aws_region)


def _platform_application(settings: Settings, device: MobileRegistration) -> tuple[str, str | None]:
    """(The event contract's platform name, the SNS platform application ARN or None)."""
    if device.platform is DevicePlatform.ANDROID:
        return "fcm", settings.fcm_platform_application_arn
    if device.apns_sandbox:
        return "apns_sandbox", settings.apns_sandbox_platform_application_arn
    return "apns", settings.apns_platform_application_arn


def _create_endpoint(client: Any, application_arn: str, token: str, user_id: uuid.UUID) -> str:
    response = client.create_platform_endpoint(
        PlatformApplicationArn=application_arn, Token=token, CustomUserData=str(user_id)
    )
    endpoint_arn = str(response["EndpointArn"])
    # For a token SNS knows, CreatePlatformEndpoint returns the existing endpoint as it is:
    # possibly disabled by an earlier delivery failure. The app just proved the token is alive
    # (AWS's documented create-then-check pattern).
    attributes = client.get_endpoint_attributes(EndpointArn=endpoint_arn)["Attributes"]
    if attributes.get("Token") != token or str(attributes.get("Enabled")).lower() != "true":
        client.set_endpoint_attributes(
            EndpointArn=endpoint_arn,
            Attributes={"Token": token, "Enabled": "true", "CustomUserData": str(user_id)},
        )
    return endpoint_arn


def _delete_endpoint(client: Any, endpoint_arn: str) -> None:
    try:
        client.delete_endpoint(EndpointArn=endpoint_arn)
    except Exception as exc:
        if aws.error_code(exc) not in ENDPOINT_GONE_ERRORS:
            raise


async def _claim_row(session: AsyncSession, user_id: uuid.UUID, token_hash: str) -> PushDevice:
    """The device row for this token, now the caller's (a shared tablet follows whoever
    registered it last); a new row for a new token."""
    device = await session.scalar(select(PushDevice).where(PushDevice.token_hash == token_hash))
    if device is None:
        device = PushDevice(token_hash=token_hash, user_id=user_id)
        session.add(device)
    device.user_id = user_id
    return device


async def register_mobile(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, device: MobileRegistration
) -> PushDevice:
    sns_platform, application_arn = _platform_application(settings, device)
    row = await _claim_row(session, user_id, hash_token(f"{device.platform}:{device.token}"))
    row.platform = device.platform
    row.sns_platform = sns_platform
    if application_arn:
        try:
            row.endpoint_arn = await asyncio.to_thread(
                _create_endpoint, sns_client(settings), application_arn, device.token, user_id
            )
        except Exception as exc:
            if aws.error_code(exc) == "InvalidParameter":
                raise Unprocessable(
                    "Push could not register this device token", code="invalid_device_token"
                ) from None
            raise
    await session.flush()
    logger.info(
        "push device registered",
        extra={"device_id": str(row.id), "user_id": str(user_id), "platform": row.platform.value},
    )
    return row


async def register_web(
    session: AsyncSession,
    settings: Settings,
    user_id: uuid.UUID,
    subscription: web_push.WebSubscription,
) -> PushDevice:
    try:
        web_push.check_subscription(settings, subscription)
    except web_push.InvalidSubscription as exc:
        raise Unprocessable(str(exc), code="invalid_web_push_subscription") from None
    row = await _claim_row(session, user_id, hash_token(f"web:{subscription.endpoint}"))
    row.platform = DevicePlatform.WEB
    row.web_endpoint = subscription.endpoint
    row.web_p256dh = subscription.p256dh
    row.web_auth = subscription.auth
    await session.flush()
    logger.info(
        "push device registered",
        extra={"device_id": str(row.id), "user_id": str(user_id), "platform": "web"},
    )
    return row


async def unregister(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, device_id: uuid.UUID
) -> None:
    """Forget one of the user's devices (and its SNS endpoint); another user's is 404."""
    device = await session.scalar(
        select(PushDevice).where(PushDevice.id == device_id, PushDevice.user_id == user_id)
    )
    if device is None:
        raise NotFound("Device not found", code="device_not_found")
    await forget(session, settings, [device])


async def forget(
    session: AsyncSession, settings: Settings, devices: Collection[PushDevice]
) -> None:
    """Delete devices and their SNS endpoints (an endpoint already gone is fine)."""
    if not devices:
        return
    endpoint_arns = [d.endpoint_arn for d in devices if d.endpoint_arn]
    if endpoint_arns:
        client = sns_client(settings)
        for endpoint_arn in endpoint_arns:
            await asyncio.to_thread(_delete_endpoint, client, endpoint_arn)
    await session.execute(
        delete(PushDevice)
        .where(PushDevice.id.in_([d.id for d in devices]))
        .execution_options(synchronize_session=False)
    )
    for device in devices:
        logger.info("push device dropped", extra={"device_id": str(device.id)})


def _endpoint_usable(client: Any, endpoint_arn: str) -> bool:
    try:
        attributes = client.get_endpoint_attributes(EndpointArn=endpoint_arn)["Attributes"]
    except Exception as exc:
        if aws.error_code(exc) in ENDPOINT_GONE_ERRORS:
            return False
        raise
    return str(attributes.get("Enabled", "true")).lower() == "true"


async def prune_disabled_endpoints(session: AsyncSession, settings: Settings) -> int:
    """Drop the devices whose SNS endpoint SNS has disabled or deleted (APNs or FCM said the
    token is dead: the push Lambda reports such endpoints as `unusable`). Returns how many."""
    devices = list(
        await session.scalars(select(PushDevice).where(PushDevice.endpoint_arn.is_not(None)))
    )
    if not devices:
        return 0
    client = sns_client(settings)
    dead = []
    for device in devices:
        assert device.endpoint_arn is not None
        if not await asyncio.to_thread(_endpoint_usable, client, device.endpoint_arn):
            dead.append(device)
    await forget(session, settings, dead)
    return len(dead)
