"""payee rules

The household's ordered categorizing rules (conditions on payee, memo, amount and account;
actions setting category, payee and tags), applied on import, on bank sync and on demand.

Revision ID: 4f8ec1ded3ee
Revises: 3f1c9a7e5b21
Create Date: 2026-12-02 04:10:17.307050
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "4f8ec1ded3ee"
down_revision: str | None = "3f1c9a7e5b21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAYEE_MATCH = sa.Enum("contains", "equals", name="rule_payee_match")


def upgrade() -> None:
    op.create_table(
        "rules",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("payee_match", PAYEE_MATCH, nullable=True),
        sa.Column("payee_value", sa.String(length=200), nullable=True),
        sa.Column("memo_contains", sa.String(length=200), nullable=True),
        sa.Column("min_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("max_amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("set_category_id", sa.Uuid(), nullable=True),
        sa.Column("set_payee", sa.String(length=200), nullable=True),
        sa.Column("add_tags", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_rules_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_rules_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_category_id"],
            ["categories.id"],
            name=op.f("fk_rules_set_category_id_categories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rules")),
    )
    with op.batch_alter_table("rules", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rules_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            "ix_rules_household_position", ["household_id", "position"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rules_set_category_id"), ["set_category_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rules_set_category_id"))
        batch_op.drop_index("ix_rules_household_position")
        batch_op.drop_index(batch_op.f("ix_rules_account_id"))
    op.drop_table("rules")
    # drop_table leaves PostgreSQL enum types behind; drop them so upgrade can run again.
    PAYEE_MATCH.drop(op.get_bind(), checkfirst=True)
