from __future__ import annotations

import re
from string import Template
from typing import Any

import pytest

from family_budget.notifications.templates import (
    TemplateError,
    check_variables,
    get_template,
    render_email,
    render_push,
    template_names,
)

from .conftest import BILL_DATA

VALID_VARIABLES: dict[str, dict[str, Any]] = {
    "email_verification": {
        "recipient_name": "Alex",
        "verify_url": "https://app.test/verify?token=abc",
        "expires_in_hours": 24,
    },
    "password_reset": {
        "recipient_name": "Alex",
        "reset_url": "https://app.test/reset?token=abc",
        "expires_in_minutes": 30,
    },
    "household_invitation": {
        "inviter_name": "Sam",
        "household_name": "The Parkers",
        "accept_url": "https://app.test/invitations/1",
    },
    "bill_reminder": {"recipient_name": "Alex", **BILL_DATA},
    "budget_alert": {
        "recipient_name": "Alex",
        "household_name": "The Parkers",
        "budget_name": "Groceries",
        "spent": {"amount_minor": 42500, "currency": "USD"},
        "limit": {"amount_minor": 50000, "currency": "USD"},
        "percent_used": 85,
        "budget_url": "https://app.test/budgets/7",
    },
    "account_sync_failure": {
        "recipient_name": "Alex",
        "household_name": "The Parkers",
        "institution_name": "First Bank",
        "account_name": "Checking",
        "reconnect_url": "https://app.test/accounts/3/reconnect",
    },
    "security_alert": {
        "recipient_name": "Alex",
        "activity": "New sign-in from a new device",
        "occurred_at": "2025-03-05T09:03:00-05:00",
        "security_url": "https://app.test/settings/security",
    },
}

PUSH_TEMPLATES = ["bill_reminder", "budget_alert", "account_sync_failure", "security_alert"]


def test_every_template_is_covered_here() -> None:
    assert set(template_names()) == set(VALID_VARIABLES)


@pytest.mark.parametrize("name", sorted(VALID_VARIABLES))
def test_placeholders_are_declared_variables(name: str) -> None:
    template = get_template(name)
    texts = [template.subject, template.text, template.html]
    texts += [t for t in (template.push_title, template.push_body) if t is not None]
    used = {ident for text in texts for ident in Template(text).get_identifiers()}
    assert used == set(template.variables)


@pytest.mark.parametrize("name", sorted(VALID_VARIABLES))
def test_renders_every_template(name: str) -> None:
    rendered = render_email(name, VALID_VARIABLES[name])
    assert rendered.subject
    assert "\n" not in rendered.subject
    assert rendered.html.startswith("<!DOCTYPE html>")
    assert "$" not in re.sub(r"\$[\d,.]+", "", rendered.text)  # no placeholder left
    assert rendered.text.endswith("\n")


def test_bill_reminder_content() -> None:
    rendered = render_email("bill_reminder", VALID_VARIABLES["bill_reminder"])
    assert rendered.subject == "Electricity is due on March 5, 2025"
    assert "Electricity ($123.45) for The Parkers is due on March 5, 2025." in rendered.text
    assert "https://app.family-budget.test/bills/42" in rendered.text
    assert '<a href="https://app.family-budget.test/bills/42">' in rendered.html
    push = render_push("bill_reminder", VALID_VARIABLES["bill_reminder"])
    assert (push.title, push.body) == (
        "Electricity is due March 5, 2025",
        "$123.45 for The Parkers",
    )


def test_budget_alert_and_security_formatting() -> None:
    budget = render_push("budget_alert", VALID_VARIABLES["budget_alert"])
    assert (budget.title, budget.body) == ("Groceries: 85% used", "$425.00 of $500.00 spent")
    security = render_email("security_alert", VALID_VARIABLES["security_alert"])
    assert "(March 5, 2025 at 14:03 UTC)" in security.text


def test_every_value_is_escaped_in_html() -> None:
    hostile = '<script>alert("x")</script> & Co'
    variables = {
        **VALID_VARIABLES["household_invitation"],
        "inviter_name": hostile,
        "household_name": hostile,
        "accept_url": 'https://app.test/a?b=1&c="><img/src=x>',
    }
    rendered = render_email("household_invitation", variables)
    assert "<script>" not in rendered.html
    assert "<img" not in rendered.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in rendered.html
    assert 'href="https://app.test/a?b=1&amp;c=&quot;&gt;&lt;img/src=x&gt;"' in rendered.html
    # the subject is escaped in the <title> too, and stays raw in the plain-text part
    assert "<title>&lt;script&gt;" in rendered.html
    assert rendered.subject.startswith(hostile)
    assert hostile in rendered.text


def test_newlines_in_text_values_cannot_break_the_subject() -> None:
    variables = {**VALID_VARIABLES["bill_reminder"], "bill_name": "Rent\r\nBcc: x@y.test"}
    assert render_email("bill_reminder", variables).subject.startswith("Rent Bcc: x@y.test is due")


def test_unknown_template() -> None:
    with pytest.raises(TemplateError, match=r"unknown template 'welcome' \(known: account_sync"):
        render_email("welcome", {})


def test_missing_variables_are_listed() -> None:
    variables = dict(VALID_VARIABLES["bill_reminder"])
    del variables["amount"], variables["due_on"]
    with pytest.raises(
        TemplateError, match=r"'bill_reminder' is missing variable\(s\): amount, due_on"
    ):
        render_email("bill_reminder", variables)


def test_check_variables_can_leave_some_for_later() -> None:
    variables = dict(VALID_VARIABLES["bill_reminder"])
    del variables["recipient_name"]
    check_variables("bill_reminder", variables, supplied_later=frozenset({"recipient_name"}))
    with pytest.raises(TemplateError, match="recipient_name"):
        check_variables("bill_reminder", variables)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("amount", 12345, 'expected {"amount_minor"'),
        ("amount", {"amount_minor": 1.5, "currency": "USD"}, 'expected {"amount_minor"'),
        ("amount", {"amount_minor": 100, "currency": "dollars"}, "expected .*ISO 4217"),
        ("due_on", "5 March", "expected an ISO date"),
        ("bill_url", "javascript:alert(1)", "expected an http\\(s\\) URL"),
        ("bill_url", "https://a.test/x y", "a URL must not contain whitespace"),
        ("bill_name", None, "expected a string"),
    ],
)
def test_wrong_types_are_refused(key: str, value: object, message: str) -> None:
    variables = {**VALID_VARIABLES["bill_reminder"], key: value}
    with pytest.raises(TemplateError, match=f"'bill_reminder' variable '{key}': {message}"):
        render_email("bill_reminder", variables)


def test_naive_datetime_is_refused() -> None:
    variables = {**VALID_VARIABLES["security_alert"], "occurred_at": "2025-03-05T09:03:00"}
    with pytest.raises(TemplateError, match="with a UTC offset"):
        render_email("security_alert", variables)


@pytest.mark.parametrize("name", PUSH_TEMPLATES)
def test_notification_kinds_have_push(name: str) -> None:
    push = render_push(name, VALID_VARIABLES[name])
    assert push.title
    assert push.body


def test_account_emails_have_no_push() -> None:
    with pytest.raises(TemplateError, match="has no push message"):
        render_push("password_reset", VALID_VARIABLES["password_reset"])
