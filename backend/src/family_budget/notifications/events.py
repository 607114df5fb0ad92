"""The JSON contract of notification events and of the jobs the filter hands to the senders.

A publisher (the worker) sends a `NotificationEvent` to one of the four SNS topics. The preference
filter turns it into at most one `EmailJob` and one `PushJob` per batch of recipients, which the
email and push functions receive as their invocation payloads. README.md in this folder documents
the shapes with examples; the parse functions below are the executable definition and raise
`EventError` naming the offending field when a payload does not match.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeGuard, get_args

SCHEMA_VERSION = 1

Kind = Literal["bill_reminder", "budget_alert", "account_sync_failure", "security_alert"]
Platform = Literal["apns", "apns_sandbox", "fcm"]

KINDS: tuple[Kind, ...] = get_args(Kind)
# Kinds whose events may have "household_id": null.
NO_HOUSEHOLD_KINDS: frozenset[Kind] = frozenset({"security_alert"})
PLATFORMS: tuple[Platform, ...] = get_args(Platform)


class EventError(ValueError):
    """A notification event or job does not match the documented contract."""


@dataclass(frozen=True)
class ChannelSwitch:
    email: bool = True
    push: bool = True


@dataclass(frozen=True)
class Preferences:
    """A user's switches: global per channel, then per kind. Absent switches mean 'on'."""

    email: bool = True
    push: bool = True
    kinds: Mapping[Kind, ChannelSwitch] = field(default_factory=dict)

    def for_kind(self, kind: Kind) -> ChannelSwitch:
        return self.kinds.get(kind, ChannelSwitch())


@dataclass(frozen=True)
class PushEndpoint:
    platform: Platform
    endpoint_arn: str


@dataclass(frozen=True)
class Recipient:
    user_id: str
    # None when the address is known not to work (it bounced or complained): never emailed.
    email: str | None
    name: str
    locale: str
    preferences: Preferences
    push_endpoints: tuple[PushEndpoint, ...] = ()


@dataclass(frozen=True)
class NotificationEvent:
    kind: Kind
    # None only for a user's own security alerts, which belong to no household.
    household_id: str | None
    template: str
    data: Mapping[str, object]
    recipients: tuple[Recipient, ...]
    # The publisher's idempotency key: the same key means the same alert (a consumer
    # deduplicates on it; a retried publish carries the same one).
    key: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            **_header_json(self.kind, self.household_id, self.template, self.data, self.key),
            "recipients": [
                {
                    "user_id": r.user_id,
                    "email": r.email,
                    "name": r.name,
                    "locale": r.locale,
                    "preferences": {
                        "email": r.preferences.email,
                        "push": r.preferences.push,
                        "kinds": {
                            kind: {"email": switch.email, "push": switch.push}
                            for kind, switch in r.preferences.kinds.items()
                        },
                    },
                    "push_endpoints": [_endpoint_json(e) for e in r.push_endpoints],
                }
                for r in self.recipients
            ],
        }


@dataclass(frozen=True)
class EmailRecipient:
    user_id: str
    email: str
    name: str
    locale: str


@dataclass(frozen=True)
class EmailJob:
    kind: Kind
    # None only for a user's own security alerts, which belong to no household.
    household_id: str | None
    template: str
    data: Mapping[str, object]
    recipients: tuple[EmailRecipient, ...]
    key: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            **_header_json(self.kind, self.household_id, self.template, self.data, self.key),
            "recipients": [
                {"user_id": r.user_id, "email": r.email, "name": r.name, "locale": r.locale}
                for r in self.recipients
            ],
        }


@dataclass(frozen=True)
class PushTarget:
    user_id: str
    name: str
    locale: str
    push_endpoints: tuple[PushEndpoint, ...]


@dataclass(frozen=True)
class PushJob:
    kind: Kind
    # None only for a user's own security alerts, which belong to no household.
    household_id: str | None
    template: str
    data: Mapping[str, object]
    targets: tuple[PushTarget, ...]
    key: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            **_header_json(self.kind, self.household_id, self.template, self.data, self.key),
            "targets": [
                {
                    "user_id": t.user_id,
                    "name": t.name,
                    "locale": t.locale,
                    "push_endpoints": [_endpoint_json(e) for e in t.push_endpoints],
                }
                for t in self.targets
            ],
        }


