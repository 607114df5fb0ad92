"""An account's register (its transactions with a running balance, newest first) and reconciling
the account against a bank statement.

The running balance of a row is the account's opening balance plus every transaction of the
account up to and including that row in entry order (`entry_order`). It comes from a window sum
over the account's rows, so every page carries the right figures whatever page it is.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Select,
    bindparam,
    cast,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from family_budget.accounts.service import lock_accounts
from family_budget.db import affected_rows
from family_budget.errors import BadRequest, Conflict, NotFound
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    ClearedState,
    Reconciliation,
    Transaction,
    TransactionStatus,
)
from family_budget.models.base import utcnow

ADJUSTMENT_PAYEE = "Reconciliation adjustment"
# What counts in the cleared balance: rows the bank has shown, reconciled or not yet.
CLEARED_STATES = (ClearedState.CLEARED, ClearedState.RECONCILED)


def entry_order() -> tuple[InstrumentedAttribute[Any], ...]:
    """The register's order, oldest first: the date, then the order the rows were entered
    (the same order as every list of transactions, transactions.queries.ledger_order; entry_seq
    is unique, so the order is total). The running balance, the page order and the cursor all
    follow it."""
    return (Transaction.posted_on, Transaction.entry_seq)


# --- Cursors ----------------------------------------------------------------------------------


def _encode_key(value: object) -> str:
    if isinstance(value, datetime):
        return "t" + value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return "d" + value.isoformat()
    if isinstance(value, uuid.UUID):
        return "u" + value.hex
    if isinstance(value, int):
        return "i" + str(value)
    raise TypeError(f"no cursor encoding for {type(value).__name__}")


def _decode_key(text: str) -> object:
    kind, value = text[:1], text[1:]
    if kind == "t":
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("naive datetime")
        return parsed
    if kind == "d":
        return date.fromisoformat(value)
    if kind == "u":
        return uuid.UUID(hex=value)
    if kind == "i":
        return int(value)
    raise ValueError("unknown key kind")


def encode_cursor(keys: tuple[object, ...]) -> str:
    """Opaque to clients: base64url of the last row's entry-order keys."""
    raw = json.dumps([_encode_key(key) for key in keys], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(cursor: str) -> tuple[object, ...]:
    """Raises ValueError for anything encode_cursor did not produce for this entry order."""
    try:
        raw = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True)
        keys = json.loads(raw.decode("ascii"))
        if not isinstance(keys, list) or len(keys) != len(entry_order()):
            raise ValueError("wrong number of keys")
        if not all(isinstance(key, str) for key in keys):
            raise ValueError("not a key")
        return tuple(_decode_key(key) for key in keys)
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise ValueError("not a cursor") from exc


# --- The register -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegisterRow:
    transaction: Transaction
    running_balance_minor: int


@dataclass(frozen=True, slots=True)
class Balances:
    balance_minor: int
    cleared_balance_minor: int
    uncleared_balance_minor: int


@dataclass(frozen=True, slots=True)
class Register:
    rows: list[RegisterRow]
    next_cursor: str | None
    balances: Balances
    last_reconciliation: Reconciliation | None


def _register_statement(
    account: Account, *, limit: int, after: tuple[object, ...] | None
) -> Select[Transaction, int]:
    order = entry_order()
    keys = [column.label(f"entry_key_{i}") for i, column in enumerate(order)]
    running = func.sum(Transaction.amount_minor).over(
        order_by=order, rows=(None, 0)
    )  # every earlier row of the account and this one
    windowed = (
        select(Transaction.id.label("transaction_id"), *keys, running.label("running_minor"))
        .where(Transaction.account_id == account.id)
        .subquery()
    )
    key_columns = [windowed.c[f"entry_key_{i}"] for i in range(len(order))]
    statement = (
        select(Transaction, cast(windowed.c.running_minor, BigInteger))
        .join(windowed, windowed.c.transaction_id == Transaction.id)
        .order_by(*(column.desc() for column in key_columns))
        .limit(limit)
    )
    if after is not None:
        # Typed parameters: each value is written as its column stores it (a UTC timestamp on
        # SQLite is compared as text).
        bound = [
            bindparam(None, value, type_=column.type)
            for column, value in zip(order, after, strict=True)
        ]
        statement = statement.where(tuple_(*key_columns) < tuple_(*bound))
    return statement


async def balances(session: AsyncSession, account: Account) -> Balances:
    cleared_total, uncleared_total = (
        await session.execute(
            select(
                cast(
                    func.coalesce(
                        func.sum(Transaction.amount_minor).filter(
                            Transaction.cleared.in_(CLEARED_STATES)
                        ),
                        0,
                    ),
                    BigInteger,
                ),
                cast(
                    func.coalesce(
                        func.sum(Transaction.amount_minor).filter(
                            Transaction.cleared == ClearedState.UNCLEARED
                        ),
                        0,
                    ),
                    BigInteger,
                ),
            ).where(Transaction.account_id == account.id)
        )
    ).one()
    cleared = account.opening_balance_minor + int(cleared_total)
    return Balances(cleared + int(uncleared_total), cleared, int(uncleared_total))


