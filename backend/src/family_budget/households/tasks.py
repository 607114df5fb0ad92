"""The household invitation email, sent by a job (see family_budget.auth.tasks for why)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.emails import build_email_sender
from family_budget.households import service
from family_budget.worker.jobs import JobContext, job


@job(service.INVITATION_EMAIL_JOB)
async def send_invitation(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    invitation_id = uuid.UUID(payload["invitation_id"])
    message = await service.invitation_to_email(session, ctx.settings, invitation_id, now=ctx.now)
    if message is not None:
        await build_email_sender(ctx.settings).send(
            message, key=f"email:invitation:{invitation_id}"
        )
