"""The alerts domain's jobs: delivering alerts, dropping dead push endpoints, and reading SES
bounces and complaints."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.alerts import delivery, devices, email_events
from family_budget.alerts.service import DELIVER_JOB
from family_budget.emails import build_email_sender
from family_budget.worker.jobs import JobContext, job, standalone_job


@job(DELIVER_JOB)
async def deliver_alert(ctx: JobContext, session: AsyncSession, payload: dict[str, Any]) -> None:
    await delivery.deliver(session, ctx.settings, build_email_sender(ctx.settings), payload)


@job("alerts.prune_push_endpoints", every="day", at=time(4, 41))
async def prune_push_endpoints(
    ctx: JobContext, session: AsyncSession, payload: dict[str, Any]
) -> None:
    await devices.prune_disabled_endpoints(session, ctx.settings)


# Hourly: a bounce marked within the hour costs at most a few more emails to a dead address.
@standalone_job("alerts.receive_email_events", every="hour", max_attempts=3)
async def receive_email_events(ctx: JobContext, payload: dict[str, Any]) -> None:
    # Standalone: each batch of messages is committed, then deleted from the queue, as it goes.
    await email_events.consume(
        ctx.settings, ctx.session_factory, datetime.fromisoformat(payload["at"])
    )
