"""A user's signed-in sessions, as the profile page lists them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, utcnow


class UserSession(Base):
    """One sign-in: its id is the refresh-token family the session's tokens belong to.

    Whether the session still goes on is the refresh-token store's answer (a logout, a password
    change or a detected token theft ends it there); this row only says what to show about it.
    Like SignInDevice, it keeps nothing that identifies the device beyond a label such as
    "Firefox on Linux": no address, no raw user agent.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user_id_last_seen", "user_id", "last_seen_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    device_label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
