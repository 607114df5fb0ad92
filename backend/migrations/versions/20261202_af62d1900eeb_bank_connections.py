"""bank connections, their accounts, and edits of bank transactions the bank withdrew

Creates bank_connections (one Plaid item each, the access token encrypted),
bank_connection_accounts (which household account each Plaid account feeds) and
bank_pending_edits (see family_budget.bank_connections.sync). Statuses and kinds are VARCHAR,
not database enum types, so that adding a value needs no ALTER TYPE.

Revision ID: af62d1900eeb
Revises: 59c0d3b9e3d2
Create Date: 2026-12-02 01:49:30.513495
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "af62d1900eeb"
down_revision: str | None = "59c0d3b9e3d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("syncing", "healthy", "needs_reauth", "error", "disconnected")
ACCOUNT_KINDS = ("checking", "savings", "credit_card", "cash", "loan", "investment")


def upgrade() -> None:
    op.create_table(
        "bank_connections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("plaid_item_id", sa.String(length=100), nullable=False),
        sa.Column("institution_id", sa.String(length=50), nullable=True),
        sa.Column("institution_name", sa.String(length=200), nullable=False),
        sa.Column("access_token_encrypted", sa.Text(), nullable=True),
        sa.Column("sync_cursor", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="bank_connection_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("sync_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sync_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error_code", sa.String(length=100), nullable=True),
        sa.Column("last_error_message", sa.Text(), nullable=True),
        sa.Column("consent_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sync_generation", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_bank_connections_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_bank_connections_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_connections")),
        sa.UniqueConstraint("plaid_item_id", name=op.f("uq_bank_connections_plaid_item_id")),
    )
    with op.batch_alter_table("bank_connections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_connections_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            "uq_bank_connections_household_institution",
            ["household_id", "institution_id"],
            unique=True,
            postgresql_where=sa.text("removed_at IS NULL"),
            sqlite_where=sa.text("removed_at IS NULL"),
        )

    op.create_table(
        "bank_connection_accounts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("plaid_account_id", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("mask", sa.String(length=10), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(*ACCOUNT_KINDS, name="bank_account_kind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("imports_from", sa.Date(), nullable=True),
        sa.Column("opening_balance_from_bank", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_bank_connection_accounts_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["bank_connections.id"],
            name=op.f("fk_bank_connection_accounts_connection_id_bank_connections"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_bank_connection_accounts_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_connection_accounts")),
        sa.UniqueConstraint("account_id", name=op.f("uq_bank_connection_accounts_account_id")),
        sa.UniqueConstraint(
            "connection_id",
            "plaid_account_id",
            name=op.f("uq_bank_connection_accounts_connection_id_plaid_account_id"),
        ),
    )
    with op.batch_alter_table("bank_connection_accounts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_connection_accounts_connection_id"),
            ["connection_id"],
            unique=False,
        )

    op.create_table(
        "bank_pending_edits",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("payee_original", sa.Text(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("payee", sa.String(length=200), nullable=True),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("splits", sa.JSON(), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_bank_pending_edits_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_bank_pending_edits_category_id_categories"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_bank_pending_edits_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_pending_edits")),
        sa.UniqueConstraint(
            "account_id",
            "external_id",
            name=op.f("uq_bank_pending_edits_account_id_external_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("bank_pending_edits")
    with op.batch_alter_table("bank_connection_accounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_connection_accounts_connection_id"))
    op.drop_table("bank_connection_accounts")
    with op.batch_alter_table("bank_connections", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_bank_connections_household_institution",
            postgresql_where=sa.text("removed_at IS NULL"),
            sqlite_where=sa.text("removed_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_bank_connections_household_id"))
    op.drop_table("bank_connections")
