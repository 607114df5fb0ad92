"""Delivering a raised alert (the `alerts.deliver` job): in-app, email and push.

At delivery time the recipients are read afresh (who is still a member, their address, name,
preferences and devices), then:

- **In-app**: a `notifications` row per recipient whose in-app switch is on. Unique on (alert
  key, user): a retried job adds nothing.
- **In AWS** (the kind's topic ARN is configured): the notification event
  (family_budget/notifications/README.md) is published to the kind's topic, with the alert key
  in the event and as the `alert_key` message attribute; the NotificationStack's Lambdas apply
  the preferences and send through SES and SNS mobile push.
- **Locally** (no topic): the same preference rule and templates run here; emails go through
  the app's email sender (data/outbox/ on a laptop, a file named after the alert key and the
  recipient, so a retry overwrites it), mobile push through SNS when platform applications
  are configured.
- **Web Push** is sent from here in both modes (the Lambdas know nothing of browsers), as the
  push switches allow.

Effects outside the database come before "done" is committed, so a crash in between repeats
them once the job's lease runs out: delivery is at-least-once. Every effect carries the alert
key for its consumer to deduplicate; the in-app row and the outbox file do so by themselves.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.alerts import devices as push_devices
from family_budget.alerts import web_push
from family_budget.alerts.service import LINK_VARIABLES, AlertKind, PreferenceSet, load_preferences
from family_budget.config import Settings
from family_budget.emails import EmailMessage, EmailSender
from family_budget.models import DevicePlatform, Membership, Notification, PushDevice, Role, User
from family_budget.models.base import utcnow
from family_budget.notifications import aws, templates
from family_budget.notifications.events import (
    ChannelSwitch,
    NotificationEvent,
    Preferences,
    PushEndpoint,
    Recipient,
)
from family_budget.notifications.preferences import filter_recipients
from family_budget.notifications.push import publish_all, push_data
from family_budget.worker.jobs import PermanentJobError

logger = logging.getLogger(__name__)

DEFAULT_ROLES = (Role.OWNER, Role.ADULT)


@dataclass(frozen=True, slots=True)
class Alert:
    """An `alerts.deliver` job's payload, parsed."""

    kind: AlertKind
    key: str
    data: Mapping[str, Any]
    household_id: uuid.UUID | None
    user_ids: tuple[uuid.UUID, ...] | None

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Alert:
        try:
            household = payload.get("household_id")
            user_ids = payload.get("user_ids")
            return cls(
                kind=AlertKind(payload["kind"]),
                key=str(payload["key"]),
                data=dict(payload["data"]),
                household_id=None if household is None else uuid.UUID(household),
                user_ids=None if user_ids is None else tuple(uuid.UUID(u) for u in user_ids),
            )
        except (KeyError, ValueError, TypeError) as exc:
            raise PermanentJobError(f"invalid alert payload: {exc}") from None


@dataclass(frozen=True, slots=True)
class Audience:
    """One recipient as delivery sees them."""

    user: User
    preferences: PreferenceSet
    devices: tuple[PushDevice, ...]

    @property
    def email(self) -> str | None:
        return None if self.user.email_undeliverable_at is not None else self.user.email


def topic_arn(settings: Settings, kind: AlertKind) -> str | None:
    return {
        AlertKind.BILL_REMINDER: settings.bill_reminders_topic_arn,
        AlertKind.BUDGET_ALERT: settings.budget_alerts_topic_arn,
        AlertKind.ACCOUNT_SYNC_FAILURE: settings.account_sync_failures_topic_arn,
        AlertKind.SECURITY_ALERT: settings.security_alerts_topic_arn,
    }[kind]


async def _recipient_users(session: AsyncSession, alert: Alert) -> list[User]:
    if alert.household_id is None:
        if not alert.user_ids:
            return []
        statement = select(User).where(User.id.in_(alert.user_ids))
    else:
        statement = (
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.household_id == alert.household_id)
        )
        if alert.user_ids is None:
            statement = statement.where(Membership.role.in_(DEFAULT_ROLES))
        else:
            statement = statement.where(User.id.in_(alert.user_ids))
    return list(await session.scalars(statement.order_by(User.id)))


async def resolve_audience(session: AsyncSession, alert: Alert) -> list[Audience]:
    users = await _recipient_users(session, alert)
    ids = [user.id for user in users]
    preferences = await load_preferences(session, ids)
    by_user: dict[uuid.UUID, list[PushDevice]] = {user_id: [] for user_id in ids}
    if ids:
        for device in await session.scalars(
            select(PushDevice).where(PushDevice.user_id.in_(ids)).order_by(PushDevice.created_at)
        ):
            by_user[device.user_id].append(device)
    return [Audience(user, preferences[user.id], tuple(by_user[user.id])) for user in users]


def _contract_preferences(preferences: PreferenceSet) -> Preferences:
    return Preferences(
        email=preferences.channels["email"],
        push=preferences.channels["push"],
        kinds={
            kind.value: ChannelSwitch(email=switches["email"], push=switches["push"])
            for kind, switches in preferences.kinds.items()
        },
    )


def _mobile_endpoints(devices: Sequence[PushDevice]) -> tuple[PushEndpoint, ...]:
    endpoints = []
    for device in devices:
        if device.endpoint_arn and device.sns_platform in ("apns", "apns_sandbox", "fcm"):
            endpoints.append(
                PushEndpoint(platform=device.sns_platform, endpoint_arn=device.endpoint_arn)  # type: ignore[arg-type]
            )
    return tuple(endpoints)


