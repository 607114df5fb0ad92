"""Named notification templates: each renders an email (subject, HTML, plain text) and, for the
notification kinds, a push message (title, body).

Templates are `string.Template` text with `$name` placeholders. Every template declares its
variables and their types; values are checked and formatted (money, dates, counts) before they
are substituted, and every value is HTML-escaped in the HTML part. Only English ("en") exists
today: any other locale renders the English text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from string import Template
from typing import Literal

from family_budget.money import is_currency
from family_budget.notifications.money import format_money

VarType = Literal["text", "money", "date", "datetime", "url", "count"]

DEFAULT_LOCALE = "en"


class TemplateError(ValueError):
    """Unknown template, missing variable, or a variable of the wrong type."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class RenderedPush:
    title: str
    body: str


@dataclass(frozen=True)
class NotificationTemplate:
    name: str
    variables: Mapping[str, VarType]
    subject: str
    text: str
    html: str
    push_title: str | None = None
    push_body: str | None = None


_SETTINGS_NOTE = "You can choose which notifications you receive in Settings, Notifications."

_TEMPLATES: dict[str, NotificationTemplate] = {
    t.name: t
    for t in (
        NotificationTemplate(
            name="email_verification",
            variables={"recipient_name": "text", "verify_url": "url", "expires_in_hours": "count"},
            subject="Confirm your email address for Family Budget",
            text=(
                "Hi $recipient_name,\n\n"
                "Please confirm your email address by opening this link:\n$verify_url\n\n"
                "The link expires in $expires_in_hours hours. If you did not create a Family "
                "Budget account, you can ignore this email."
            ),
            html=(
                "<p>Hi $recipient_name,</p>"
                "<p>Please confirm your email address.</p>"
                '<p><a href="$verify_url">Confirm email address</a></p>'
                "<p>The link expires in $expires_in_hours hours. If you did not create a Family "
                "Budget account, you can ignore this email.</p>"
            ),
        ),
        NotificationTemplate(
            name="password_reset",
            variables={"recipient_name": "text", "reset_url": "url", "expires_in_minutes": "count"},
            subject="Reset your Family Budget password",
            text=(
                "Hi $recipient_name,\n\n"
                "Someone asked to reset the password of your Family Budget account. To choose a "
                "new password, open this link:\n$reset_url\n\n"
                "The link expires in $expires_in_minutes minutes. If it was not you, ignore this "
                "email: your password stays as it is."
            ),
            html=(
                "<p>Hi $recipient_name,</p>"
                "<p>Someone asked to reset the password of your Family Budget account.</p>"
                '<p><a href="$reset_url">Choose a new password</a></p>'
                "<p>The link expires in $expires_in_minutes minutes. If it was not you, ignore "
                "this email: your password stays as it is.</p>"
            ),
        ),
        NotificationTemplate(
            name="household_invitation",
            variables={"inviter_name": "text", "household_name": "text", "accept_url": "url"},
            subject="$inviter_name invited you to $household_name on Family Budget",
            text=(
                "Hello,\n\n"
                "$inviter_name invited you to budget together in the household "
                "$household_name on Family Budget. To accept, open this link:\n$accept_url\n\n"
                "If you do not know $inviter_name, you can ignore this email."
            ),
            html=(
                "<p>Hello,</p>"
                "<p>$inviter_name invited you to budget together in the household "
                "<strong>$household_name</strong> on Family Budget.</p>"
                '<p><a href="$accept_url">Accept the invitation</a></p>'
                "<p>If you do not know $inviter_name, you can ignore this email.</p>"
            ),
        ),
        NotificationTemplate(
            name="bill_reminder",
            variables={
                "recipient_name": "text",
                "household_name": "text",
                "bill_name": "text",
                "amount": "money",
                "due_on": "date",
                "bill_url": "url",
            },
            subject="$bill_name is due on $due_on",
            text=(
                "Hi $recipient_name,\n\n"
                "$bill_name ($amount) for $household_name is due on $due_on.\n\n"
                "See the bill: $bill_url\n\n" + _SETTINGS_NOTE
            ),
            html=(
                "<p>Hi $recipient_name,</p>"
                "<p><strong>$bill_name</strong> ($amount) for $household_name is due on "
                "$due_on.</p>"
                '<p><a href="$bill_url">See the bill</a></p>'
                f"<p>{_SETTINGS_NOTE}</p>"
            ),
            push_title="$bill_name is due $due_on",
            push_body="$amount for $household_name",
        ),
        NotificationTemplate(
            name="budget_alert",
            variables={
                "recipient_name": "text",
                "household_name": "text",
                "budget_name": "text",
                "spent": "money",
                "limit": "money",
                "percent_used": "count",
                "budget_url": "url",
            },
            subject="$budget_name: $percent_used% of the budget used",
            text=(
                "Hi $recipient_name,\n\n"
                "$household_name has spent $spent of the $limit budgeted for $budget_name "
                "($percent_used%).\n\n"
                "See the budget: $budget_url\n\n" + _SETTINGS_NOTE
            ),
            html=(
                "<p>Hi $recipient_name,</p>"
                "<p>$household_name has spent <strong>$spent</strong> of the $limit budgeted for "
                "<strong>$budget_name</strong> ($percent_used%).</p>"
                '<p><a href="$budget_url">See the budget</a></p>'
                f"<p>{_SETTINGS_NOTE}</p>"
            ),
            push_title="$budget_name: $percent_used% used",
            push_body="$spent of $limit spent",
        ),
        NotificationTemplate(
            name="account_sync_failure",
            variables={
                "recipient_name": "text",
                "household_name": "text",
                "institution_name": "text",
                "account_name": "text",
                "reconnect_url": "url",
            },
            subject="We could not update $account_name",
            text=(
                "Hi $recipient_name,\n\n"
                "We could not fetch new transactions for $account_name at $institution_name "
                "($household_name). Reconnecting the account usually fixes this:\n"
                "$reconnect_url\n\n" + _SETTINGS_NOTE
            ),
            html=(
                "<p>Hi $recipient_name,</p>"
                "<p>We could not fetch new transactions for <strong>$account_name</strong> at "
                "$institution_name ($household_name). Reconnecting the account usually fixes "
                "this.</p>"
                '<p><a href="$reconnect_url">Reconnect the account</a></p>'
                f"<p>{_SETTINGS_NOTE}</p>"
            ),
            push_title="$account_name needs attention",
            push_body="Reconnect $institution_name to keep transactions up to date",
        ),
        NotificationTemplate(
            name="security_alert",
            variables={
                "recipient_name": "text",
                "activity": "text",
                "occurred_at": "datetime",
                "security_url": "url",
            },
            subject="Security alert for your Family Budget account",
            text=(
                "Hi $recipient_name,\n\n"
                "We noticed this on your account: $activity ($occurred_at).\n\n"
                "If this was you, there is nothing to do. If not, secure your account now:\n"
                "$security_url\n\n"
                "Security alerts are always sent by email."
            ),
            html=(
                "<p>Hi $recipient_name,</p>"
                "<p>We noticed this on your account: <strong>$activity</strong> "
                "($occurred_at).</p>"
                "<p>If this was you, there is nothing to do. If not, secure your account now.</p>"
                '<p><a href="$security_url">Review account security</a></p>'
                "<p>Security alerts are always sent by email.</p>"
            ),
            push_title="Security alert",
            push_body="$activity ($occurred_at)",
        ),
    )
}

