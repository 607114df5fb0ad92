"""Recovery codes: one-time ways into an account with two-step sign-in when the phone is lost."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, utcnow


class RecoveryCode(IdMixin, Base):
    """Only the code's hash is kept; a used code stays (used_at set) so it never works again."""

    __tablename__ = "recovery_codes"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
