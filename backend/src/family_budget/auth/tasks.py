"""The account emails (verification, password reset, email-change notice), sent by jobs.

The request writes the job in its own transaction, so a crash cannot lose the email. The jobs'
payloads hold row ids only (a forgot-password request holds the address typed: its job looks it
up, so the answer takes as long whether or not the address is known). The link's token is
derived again from the row (family_budget.security.link_token), so a retried job sends the same
working link. The outbox file (or SES message) is keyed by the job, so a retry on a laptop
overwrites instead of adding.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.auth import service
from family_budget.emails import build_email_sender, compose_email
from family_budget.models import TokenPurpose, User
from family_budget.worker.jobs import JobContext, job


async def _send_link(
    ctx: JobContext, session: AsyncSession, payload: dict[str, Any], purpose: TokenPurpose
) -> None:
    token_id = uuid.UUID(payload["token_id"])
    found = await service.emailable_token(session, ctx.settings, token_id, purpose)
    if found is None:
        return
    user, token = found
    if purpose is TokenPurpose.VERIFY_EMAIL:
        message = service.verification_email(ctx.settings, user, token)
    else:
        message = service.password_reset_email(ctx.settings, user, token)
    await build_email_sender(ctx.settings).send(message, key=f"email:{token_id}")


@job(service.VERIFICATION_EMAIL_JOB)
async def send_verification_email(
    ctx: JobContext, session: AsyncSession, payload: dict[str, Any]
) -> None:
    await _send_link(ctx, session, payload, TokenPurpose.VERIFY_EMAIL)


@job(service.PASSWORD_RESET_EMAIL_JOB)
async def send_password_reset(
    ctx: JobContext, session: AsyncSession, payload: dict[str, Any]
) -> None:
    await _send_link(ctx, session, payload, TokenPurpose.RESET_PASSWORD)


@job(service.PASSWORD_RESET_REQUEST_JOB)
async def handle_password_reset_request(
    ctx: JobContext, session: AsyncSession, payload: dict[str, Any]
) -> None:
    """A forgot-password request: a reset link for a known address (another job sends it),
    nothing for an unknown one."""
    await service.request_password_reset(session, ctx.settings, payload["email"])


@job(service.EMAIL_CHANGED_NOTICE_JOB)
async def send_email_changed_notice(
    ctx: JobContext, session: AsyncSession, payload: dict[str, Any]
) -> None:
    """Tell the previous address that the account moved away from it (the security alert
    template, emailed there and nowhere else)."""
    user = await session.get(User, uuid.UUID(payload["user_id"]))
    if user is None:
        return
    changed_at = datetime.fromisoformat(payload["changed_at"])
    message = compose_email(
        "security_alert",
        to=payload["previous_email"],
        variables={
            "recipient_name": user.name,
            "activity": "The email address of your account was changed to another address",
            "occurred_at": changed_at.isoformat(),
            "security_url": service.security_url(ctx.settings),
        },
    )
    await build_email_sender(ctx.settings).send(
        message, key=f"email-changed:{user.id}:{payload['changed_at']}"
    )
