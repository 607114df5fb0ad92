"""The three Lambda entry points, end to end: moto (SES, SNS) and a local Lambda Invoke endpoint."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from family_budget.notifications import handlers
from family_budget.notifications.events import EventError, parse_email_job, parse_push_job
from family_budget.notifications.templates import TemplateError

from .conftest import (
    BILL_DATA,
    CONFIGURATION_SET,
    SENDER,
    InvokeRecorder,
    bill_event,
    moto_state,
    recipient,
)

EMAIL_FUNCTION = "test-notification-email"
PUSH_FUNCTION = "test-notification-push"


@pytest.fixture(autouse=True)
def function_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMAIL_FUNCTION_NAME", EMAIL_FUNCTION)
    monkeypatch.setenv("PUSH_FUNCTION_NAME", PUSH_FUNCTION)
    monkeypatch.setenv("SES_FROM_ADDRESS", SENDER)
    monkeypatch.setenv("SES_CONFIGURATION_SET", CONFIGURATION_SET)


def sns_event(*messages: dict[str, Any]) -> dict[str, Any]:
    """What SNS hands a subscribed Lambda function."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "Sns": {
                    "Type": "Notification",
                    "TopicArn": "arn:aws:sns:us-east-1:123456789012:test-bill-reminders",
                    "Message": json.dumps(message),
                },
            }
            for message in messages
        ]
    }


def platform_endpoint(sns: Any, platform: str, token: str, *, enabled: bool = True) -> str:
    app_arn = sns.create_platform_application(
        Name=f"app-{platform.lower()}", Platform=platform, Attributes={}
    )["PlatformApplicationArn"]
    arn = str(
        sns.create_platform_endpoint(PlatformApplicationArn=app_arn, Token=token)["EndpointArn"]
    )
    if not enabled:
        sns.set_endpoint_attributes(EndpointArn=arn, Attributes={"Enabled": "false"})
    return arn


def assert_logs_hold_no_personal_data(caplog: pytest.LogCaptureFixture, *secrets: str) -> None:
    records = [r for r in caplog.records if r.name == "family_budget.notifications"]
    assert records
    for record in records:
        json.loads(record.getMessage())  # structured: one JSON object per line
        for secret in secrets:
            assert secret not in record.getMessage()


