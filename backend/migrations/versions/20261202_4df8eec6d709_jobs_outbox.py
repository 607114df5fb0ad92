"""jobs: the transactional outbox the worker runs

Creates jobs (see family_budget.models.job and family_budget.worker.jobs).

Revision ID: 4df8eec6d709
Revises: be272b2fcdad
Create Date: 2026-12-02 01:22:03.536703
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4df8eec6d709"
down_revision: str | None = "be272b2fcdad"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_jobs_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("key", name=op.f("uq_jobs_key")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_jobs_due",
            ["run_after"],
            unique=False,
            postgresql_where=sa.text("done_at IS NULL AND failed_at IS NULL"),
            sqlite_where=sa.text("done_at IS NULL AND failed_at IS NULL"),
        )
        batch_op.create_index(batch_op.f("ix_jobs_household_id"), ["household_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_household_id"))
        batch_op.drop_index(
            "ix_jobs_due",
            postgresql_where=sa.text("done_at IS NULL AND failed_at IS NULL"),
            sqlite_where=sa.text("done_at IS NULL AND failed_at IS NULL"),
        )

    op.drop_table("jobs")
