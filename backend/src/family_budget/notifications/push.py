"""Push messages for APNs and FCM, published to SNS mobile platform endpoints."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from family_budget.notifications import aws
from family_budget.notifications.events import Platform, PushEndpoint
from family_budget.notifications.templates import RenderedPush

# The keys SNS expects in a MessageStructure="json" message, per platform application type.
SNS_MESSAGE_KEYS: dict[Platform, str] = {
    "apns": "APNS",
    "apns_sandbox": "APNS_SANDBOX",
    "fcm": "GCM",
}

# Errors that mean "this device is gone": the token was invalidated (app uninstalled) or the
# endpoint was deleted. They are reported so the API can forget the endpoint; other errors raise.
UNUSABLE_ENDPOINT_ERRORS = frozenset({"EndpointDisabled", "NotFound"})


class EndpointUnusableError(Exception):
    def __init__(self, endpoint_arn: str, code: str) -> None:
        super().__init__(f"push endpoint unusable ({code}): {endpoint_arn}")
        self.endpoint_arn = endpoint_arn
        self.code = code


@dataclass
class PushReport:
    delivered: dict[str, str] = field(default_factory=dict)  # endpoint ARN -> SNS message id
    unusable: dict[str, str] = field(default_factory=dict)  # endpoint ARN -> error code


def push_data(kind: str, household_id: str | None) -> dict[str, str]:
    """The keys a push message carries beside its text, for the app to open the right page."""
    data = {"kind": kind}
    if household_id is not None:
        data["household_id"] = household_id
    return data


def apns_payload(push: RenderedPush, data: Mapping[str, str]) -> dict[str, Any]:
    """APNs payload: the alert under "aps", our own keys beside it."""
    return {
        "aps": {"alert": {"title": push.title, "body": push.body}, "sound": "default"},
        **data,
    }


def fcm_payload(push: RenderedPush, data: Mapping[str, str]) -> dict[str, Any]:
    """FCM HTTP v1 message as SNS expects it under the GCM key ("fcm_v1_message")."""
    return {
        "fcm_v1_message": {
            "message": {
                "notification": {"title": push.title, "body": push.body},
                "data": dict(data),
                "android": {"notification": {"sound": "default"}},
            }
        }
    }


def sns_message(platform: Platform, push: RenderedPush, data: Mapping[str, str]) -> str:
    """The Message of an SNS Publish with MessageStructure="json" for one platform."""
    payload = fcm_payload(push, data) if platform == "fcm" else apns_payload(push, data)
    return json.dumps(
        {"default": push.body, SNS_MESSAGE_KEYS[platform]: json.dumps(payload)},
        ensure_ascii=False,
    )


def publish(
    endpoint: PushEndpoint, push: RenderedPush, data: Mapping[str, str], *, client: Any = None
) -> str:
    """Publish to one endpoint and return the message id; raises EndpointUnusableError."""
    sns = client if client is not None else aws.client("sns")
    try:
        response = sns.publish(
            TargetArn=endpoint.endpoint_arn,
            Message=sns_message(endpoint.platform, push, data),
            MessageStructure="json",
        )
    except Exception as exc:
        code = aws.error_code(exc)
        if code in UNUSABLE_ENDPOINT_ERRORS:
            raise EndpointUnusableError(endpoint.endpoint_arn, code) from exc
        raise
    return str(response["MessageId"])


def publish_all(
    endpoints: Iterable[PushEndpoint],
    push: RenderedPush,
    data: Mapping[str, str],
    *,
    client: Any = None,
) -> PushReport:
    """Publish to every endpoint; unusable endpoints are reported and do not stop the others."""
    sns = client if client is not None else aws.client("sns")
    report = PushReport()
    for endpoint in endpoints:
        try:
            report.delivered[endpoint.endpoint_arn] = publish(endpoint, push, data, client=sns)
        except EndpointUnusableError as exc:
            report.unusable[exc.endpoint_arn] = exc.code
    return report
