from __future__ import annotations

import base64
import uuid
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from family_budget.errors import PreconditionFailed
from family_budget.households.context import HouseholdContext
from family_budget.models import ActivityTotal, Role, Transaction
from family_budget.money import MAX_AMOUNT_MINOR
from family_budget.schemas import EARLIEST_DATE, LATEST_DATE
from family_budget.transactions.queries import LedgerPosition, decode_cursor, encode_cursor
from family_budget.transactions.schemas import SplitLineIn, TransactionCreate, TransactionUpdate
from family_budget.transactions.service import (
    create_transaction as create_transaction_service,
)
from family_budget.transactions.service import (
    delete_transaction,
    splits_sum_ok,
    transfer_pair,
    update_transaction,
)
from tests.arrange import Family
from tests.factories import create_category, create_transaction


def base64_text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


amounts = st.integers(min_value=-MAX_AMOUNT_MINOR, max_value=MAX_AMOUNT_MINOR)


class TestSplitsSum:
    @given(lines=st.lists(amounts, min_size=2, max_size=20))
    def test_lines_that_sum_to_the_amount_are_accepted(self, lines: list[int]) -> None:
        assert splits_sum_ok(sum(lines), lines)

    @given(
        lines=st.lists(amounts, min_size=2, max_size=20),
        index=st.integers(min_value=0),
        off_by=st.integers(min_value=-1000, max_value=1000).filter(bool),
    )
    def test_any_line_off_by_a_minor_unit_or_more_is_rejected(
        self, lines: list[int], index: int, off_by: int
    ) -> None:
        amount = sum(lines)
        changed = list(lines)
        changed[index % len(changed)] += off_by
        assert not splits_sum_ok(amount, changed)

    @given(amount=amounts, cut=st.integers(min_value=-MAX_AMOUNT_MINOR, max_value=MAX_AMOUNT_MINOR))
    def test_cutting_an_amount_in_two_always_sums(self, amount: int, cut: int) -> None:
        assert splits_sum_ok(amount, [cut, amount - cut])


class TestTransferPair:
    @given(amount=st.integers(min_value=1, max_value=MAX_AMOUNT_MINOR))
    def test_legs_net_to_zero_and_flow_the_right_way(self, amount: int) -> None:
        outflow, inflow = transfer_pair(amount)
        assert outflow + inflow == 0
        assert outflow == -amount
        assert inflow == amount

    @given(amount=st.integers(max_value=0))
    def test_non_positive_amount_is_refused(self, amount: int) -> None:
        with pytest.raises(ValueError, match="positive"):
            transfer_pair(amount)


class TestCursor:
    @given(
        posted_on=st.dates(EARLIEST_DATE, LATEST_DATE),
        entry_seq=st.integers(min_value=1, max_value=2**63 - 1),
    )
    def test_round_trip(self, posted_on: date, entry_seq: int) -> None:
        cursor = encode_cursor(LedgerPosition(posted_on, entry_seq))
        assert decode_cursor(cursor) == LedgerPosition(posted_on, entry_seq)
        assert cursor.isascii()
        assert not set(cursor) & set("+/=")

    @given(text=st.text(max_size=80) | st.binary(max_size=60).map(base64_text))
    def test_anything_else_fails_only_with_value_error(self, text: str) -> None:
        # Never an IndexError/TypeError/UnicodeError escaping as a 500.
        try:
            position = decode_cursor(text)
        except ValueError:
            return
        assert decode_cursor(encode_cursor(position)) == position

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "!!!",
            "bm9wZQ",
            "MjAyNC0wMi0zMHxhYmM",
            "abc=def",
            # "2024-03-01|-5" and an old cursor, "2024-03-01|<uuid hex>"
            base64_text(b"2024-03-01|-5"),
            base64_text(b"2024-03-01|" + uuid.UUID(int=7).hex.encode()),
        ],
    )
    def test_known_bad_cursors(self, text: str) -> None:
        with pytest.raises(ValueError, match="not a cursor"):
            decode_cursor(text)


def _owner(family: Family) -> HouseholdContext:
    return HouseholdContext(family.household, Role.OWNER, family.owner)


class TestConcurrentWrites:
    """A write racing with another between our read and our flush: SQLAlchemy's version check
    raises StaleDataError, which must become a 412 rather than a 500 or a lost update."""

    async def test_concurrent_update_is_version_conflict(
        self, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(session, family.private, amount_minor=-100)
        await session.commit()
        transaction_id = transaction.id
        assert transaction.version == 1
        # Another writer bumps the row behind this session's back.
        await session.execute(
            update(Transaction)
            .where(Transaction.id == transaction.id)
            .values(amount_minor=-999, version=2)
            .execution_options(synchronize_session=False)
        )

        with pytest.raises(PreconditionFailed) as conflict:
            await update_transaction(
                session,
                _owner(family),
                transaction,
                frozenset({1}),
                TransactionUpdate(amount_minor=-200),
            )

        assert conflict.value.code == "version_conflict"
        await session.rollback()
        stored = (
            await session.execute(
                select(Transaction.amount_minor, Transaction.version).where(
                    Transaction.id == transaction_id
                )
            )
        ).one()
        assert tuple(stored) == (-100, 1)

    async def test_concurrent_delete_is_version_conflict(
        self, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(session, family.private)
        await session.commit()
        await session.execute(
            update(Transaction)
            .where(Transaction.id == transaction.id)
            .values(version=5)
            .execution_options(synchronize_session=False)
        )

        with pytest.raises(PreconditionFailed) as conflict:
            await delete_transaction(session, transaction, frozenset({1}))

        assert conflict.value.code == "version_conflict"


class TestCreateWithSplits:
    async def test_one_flush_one_category_check_one_recompute(
        self, session: AsyncSession, connection: AsyncConnection, family: Family
    ) -> None:
        """Lines in three categories and two tags: the categories are checked in one query and
        the month's totals recomputed once, and the totals then hold the three lines."""
        categories = [await create_category(session, family.household) for _ in range(3)]
        statements: list[str] = []

        def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            statements.append(" ".join(statement.split()).upper())

        event.listen(connection.sync_connection, "before_cursor_execute", record)
        try:
            await create_transaction_service(
                session,
                _owner(family),
                TransactionCreate(
                    account_id=family.private.id,
                    posted_on=date(2024, 5, 20),
                    amount_minor=-900,
                    tags=["trip", "kids"],
                    splits=[SplitLineIn(category_id=c.id, amount_minor=-300) for c in categories],
                ),
            )
        finally:
            event.remove(connection.sync_connection, "before_cursor_execute", record)

        category_checks = [s for s in statements if s.startswith("SELECT CATEGORIES.ID")]
        recomputes = [s for s in statements if s.startswith("DELETE FROM ACTIVITY_TOTALS")]
        assert (len(category_checks), len(recomputes)) == (1, 1), statements
        rows = await session.execute(
            select(ActivityTotal.category_id, ActivityTotal.amount_minor).where(
                ActivityTotal.account_id == family.private.id
            )
        )
        stored = {category_id: amount for category_id, amount in rows}
        assert stored == {c.id: -300 for c in categories}