_LAYOUT = Template(
    "<!DOCTYPE html>\n"
    '<html lang="en"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>$subject</title></head>"
    '<body style="margin:0;padding:24px;background:#f5f6f8;'
    'font-family:Helvetica,Arial,sans-serif;color:#1f2933;">'
    '<div style="max-width:560px;margin:0 auto;background:#ffffff;padding:24px;'
    'border-radius:8px;line-height:1.5;">'
    "$content"
    '<p style="margin-top:32px;font-size:12px;color:#616e7c;">Family Budget</p>'
    "</div></body></html>\n"
)

_WHITESPACE = re.compile(r"\s+")


def template_names() -> tuple[str, ...]:
    return tuple(sorted(_TEMPLATES))


def get_template(name: str) -> NotificationTemplate:
    try:
        return _TEMPLATES[name]
    except KeyError:
        known = ", ".join(template_names())
        raise TemplateError(f"unknown template {name!r} (known: {known})") from None


def check_variables(
    name: str, variables: Mapping[str, object], *, supplied_later: frozenset[str] = frozenset()
) -> None:
    """Raise TemplateError unless `variables` (plus the names in supplied_later) render `name`."""
    template = get_template(name)
    _format_all(template, variables, skip=supplied_later)


def render_email(
    name: str, variables: Mapping[str, object], *, locale: str = DEFAULT_LOCALE
) -> RenderedEmail:
    """Render the email of template `name`; values are HTML-escaped in the HTML part."""
    del locale  # only English exists; every locale falls back to it
    template = get_template(name)
    values = _format_all(template, variables)
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    subject = Template(template.subject).substitute(values)
    content = Template(template.html).substitute(escaped)
    return RenderedEmail(
        subject=subject,
        html=_LAYOUT.substitute(subject=html.escape(subject, quote=True), content=content),
        text=Template(template.text).substitute(values) + "\n",
    )