async def last_reconciliation(session: AsyncSession, account: Account) -> Reconciliation | None:
    return (
        await session.execute(
            select(Reconciliation)
            .where(Reconciliation.account_id == account.id)
            .order_by(Reconciliation.reconciled_at.desc(), Reconciliation.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def read_register(
    session: AsyncSession, account: Account, *, limit: int, cursor: str | None
) -> Register:
    """`account` was found through the household's (and a teen's) account scope."""
    after = None
    if cursor is not None:
        try:
            after = decode_cursor(cursor)
        except ValueError:
            raise BadRequest("The cursor is not valid", code="invalid_cursor") from None
    found = (
        await session.execute(_register_statement(account, limit=limit + 1, after=after))
    ).all()
    page = [
        RegisterRow(transaction, account.opening_balance_minor + int(running))
        for transaction, running in found[:limit]
    ]
    next_cursor = None
    if len(found) > limit and page:
        last = page[-1].transaction
        next_cursor = encode_cursor(tuple(getattr(last, column.key) for column in entry_order()))
    return Register(
        page,
        next_cursor,
        await balances(session, account),
        await last_reconciliation(session, account),
    )


# --- Cleared state --------------------------------------------------------------------------


def reconciled_guard(transactions: list[Transaction], *, confirmed: bool) -> None:
    """Changing what a statement confirmed (the amount, date or account of a reconciled row, its
    cleared state, or deleting it) must be confirmed by the client, who then sees the account's
    reconciliation no longer holds."""
    reconciled = [t for t in transactions if t.cleared is ClearedState.RECONCILED]
    if reconciled and not confirmed:
        raise Conflict(
            "The transaction was reconciled with a bank statement; "
            "confirm (confirm_reconciled=true) to change it",
            code="transaction_reconciled",
            extra={"transaction_ids": [str(t.id) for t in reconciled]},
        )


async def set_cleared(
    session: AsyncSession,
    account: Account,
    transaction_id: uuid.UUID,
    cleared: ClearedState,
    *,
    confirm_reconciled: bool,
) -> Transaction:
    """Mark one transaction of the account cleared or uncleared (never reconciled: only
    reconciling does that)."""
    await lock_accounts(session, [account.id])
    transaction = (
        await session.execute(
            select(Transaction).where(
                Transaction.id == transaction_id, Transaction.account_id == account.id
            )
        )
    ).scalar_one_or_none()
    if transaction is None:
        raise NotFound("Transaction not found", code="transaction_not_found")
    if transaction.cleared is not cleared:
        reconciled_guard([transaction], confirmed=confirm_reconciled)
        transaction.cleared = cleared
        transaction.updated_at = utcnow()
        await session.flush()
    return transaction


# --- Reconciling ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReconcilePreview:
    statement_on: date
    statement_balance_minor: int
    cleared_balance_minor: int
    difference_minor: int
    cleared_count: int


async def preview(
    session: AsyncSession, account: Account, statement_balance_minor: int, statement_on: date
) -> ReconcilePreview:
    """What reconciling would find, changing nothing. The cleared balance on the statement day
    counts the opening balance and every cleared (or already reconciled) row up to that day."""
    cleared_total, to_reconcile = (
        await session.execute(
            select(
                cast(func.coalesce(func.sum(Transaction.amount_minor), 0), BigInteger),
                func.count().filter(Transaction.cleared == ClearedState.CLEARED),
            ).where(
                Transaction.account_id == account.id,
                Transaction.cleared.in_(CLEARED_STATES),
                Transaction.posted_on <= statement_on,
            )
        )
    ).one()
    cleared_balance = account.opening_balance_minor + int(cleared_total)
    return ReconcilePreview(
        statement_on=statement_on,
        statement_balance_minor=statement_balance_minor,
        cleared_balance_minor=cleared_balance,
        difference_minor=statement_balance_minor - cleared_balance,
        cleared_count=int(to_reconcile),
    )


async def reconcile(
    session: AsyncSession,
    household: HouseholdContext,
    account: Account,
    *,
    statement_balance_minor: int,
    statement_on: date,
    create_adjustment: bool,
) -> Reconciliation:
    """All or nothing: the difference is booked (when asked) and the cleared rows up to the
    statement day become reconciled, or nothing changes."""
    # Exclusive: no transaction of the account is written (or re-cleared) between the balance
    # read here and the rows marked reconciled below.
    await lock_accounts(session, [account.id], exclusive=True)
    if account.archived_at is not None:
        raise Conflict("The account is archived", code="account_archived")
    found = await preview(session, account, statement_balance_minor, statement_on)
    difference = found.difference_minor
    adjustment: Transaction | None = None
    if difference != 0:
        if not create_adjustment:
            raise Conflict(
                "The cleared balance differs from the statement balance; "
                "add an adjustment or clear the missing transactions",
                code="reconciliation_difference",
                extra={
                    "difference_minor": difference,
                    "cleared_balance_minor": found.cleared_balance_minor,
                },
            )
        adjustment = Transaction(
            id=uuid.uuid4(),
            household_id=household.id,
            account_id=account.id,
            posted_on=statement_on,
            amount_minor=difference,
            payee=ADJUSTMENT_PAYEE,
            status=TransactionStatus.POSTED,
            cleared=ClearedState.CLEARED,
            created_by_id=household.user_id,
        )
        session.add(adjustment)
        await session.flush()
    now = utcnow()
    # The version moves: a client holding the row sees it changed, and an import's undo keeps
    # rows a statement confirmed.
    marked = await session.execute(
        update(Transaction)
        .where(
            Transaction.account_id == account.id,
            Transaction.cleared == ClearedState.CLEARED,
            Transaction.posted_on <= statement_on,
        )
        .values(cleared=ClearedState.RECONCILED, version=Transaction.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    reconciliation = Reconciliation(
        household_id=household.id,
        account_id=account.id,
        statement_on=statement_on,
        statement_balance_minor=statement_balance_minor,
        adjustment_minor=difference,
        adjustment_transaction_id=adjustment.id if adjustment else None,
        reconciled_count=affected_rows(marked),
        reconciled_by_id=household.user_id,
        reconciled_at=now,
    )
    session.add(reconciliation)
    await session.flush()
    return reconciliation
