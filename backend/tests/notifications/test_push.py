"""Publishing to SNS platform endpoints, against moto in server mode."""

from __future__ import annotations

import json
from typing import Any

import pytest

from family_budget.notifications import aws
from family_budget.notifications.events import PushEndpoint
from family_budget.notifications.push import publish, publish_all, sns_message
from family_budget.notifications.templates import RenderedPush

from .conftest import moto_state

PUSH = RenderedPush(title="Electricity is due March 5, 2025", body="$123.45 for The Parkers")
DATA = {"kind": "bill_reminder", "household_id": "household-1"}


def create_endpoint(sns: Any, platform: str, *, enabled: bool = True) -> str:
    app_arn = sns.create_platform_application(
        Name=f"test-{platform.lower()}", Platform=platform, Attributes={}
    )["PlatformApplicationArn"]
    endpoint_arn = str(
        sns.create_platform_endpoint(PlatformApplicationArn=app_arn, Token=f"token-{platform}")[
            "EndpointArn"
        ]
    )
    if not enabled:
        sns.set_endpoint_attributes(EndpointArn=endpoint_arn, Attributes={"Enabled": "false"})
    return endpoint_arn


def published(endpoint: str) -> dict[str, list[dict[str, Any]]]:
    """Endpoint ARN -> the decoded messages moto recorded for it."""
    return {
        e["arn"]: [json.loads(m) for m in e["messages"].values()]
        for e in moto_state(endpoint)["sns"]["PlatformEndpoint"]
    }


class TestPayloads:
    def test_apns(self) -> None:
        message = json.loads(sns_message("apns", PUSH, DATA))
        assert set(message) == {"default", "APNS"}
        assert message["default"] == PUSH.body
        assert json.loads(message["APNS"]) == {
            "aps": {"alert": {"title": PUSH.title, "body": PUSH.body}, "sound": "default"},
            "kind": "bill_reminder",
            "household_id": "household-1",
        }

    def test_apns_sandbox_uses_its_own_key(self) -> None:
        message = json.loads(sns_message("apns_sandbox", PUSH, DATA))
        assert set(message) == {"default", "APNS_SANDBOX"}
        assert json.loads(message["APNS_SANDBOX"])["aps"]["alert"]["title"] == PUSH.title

    def test_fcm_v1(self) -> None:
        message = json.loads(sns_message("fcm", PUSH, DATA))
        assert set(message) == {"default", "GCM"}
        fcm = json.loads(message["GCM"])["fcm_v1_message"]["message"]
        assert fcm["notification"] == {"title": PUSH.title, "body": PUSH.body}
        assert fcm["data"] == DATA
        assert all(isinstance(v, str) for v in fcm["data"].values())


class TestPublish:
    def test_publishes_to_each_platform(self, sns: Any, moto_endpoint: str) -> None:
        apns = create_endpoint(sns, "APNS")
        fcm = create_endpoint(sns, "GCM")

        report = publish_all(
            [PushEndpoint("apns", apns), PushEndpoint("fcm", fcm)], PUSH, DATA, client=sns
        )

        assert set(report.delivered) == {apns, fcm}
        assert report.unusable == {}
        messages = published(moto_endpoint)
        (apns_message,) = messages[apns]
        assert json.loads(apns_message["APNS"])["aps"]["alert"]["body"] == PUSH.body
        (fcm_message,) = messages[fcm]
        assert "fcm_v1_message" in json.loads(fcm_message["GCM"])

    def test_unusable_endpoints_are_reported_not_fatal(self, sns: Any, moto_endpoint: str) -> None:
        disabled = create_endpoint(sns, "APNS", enabled=False)
        deleted = create_endpoint(sns, "APNS_SANDBOX")
        sns.delete_endpoint(EndpointArn=deleted)
        working = create_endpoint(sns, "GCM")

        report = publish_all(
            [
                PushEndpoint("apns", disabled),
                PushEndpoint("apns_sandbox", deleted),
                PushEndpoint("fcm", working),
            ],
            PUSH,
            DATA,
            client=sns,
        )

        assert report.unusable == {disabled: "EndpointDisabled", deleted: "NotFound"}
        assert list(report.delivered) == [working]
        messages = published(moto_endpoint)
        assert messages[disabled] == []
        assert len(messages[working]) == 1

    def test_other_errors_raise(self, sns: Any) -> None:
        endpoint = PushEndpoint("apns", create_endpoint(sns, "APNS"))
        too_long = RenderedPush(title="t", body="x" * 300_000)
        with pytest.raises(Exception) as raised:  # noqa: PT011 - botocore's ClientError
            publish(endpoint, too_long, DATA, client=sns)
        assert aws.error_code(raised.value) == "InvalidParameter"
