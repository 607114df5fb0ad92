"""The AWS path, with real boto3 clients against moto in server mode: alerts published to the
NotificationStack's topics (read back through SQS subscriptions) and carried through the
Lambda handlers to SES and SNS push; device tokens as SNS platform endpoints, disabled ones
dropped; SES bounces and complaints read from the email-events queue."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.alerts import email_events
from family_budget.alerts.service import AlertKind, PreferenceSet, raise_alert, replace_preferences
from family_budget.config import Settings
from family_budget.models import Notification, PushDevice, User
from family_budget.models.base import utcnow
from family_budget.notifications import aws, handlers
from family_budget.notifications.events import parse_event
from family_budget.worker.jobs import JobContext, drain, enqueue
from tests.alerts.conftest import Family, RunJobs
from tests.alerts.test_delivery import BILL, SECURITY
from tests.factories import auth_headers, create_user
from tests.notifications.conftest import (  # noqa: F401 (fixtures)
    CONFIGURATION_SET,
    REGION,
    SENDER,
    InvokeRecorder,
    lambda_service,
    moto_state,
    sesv2,
)

API = "/api/v1"
TOPICS = {
    "bill_reminders_topic_arn": "bill-reminders",
    "budget_alerts_topic_arn": "budget-alerts",
    "account_sync_failures_topic_arn": "account-sync-failures",
    "security_alerts_topic_arn": "security-alerts",
}


@dataclass
class Topics:
    sqs: Any
    queue_by_topic: dict[str, str]

    def messages(self, topic: str) -> list[dict[str, Any]]:
        """The SNS envelopes that reached the topic's subscribed queue (deleted as read)."""
        url = self.queue_by_topic[topic]
        found = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not batch:
                return found
            for message in batch:
                found.append(json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


@pytest.fixture
def topics(moto_endpoint: str, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Topics:
    """The four topics as the NotificationStack names them, each with an SQS subscription
    standing in for the Lambda, and their ARNs in the settings."""
    sns = aws.client("sns", region_name=REGION)
    sqs = aws.client("sqs", region_name=REGION)
    queues = {}
    for setting, name in TOPICS.items():
        arn = sns.create_topic(Name=f"test-{name}")["TopicArn"]
        url = sqs.create_queue(QueueName=f"test-{name}")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)
        monkeypatch.setattr(settings, setting, arn)
        queues[name] = url
    return Topics(sqs, queues)


@pytest.fixture
def platform_applications(
    moto_endpoint: str, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    sns = aws.client("sns", region_name=REGION)
    arns = {}
    for setting, platform in (
        ("apns_platform_application_arn", "APNS"),
        ("apns_sandbox_platform_application_arn", "APNS_SANDBOX"),
        ("fcm_platform_application_arn", "GCM"),
    ):
        arn = sns.create_platform_application(
            Name=f"test-{platform.lower()}", Platform=platform, Attributes={}
        )["PlatformApplicationArn"]
        monkeypatch.setattr(settings, setting, arn)
        arns[platform] = arn
    return arns


async def _register_phone(
    client: httpx.AsyncClient, settings: Settings, user: User, platform: str, token: str
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/me/devices",
        json={"platform": platform, "token": token},
        headers=auth_headers(settings, user),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _endpoints(moto_endpoint: str) -> dict[str, dict[str, Any]]:
    """Every endpoint moto ever created (deleted ones too), with the messages it received."""
    return {e["arn"]: e for e in moto_state(moto_endpoint)["sns"]["PlatformEndpoint"]}


def _live_endpoints(applications: dict[str, str]) -> list[str]:
    """The endpoints SNS lists: those that exist."""
    sns = aws.client("sns", region_name=REGION)
    return sorted(
        e["EndpointArn"]
        for arn in applications.values()
        for e in sns.list_endpoints_by_platform_application(PlatformApplicationArn=arn)["Endpoints"]
    )


class TestPublishing:
    async def test_the_event_goes_to_the_kinds_topic_with_its_key_and_nothing_is_sent_here(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        smiths: Family,
        topics: Topics,
        platform_applications: dict[str, str],
        run_jobs: RunJobs,
        outbox: Path,
    ) -> None:
        await _register_phone(client, settings, parkers.owner, "android", "fcm-token-" + "o" * 40)
        no_push = PreferenceSet.all_on()
        no_push.kinds[AlertKind.BILL_REMINDER]["push"] = False
        await replace_preferences(session, parkers.adult.id, no_push)
        parkers.adult.email_undeliverable_at = utcnow()
        await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data=BILL,
            key="bill:aws",
            household=parkers.context,
        )
        await raise_alert(
            session,
            kind=AlertKind.SECURITY_ALERT,
            data=SECURITY,
            key="security:aws",
            household=None,
            user_ids=[smiths.owner.id],
        )
        await session.commit()

        await run_jobs()

        [bill] = topics.messages("bill-reminders")
        [security] = topics.messages("security-alerts")
        assert topics.messages("budget-alerts") == []
        assert bill["MessageAttributes"]["alert_key"] == {"Type": "String", "Value": "bill:aws"}
        event = parse_event(json.loads(bill["Message"]))
        assert (event.kind, event.key, event.household_id) == (
            "bill_reminder",
            "bill:aws",
            str(parkers.household.id),
        )
        recipients = {r.user_id: r for r in event.recipients}
        assert set(recipients) == {str(parkers.owner.id), str(parkers.adult.id)}
        owner = recipients[str(parkers.owner.id)]
        adult = recipients[str(parkers.adult.id)]
        assert (owner.email, owner.name) == (parkers.owner.email, "The Parkers Owner")
        assert [e.platform for e in owner.push_endpoints] == ["fcm"]
        assert adult.email is None  # bounced: the Lambda must not email it
        assert adult.preferences.for_kind("bill_reminder").push is False
        sec = parse_event(json.loads(security["Message"]))
        assert (sec.household_id, [r.user_id for r in sec.recipients]) == (
            None,
            [str(smiths.owner.id)],
        )
        # In AWS the Lambdas send; the in-app rows are still the worker's.
        assert await asyncio.to_thread(lambda: list(outbox.iterdir())) == []
        assert await session.scalar(select(func.count()).select_from(Notification)) == 3

    async def test_the_published_event_runs_through_the_lambda_handlers(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        topics: Topics,
        platform_applications: dict[str, str],
        run_jobs: RunJobs,
        lambda_service: InvokeRecorder,  # noqa: F811
        sesv2: Any,  # noqa: F811
        moto_endpoint: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        for name, value in (
            ("EMAIL_FUNCTION_NAME", "email"),
            ("PUSH_FUNCTION_NAME", "push"),
            ("SES_FROM_ADDRESS", SENDER),
            ("SES_CONFIGURATION_SET", CONFIGURATION_SET),
        ):
            monkeypatch.setenv(name, value)
        device = await _register_phone(client, settings, parkers.owner, "ios", "a" * 64)
        await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data=BILL,
            key="bill:chain",
            household=parkers.context,
        )
        await session.commit()
        await run_jobs()
        [envelope] = topics.messages("bill-reminders")

        handlers.filter_preferences(
            {"Records": [{"Sns": {"Type": "Notification", "Message": envelope["Message"]}}]}, None
        )
        [email_job] = lambda_service.payloads("email")
        [push_job] = lambda_service.payloads("push")
        assert email_job["key"] == push_job["key"] == "bill:chain"
        sent = handlers.render_email(email_job, None)["sent"]
        assert sorted(sent) == sorted([str(parkers.owner.id), str(parkers.adult.id)])
        assert handlers.format_push(push_job, None) == {"delivered": 1, "unusable": []}
        raw = [m["raw_data"] for m in moto_state(moto_endpoint)["ses"]["RawMessage"]]
        assert sum(f"To: The Parkers Owner <{parkers.owner.email}>" in m for m in raw) == 1
        endpoint_arn = await session.scalar(
            select(PushDevice.endpoint_arn).where(PushDevice.id == uuid.UUID(device["id"]))
        )
        [message] = _endpoints(moto_endpoint)[str(endpoint_arn)]["messages"].values()
        assert json.loads(json.loads(message)["APNS"])["aps"]["alert"]["title"] == (
            "Electricity is due March 5, 2027"
        )


class TestPlatformEndpoints:
    async def test_a_token_becomes_an_endpoint_once_and_is_deleted_with_the_device(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        platform_applications: dict[str, str],
        moto_endpoint: str,
    ) -> None:
        first = await _register_phone(client, settings, parkers.owner, "ios", "b" * 64)
        again = await _register_phone(client, settings, parkers.owner, "ios", "b" * 64)
        assert first["id"] == again["id"]
        assert first["push_enabled"] is True
        [endpoint] = _endpoints(moto_endpoint).values()
        # An endpoint's ARN names its platform application.
        assert ":endpoint/APNS/test-apns/" in endpoint["arn"]
        assert (endpoint["token"], endpoint["custom_user_data"]) == (
            "b" * 64,
            str(parkers.owner.id),
        )

        gone = await client.delete(
            f"{API}/me/devices/{first['id']}", headers=auth_headers(settings, parkers.owner)
        )
        assert gone.status_code == 204
        assert _live_endpoints(platform_applications) == []

    async def test_a_sandbox_token_uses_the_sandbox_application(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        platform_applications: dict[str, str],
        moto_endpoint: str,
    ) -> None:
        response = await client.post(
            f"{API}/me/devices",
            json={"platform": "ios", "token": "c" * 64, "apns_sandbox": True},
            headers=auth_headers(settings, parkers.owner),
        )
        assert response.status_code == 201
        [endpoint] = _endpoints(moto_endpoint).values()
        assert ":endpoint/APNS_SANDBOX/test-apns_sandbox/" in endpoint["arn"]
        assert await session.scalar(select(PushDevice.sns_platform)) == "apns_sandbox"

    async def test_endpoints_sns_disabled_are_dropped_by_the_daily_check(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        parkers: Family,
        platform_applications: dict[str, str],
        moto_endpoint: str,
    ) -> None:
        dead = await _register_phone(client, settings, parkers.owner, "android", "d" * 100)
        alive = await _register_phone(client, settings, parkers.adult, "android", "e" * 100)
        dead_arn = await session.scalar(
            select(PushDevice.endpoint_arn).where(PushDevice.id == uuid.UUID(dead["id"]))
        )
        sns = aws.client("sns", region_name=REGION)
        sns.set_endpoint_attributes(EndpointArn=dead_arn, Attributes={"Enabled": "false"})
        async with session_factory() as job_session:
            await enqueue(
                job_session, "alerts.prune_push_endpoints", {"at": utcnow().isoformat()}, key="p"
            )
            await job_session.commit()
        await drain(JobContext(settings, session_factory, now=utcnow()))

        remaining = list(await session.scalars(select(PushDevice.id)))
        assert [str(i) for i in remaining] == [alive["id"]]
        alive_arn = await session.scalar(select(PushDevice.endpoint_arn))
        assert _live_endpoints(platform_applications) == [alive_arn]

    async def test_delivered_in_process_a_disabled_endpoint_is_dropped_the_others_served(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        parkers: Family,
        platform_applications: dict[str, str],
        run_jobs: RunJobs,
        moto_endpoint: str,
    ) -> None:
        dead = await _register_phone(client, settings, parkers.owner, "android", "f" * 100)
        await _register_phone(client, settings, parkers.adult, "android", "g" * 100)
        dead_arn = await session.scalar(
            select(PushDevice.endpoint_arn).where(PushDevice.id == uuid.UUID(dead["id"]))
        )
        aws.client("sns", region_name=REGION).set_endpoint_attributes(
            EndpointArn=dead_arn, Attributes={"Enabled": "false"}
        )
        await raise_alert(
            session,
            kind=AlertKind.BILL_REMINDER,
            data=BILL,
            key="bill:local",
            household=parkers.context,
        )
        await session.commit()
        await run_jobs()

        alive_arn = await session.scalar(select(PushDevice.endpoint_arn))
        delivered = {arn: len(e["messages"]) for arn, e in _endpoints(moto_endpoint).items()}
        assert delivered == {dead_arn: 0, alive_arn: 1}
        assert _live_endpoints(platform_applications) == [alive_arn]


def _ses_event(kind: str, address: str, **detail: Any) -> str:
    body: dict[str, Any] = {"eventType": kind, "mail": {"destination": [address]}}
    if kind == "Bounce":
        body["bounce"] = {
            "bounceType": detail.get("bounce_type", "Permanent"),
            "bouncedRecipients": [{"emailAddress": address}],
        }
    elif kind == "Complaint":
        body["complaint"] = {"complainedRecipients": [{"emailAddress": address}]}
    return json.dumps(body)


class TestEmailEvents:
    async def test_bounces_and_complaints_mark_addresses_and_are_deleted(
        self,
        session: AsyncSession,
        settings: Settings,
        session_factory: async_sessionmaker[AsyncSession],
        moto_endpoint: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        bounced = await create_user(session, email="bounced@example.com")
        complained = await create_user(session, email="complained@example.com")
        full_box = await create_user(session, email="full@example.com")
        delivered = await create_user(session, email="fine@example.com")
        await session.commit()
        sqs = aws.client("sqs", region_name=REGION)
        url = sqs.create_queue(QueueName="test-email-events")["QueueUrl"]
        monkeypatch.setattr(settings, "ses_events_queue_url", url)
        bodies = [
            _ses_event("Bounce", "Bounced@Example.com"),
            # Raw delivery off: the SES event inside an SNS envelope.
            json.dumps(
                {
                    "Type": "Notification",
                    "Message": _ses_event("Complaint", "complained@example.com"),
                }
            ),
            _ses_event("Bounce", "full@example.com", bounce_type="Transient"),
            _ses_event("Delivery", "fine@example.com"),
            "not json at all",
        ]
        for body in bodies:
            sqs.send_message(QueueUrl=url, MessageBody=body)
        now = utcnow().replace(microsecond=0)

        marked = await email_events.consume(settings, session_factory, now)

        assert marked == 2
        rows = {
            u.email: (u.email_undeliverable_at, u.email_undeliverable_reason)
            for u in await session.scalars(
                select(User)
                .where(User.id.in_([bounced.id, complained.id, full_box.id, delivered.id]))
                .execution_options(populate_existing=True)
            )
        }
        assert rows == {
            "bounced@example.com": (now, "bounce"),
            "complained@example.com": (now, "complaint"),
            "full@example.com": (None, None),
            "fine@example.com": (None, None),
        }
        left = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]["ApproximateNumberOfMessages"]
        assert left == "0"

    async def test_without_the_setting_nothing_is_read(
        self, settings: Settings, session_factory: async_sessionmaker[AsyncSession]
    ) -> None:
        assert settings.ses_events_queue_url is None
        assert await email_events.consume(settings, session_factory, utcnow()) == 0
