from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from family_budget.models.base import Base, IdMixin, TimestampMixin


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    # Stored lower-cased so that look-ups are exact and indexable on every backend.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    email_verified_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    # Set from SES bounce and complaint events (family_budget.alerts.email_events): no email is
    # sent to the address until the user changes it.
    email_undeliverable_at: Mapped[datetime | None]
    email_undeliverable_reason: Mapped[str | None] = mapped_column(String(20))
    # When the user last signed in or refreshed a session (to within auth.service's
    # ACTIVITY_RESOLUTION): what the "active users" and "active households" metrics count.
    last_active_at: Mapped[datetime | None]
    # Two-step sign-in (family_budget.auth.two_factor): the TOTP secret, encrypted; one being set
    # up but not yet confirmed with a code; the last time step a code was accepted for, so that a
    # code works once.
    totp_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    totp_pending_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    totp_enabled_at: Mapped[datetime | None]
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
