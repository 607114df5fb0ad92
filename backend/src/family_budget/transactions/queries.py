"""Reading transactions: one transaction with its lines, tags and transfer counterpart, and the
filtered, cursor-paged list.

Every query for a household's transactions starts from `visible_transactions`, which adds the
household filter and, for a teen, the filter to the accounts shared with them.
"""

from __future__ import annotations

import base64
import binascii
import functools
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    SQLColumnExpression,
    UnaryExpression,
    and_,
    bindparam,
    func,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from family_budget.accounts.service import shared_account_ids, visible_account_ids_filter
from family_budget.db import ByIds
from family_budget.errors import (
    BadRequest,
    NotFound,
)
from family_budget.households.context import HouseholdContext
from family_budget.imports.parsing.amounts import parse_amount
from family_budget.models import (
    Account,
    Category,
    ClearedState,
    Receipt,
    Transaction,
    TransactionSplit,
    TransactionStatus,
    TransactionTag,
)
from family_budget.money import exponent

# --- The order of transactions and its cursors ------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerPosition:
    """Where a transaction stands in ledger_order: its date, then when it was entered."""

    posted_on: date
    entry_seq: int


def ledger_order(
    *, newest_first: bool = True
) -> tuple[UnaryExpression[date], UnaryExpression[int]]:
    """The one order of transactions, for every list of them (and an account's register): by
    date, then by the order they were entered (Transaction.entry_seq, unique, so the order is
    total and stable across pages). Newest first puts the latest entry of a day on top; oldest
    first lists a day's entries, and an import's rows, in the order they were entered. A page
    goes on after the last row's position (page_statement); the household and account indexes
    end in (posted_on, entry_seq) for it."""
    if newest_first:
        return Transaction.posted_on.desc(), Transaction.entry_seq.desc()
    return Transaction.posted_on.asc(), Transaction.entry_seq.asc()


def encode_cursor(position: LedgerPosition) -> str:
    """Opaque to clients: base64url of the last row's ledger position."""
    raw = f"{position.posted_on.isoformat()}|{position.entry_seq}".encode("ascii")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> LedgerPosition:
    """Raises ValueError for anything encode_cursor did not produce."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        posted_on, entry_seq = raw.decode("ascii").split("|")
        if not (entry_seq.isascii() and entry_seq.isdigit()) or len(entry_seq) > 19:
            raise ValueError("not an entry number")
        return LedgerPosition(date.fromisoformat(posted_on), int(entry_seq))
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValueError("not a cursor") from exc


# --- Searching by amount ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AmountQuery:
    minor: int
    # "-12.50" or "+12.50" name one direction; a bare "12.50" matches money out or in.
    signed: bool


_SIGNS = "+-\u2212("


def parse_amount_query(text: str, currency: str) -> AmountQuery | None:
    """The amount a search text names, in minor units of `currency`, or None if it names none.

    "12.50", "12,50", "-12,50", "1,234.50", "1.234,50" and "12" (whole units) are amounts. When
    both "." and "," appear the last one is the decimal separator. When one of them appears
    alone it groups thousands if it appears more than once, or if every group after it has three
    digits and the currency does not have three decimals ("1,250" and "1.250" in dollars are a
    thousand two hundred and fifty); otherwise it is the decimal separator. Digits finer than
    the currency's minor unit name no amount (no rounding)."""
    stripped = text.strip()
    places = exponent(currency)
    if not any(char.isdigit() for char in stripped):
        return None
    dot, comma = stripped.rfind("."), stripped.rfind(",")
    if dot >= 0 and comma >= 0:
        separator = "." if dot > comma else ","
    elif dot >= 0 or comma >= 0:
        mark = "." if dot >= 0 else ","
        groups = [group.rstrip(")") for group in stripped.split(mark)[1:]]
        grouping = len(groups) > 1 or (
            places != 3 and all(len(group) == 3 and group.isdigit() for group in groups)
        )
        separator = ("," if mark == "." else ".") if grouping else mark
    else:
        separator = "."
    fraction = stripped.rpartition(separator)[2] if separator in stripped else ""
    if len(fraction.rstrip(")").rstrip("0")) > places:
        return None
    try:
        minor = parse_amount(stripped, places, separator)
    except ValueError:
        return None
    return AmountQuery(minor, signed=stripped[:1] in _SIGNS)


