"""Work for the worker, written in the same transaction as the change that asks for it.

This table is the transactional outbox (family_budget.worker.jobs): a request that must send an
email, process an import or publish an alert adds a row here inside its own transaction, so the
work exists exactly when the change does. The worker dispatches due rows through Celery, claims
each one with a lease before running it and marks it done; a crash anywhere leaves the row to be
dispatched again once its lease runs out.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, utcnow


class Job(Base):
    __tablename__ = "jobs"
    __table_args__ = (
        # The relay's question: which unfinished jobs are due? Finished rows are never read by it.
        Index(
            "ix_jobs_due",
            "run_after",
            postgresql_where=text("done_at IS NULL AND failed_at IS NULL"),
            sqlite_where=text("done_at IS NULL AND failed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    # The task that runs it, "domain.action" (family_budget.worker.jobs.registered_jobs).
    name: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Idempotency: a second job with the same key is not added (a reminder for one bill
    # occurrence, an alert for one threshold of one category in one month).
    key: Mapped[str] = mapped_column(String(200), unique=True)
    household_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    # Last time the relay handed it to Celery; it is handed over again if nobody claims it.
    dispatched_at: Mapped[datetime | None]
    # A worker runs it until then; after that, it counts as abandoned (the worker died).
    claimed_until: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
