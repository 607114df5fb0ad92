from __future__ import annotations

from typing import Any

import pytest

from family_budget.notifications.events import parse_event
from family_budget.notifications.preferences import email_jobs, filter_recipients, push_jobs

from .conftest import bill_event, endpoint_arn, recipient

DEVICE = [{"platform": "apns", "endpoint_arn": endpoint_arn()}]


def channels(kind: str, person: dict[str, Any]) -> tuple[bool, bool]:
    raw = bill_event(person)
    raw["kind"] = kind
    work = filter_recipients(parse_event(raw))
    return bool(work.email), bool(work.push)


class TestFilterRecipients:
    @pytest.mark.parametrize(
        ("person", "expected"),
        [
            (recipient(push_endpoints=DEVICE), (True, True)),
            (recipient(email_on=False, push_endpoints=DEVICE), (False, True)),
            (recipient(push_on=False, push_endpoints=DEVICE), (True, False)),
            (recipient(push_endpoints=[]), (True, False)),
            (
                recipient(kinds={"bill_reminder": {"email": False}}, push_endpoints=DEVICE),
                (False, True),
            ),
            (
                recipient(kinds={"bill_reminder": {"push": False}}, push_endpoints=DEVICE),
                (True, False),
            ),
            # a switch for another kind does not matter
            (
                recipient(
                    kinds={"budget_alert": {"email": False, "push": False}},
                    push_endpoints=DEVICE,
                ),
                (True, True),
            ),
            # the global switch wins over a per-kind "on"
            (
                recipient(
                    email_on=False,
                    push_on=False,
                    kinds={"bill_reminder": {"email": True, "push": True}},
                    push_endpoints=DEVICE,
                ),
                (False, False),
            ),
        ],
    )
    def test_bill_reminder(self, person: dict[str, Any], expected: tuple[bool, bool]) -> None:
        assert channels("bill_reminder", person) == expected

    def test_security_alert_email_cannot_be_switched_off(self) -> None:
        person = recipient(
            email_on=False,
            push_on=False,
            kinds={"security_alert": {"email": False, "push": False}},
            push_endpoints=DEVICE,
        )
        assert channels("security_alert", person) == (True, False)

    def test_security_alert_push_follows_switches(self) -> None:
        person = recipient(email_on=False, push_endpoints=DEVICE)
        assert channels("security_alert", person) == (True, True)

    def test_work_carries_only_what_each_channel_needs(self) -> None:
        event = parse_event(
            bill_event(
                recipient("a", push_endpoints=DEVICE),
                recipient("b", email_on=False),
                recipient("c", push_on=False, push_endpoints=DEVICE),
            )
        )
        work = filter_recipients(event)
        assert [r.user_id for r in work.email] == ["a", "c"]
        assert [r.email for r in work.email] == ["a@example.com", "c@example.com"]
        assert [t.user_id for t in work.push] == ["a"]
        assert work.push[0].push_endpoints == event.recipients[0].push_endpoints
        assert "email" not in push_jobs(event, work, 10)[0].to_json()["targets"][0]


class TestBatching:
    def test_jobs_are_cut_into_batches(self) -> None:
        event = parse_event(
            bill_event(*(recipient(f"u{i}", push_endpoints=DEVICE) for i in range(5)))
        )
        work = filter_recipients(event)
        batches = email_jobs(event, work, 2)
        assert [[r.user_id for r in job.recipients] for job in batches] == [
            ["u0", "u1"],
            ["u2", "u3"],
            ["u4"],
        ]
        assert all(job.template == "bill_reminder" and job.data == event.data for job in batches)
        assert len(push_jobs(event, work, 5)) == 1

    def test_no_work_no_jobs(self) -> None:
        event = parse_event(bill_event(recipient(email_on=False)))
        work = filter_recipients(event)
        assert email_jobs(event, work, 50) == []
        assert push_jobs(event, work, 50) == []