def parse_event(raw: object) -> NotificationEvent:
    """Validate a decoded JSON notification event (what publishers send to the SNS topics)."""
    obj = _header(raw, "event")
    kind = _kind(obj, "event")
    return NotificationEvent(
        kind=kind,
        household_id=_household_id(obj, kind, "event"),
        template=_text(obj, "template", "event"),
        data=_object(obj.get("data"), "event.data"),
        recipients=tuple(
            _recipient(item, f"event.recipients[{i}]")
            for i, item in enumerate(_array(obj.get("recipients"), "event.recipients"))
        ),
        key=_optional_text(obj, "key", "event"),
    )


def parse_email_job(raw: object) -> EmailJob:
    """Validate the payload the preference filter sends to the email function."""
    obj = _header(raw, "email job")
    recipients = []
    for i, item in enumerate(_array(obj.get("recipients"), "email job.recipients")):
        path = f"email job.recipients[{i}]"
        entry = _object(item, path)
        recipients.append(
            EmailRecipient(
                user_id=_text(entry, "user_id", path),
                email=_email(entry, path),
                name=_string(entry, "name", path),
                locale=_locale(entry, path),
            )
        )
    kind = _kind(obj, "email job")
    return EmailJob(
        kind=kind,
        household_id=_household_id(obj, kind, "email job"),
        template=_text(obj, "template", "email job"),
        data=_object(obj.get("data"), "email job.data"),
        recipients=tuple(recipients),
        key=_optional_text(obj, "key", "email job"),
    )


def parse_push_job(raw: object) -> PushJob:
    """Validate the payload the preference filter sends to the push function."""
    obj = _header(raw, "push job")
    targets = []
    for i, item in enumerate(_array(obj.get("targets"), "push job.targets")):
        path = f"push job.targets[{i}]"
        entry = _object(item, path)
        targets.append(
            PushTarget(
                user_id=_text(entry, "user_id", path),
                name=_string(entry, "name", path),
                locale=_locale(entry, path),
                push_endpoints=_endpoints(entry, path),
            )
        )
    kind = _kind(obj, "push job")
    return PushJob(
        kind=kind,
        household_id=_household_id(obj, kind, "push job"),
        template=_text(obj, "template", "push job"),
        data=_object(obj.get("data"), "push job.data"),
        targets=tuple(targets),
        key=_optional_text(obj, "key", "push job"),
    )


def _header_json(
    kind: Kind,
    household_id: str | None,
    template: str,
    data: Mapping[str, object],
    key: str | None,
) -> dict[str, Any]:
    header: dict[str, Any] = {
        "version": SCHEMA_VERSION,
        "kind": kind,
        "household_id": household_id,
        "template": template,
        "data": dict(data),
    }
    if key is not None:
        header["key"] = key
    return header


def _endpoint_json(endpoint: PushEndpoint) -> dict[str, str]:
    return {"platform": endpoint.platform, "endpoint_arn": endpoint.endpoint_arn}


def _header(raw: object, path: str) -> Mapping[str, object]:
    obj = _object(raw, path)
    version = obj.get("version")
    if version != SCHEMA_VERSION or isinstance(version, bool):
        raise EventError(f"{path}.version: expected {SCHEMA_VERSION}, got {version!r}")
    return obj


def _is_str_mapping(value: object) -> TypeGuard[Mapping[str, object]]:
    return isinstance(value, Mapping) and all(isinstance(key, str) for key in value)


def _object(value: object, path: str) -> Mapping[str, object]:
    if not _is_str_mapping(value):
        raise EventError(f"{path}: expected a JSON object, got {_type_name(value)}")
    return value


def _array(value: object, path: str) -> Sequence[object]:
    if not isinstance(value, list):
        raise EventError(f"{path}: expected a JSON array, got {_type_name(value)}")
    return value