# --- Reading ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransferInfo:
    transfer_id: uuid.UUID
    # None for a teen when the other account is not shared with them (see mask_for_viewer).
    counterpart_transaction_id: uuid.UUID | None
    counterpart_account_id: uuid.UUID | None
    # The names of this leg's account and of the other leg's (name_transfer_accounts); the
    # counterpart's is None whenever its id is.
    account_name: str | None = None
    counterpart_account_name: str | None = None


class TransactionFields(Protocol):
    """What a response reads of a transaction: the ORM object, or a row of the page query
    (page_statement reads plain columns: building a hundred ORM objects cost more than the
    query)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def account_id(self) -> uuid.UUID: ...
    @property
    def posted_on(self) -> date: ...
    @property
    def amount_minor(self) -> int: ...
    @property
    def payee(self) -> str: ...
    @property
    def memo(self) -> str: ...
    @property
    def category_id(self) -> uuid.UUID | None: ...
    @property
    def status(self) -> TransactionStatus: ...
    @property
    def cleared(self) -> ClearedState: ...
    @property
    def is_split(self) -> bool: ...
    @property
    def transfer_id(self) -> uuid.UUID | None: ...
    @property
    def version(self) -> int: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...


@dataclass(slots=True)
class TransactionDetails:
    transaction: TransactionFields
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
    # Part of the payee, memo or category name, or an amount (parse_amount_query).
    text: str | None = None


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
    in page_statement."""
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


# Over the tables where no ORM object is wanted: such a statement skips the ORM's compile step.
_tags = TransactionTag.__table__.c
_receipts = Receipt.__table__.c
_TAGS_OF = ByIds(
    lambda one_of: (
        select(_tags.transaction_id, _tags.tag)
        .where(one_of(_tags.transaction_id))
        .order_by(_tags.tag)
    )
)
_SPLITS_OF = ByIds(
    lambda one_of: (
        select(TransactionSplit)
        .where(one_of(TransactionSplit.transaction_id))
        .order_by(TransactionSplit.id)
    )
)
_RECEIPT_COUNTS = ByIds(
    lambda one_of: (
        select(_receipts.transaction_id, func.count())
        .where(one_of(_receipts.transaction_id))
        .group_by(_receipts.transaction_id)
    )
)


async def load_lines(
    session: AsyncSession, transactions: Sequence[TransactionFields]
) -> tuple[dict[uuid.UUID, list[str]], dict[uuid.UUID, list[TransactionSplit]]]:
    """Tags and split lines of many transactions in at most two queries."""
    ids = [t.id for t in transactions]
    # Only the transactions that have tags or lines get an entry (most have neither).
    tags: dict[uuid.UUID, list[str]] = defaultdict(list)
    splits: dict[uuid.UUID, list[TransactionSplit]] = defaultdict(list)
    if not ids:
        return tags, splits
    tag_rows = await session.execute(_TAGS_OF.for_session(session), {"ids": ids})
    for transaction_id, tag in tag_rows:
        tags[transaction_id].append(tag)
    split_ids = [t.id for t in transactions if t.is_split]
    if split_ids:
        split_rows = await session.execute(_SPLITS_OF.for_session(session), {"ids": split_ids})
        for line in split_rows.scalars():
            splits[line.transaction_id].append(line)
    return tags, splits


