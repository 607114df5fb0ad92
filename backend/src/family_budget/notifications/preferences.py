"""Which recipient gets which channel: the preference filter rule.

A channel is used for a recipient when the user's global switch for that channel AND the switch
for the event's kind are both on (absent switches count as on). Push additionally needs at least
one registered device endpoint.

Security alerts always go out by email, whatever the switches say: they tell the owner of an
account that someone may be using it, and a compromised account could otherwise have turned them
off first. Push for security alerts follows the switches like every other kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from family_budget.notifications.events import (
    EmailJob,
    EmailRecipient,
    Kind,
    NotificationEvent,
    PushJob,
    PushTarget,
    Recipient,
)

ALWAYS_EMAILED_KINDS: frozenset[Kind] = frozenset({"security_alert"})


@dataclass(frozen=True)
class ChannelWork:
    """The recipients each channel has to serve for one event."""

    email: tuple[EmailRecipient, ...]
    push: tuple[PushTarget, ...]


def wants_email(recipient: Recipient, kind: Kind) -> bool:
    if recipient.email is None:  # the address bounced or complained: nothing can reach it
        return False
    if kind in ALWAYS_EMAILED_KINDS:
        return True
    prefs = recipient.preferences
    return prefs.email and prefs.for_kind(kind).email


def wants_push(recipient: Recipient, kind: Kind) -> bool:
    prefs = recipient.preferences
    switched_on = prefs.push and prefs.for_kind(kind).push
    return switched_on and bool(recipient.push_endpoints)


def filter_recipients(event: NotificationEvent) -> ChannelWork:
    """Split an event's recipients into the email and push work their preferences allow."""
    email: list[EmailRecipient] = []
    push: list[PushTarget] = []
    for recipient in event.recipients:
        if wants_email(recipient, event.kind) and recipient.email is not None:
            email.append(
                EmailRecipient(
                    user_id=recipient.user_id,
                    email=recipient.email,
                    name=recipient.name,
                    locale=recipient.locale,
                )
            )
        if wants_push(recipient, event.kind):
            push.append(
                PushTarget(
                    user_id=recipient.user_id,
                    name=recipient.name,
                    locale=recipient.locale,
                    push_endpoints=recipient.push_endpoints,
                )
            )
    return ChannelWork(email=tuple(email), push=tuple(push))


def email_jobs(event: NotificationEvent, work: ChannelWork, batch_size: int) -> list[EmailJob]:
    """Cut the email work into jobs of at most batch_size recipients (none when there is none)."""
    return [
        EmailJob(
            kind=event.kind,
            household_id=event.household_id,
            template=event.template,
            data=event.data,
            recipients=work.email[start : start + batch_size],
            key=event.key,
        )
        for start in range(0, len(work.email), batch_size)
    ]


def push_jobs(event: NotificationEvent, work: ChannelWork, batch_size: int) -> list[PushJob]:
    """Cut the push work into jobs of at most batch_size targets (none when there is none)."""
    return [
        PushJob(
            kind=event.kind,
            household_id=event.household_id,
            template=event.template,
            data=event.data,
            targets=work.push[start : start + batch_size],
            key=event.key,
        )
        for start in range(0, len(work.push), batch_size)
    ]