def _string(obj: Mapping[str, object], key: str, path: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise EventError(f"{path}.{key}: expected a string, got {_type_name(value)}")
    return value


def _text(obj: Mapping[str, object], key: str, path: str) -> str:
    value = _string(obj, key, path)
    if not value.strip():
        raise EventError(f"{path}.{key}: must not be empty")
    return value


def _optional_text(obj: Mapping[str, object], key: str, path: str) -> str | None:
    if obj.get(key) is None:
        return None
    return _text(obj, key, path)


def _household_id(obj: Mapping[str, object], kind: Kind, path: str) -> str | None:
    # A security alert concerns a user's account, which belongs to no household.
    if kind in NO_HOUSEHOLD_KINDS and obj.get("household_id") is None:
        return None
    return _text(obj, "household_id", path)


def _bool(obj: Mapping[str, object], key: str, path: str, *, default: bool) -> bool:
    value = obj.get(key, default)
    if not isinstance(value, bool):
        raise EventError(f"{path}.{key}: expected true or false, got {_type_name(value)}")
    return value


def _kind(obj: Mapping[str, object], path: str) -> Kind:
    value = obj.get("kind")
    for kind in KINDS:
        if value == kind:
            return kind
    raise EventError(f"{path}.kind: expected one of {', '.join(KINDS)}, got {value!r}")


def _locale(obj: Mapping[str, object], path: str) -> str:
    if "locale" not in obj:
        return "en"
    return _text(obj, "locale", path)


def _email(obj: Mapping[str, object], path: str) -> str:
    # Deliverability is SES's business; this only refuses values that cannot be an address
    # and could smuggle extra header lines into the message.
    value = _text(obj, "email", path)
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain or any(ch.isspace() for ch in value):
        raise EventError(f"{path}.email: not an email address")
    return value


def _recipient(raw: object, path: str) -> Recipient:
    obj = _object(raw, path)
    return Recipient(
        user_id=_text(obj, "user_id", path),
        email=None if obj.get("email") is None else _email(obj, path),
        name=_string(obj, "name", path),
        locale=_locale(obj, path),
        preferences=_preferences(obj.get("preferences", {}), f"{path}.preferences"),
        push_endpoints=_endpoints(obj, path),
    )


def _preferences(raw: object, path: str) -> Preferences:
    obj = _object(raw, path)
    kinds: dict[Kind, ChannelSwitch] = {}
    for name, switch_raw in _object(obj.get("kinds", {}), f"{path}.kinds").items():
        kind = _kind({"kind": name}, f"{path}.kinds[{name!r}]")
        switch = _object(switch_raw, f"{path}.kinds.{name}")
        kinds[kind] = ChannelSwitch(
            email=_bool(switch, "email", f"{path}.kinds.{name}", default=True),
            push=_bool(switch, "push", f"{path}.kinds.{name}", default=True),
        )
    return Preferences(
        email=_bool(obj, "email", path, default=True),
        push=_bool(obj, "push", path, default=True),
        kinds=kinds,
    )


def _endpoints(obj: Mapping[str, object], path: str) -> tuple[PushEndpoint, ...]:
    endpoints = []
    for i, item in enumerate(_array(obj.get("push_endpoints", []), f"{path}.push_endpoints")):
        item_path = f"{path}.push_endpoints[{i}]"
        entry = _object(item, item_path)
        platform = entry.get("platform")
        if not _is_platform(platform):
            raise EventError(
                f"{item_path}.platform: expected one of {', '.join(PLATFORMS)}, got {platform!r}"
            )
        arn = _text(entry, "endpoint_arn", item_path)
        if not arn.startswith("arn:") or ":endpoint/" not in arn:
            raise EventError(f"{item_path}.endpoint_arn: not an SNS platform endpoint ARN")
        endpoints.append(PushEndpoint(platform=platform, endpoint_arn=arn))
    return tuple(endpoints)


def _is_platform(value: object) -> TypeGuard[Platform]:
    return value in PLATFORMS


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__
