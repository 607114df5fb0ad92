from __future__ import annotations

import copy
from typing import Any

import pytest

from family_budget.notifications.events import (
    ChannelSwitch,
    EventError,
    PushEndpoint,
    parse_email_job,
    parse_event,
    parse_push_job,
)

from .conftest import bill_event, endpoint_arn, recipient


def valid_event() -> dict[str, Any]:
    return bill_event(
        recipient(
            "user-1",
            kinds={"bill_reminder": {"push": False}},
            push_endpoints=[{"platform": "fcm", "endpoint_arn": endpoint_arn("GCM")}],
        )
    )


class TestParseEvent:
    def test_valid(self) -> None:
        event = parse_event(valid_event())
        assert event.kind == "bill_reminder"
        assert event.household_id == "household-1"
        assert event.data["bill_name"] == "Electricity"
        (only,) = event.recipients
        assert only.preferences.for_kind("bill_reminder") == ChannelSwitch(email=True, push=False)
        assert only.preferences.for_kind("budget_alert") == ChannelSwitch(email=True, push=True)
        assert only.push_endpoints == (PushEndpoint("fcm", endpoint_arn("GCM")),)

    def test_round_trips_through_to_json(self) -> None:
        event = parse_event(valid_event())
        assert parse_event(event.to_json()) == event

    def test_defaults_for_optional_fields(self) -> None:
        raw = valid_event()
        for key in ("locale", "preferences", "push_endpoints"):
            del raw["recipients"][0][key]
        (only,) = parse_event(raw).recipients
        assert only.locale == "en"
        assert only.preferences.email
        assert only.preferences.push
        assert only.push_endpoints == ()

    @pytest.mark.parametrize(
        ("path", "value", "message"),
        [
            (("version",), 2, r"event\.version: expected 1"),
            (("version",), True, r"event\.version: expected 1"),
            (("kind",), "newsletter", r"event\.kind: expected one of bill_reminder"),
            (("household_id",), "", r"event\.household_id: must not be empty"),
            (("template",), 7, r"event\.template: expected a string, got a number"),
            (("data",), [], r"event\.data: expected a JSON object, got an array"),
            (("recipients",), None, r"event\.recipients: expected a JSON array, got null"),
            (
                ("recipients", 0, "email"),
                "not-an-address",
                r"event\.recipients\[0\]\.email: not an email address",
            ),
            (
                ("recipients", 0, "email"),
                "a@b.test\r\nBcc: x@y.test",
                r"event\.recipients\[0\]\.email: not an email address",
            ),
            (
                ("recipients", 0, "preferences", "push"),
                "yes",
                r"recipients\[0\]\.preferences\.push: expected true or false",
            ),
            (
                ("recipients", 0, "preferences", "kinds", "bill_reminder", "email"),
                0,
                r"preferences\.kinds\.bill_reminder\.email: expected true or false",
            ),
            (
                ("recipients", 0, "push_endpoints", 0, "platform"),
                "windows",
                r"push_endpoints\[0\]\.platform: expected one of apns, apns_sandbox, fcm",
            ),
            (
                ("recipients", 0, "push_endpoints", 0, "endpoint_arn"),
                "device-token-abc",
                r"push_endpoints\[0\]\.endpoint_arn: not an SNS platform endpoint ARN",
            ),
        ],
    )
    def test_malformed_field_is_named(
        self, path: tuple[str | int, ...], value: object, message: str
    ) -> None:
        raw: Any = copy.deepcopy(valid_event())
        target = raw
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with pytest.raises(EventError, match=message):
            parse_event(raw)

    def test_unknown_kind_in_preferences(self) -> None:
        raw = valid_event()
        raw["recipients"][0]["preferences"]["kinds"] = {"newsletter": {"email": False}}
        with pytest.raises(EventError, match="newsletter"):
            parse_event(raw)

    @pytest.mark.parametrize("raw", [None, [], "event", 1])
    def test_not_an_object(self, raw: object) -> None:
        with pytest.raises(EventError, match="event: expected a JSON object"):
            parse_event(raw)


class TestJobs:
    def test_email_job_requires_addresses(self) -> None:
        job = {
            "version": 1,
            "kind": "budget_alert",
            "household_id": "h",
            "template": "budget_alert",
            "data": {},
            "recipients": [{"user_id": "u", "name": "N", "locale": "en"}],
        }
        with pytest.raises(EventError, match=r"email job\.recipients\[0\]\.email"):
            parse_email_job(job)

    def test_push_job_requires_targets(self) -> None:
        job = {
            "version": 1,
            "kind": "budget_alert",
            "household_id": "h",
            "template": "budget_alert",
            "data": {},
        }
        with pytest.raises(EventError, match=r"push job\.targets: expected a JSON array"):
            parse_push_job(job)


class TestAlertAdditions:
    """What the alerts domain added to the contract: the key, no household for a user's own
    security alert, and recipients whose address bounced."""

    def test_the_key_travels_from_event_to_jobs(self) -> None:
        from family_budget.notifications.preferences import email_jobs, filter_recipients

        raw = {**valid_event(), "key": "bill:42:2025-03-05"}
        event = parse_event(raw)
        assert event.to_json()["key"] == "bill:42:2025-03-05"
        [job] = email_jobs(event, filter_recipients(event), 50)
        assert parse_email_job(job.to_json()).key == "bill:42:2025-03-05"

    def test_only_a_security_alert_may_have_no_household(self) -> None:
        security = {
            **valid_event(),
            "kind": "security_alert",
            "template": "security_alert",
            "household_id": None,
        }
        assert parse_event(security).household_id is None
        with pytest.raises(EventError, match="household_id"):
            parse_event({**valid_event(), "household_id": None})

    def test_a_recipient_without_an_address_is_never_emailed_even_for_security(self) -> None:
        from family_budget.notifications.preferences import filter_recipients

        person = {**recipient("user-1"), "email": None}
        event = parse_event(
            {
                **bill_event(person),
                "kind": "security_alert",
                "template": "security_alert",
            }
        )
        assert filter_recipients(event).email == ()
