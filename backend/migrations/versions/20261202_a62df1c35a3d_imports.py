"""imports

Bank file imports (issue 8): the file and what was detected (`imports`), its preview rows
(`import_rows`), and on each transaction the import that added it, which undo deletes.

Revision ID: a62df1c35a3d
Revises: 9b4e2d61c0aa
Create Date: 2026-12-02 04:10:21.383132
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a62df1c35a3d"
down_revision: str | None = "9b4e2d61c0aa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

IMPORT_STATUS = sa.Enum(
    "preview", "parsing", "committing", "committed", "undone", "failed", name="import_status"
)
IMPORT_ROW_STATUS = sa.Enum("new", "duplicate", "error", name="import_row_status")


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("status", IMPORT_STATUS, nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=True),
        sa.Column("mapping", sa.JSON(), nullable=True),
        sa.Column("columns", sa.JSON(), nullable=True),
        sa.Column("date_format_candidates", sa.JSON(), nullable=True),
        sa.Column("total_count", sa.Integer(), nullable=False),
        sa.Column("new_count", sa.Integer(), nullable=False),
        sa.Column("duplicate_count", sa.Integer(), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("imported_count", sa.Integer(), nullable=True),
        sa.Column("skipped_count", sa.Integer(), nullable=True),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_imports_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_imports_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_imports_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
    )
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_imports_account_id"), ["account_id"], unique=False)
        batch_op.create_index(
            "ix_imports_household_created", ["household_id", "created_at"], unique=False
        )

    op.create_table(
        "import_rows",
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("posted_on", sa.Date(), nullable=True),
        sa.Column("amount_minor", sa.BigInteger(), nullable=True),
        sa.Column("payee", sa.String(length=200), nullable=False),
        sa.Column("payee_original", sa.Text(), nullable=False),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=True),
        sa.Column("status", IMPORT_ROW_STATUS, nullable=False),
        sa.Column("duplicate_of", sa.Uuid(), nullable=True),
        sa.Column("category_id", sa.Uuid(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("include", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_import_rows_category_id_categories"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of"],
            ["transactions.id"],
            name=op.f("fk_import_rows_duplicate_of_transactions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_import_rows_household_id_households"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["imports.id"],
            name=op.f("fk_import_rows_import_id_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("import_id", "line", name=op.f("pk_import_rows")),
    )
    # A plain ADD COLUMN with its reference, without copying the transactions table (SQLite
    # allows a reference on an added column that defaults to NULL, but Alembic would add it as a
    # separate constraint, which SQLite cannot).
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE transactions ADD COLUMN import_id CHAR(32) "
            "CONSTRAINT fk_transactions_import_id_imports REFERENCES imports (id) "
            "ON DELETE SET NULL"
        )
    else:
        op.add_column("transactions", sa.Column("import_id", sa.Uuid(), nullable=True))
        op.create_foreign_key(
            "fk_transactions_import_id_imports",
            "transactions",
            "imports",
            ["import_id"],
            ["id"],
            ondelete="SET NULL",
        )
    op.create_index("ix_transactions_import_id", "transactions", ["import_id"])


def downgrade() -> None:
    op.drop_index("ix_transactions_import_id", table_name="transactions")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_column("import_id")
    op.drop_table("import_rows")
    op.drop_index("ix_imports_household_created", table_name="imports")
    op.drop_index("ix_imports_account_id", table_name="imports")
    op.drop_table("imports")
    for enum in (IMPORT_ROW_STATUS, IMPORT_STATUS):
        enum.drop(op.get_bind(), checkfirst=True)
