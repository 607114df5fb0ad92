"""alerts: in-app notifications, preferences, push devices, sign-in devices, bouncing emails

Creates notifications, notification_preferences, push_devices and sign_in_devices, and adds
users.email_undeliverable_at/_reason (see family_budget.alerts).

Revision ID: 6b0cfb2904e1
Revises: 6b2fe24dbe0e
Create Date: 2026-12-02 01:41:07.686855
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6b0cfb2904e1"
down_revision: str | None = "6b2fe24dbe0e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("scope", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notification_preferences_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "scope", "channel", name=op.f("pk_notification_preferences")
        ),
    )
    op.create_table(
        "notifications",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("alert_key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_notifications_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "alert_key", "user_id", name=op.f("uq_notifications_alert_key_user_id")
        ),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_notifications_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_user_newest", ["user_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "push_devices",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "platform", sa.Enum("ios", "android", "web", name="device_platform"), nullable=False
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("endpoint_arn", sa.String(length=300), nullable=True),
        sa.Column("sns_platform", sa.String(length=20), nullable=True),
        sa.Column("web_endpoint", sa.Text(), nullable=True),
        sa.Column("web_p256dh", sa.String(length=200), nullable=True),
        sa.Column("web_auth", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_push_devices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_push_devices_token_hash")),
    )
    with op.batch_alter_table("push_devices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_push_devices_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sign_in_devices",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("device_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_sign_in_devices_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_devices")),
        sa.UniqueConstraint(
            "user_id", "device_hash", name=op.f("uq_sign_in_devices_user_id_device_hash")
        ),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_undeliverable_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("email_undeliverable_reason", sa.String(length=20), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("email_undeliverable_reason")
        batch_op.drop_column("email_undeliverable_at")

    op.drop_table("sign_in_devices")
    with op.batch_alter_table("push_devices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_push_devices_user_id"))

    op.drop_table("push_devices")
    sa.Enum(name="device_platform").drop(op.get_bind(), checkfirst=True)
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_newest")
        batch_op.drop_index(batch_op.f("ix_notifications_household_id"))

    op.drop_table("notifications")
    op.drop_table("notification_preferences")
