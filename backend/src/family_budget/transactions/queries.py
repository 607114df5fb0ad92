"""Reading transactions: one transaction with its lines, tags and transfer counterpart, and the
filtered, cursor-paged list.

Every query for a household's transactions starts from `visible_transactions`, which adds the
household filter and, for a teen, the filter to the accounts shared with them.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from family_budget.accounts.service import visible_account_ids_filter
from family_budget.errors import (
    BadRequest,
    NotFound,
)
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    AccountShare,
    Receipt,
    Transaction,
    TransactionSplit,
    TransactionStatus,
    TransactionTag,
)

# --- Cursors ----------------------------------------------------------------------------------


def encode_cursor(posted_on: date, transaction_id: uuid.UUID) -> str:
    """Opaque to clients: base64url of the last row's sort keys."""
    raw = f"{posted_on.isoformat()}|{transaction_id.hex}".encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> tuple[date, uuid.UUID]:
    """Raises ValueError for anything encode_cursor did not produce."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        posted_on, transaction_id = raw.decode("ascii").split("|")
        return date.fromisoformat(posted_on), uuid.UUID(hex=transaction_id)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError("not a cursor") from exc


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransferInfo:
    transfer_id: uuid.UUID
    # None for a teen when the other account is not shared with them (see mask_for_viewer).
    counterpart_transaction_id: uuid.UUID | None
    counterpart_account_id: uuid.UUID | None


@dataclass(slots=True)
class TransactionDetails:
    transaction: Transaction
    tags: list[str] = field(default_factory=list)
    splits: list[TransactionSplit] = field(default_factory=list)
    transfer: TransferInfo | None = None
    receipt_count: int = 0


@dataclass(frozen=True, slots=True)
class TransactionFilters:
    posted_from: date | None = None
    posted_to: date | None = None
    account_id: uuid.UUID | None = None
    category_id: uuid.UUID | None = None
    payee: str | None = None
    min_amount_minor: int | None = None
    max_amount_minor: int | None = None
    uncategorized: bool = False
    tag: str | None = None
    status: TransactionStatus | None = None


def visible_transactions(household: HouseholdContext) -> ColumnElement[bool]:
    return and_(
        Transaction.household_id == household.id,
        visible_account_ids_filter(household, Transaction.account_id),
    )


async def get_transaction(
    session: AsyncSession, household: HouseholdContext, transaction_id: uuid.UUID
) -> Transaction:
    """For ids in paths: missing, foreign and (for a teen) unshared transactions are a 404."""
    transaction = (
        await session.execute(
            select(Transaction).where(
                Transaction.id == transaction_id, visible_transactions(household)
            )
        )
    ).scalar_one_or_none()
    if transaction is None:
        raise NotFound("Transaction not found", code="transaction_not_found")
    return transaction


async def counterpart_of(session: AsyncSession, transaction: Transaction) -> Transaction | None:
    """The other leg of a transfer. `transaction` was found in the household; transfer_id alone
    finds its counterpart (both legs are written together, in one household, with a new id), as
    in list_statement."""
    if transaction.transfer_id is None:
        return None
    return (
        await session.execute(
            select(Transaction).where(
                Transaction.transfer_id == transaction.transfer_id,
                Transaction.id != transaction.id,
            )
        )
    ).scalar_one_or_none()


async def load_lines(
    session: AsyncSession, transactions: Sequence[Transaction]
) -> tuple[dict[uuid.UUID, list[str]], dict[uuid.UUID, list[TransactionSplit]]]:
    """Tags and split lines of many transactions in at most two queries."""
    ids = [t.id for t in transactions]
    tags: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    splits: dict[uuid.UUID, list[TransactionSplit]] = {i: [] for i in ids}
    if not ids:
        return tags, splits
    tag_rows = await session.execute(
        select(TransactionTag.transaction_id, TransactionTag.tag)
        .where(TransactionTag.transaction_id.in_(ids))
        .order_by(TransactionTag.tag)
    )
    for transaction_id, tag in tag_rows:
        tags[transaction_id].append(tag)
    split_ids = [t.id for t in transactions if t.is_split]
    if split_ids:
        split_rows = await session.execute(
            select(TransactionSplit)
            .where(TransactionSplit.transaction_id.in_(split_ids))
            .order_by(TransactionSplit.id)
        )
        for line in split_rows.scalars():
            splits[line.transaction_id].append(line)
    return tags, splits


async def receipt_counts(
    session: AsyncSession, transaction_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """How many receipts are attached to each of the transactions (absent: none)."""
    if not transaction_ids:
        return {}
    rows = await session.execute(
        select(Receipt.transaction_id, func.count())
        .where(Receipt.transaction_id.in_(transaction_ids))
        .group_by(Receipt.transaction_id)
    )
    return {transaction_id: int(count) for transaction_id, count in rows if transaction_id}


async def transaction_details(
    session: AsyncSession, transaction: Transaction
) -> TransactionDetails:
    tags, splits = await load_lines(session, [transaction])
    counterpart = await counterpart_of(session, transaction)
    receipts = await receipt_counts(session, [transaction.id])
    return TransactionDetails(
        transaction,
        tags[transaction.id],
        splits[transaction.id],
        transfer_info(transaction, counterpart),
        receipts.get(transaction.id, 0),
    )


async def mask_for_viewer(
    session: AsyncSession, household: HouseholdContext, details: Sequence[TransactionDetails]
) -> None:
    """A teen sees that a transaction is a transfer, but not which account (or transaction) it
    came from or went to unless that account is shared with them too."""
    if not household.is_teen:
        return
    legs = [d for d in details if d.transfer is not None and d.transfer.counterpart_account_id]
    if not legs:
        return
    shared = set(
        await session.scalars(
            select(AccountShare.account_id).where(AccountShare.user_id == household.user_id)
        )
    )
    for leg in legs:
        assert leg.transfer is not None
        if leg.transfer.counterpart_account_id not in shared:
            leg.transfer = TransferInfo(leg.transfer.transfer_id, None, None)


def transfer_info(transaction: Transaction, counterpart: Transaction | None) -> TransferInfo | None:
    if transaction.transfer_id is None or counterpart is None:
        return None
    return TransferInfo(transaction.transfer_id, counterpart.id, counterpart.account_id)


def _filter_conditions(
    household: HouseholdContext, filters: TransactionFilters
) -> list[ColumnElement[bool]]:
    conditions = [visible_transactions(household)]
    if filters.posted_from is not None:
        conditions.append(Transaction.posted_on >= filters.posted_from)
    if filters.posted_to is not None:
        conditions.append(Transaction.posted_on <= filters.posted_to)
    if filters.account_id is not None:
        conditions.append(Transaction.account_id == filters.account_id)
    if filters.category_id is not None:
        split_matches = select(TransactionSplit.transaction_id).where(
            TransactionSplit.household_id == household.id,
            TransactionSplit.category_id == filters.category_id,
        )
        conditions.append(
            or_(
                Transaction.category_id == filters.category_id,
                Transaction.id.in_(split_matches),
            )
        )
    if filters.payee:
        # autoescape: a user's "%" or "_" is a literal character, not a LIKE wildcard.
        conditions.append(
            func.lower(Transaction.payee).contains(filters.payee.lower(), autoescape=True)
        )
    if filters.min_amount_minor is not None:
        conditions.append(Transaction.amount_minor >= filters.min_amount_minor)
    if filters.max_amount_minor is not None:
        conditions.append(Transaction.amount_minor <= filters.max_amount_minor)
    if filters.uncategorized:
        conditions.extend(
            [
                Transaction.category_id.is_(None),
                Transaction.is_split.is_(False),
                Transaction.transfer_id.is_(None),
            ]
        )
    if filters.tag is not None:
        conditions.append(
            Transaction.id.in_(
                select(TransactionTag.transaction_id).where(
                    TransactionTag.household_id == household.id, TransactionTag.tag == filters.tag
                )
            )
        )
    if filters.status is not None:
        conditions.append(Transaction.status == filters.status)
    return conditions


def list_statement(
    household: HouseholdContext,
    filters: TransactionFilters,
    *,
    limit: int,
    after: tuple[date, uuid.UUID] | None = None,
) -> Select[Transaction, uuid.UUID, uuid.UUID]:
    """One page, newest first, walking the (household_id, posted_on, id) index backwards. The
    transfer counterpart comes from a self-join so that a page costs one query plus two."""
    counterpart = aliased(Transaction)
    statement = (
        select(Transaction, counterpart.id, counterpart.account_id)
        .outerjoin(
            counterpart,
            and_(
                Transaction.transfer_id.is_not(None),
                # transfer_id alone finds the counterpart (both halves are written together, in
                # one household). A household_id term here leads SQLite's planner to scan the
                # household's rows for every row of the page instead of using the transfer index.
                counterpart.transfer_id == Transaction.transfer_id,
                counterpart.id != Transaction.id,
            ),
        )
        .where(*_filter_conditions(household, filters))
        .order_by(Transaction.posted_on.desc(), Transaction.id.desc())
        .limit(limit)
    )
    if after is not None:
        statement = statement.where(tuple_(Transaction.posted_on, Transaction.id) < after)
    return statement


async def list_transactions(
    session: AsyncSession,
    household: HouseholdContext,
    filters: TransactionFilters,
    *,
    limit: int,
    cursor: str | None,
) -> tuple[list[TransactionDetails], str | None]:
    after = None
    if cursor is not None:
        try:
            after = decode_cursor(cursor)
        except ValueError:
            raise BadRequest("The cursor is not valid", code="invalid_cursor") from None
    rows = (
        await session.execute(list_statement(household, filters, limit=limit + 1, after=after))
    ).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    transactions = [row[0] for row in rows]
    tags, splits = await load_lines(session, transactions)
    receipts = await receipt_counts(session, [t.id for t in transactions])
    page = []
    for transaction, counterpart_id, counterpart_account_id in rows:
        transfer = None
        if transaction.transfer_id is not None and counterpart_id is not None:
            transfer = TransferInfo(transaction.transfer_id, counterpart_id, counterpart_account_id)
        page.append(
            TransactionDetails(
                transaction,
                tags[transaction.id],
                splits[transaction.id],
                transfer,
                receipts.get(transaction.id, 0),
            )
        )
    next_cursor = None
    if has_more and transactions:
        last = transactions[-1]
        next_cursor = encode_cursor(last.posted_on, last.id)
    return page, next_cursor