def notification_event(alert: Alert, audience: Sequence[Audience]) -> NotificationEvent:
    """The event of the documented contract, with the alert key."""
    return NotificationEvent(
        kind=alert.kind.value,
        household_id=None if alert.household_id is None else str(alert.household_id),
        template=alert.kind.value,
        data=alert.data,
        recipients=tuple(
            Recipient(
                user_id=str(member.user.id),
                email=member.email,
                name=member.user.name,
                locale="en",
                preferences=_contract_preferences(member.preferences),
                push_endpoints=_mobile_endpoints(member.devices),
            )
            for member in audience
        ),
        key=alert.key,
    )


def _variables(alert: Alert, name: str) -> dict[str, object]:
    return {**alert.data, "recipient_name": name.strip() or "there"}


def _link(alert: Alert) -> str | None:
    value = alert.data.get(LINK_VARIABLES[alert.kind])
    return value if isinstance(value, str) else None


async def _add_in_app(session: AsyncSession, alert: Alert, audience: Sequence[Audience]) -> int:
    rows = []
    for member in audience:
        if not member.preferences.allows(alert.kind, "in_app"):
            continue
        push = templates.render_push(alert.kind.value, _variables(alert, member.user.name))
        rows.append(
            {
                "id": uuid.uuid4(),
                "user_id": member.user.id,
                "household_id": alert.household_id,
                "kind": alert.kind.value,
                "alert_key": alert.key,
                "title": push.title,
                "body": push.body,
                "data": dict(alert.data),
                "created_at": utcnow(),
            }
        )
    if not rows:
        return 0
    insert = (
        postgresql.insert(Notification)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(Notification)
    )
    await session.execute(
        insert.values(rows).on_conflict_do_nothing(
            index_elements=[Notification.alert_key, Notification.user_id]
        )
    )
    return len(rows)


def _publish_to_topic(client: Any, arn: str, event: NotificationEvent) -> str:
    response = client.publish(
        TopicArn=arn,
        Message=json.dumps(event.to_json(), ensure_ascii=False),
        MessageAttributes={
            "alert_key": {"DataType": "String", "StringValue": event.key or ""},
            "kind": {"DataType": "String", "StringValue": event.kind},
        },
    )
    return str(response["MessageId"])


def email_key(alert_key: str, user_id: uuid.UUID) -> str:
    return f"alert:{alert_key}:{user_id}"


async def _send_locally(
    session: AsyncSession,
    settings: Settings,
    sender: EmailSender,
    alert: Alert,
    event: NotificationEvent,
    audience: Sequence[Audience],
) -> None:
    work = filter_recipients(event)
    for recipient in work.email:
        rendered = templates.render_email(event.template, _variables(alert, recipient.name))
        await sender.send(
            EmailMessage(
                to=recipient.email,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                template=event.template,
            ),
            key=email_key(alert.key, uuid.UUID(recipient.user_id)),
        )
    if not work.push:
        return
    client = push_devices.sns_client(settings)
    data = push_data(event.kind, event.household_id)
    unusable: set[str] = set()
    for target in work.push:
        push = templates.render_push(event.template, _variables(alert, target.name))
        report = await asyncio.to_thread(
            publish_all, target.push_endpoints, push, data, client=client
        )
        unusable.update(report.unusable)
    if unusable:
        dead = [d for m in audience for d in m.devices if d.endpoint_arn in unusable]
        await push_devices.forget(session, settings, dead)


async def _send_web_push(
    session: AsyncSession, settings: Settings, alert: Alert, audience: Sequence[Audience]
) -> None:
    gone: list[PushDevice] = []
    for member in audience:
        if not member.preferences.allows(alert.kind, "push"):
            continue
        browsers = [d for d in member.devices if d.platform is DevicePlatform.WEB]
        if not browsers:
            continue
        push = templates.render_push(alert.kind.value, _variables(alert, member.user.name))
        message = {
            "title": push.title,
            "body": push.body,
            "url": _link(alert),
            "kind": alert.kind.value,
            "household_id": None if alert.household_id is None else str(alert.household_id),
            # The browser's notification tag: a repeated delivery replaces, not adds.
            "tag": alert.key,
        }
        for device in browsers:
            subscription = web_push.WebSubscription(
                device.web_endpoint or "", device.web_p256dh or "", device.web_auth or ""
            )
            try:
                await web_push.send(settings, subscription, message)
            except web_push.SubscriptionGone:
                gone.append(device)
            except Exception as exc:
                # One browser's push service failing must not hold back the others, nor make
                # the whole alert (its emails included) go out again.
                logger.warning(
                    "web push failed",
                    extra={
                        "device_id": str(device.id),
                        "alert_kind": alert.kind.value,
                        "error": str(exc),
                    },
                )
    await push_devices.forget(session, settings, gone)


async def deliver(
    session: AsyncSession, settings: Settings, sender: EmailSender, payload: Mapping[str, Any]
) -> None:
    """Deliver one alert (the job's handler; see the module doc)."""
    alert = Alert.from_payload(payload)
    audience = await resolve_audience(session, alert)
    if not audience:
        logger.info("alert has no recipients", extra={"alert_kind": alert.kind.value})
        return
    await _add_in_app(session, alert, audience)
    event = notification_event(alert, audience)
    arn = topic_arn(settings, alert.kind)
    if arn:
        client = aws.client("sns", region_name=settings.aws_region)
        message_id = await asyncio.to_thread(_publish_to_topic, client, arn, event)
        logger.info(
            "alert published",
            extra={"alert_kind": alert.kind.value, "sns_message_id": message_id},
        )
    else:
        await _send_locally(session, settings, sender, alert, event, audience)
    await _send_web_push(session, settings, alert, audience)
    await session.flush()