async def receipt_counts(
    session: AsyncSession, transaction_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """How many receipts are attached to each of the transactions (absent: none)."""
    if not transaction_ids:
        return {}
    rows = await session.execute(_RECEIPT_COUNTS.for_session(session), {"ids": transaction_ids})
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
    shared = set(await session.scalars(shared_account_ids(household.user_id)))
    for leg in legs:
        assert leg.transfer is not None
        if leg.transfer.counterpart_account_id not in shared:
            leg.transfer = replace(
                leg.transfer,
                counterpart_transaction_id=None,
                counterpart_account_id=None,
                counterpart_account_name=None,
            )


async def name_transfer_accounts(
    session: AsyncSession, details: Sequence[TransactionDetails]
) -> None:
    """Fill in the account names of transfer legs read one at a time (the list joins them)."""
    legs = [d for d in details if d.transfer is not None]
    if not legs:
        return
    ids = {d.transaction.account_id for d in legs}
    ids |= {
        d.transfer.counterpart_account_id
        for d in legs
        if d.transfer and d.transfer.counterpart_account_id
    }
    names = dict(
        (await session.execute(select(Account.id, Account.name).where(Account.id.in_(ids)))).all()
    )
    for leg in legs:
        assert leg.transfer is not None
        counterpart_account_id = leg.transfer.counterpart_account_id
        leg.transfer = replace(
            leg.transfer,
            account_name=names.get(leg.transaction.account_id),
            counterpart_account_name=names.get(counterpart_account_id)
            if counterpart_account_id
            else None,
        )


def transfer_info(transaction: Transaction, counterpart: Transaction | None) -> TransferInfo | None:
    if transaction.transfer_id is None or counterpart is None:
        return None
    return TransferInfo(transaction.transfer_id, counterpart.id, counterpart.account_id)


def _contains_pattern(needle: str) -> str:
    """A LIKE pattern (ESCAPE "/") for `needle` anywhere, its "%" and "_" literal characters,
    not wildcards: contains(autoescape=True), with the value passed as a parameter."""
    escaped = needle.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def _contains(column: SQLColumnExpression[str], parameter: str) -> ColumnElement[bool]:
    return func.lower(column).like(bindparam(parameter), escape="/")


# The filters whose value is the parameter's, under the same name.
_FILTERS_AS_GIVEN = (
    "posted_from",
    "posted_to",
    "account_id",
    "category_id",
    "min_amount_minor",
    "max_amount_minor",
    "tag",
    "status",
)


def page_parameters(
    household: HouseholdContext,
    filters: TransactionFilters,
    *,
    limit: int,
    after: LedgerPosition | None = None,
) -> dict[str, Any]:
    """The values of one page query, by parameter name. Which names are present picks the
    statement (page_statement): a filter left out has no parameter."""
    values: dict[str, Any] = {"household_id": household.id, "page_limit": limit}
    if household.is_teen:
        values["viewer_id"] = household.user_id
    for name in _FILTERS_AS_GIVEN:
        value = getattr(filters, name)
        if value is not None:
            values[name] = value
    if filters.payee:
        values["payee_pattern"] = _contains_pattern(filters.payee.lower())
    if filters.text:
        values["text_pattern"] = _contains_pattern(filters.text.lower())
        amount = parse_amount_query(filters.text, household.currency)
        if amount is not None:
            # Signed ("-12.50"): that amount; unsigned ("12.50"): money out or in of it.
            values["text_amounts"] = (
                [amount.minor] if amount.signed else [amount.minor, -amount.minor]
            )
    if after is not None:
        values["after_posted_on"] = after.posted_on
        values["after_entry_seq"] = after.entry_seq
    return values


def _filter_conditions(names: frozenset[str], uncategorized: bool) -> list[ColumnElement[bool]]:
    """The page's conditions for the parameters `names` (see page_parameters)."""
    household_id = bindparam("household_id", type_=Transaction.household_id.type)
    conditions: list[ColumnElement[bool]] = [Transaction.household_id == household_id]
    if "viewer_id" in names:
        conditions.append(Transaction.account_id.in_(shared_account_ids(bindparam("viewer_id"))))
    if "posted_from" in names:
        conditions.append(Transaction.posted_on >= bindparam("posted_from"))
    if "posted_to" in names:
        conditions.append(Transaction.posted_on <= bindparam("posted_to"))
    if "account_id" in names:
        conditions.append(Transaction.account_id == bindparam("account_id"))
    if "category_id" in names:
        split_matches = select(TransactionSplit.transaction_id).where(
            TransactionSplit.household_id == household_id,
            TransactionSplit.category_id == bindparam("category_id"),
        )
        conditions.append(
            or_(
                Transaction.category_id == bindparam("category_id"),
                Transaction.id.in_(split_matches),
            )
        )
    if "payee_pattern" in names:
        conditions.append(_contains(Transaction.payee, "payee_pattern"))
    if "min_amount_minor" in names:
        conditions.append(Transaction.amount_minor >= bindparam("min_amount_minor"))
    if "max_amount_minor" in names:
        conditions.append(Transaction.amount_minor <= bindparam("max_amount_minor"))
    if uncategorized:
        conditions.extend(
            [
                Transaction.category_id.is_(None),
                Transaction.is_split.is_(False),
                Transaction.transfer_id.is_(None),
            ]
        )
    if "tag" in names:
        conditions.append(
            Transaction.id.in_(
                select(TransactionTag.transaction_id).where(
                    TransactionTag.household_id == household_id,
                    TransactionTag.tag == bindparam("tag"),
                )
            )
        )
    if "status" in names:
        conditions.append(Transaction.status == bindparam("status"))
    if "text_pattern" in names:
        conditions.append(_text_matches("text_amounts" in names))
    if "after_posted_on" in names:
        conditions.append(
            tuple_(Transaction.posted_on, Transaction.entry_seq)
            < tuple_(
                bindparam("after_posted_on", type_=Transaction.posted_on.type),
                bindparam("after_entry_seq", type_=Transaction.entry_seq.type),
            )
        )
    return conditions


def _text_matches(with_amount: bool) -> ColumnElement[bool]:
    named_categories = select(Category.id).where(
        Category.household_id == bindparam("household_id"),
        _contains(Category.name, "text_pattern"),
    )
    split_matches = select(TransactionSplit.transaction_id).where(
        TransactionSplit.household_id == bindparam("household_id"),
        TransactionSplit.category_id.in_(named_categories),
    )
    matches = [
        _contains(Transaction.payee, "text_pattern"),
        _contains(Transaction.memo, "text_pattern"),
        Transaction.category_id.in_(named_categories),
        Transaction.id.in_(split_matches),
    ]
    if with_amount:
        matches.append(Transaction.amount_minor.in_(bindparam("text_amounts", expanding=True)))
    return or_(*matches)


# Made once, not per request: each new alias re-derives the columns of its table on first use
# (about a thousand objects, left in reference cycles for the collector, on every page).
_COUNTERPART = aliased(Transaction, name="counterpart")
_ACCOUNT = aliased(Account, name="account")
_COUNTERPART_ACCOUNT = aliased(Account, name="counterpart_account")
# The columns of TransactionFields, and the entry number for the cursor.
_PAGE_COLUMNS = (
    Transaction.id,
    Transaction.account_id,
    Transaction.posted_on,
    Transaction.amount_minor,
    Transaction.payee,
    Transaction.memo,
    Transaction.category_id,
    Transaction.status,
    Transaction.cleared,
    Transaction.is_split,
    Transaction.transfer_id,
    Transaction.version,
    Transaction.created_at,
    Transaction.updated_at,
    Transaction.entry_seq,
)
# Each row's receipts, counted in the page query itself (an indexed lookup per row) rather than
# in a query of its own: one round trip less.
_RECEIPT_COUNT = (
    select(func.count())
    .where(Receipt.transaction_id == Transaction.id)
    .correlate(Transaction)
    .scalar_subquery()
    .label("receipt_count")
)
# What a page row holds, in order: the columns above, the transfer counterpart and both
# accounts' names (for transfer legs), the receipt count.
_PAGE_SELECTION = (
    *_PAGE_COLUMNS,
    _COUNTERPART.id.label("counterpart_id"),
    _COUNTERPART.account_id.label("counterpart_account_id"),
    _ACCOUNT.name.label("account_name"),
    _COUNTERPART_ACCOUNT.name.label("counterpart_account_name"),
    _RECEIPT_COUNT,
)
# The names of a page row's values: dict(zip(PAGE_ROW_KEYS, row)) is a row as a dict, at a third
# of the cost of Row._asdict().
PAGE_ROW_KEYS = tuple(column.key for column in _PAGE_SELECTION)
_INCOMING_TRANSFER_LEG = and_(
    Transaction.transfer_id.is_not(None),
    Transaction.amount_minor > 0,
    _COUNTERPART.id.is_not(None),
)
_NOT_INCOMING_TRANSFER_LEG = not_(_INCOMING_TRANSFER_LEG)


@functools.lru_cache(maxsize=256)
def page_statement(names: frozenset[str], uncategorized: bool) -> Select[*tuple[Any, ...]]:
    """One page in ledger_order, newest first, walking the (household_id, posted_on, entry_seq)
    index backwards, for the parameters `names` (page_parameters). Built once per combination of
    filters, every value a parameter: building it for each request cost more than running it.
    The transfer counterpart and both accounts' names come from joins so that a page costs one
    query plus two.

    Without an account filter a transfer is one row, its outgoing leg (the one with the negative
    amount): the incoming leg is left out whenever the viewer can see the outgoing one (a teen
    who sees only the receiving account still gets that leg). The other filters apply to the row
    shown, so an amount filter for money in (min_amount_minor >= 0) shows no transfers."""
    counterpart, account, counterpart_account = _COUNTERPART, _ACCOUNT, _COUNTERPART_ACCOUNT
    conditions = _filter_conditions(names, uncategorized)
    if "account_id" not in names:
        if "viewer_id" in names:
            conditions.append(
                not_(
                    and_(
                        _INCOMING_TRANSFER_LEG,
                        counterpart.account_id.in_(shared_account_ids(bindparam("viewer_id"))),
                    )
                )
            )
        else:
            conditions.append(_NOT_INCOMING_TRANSFER_LEG)
    return (
        select(*_PAGE_SELECTION)
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
        # Names only for transfer legs: the other rows need none.
        .outerjoin(account, and_(counterpart.id.is_not(None), account.id == Transaction.account_id))
        .outerjoin(counterpart_account, counterpart_account.id == counterpart.account_id)
        .where(*conditions)
        .order_by(*ledger_order())
        .limit(bindparam("page_limit", type_=Integer))
    )


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
    values = page_parameters(household, filters, limit=limit + 1, after=after)
    statement = page_statement(frozenset(values), filters.uncategorized)
    rows = (await session.execute(statement, values)).all()
    has_more = len(rows) > limit
    rows = rows[:limit]
    tags, splits = await load_lines(session, rows)
    page = []
    for row in rows:
        transfer = None
        if row.transfer_id is not None and row.counterpart_id is not None:
            transfer = TransferInfo(
                row.transfer_id,
                row.counterpart_id,
                row.counterpart_account_id,
                row.account_name,
                row.counterpart_account_name,
            )
        page.append(
            TransactionDetails(row, tags[row.id], splits[row.id], transfer, row.receipt_count)
        )
    next_cursor = None
    if has_more and rows:
        last = rows[-1]
        next_cursor = encode_cursor(LedgerPosition(last.posted_on, last.entry_seq))
    return page, next_cursor
