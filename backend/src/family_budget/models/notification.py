"""The in-app notifications, and each user's switches for every kind and channel of them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, utcnow


class Notification(IdMixin, Base):
    """One alert as one user sees it in the app (the bell). Written by the delivery job."""

    __tablename__ = "notifications"
    __table_args__ = (
        # A retried delivery job adds nothing: one row per alert and user.
        UniqueConstraint("alert_key", "user_id"),
        # The bell's list: a user's notifications, newest first.
        Index("ix_notifications_user_newest", "user_id", "created_at", "id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    household_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    alert_key: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # The template's variables, for clients that build their own links or layouts.
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """One switch a user has set. `scope` is a kind ("bill_reminder") or "all" for the channel's
    global switch; a switch without a row is on."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(40), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean)