class TestFilterPreferences:
    def test_fans_out_to_email_and_push(
        self, lambda_service: InvokeRecorder, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        device = {"platform": "apns", "endpoint_arn": "arn:aws:sns:us-east-1:1:endpoint/APNS/a/1"}
        event = bill_event(
            recipient("u1", name="Alex Parker", push_endpoints=[device]),
            recipient("u2", name="Sam Parker", email_on=False, push_endpoints=[device]),
            recipient("u3", name="Kim Parker", push_on=False),
            recipient("u4", name="Lee Parker", kinds={"bill_reminder": {"email": False}}),
        )

        summary = handlers.filter_preferences(sns_event(event), None)

        assert summary == {"events": 1, "email_jobs": 1, "push_jobs": 1}
        assert {i.invocation_type for i in lambda_service.invocations} == {"Event"}
        (email_payload,) = lambda_service.payloads(EMAIL_FUNCTION)
        email_job = parse_email_job(email_payload)
        assert [(r.user_id, r.email) for r in email_job.recipients] == [
            ("u1", "u1@example.com"),
            ("u3", "u3@example.com"),
        ]
        assert email_job.data == BILL_DATA
        (push_payload,) = lambda_service.payloads(PUSH_FUNCTION)
        push_job = parse_push_job(push_payload)
        assert [t.user_id for t in push_job.targets] == ["u1", "u2"]
        assert "email" not in json.dumps(push_payload["targets"])
        assert_logs_hold_no_personal_data(caplog, "@example.com", "Parker")

    def test_accepts_the_contract_itself(self, lambda_service: InvokeRecorder) -> None:
        summary = handlers.filter_preferences(bill_event(recipient("u1")), None)
        assert summary == {"events": 1, "email_jobs": 1, "push_jobs": 0}
        assert lambda_service.payloads(PUSH_FUNCTION) == []

    def test_large_households_are_batched(self, lambda_service: InvokeRecorder) -> None:
        event = bill_event(*(recipient(f"u{i}") for i in range(handlers.BATCH_SIZE * 2 + 1)))
        handlers.filter_preferences(sns_event(event), None)
        sizes = [len(p["recipients"]) for p in lambda_service.payloads(EMAIL_FUNCTION)]
        assert sizes == [handlers.BATCH_SIZE, handlers.BATCH_SIZE, 1]

    def test_nobody_to_notify_invokes_nothing(self, lambda_service: InvokeRecorder) -> None:
        summary = handlers.filter_preferences(bill_event(recipient(email_on=False)), None)
        assert summary["email_jobs"] == summary["push_jobs"] == 0
        assert lambda_service.invocations == []

    def test_malformed_message_invokes_nothing(self, lambda_service: InvokeRecorder) -> None:
        good = bill_event(recipient("u1"))
        bad = {**good, "kind": "newsletter"}
        with pytest.raises(EventError, match=r"event\.kind"):
            handlers.filter_preferences(sns_event(good, bad), None)
        assert lambda_service.invocations == []

    def test_message_that_is_not_json(self, lambda_service: InvokeRecorder) -> None:
        event = sns_event(bill_event(recipient()))
        event["Records"][0]["Sns"]["Message"] = "{not json"
        with pytest.raises(EventError, match=r"Records\[0\]\.Sns\.Message: not valid JSON"):
            handlers.filter_preferences(event, None)

    def test_missing_template_variable_invokes_nothing(
        self, lambda_service: InvokeRecorder
    ) -> None:
        data = {k: v for k, v in BILL_DATA.items() if k != "due_on"}
        with pytest.raises(TemplateError, match="missing variable\\(s\\): due_on"):
            handlers.filter_preferences(bill_event(recipient(), data=data), None)
        assert lambda_service.invocations == []

    def test_template_without_push_is_refused(self, lambda_service: InvokeRecorder) -> None:
        event = bill_event(recipient())
        event["template"] = "password_reset"
        event["data"] = {"reset_url": "https://app.test/r", "expires_in_minutes": 30}
        with pytest.raises(TemplateError, match="has no push message"):
            handlers.filter_preferences(event, None)

    def test_failed_invoke_raises(self, lambda_service: InvokeRecorder) -> None:
        lambda_service.status = 200
        with pytest.raises(RuntimeError, match=f"invoke of {EMAIL_FUNCTION} returned status 200"):
            handlers.filter_preferences(bill_event(recipient()), None)

    def test_missing_configuration(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.delenv("PUSH_FUNCTION_NAME")
        with pytest.raises(RuntimeError, match="PUSH_FUNCTION_NAME is not set"):
            handlers.filter_preferences(bill_event(recipient()), None)


class TestRenderEmail:
    def test_sends_one_email_per_recipient(
        self, sesv2: Any, moto_endpoint: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        job = {
            "version": 1,
            "kind": "bill_reminder",
            "household_id": "household-1",
            "template": "bill_reminder",
            "data": BILL_DATA,
            "recipients": [
                {"user_id": "u1", "email": "alex@example.com", "name": "Alex", "locale": "en"},
                {"user_id": "u2", "email": "sam@example.com", "name": "", "locale": "fr"},
            ],
        }

        result = handlers.render_email(job, None)

        assert result == {"sent": ["u1", "u2"], "rejected": []}
        raw = [m["raw_data"] for m in moto_state(moto_endpoint)["ses"]["RawMessage"]]
        assert len(raw) == 2
        assert "To: Alex <alex@example.com>" in raw[0]
        assert "Hi Alex," in raw[0]
        assert "To: sam@example.com" in raw[1]
        assert "Hi there," in raw[1]
        assert_logs_hold_no_personal_data(caplog, "@example.com", "Alex")

    def test_rejected_messages_are_reported(
        self, sesv2: Any, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("SES_FROM_ADDRESS", "someone@unverified.test")
        job = {
            "version": 1,
            "kind": "security_alert",
            "household_id": "household-1",
            "template": "security_alert",
            "data": {
                "activity": "New sign-in",
                "occurred_at": "2025-03-05T14:03:00Z",
                "security_url": "https://app.test/security",
            },
            "recipients": [{"user_id": "u1", "email": "alex@example.com", "name": "Alex"}],
        }
        assert handlers.render_email(job, None) == {"sent": [], "rejected": ["u1"]}

    def test_bad_job_sends_nothing(self, sesv2: Any, moto_endpoint: str) -> None:
        job = {
            "version": 1,
            "kind": "bill_reminder",
            "household_id": "household-1",
            "template": "bill_reminder",
            "data": {**BILL_DATA, "amount": 5},
            "recipients": [{"user_id": "u1", "email": "alex@example.com", "name": "Alex"}],
        }
        with pytest.raises(TemplateError, match="'amount'"):
            handlers.render_email(job, None)
        assert moto_state(moto_endpoint)["ses"]["RawMessage"] == []


class TestFormatPush:
    def test_publishes_and_reports_unusable_endpoints(
        self, sns: Any, moto_endpoint: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.INFO)
        apns = platform_endpoint(sns, "APNS", "secret-apns-token")
        fcm = platform_endpoint(sns, "GCM", "secret-fcm-token")
        disabled = platform_endpoint(sns, "APNS_SANDBOX", "secret-old-token", enabled=False)
        job = {
            "version": 1,
            "kind": "bill_reminder",
            "household_id": "household-1",
            "template": "bill_reminder",
            "data": BILL_DATA,
            "targets": [
                {
                    "user_id": "u1",
                    "name": "Alex",
                    "push_endpoints": [
                        {"platform": "apns", "endpoint_arn": apns},
                        {"platform": "apns_sandbox", "endpoint_arn": disabled},
                    ],
                },
                {
                    "user_id": "u2",
                    "name": "Sam",
                    "push_endpoints": [{"platform": "fcm", "endpoint_arn": fcm}],
                },
            ],
        }

        result = handlers.format_push(job, None)

        assert result == {
            "delivered": 2,
            "unusable": [{"user_id": "u1", "endpoint_arn": disabled, "code": "EndpointDisabled"}],
        }
        stored = {
            e["arn"]: e["messages"] for e in moto_state(moto_endpoint)["sns"]["PlatformEndpoint"]
        }
        (apns_message,) = stored[apns].values()
        apns_payload = json.loads(json.loads(apns_message)["APNS"])
        assert apns_payload["aps"]["alert"] == {
            "title": "Electricity is due March 5, 2025",
            "body": "$123.45 for The Parkers",
        }
        assert apns_payload["household_id"] == "household-1"
        (fcm_message,) = stored[fcm].values()
        assert json.loads(json.loads(fcm_message)["GCM"])["fcm_v1_message"]["message"]["data"] == {
            "kind": "bill_reminder",
            "household_id": "household-1",
        }
        assert_logs_hold_no_personal_data(caplog, "secret-", "Alex")


def test_whole_chain(
    lambda_service: InvokeRecorder, sesv2: Any, sns: Any, moto_endpoint: str
) -> None:
    """Topic message -> filter -> the two jobs, run by the email and push entry points."""
    device = platform_endpoint(sns, "GCM", "token-1")
    event = bill_event(
        recipient("u1", push_endpoints=[{"platform": "fcm", "endpoint_arn": device}]),
        recipient("u2", push_on=False),
    )
    handlers.filter_preferences(sns_event(event), None)

    (email_job,) = lambda_service.payloads(EMAIL_FUNCTION)
    (push_job,) = lambda_service.payloads(PUSH_FUNCTION)
    assert handlers.render_email(email_job, None)["sent"] == ["u1", "u2"]
    assert handlers.format_push(push_job, None) == {"delivered": 1, "unusable": []}
    state = moto_state(moto_endpoint)
    assert len(state["ses"]["RawMessage"]) == 2
    (endpoint_state,) = state["sns"]["PlatformEndpoint"]
    assert len(endpoint_state["messages"]) == 1
