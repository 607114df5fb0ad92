"""The household audit log: recording a change, and reading the log.

Every change worth answering "who did this?" for — memberships and roles, invitations, accounts,
budget amounts, bank connections, exports — is recorded by its route with `record`, on the
request's own database session: the event commits with the change or not at all. Owners read
the log (newest first, in pages); nobody can edit it (family_budget.models.audit_event).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.households.context import HouseholdContext
from family_budget.models import AuditAction, AuditEvent

SYSTEM_ACTOR = "Family Budget"


@dataclass(frozen=True, slots=True)
class Target:
    """What was changed: its kind ("account"), id and a label a person recognizes (its name)."""

    type: str
    id: uuid.UUID | None
    label: str


async def record(
    session: AsyncSession,
    household: HouseholdContext,
    action: AuditAction,
    target: Target,
    details: dict[str, Any] | None = None,
) -> None:
    """Add the event to the request's transaction (it commits with the change it records)."""
    actor = household.user
    session.add(
        AuditEvent(
            household_id=household.id,
            actor_id=None if actor is None else actor.id,
            actor_name=SYSTEM_ACTOR if actor is None else actor.name[:100],
            action=action.value,
            target_type=target.type,
            target_id=target.id,
            target_label=target.label[:200],
            details=details or {},
        )
    )
    await session.flush()


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields whose value changed."""
    return {
        field: [before[field], value] for field, value in after.items() if before[field] != value
    }


async def list_events(
    session: AsyncSession,
    household: HouseholdContext,
    *,
    limit: int,
    before_id: int | None = None,
) -> list[AuditEvent]:
    """The household's events, newest first; `before_id` continues after the last one seen."""
    query = select(AuditEvent).where(AuditEvent.household_id == household.id)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    rows = await session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit))
    return list(rows)
