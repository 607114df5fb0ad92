"""The household audit log, for owners."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from family_budget.audit import service
from family_budget.audit.schemas import AuditEventPage, AuditEventRead
from family_budget.deps import OwnerHouseholdDep, SessionDep

router = APIRouter(prefix="/audit-events", tags=["audit"])


@router.get("")
async def list_audit_events(
    household: OwnerHouseholdDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    # Ids are 64-bit: a larger cursor is a 422, not an overflow in the database driver (a 500).
    before_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> AuditEventPage:
    """Who changed what in the household, newest first (owners only)."""
    events = await service.list_events(session, household, limit=limit + 1, before_id=before_id)
    page = events[:limit]
    return AuditEventPage(
        items=[AuditEventRead.model_validate(event) for event in page],
        next_before_id=page[-1].id if len(events) > limit else None,
    )
