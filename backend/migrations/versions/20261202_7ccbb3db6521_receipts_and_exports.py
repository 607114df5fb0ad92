"""receipts and exports

Receipts (photos and PDFs, what OCR read from them, the transaction they belong to) and exports
(files the worker makes on request, gone after 30 days).

Revision ID: 7ccbb3db6521
Revises: af62d1900eeb
Create Date: 2026-12-02 01:48:44.523978
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7ccbb3db6521"
down_revision: str | None = "af62d1900eeb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EXPORT_KIND = sa.Enum("transactions_csv", "budget_csv", "monthly_statement_pdf", name="export_kind")
EXPORT_STATUS = sa.Enum("queued", "running", "ready", "failed", name="export_status")
RECEIPT_STATUS = sa.Enum("awaiting_upload", "processing", "ready", name="receipt_status")


def upgrade() -> None:
    op.create_table(
        "exports",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("kind", EXPORT_KIND, nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", EXPORT_STATUS, nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("object_key", sa.String(length=300), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_exports_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_exports_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.create_index("ix_exports_expires_at", ["expires_at"], unique=False)
        batch_op.create_index(
            "ix_exports_household_created", ["household_id", "created_at"], unique=False
        )

    op.create_table(
        "receipts",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=True),
        sa.Column("transaction_id", sa.Uuid(), nullable=True),
        sa.Column("status", RECEIPT_STATUS, nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("object_key", sa.String(length=300), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=300), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("merchant", sa.String(length=200), nullable=True),
        sa.Column("purchased_on", sa.Date(), nullable=True),
        sa.Column("total_minor", sa.BigInteger(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_receipts_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_receipts_transaction_id_transactions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_receipts_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipts")),
    )
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_receipts_household_created", ["household_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_receipts_transaction_id"), ["transaction_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_receipts_transaction_id"))
        batch_op.drop_index("ix_receipts_household_created")
    op.drop_table("receipts")
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.drop_index("ix_exports_household_created")
        batch_op.drop_index("ix_exports_expires_at")
    op.drop_table("exports")
    # drop_table leaves PostgreSQL enum types behind; drop them so upgrade can run again.
    for enum in (RECEIPT_STATUS, EXPORT_STATUS, EXPORT_KIND):
        enum.drop(op.get_bind(), checkfirst=True)
