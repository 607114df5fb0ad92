"""The household's audit log: who changed what, kept as written."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, utcnow


class AuditAction(StrEnum):
    HOUSEHOLD_UPDATED = "household.updated"
    INVITATION_CREATED = "invitation.created"
    INVITATION_REVOKED = "invitation.revoked"
    MEMBER_JOINED = "member.joined"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    MEMBER_LEFT = "member.left"
    ACCOUNT_CREATED = "account.created"
    ACCOUNT_UPDATED = "account.updated"
    ACCOUNT_ARCHIVED = "account.archived"
    ACCOUNT_UNARCHIVED = "account.unarchived"
    ACCOUNT_DELETED = "account.deleted"
    BUDGET_ASSIGNED = "budget.assigned"
    BUDGET_COPIED = "budget.copied"
    BUDGET_MOVED = "budget.moved"
    BUDGET_QUICK_ASSIGNED = "budget.quick_assigned"
    TARGET_SET = "budget.target_set"
    TARGET_CLEARED = "budget.target_cleared"
    BANK_CONNECTION_LINKED = "bank_connection.linked"
    BANK_CONNECTION_REMOVED = "bank_connection.removed"
    EXPORT_REQUESTED = "export.requested"


class AuditEvent(Base):
    """One change in a household, written in the transaction that made it.

    Append-only: the database refuses to update a row, and to delete one while its household
    exists (the migration's triggers); rows go only with their household. The actor is kept by
    id and by the name they had then, without a foreign key, so that removing a member or
    deleting a user never rewrites history.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_household_id_id", "household_id", "id"),)

    # An increasing integer: the log's order is the order of writing, and pages follow it.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    # None when the system acted (a scheduled job, the CLI).
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(50))
    target_type: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[uuid.UUID | None]
    target_label: Mapped[str] = mapped_column(String(200))
    # What changed, e.g. {"role": ["teen", "adult"]} or {"assigned_minor": 12500}: small,
    # never a secret (no tokens, no passwords, no bank credentials).
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