def render_push(
    name: str, variables: Mapping[str, object], *, locale: str = DEFAULT_LOCALE
) -> RenderedPush:
    """Render the push title and body of template `name` (plain text)."""
    del locale
    template = get_template(name)
    if template.push_title is None or template.push_body is None:
        raise TemplateError(f"template {name!r} has no push message")
    values = _format_all(template, variables)
    return RenderedPush(
        title=Template(template.push_title).substitute(values),
        body=Template(template.push_body).substitute(values),
    )


def _format_all(
    template: NotificationTemplate,
    variables: Mapping[str, object],
    *,
    skip: frozenset[str] = frozenset(),
) -> dict[str, str]:
    missing = sorted(key for key in template.variables if key not in variables and key not in skip)
    if missing:
        raise TemplateError(
            f"template {template.name!r} is missing variable(s): {', '.join(missing)}"
        )
    return {
        key: _format_value(template.name, key, var_type, variables[key])
        for key, var_type in template.variables.items()
        if key not in skip
    }


def _format_value(template: str, key: str, var_type: VarType, value: object) -> str:
    where = f"template {template!r} variable {key!r}"
    if var_type == "text":
        if not isinstance(value, str):
            raise TemplateError(f"{where}: expected a string")
        # Names and labels never need line breaks; collapsing them keeps subjects and push
        # titles on one line (a newline in a header is refused by the email library).
        return _WHITESPACE.sub(" ", value).strip()
    if var_type == "count":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TemplateError(f"{where}: expected an integer")
        return f"{value:,}"
    if var_type == "money":
        return _format_money_value(where, value)
    if var_type == "date":
        try:
            day = date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            day = None
        if day is None:
            raise TemplateError(f"{where}: expected an ISO date (YYYY-MM-DD)")
        return f"{day:%B} {day.day}, {day.year}"
    if var_type == "datetime":
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise TemplateError(f"{where}: expected an ISO date-time with a UTC offset")
        moment = moment.astimezone(UTC)
        return f"{moment:%B} {moment.day}, {moment.year} at {moment:%H:%M} UTC"
    # url: only web links; anything else (javascript:, data:) could run in a mail client.
    if not isinstance(value, str) or not value.startswith(("https://", "http://")):
        raise TemplateError(f"{where}: expected an http(s) URL")
    if any(ch.isspace() for ch in value):
        raise TemplateError(f"{where}: a URL must not contain whitespace")
    return value


def _format_money_value(where: str, value: object) -> str:
    if isinstance(value, Mapping):
        amount = value.get("amount_minor")
        currency = value.get("currency")
        if (
            isinstance(amount, int)
            and not isinstance(amount, bool)
            and isinstance(currency, str)
            and is_currency(currency)
        ):
            return format_money(amount, currency)
    raise TemplateError(
        f'{where}: expected {{"amount_minor": <integer>, "currency": "<ISO 4217 code>"}}'
    )
