"""Numbering rows that are bulk-inserted into transactions (imports, bank syncs, the demo seed).

Every new transaction gets its entry_seq from the database (see Transaction.entry_seq). On SQLite
that is a trigger run once per row, which triples the cost of a large insert (50,000 rows: 9 s
instead of 3 s); number_bulk_rows gives the rows their numbers up front instead, and the trigger
skips rows that have one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import Transaction


async def number_bulk_rows(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """Set entry_seq on rows about to be inserted, in list order, after every existing number.

    SQLite only. Its one writer holds the write lock for the whole transaction (writers begin
    IMMEDIATE), so no other insert can take these numbers between this read and the insert; the
    unique index would refuse it anyway. On PostgreSQL the identity numbers rows as COPY or
    executemany delivers them, in list order too; setting values there would bypass its sequence
    and collide with later rows."""
    if not rows or (await session.connection()).dialect.name != "sqlite":
        return
    last = (
        await session.execute(select(func.coalesce(func.max(Transaction.entry_seq), 0)))
    ).scalar_one()
    for offset, row in enumerate(rows, start=1):
        row["entry_seq"] = last + offset
