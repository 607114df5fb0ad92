"""Lambda entry points of the NotificationStack.

- `filter_preferences`: subscribed to the four SNS topics; applies the preference rule and invokes
  the email and push functions asynchronously (env EMAIL_FUNCTION_NAME, PUSH_FUNCTION_NAME).
- `render_email`: renders and sends the emails of one job via SES (env SES_FROM_ADDRESS,
  SES_CONFIGURATION_SET).
- `format_push`: renders and publishes the push messages of one job to SNS platform endpoints.

Logs are one JSON object per line and carry ids only: no email addresses, names or device tokens.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from typing import Any

from family_budget.notifications import aws, templates
from family_budget.notifications.email import send_email
from family_budget.notifications.events import (
    EventError,
    NotificationEvent,
    parse_email_job,
    parse_event,
    parse_push_job,
)
from family_budget.notifications.preferences import email_jobs, filter_recipients, push_jobs
from family_budget.notifications.push import publish_all, push_data
from family_budget.notifications.templates import TemplateError

# Recipients per invocation of the email/push function: keeps every payload far below the
# asynchronous invocation limit even with long template data.
BATCH_SIZE = 50

# SES v2 errors that concern one message (a refused address), not the sender or the account:
# they are reported and the other recipients are still served. Anything else raises, so Lambda
# retries the job (and sends it to the failure destination when the retries are used up).
PERMANENT_EMAIL_ERRORS = frozenset({"MessageRejected", "BadRequestException"})

logger = logging.getLogger("family_budget.notifications")
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())


def filter_preferences(event: Mapping[str, Any], context: object) -> dict[str, Any]:
    """SNS-subscribed entry point; also accepts one notification event as the payload itself."""
    email_function = _required_env("EMAIL_FUNCTION_NAME")
    push_function = _required_env("PUSH_FUNCTION_NAME")
    try:
        events = _notification_events(event)
        for notification in events:
            _check_renderable(notification)
    except (EventError, TemplateError) as exc:
        _log(logging.ERROR, "notification_event_invalid", error=str(exc))
        raise
    lambda_client = aws.client("lambda")
    summary = {"events": len(events), "email_jobs": 0, "push_jobs": 0}
    for notification in events:
        work = filter_recipients(notification)
        for email_job in email_jobs(notification, work, BATCH_SIZE):
            _invoke_async(lambda_client, email_function, email_job.to_json())
            summary["email_jobs"] += 1
        for push_job in push_jobs(notification, work, BATCH_SIZE):
            _invoke_async(lambda_client, push_function, push_job.to_json())
            summary["push_jobs"] += 1
        _log(
            logging.INFO,
            "notification_filtered",
            kind=notification.kind,
            household_id=notification.household_id,
            template=notification.template,
            recipients=len(notification.recipients),
            email_recipient_ids=[r.user_id for r in work.email],
            push_recipient_ids=[t.user_id for t in work.push],
        )
    return summary


def render_email(event: Mapping[str, Any], context: object) -> dict[str, Any]:
    """Render and send every email of one email job."""
    job = parse_email_job(event)
    from_address = _required_env("SES_FROM_ADDRESS")
    configuration_set = _required_env("SES_CONFIGURATION_SET")
    # Render everything first: a template error then sends nothing rather than half the job.
    rendered = [
        templates.render_email(job.template, _variables(job.data, r.name), locale=r.locale)
        for r in job.recipients
    ]
    ses = aws.client("sesv2")
    sent: list[str] = []
    rejected: list[str] = []
    for recipient, message in zip(job.recipients, rendered, strict=True):
        try:
            message_id = send_email(
                message,
                to_address=recipient.email,
                to_name=recipient.name,
                from_address=from_address,
                configuration_set=configuration_set,
                client=ses,
            )
        except Exception as exc:
            code = aws.error_code(exc)
            if code not in PERMANENT_EMAIL_ERRORS:
                raise
            rejected.append(recipient.user_id)
            _log(
                logging.WARNING,
                "email_rejected",
                kind=job.kind,
                household_id=job.household_id,
                user_id=recipient.user_id,
                error_code=code,
            )
            continue
        sent.append(recipient.user_id)
        _log(
            logging.INFO,
            "email_sent",
            kind=job.kind,
            household_id=job.household_id,
            template=job.template,
            user_id=recipient.user_id,
            message_id=message_id,
        )
    return {"sent": sent, "rejected": rejected}


def format_push(event: Mapping[str, Any], context: object) -> dict[str, Any]:
    """Render and publish the push message of one push job to every target's endpoints."""
    job = parse_push_job(event)
    data = push_data(job.kind, job.household_id)
    rendered = [
        templates.render_push(job.template, _variables(job.data, t.name), locale=t.locale)
        for t in job.targets
    ]
    sns = aws.client("sns")
    delivered = 0
    unusable: list[dict[str, str]] = []
    for target, message in zip(job.targets, rendered, strict=True):
        report = publish_all(target.push_endpoints, message, data, client=sns)
        delivered += len(report.delivered)
        for endpoint_arn, code in report.unusable.items():
            unusable.append({"user_id": target.user_id, "endpoint_arn": endpoint_arn, "code": code})
            _log(
                logging.WARNING,
                "push_endpoint_unusable",
                kind=job.kind,
                user_id=target.user_id,
                endpoint_arn=endpoint_arn,
                error_code=code,
            )
        _log(
            logging.INFO,
            "push_published",
            kind=job.kind,
            household_id=job.household_id,
            user_id=target.user_id,
            endpoints=len(report.delivered),
        )
    return {"delivered": delivered, "unusable": unusable}


def _notification_events(event: Mapping[str, Any]) -> list[NotificationEvent]:
    records = event.get("Records")
    if records is None:
        return [parse_event(event)]
    if not isinstance(records, list):
        raise EventError("Records: expected a JSON array")
    events = []
    for i, record in enumerate(records):
        sns = record.get("Sns") if isinstance(record, Mapping) else None
        message = sns.get("Message") if isinstance(sns, Mapping) else None
        if not isinstance(message, str):
            raise EventError(f"Records[{i}].Sns.Message: expected a string")
        try:
            decoded = json.loads(message)
        except json.JSONDecodeError as exc:
            raise EventError(f"Records[{i}].Sns.Message: not valid JSON ({exc.msg})") from None
        events.append(parse_event(decoded))
    return events


def _check_renderable(notification: NotificationEvent) -> None:
    # Fail here, before anything is sent, rather than in the email or push function.
    templates.check_variables(
        notification.template, notification.data, supplied_later=frozenset({"recipient_name"})
    )
    if templates.get_template(notification.template).push_title is None:
        raise TemplateError(
            f"template {notification.template!r} has no push message and cannot be used for "
            f"a {notification.kind} event"
        )


def _variables(data: Mapping[str, object], name: str) -> dict[str, object]:
    return {**data, "recipient_name": name.strip() or "there"}


def _invoke_async(lambda_client: Any, function_name: str, payload: dict[str, Any]) -> None:
    response = lambda_client.invoke(
        FunctionName=function_name,
        InvocationType="Event",
        Payload=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
    )
    status = response.get("StatusCode")
    if status != 202:
        raise RuntimeError(f"asynchronous invoke of {function_name} returned status {status}")


def _required_env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


def _log(level: int, message: str, **fields: object) -> None:
    logger.log(level, json.dumps({"message": message, **fields}, default=str))
