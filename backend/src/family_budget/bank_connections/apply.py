"""Applying one /transactions/sync run to the household's transactions, in the caller's database
transaction (the sync holds the connection's lock; see family_budget.bank_connections.sync).

Order: every added and modified transaction first (upserts by the bank's id, in the order Plaid
sent them, the latest version of each winning), then every removal. A transaction that is also
removed in the same run is not upserted: its final state is "gone". Applying the same run twice
changes nothing the second time, so a replayed page or webhook is harmless.

**Pending to posted.** A posted transaction naming `pending_transaction_id` takes over the
pending row in place: same row id, so its category, memo, tags, split lines and a payee the
family changed stay; the amount, date, status and bank id become the posted ones. The family
never sees both, and never loses an edit. When the amount changed (a tip, a fuel hold), split
lines are rescaled in proportion so that they still sum (mapping.rescale_lines).

**A withdrawn row the family had edited.** When the bank removes a transaction that carries an
edit (a category, memo, tags, splits or a changed payee), the row goes (the bank says it does
not exist, so the budget must not count it) but the edit is kept in bank_pending_edits. It is
given to the posted transaction that later arrives for the same purchase:
- one naming it as `pending_transaction_id`, or
- without that link, a posted transaction on the same account, in the same direction, whose
  description has the same letters (mapping.payee_key), dated on the pending date or up to
  `MATCH_WINDOW` after it; of several, the closest amount, then the earliest.
Kept edits nobody claimed are dropped after `PENDING_EDITS_KEPT` (a cancelled hold).

**Rules.** The household's rules (family_budget.rules) apply to the rows a run adds, unless the
row takes over a kept edit (the family's own decision wins). Rows updated in place (modified,
pending to posted) keep what they have. A payee a rule set counts as the family's, so later
versions of the bank's text do not overwrite it (mapping.payee_was_edited).

Writes go through Core in bulk; the monthly activity totals of every touched (account, month)
are recomputed once at the end (budgets.activity.refresh_buckets).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import BigInteger, ColumnElement, cast, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.bank_connections import mapping
from family_budget.bank_connections.plaid_api import (
    SyncedTransaction,
    SyncResult,
    UnsupportedCurrencyError,
)
from family_budget.budgets.activity import Bucket, buckets_of_rows, refresh_buckets
from family_budget.models import (
    Account,
    BankConnectionAccount,
    BankPendingEdit,
    ClearedState,
    Transaction,
    TransactionSplit,
    TransactionStatus,
    TransactionTag,
)
from family_budget.months import month_of
from family_budget.rules.service import apply_rules_to_new_rows
from family_budget.transactions.bulk import number_bulk_rows

logger = logging.getLogger(__name__)

MATCH_WINDOW: Final = timedelta(days=10)
PENDING_EDITS_KEPT: Final = timedelta(days=30)
HISTORY_COMPLETE: Final = "HISTORICAL_UPDATE_COMPLETE"
_CHUNK: Final = 500  # ids per IN list, well under SQLite's limit on bound parameters


@dataclass(frozen=True, slots=True)
class AppliedCounts:
    added: int = 0
    modified: int = 0
    removed: int = 0
    skipped: int = 0


@dataclass(slots=True)
class _Row:
    """What the apply needs of an existing transaction."""

    id: uuid.UUID
    account_id: uuid.UUID
    external_id: str
    posted_on: date
    amount_minor: int
    payee: str
    payee_original: str
    memo: str
    category_id: uuid.UUID | None
    is_split: bool
    status: TransactionStatus
    cleared: ClearedState


@dataclass(slots=True)
class _Edit:
    """A kept edit (bank_pending_edits), claimed at most once."""

    id: uuid.UUID
    account_id: uuid.UUID
    external_id: str
    payee_key: str
    posted_on: date
    amount_minor: int
    payee: str | None
    memo: str
    category_id: uuid.UUID | None
    tags: list[str]
    splits: list[dict[str, Any]]
    claimed: bool = False


@dataclass(slots=True)
class _Batch:
    household_id: uuid.UUID
    now: datetime
    buckets: set[Bucket] = field(default_factory=set)
    inserts: list[dict[str, Any]] = field(default_factory=list)
    # The inserts that carry no kept edit of the family: the household's rules apply to them.
    for_rules: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    splits: list[dict[str, Any]] = field(default_factory=list)
    claimed_edits: list[uuid.UUID] = field(default_factory=list)
    added: int = 0
    modified: int = 0
    removed: int = 0
    skipped: int = 0


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


async def apply_sync_result(
    session: AsyncSession,
    *,
    household_id: uuid.UUID,
    links: Sequence[BankConnectionAccount],
    result: SyncResult,
    balances_minor: dict[str, int],
    now: datetime,
) -> AppliedCounts:
    """Apply `result` (see the module doc); `balances_minor` are the bank's current balances by
    Plaid account id, for the opening balances of the accounts the link created."""
    by_plaid_id = {link.plaid_account_id: link for link in links}
    account_ids = [link.account_id for link in links]
    currencies = dict(
        (
            await session.execute(
                select(Account.id, Account.currency).where(Account.id.in_(account_ids))
            )
        ).all()
    )
    batch = _Batch(household_id=household_id, now=now)

    removed_ids = [removal.transaction_id for removal in result.removed]
    removed_set = set(removed_ids)
    versions: dict[str, tuple[SyncedTransaction, BankConnectionAccount, int, date]] = {}
    for transaction in (*result.added, *result.modified):
        if transaction.transaction_id in removed_set:
            continue
        prepared = _prepare(transaction, by_plaid_id, currencies)
        if prepared is None:
            batch.skipped += 1
            versions.pop(transaction.transaction_id, None)
            continue
        link, amount_minor, day = prepared
        versions[transaction.transaction_id] = (transaction, link, amount_minor, day)

    wanted = set(versions) | removed_set
    wanted |= {t.pending_transaction_id for t, *_ in versions.values() if t.pending_transaction_id}
    rows = await _load_rows(session, account_ids, sorted(wanted))
    edits = await _load_edits(session, account_ids)

    for transaction, link, amount_minor, day in versions.values():
        key = (link.account_id, transaction.transaction_id)
        row = rows.get(key)
        if row is None and transaction.pending_transaction_id:
            row = rows.pop((link.account_id, transaction.pending_transaction_id), None)
            if row is not None:
                rows[key] = row
        if row is not None:
            await _update(session, batch, row, transaction, amount_minor, day)
        else:
            edit = _claim_edit(edits, link.account_id, transaction, amount_minor, day)
            _insert(batch, link.account_id, transaction, amount_minor, day, edit)

    await _remove(session, batch, rows, removed_ids)
    batch.tags.extend(await apply_rules_to_new_rows(session, household_id, batch.for_rules))
    await _write_inserts(session, batch)
    if batch.claimed_edits:
        await session.execute(
            delete(BankPendingEdit).where(BankPendingEdit.id.in_(batch.claimed_edits))
        )
    await _set_opening_balances(session, links, balances_minor, result)
    buckets = batch.buckets
    await session.run_sync(lambda sync: refresh_buckets(sync.connection(), buckets))
    return AppliedCounts(batch.added, batch.modified, batch.removed, batch.skipped)


def _prepare(
    transaction: SyncedTransaction,
    by_plaid_id: dict[str, BankConnectionAccount],
    currencies: dict[uuid.UUID, str],
) -> tuple[BankConnectionAccount, int, date] | None:
    """The link, amount and day of a bank transaction, or None when it is not ours to import."""
    link = by_plaid_id.get(transaction.account_id)
    if link is None:
        return None  # an account the family did not link (or one Plaid added since)
    if transaction.iso_currency_code != currencies.get(link.account_id):
        logger.info("bank transaction skipped: not in its account's currency")
        return None
    try:
        amount_minor = transaction.amount_minor
    except (UnsupportedCurrencyError, ValueError):
        logger.info("bank transaction skipped: amount not representable")
        return None
    day = mapping.booked_on(transaction)
    if link.imports_from is not None and day < link.imports_from:
        return None
    return link, amount_minor, day


async def _load_rows(
    session: AsyncSession, account_ids: Sequence[uuid.UUID], external_ids: Sequence[str]
) -> dict[tuple[uuid.UUID, str], _Row]:
    rows: dict[tuple[uuid.UUID, str], _Row] = {}
    postgres = session.get_bind().dialect.name == "postgresql"
    for chunk in _chunks(external_ids):
        statement = select(
            Transaction.id,
            Transaction.account_id,
            Transaction.external_id,
            Transaction.posted_on,
            Transaction.amount_minor,
            Transaction.payee,
            Transaction.payee_original,
            Transaction.memo,
            Transaction.category_id,
            Transaction.is_split,
            Transaction.status,
            Transaction.cleared,
        ).where(Transaction.account_id.in_(account_ids), Transaction.external_id.in_(chunk))
        if postgres:
            # A family member's edit in flight waits for the sync (or the sync for it), so the
            # "did they edit it" decision below reads what is committed.
            statement = statement.with_for_update()
        for found in await session.execute(statement):
            row = _Row(**found._mapping)
            rows[(row.account_id, row.external_id)] = row
    return rows


async def _load_edits(session: AsyncSession, account_ids: Sequence[uuid.UUID]) -> list[_Edit]:
    found = await session.execute(
        select(BankPendingEdit).where(BankPendingEdit.account_id.in_(account_ids))
    )
    return [
        _Edit(
            id=edit.id,
            account_id=edit.account_id,
            external_id=edit.external_id,
            payee_key=mapping.payee_key(edit.payee_original),
            posted_on=edit.posted_on,
            amount_minor=edit.amount_minor,
            payee=edit.payee,
            memo=edit.memo,
            category_id=edit.category_id,
            tags=list(edit.tags or []),
            splits=list(edit.splits or []),
        )
        for edit in found.scalars()
    ]


def _claim_edit(
    edits: list[_Edit],
    account_id: uuid.UUID,
    transaction: SyncedTransaction,
    amount_minor: int,
    day: date,
) -> _Edit | None:
    open_edits = [e for e in edits if not e.claimed and e.account_id == account_id]
    chosen: _Edit | None = None
    if transaction.pending_transaction_id:
        chosen = next(
            (e for e in open_edits if e.external_id == transaction.pending_transaction_id), None
        )
    if chosen is None and not transaction.pending:
        key = mapping.payee_key(transaction.name)
        candidates = [
            e
            for e in open_edits
            if e.payee_key == key
            and key
            and (e.amount_minor < 0) == (amount_minor < 0)
            and e.posted_on <= day <= e.posted_on + MATCH_WINDOW
        ]
        candidates.sort(key=lambda e: (abs(e.amount_minor - amount_minor), e.posted_on))
        chosen = candidates[0] if candidates else None
    if chosen is not None:
        chosen.claimed = True
    return chosen


def _status(transaction: SyncedTransaction) -> TransactionStatus:
    return TransactionStatus.PENDING if transaction.pending else TransactionStatus.POSTED


def _cleared(transaction: SyncedTransaction, row: _Row | None = None) -> ClearedState:
    """A posted bank transaction has cleared at the bank; a pending one has not. A reconciled row
    stays reconciled while the bank keeps its amount and date."""
    if transaction.pending:
        return ClearedState.UNCLEARED
    if row is not None and row.cleared is ClearedState.RECONCILED:
        return ClearedState.RECONCILED
    return ClearedState.CLEARED


def _insert(
    batch: _Batch,
    account_id: uuid.UUID,
    transaction: SyncedTransaction,
    amount_minor: int,
    day: date,
    edit: _Edit | None,
) -> None:
    transaction_id = uuid.uuid4()
    lines: list[dict[str, Any]] = []
    if edit is not None:
        batch.claimed_edits.append(edit.id)
        lines = _lines_for(edit.splits, amount_minor)
        batch.tags.extend(
            {"transaction_id": transaction_id, "tag": tag, "household_id": batch.household_id}
            for tag in edit.tags
        )
        for line in lines:
            batch.splits.append(
                {
                    "id": uuid.uuid4(),
                    "transaction_id": transaction_id,
                    "household_id": batch.household_id,
                    "category_id": line["category_id"],
                    "posted_on": day,
                    "amount_minor": line["amount_minor"],
                    "memo": line["memo"],
                }
            )
    row = {
        "id": transaction_id,
        "household_id": batch.household_id,
        "account_id": account_id,
        "posted_on": day,
        "amount_minor": amount_minor,
        "payee": (edit.payee if edit and edit.payee else None) or mapping.synced_payee(transaction),
        "payee_original": transaction.name,
        "memo": edit.memo if edit else "",
        "external_id": transaction.transaction_id,
        "category_id": edit.category_id if edit and not lines else None,
        "status": _status(transaction),
        "cleared": _cleared(transaction),
        "is_split": bool(lines),
        "transfer_id": None,
        "created_by_id": None,
        "version": 1,
        "created_at": batch.now,
        "updated_at": batch.now,
    }
    batch.inserts.append(row)
    if edit is None:
        batch.for_rules.append(row)
    batch.buckets.add((account_id, month_of(day)))
    batch.added += 1


def _lines_for(splits: list[dict[str, Any]], amount_minor: int) -> list[dict[str, Any]]:
    """Kept split lines for the posted amount (rescaled when it differs)."""
    if len(splits) < 2:
        return []
    amounts = mapping.rescale_lines([int(line["amount_minor"]) for line in splits], amount_minor)
    return [
        {
            "category_id": uuid.UUID(line["category_id"]) if line.get("category_id") else None,
            "amount_minor": amount,
            "memo": str(line.get("memo") or ""),
        }
        for line, amount in zip(splits, amounts, strict=True)
    ]


async def _update(
    session: AsyncSession,
    batch: _Batch,
    row: _Row,
    transaction: SyncedTransaction,
    amount_minor: int,
    day: date,
) -> None:
    bank_payee = mapping.synced_payee(transaction)
    payee = (
        row.payee
        if mapping.payee_was_edited(row.payee, row.payee_original, bank_payee)
        else bank_payee
    )
    status = _status(transaction)
    same_money = row.amount_minor == amount_minor and row.posted_on == day
    cleared = _cleared(transaction, row if same_money else None)
    unchanged = (
        row.external_id == transaction.transaction_id
        and same_money
        and row.payee == payee
        and row.payee_original == transaction.name
        and row.status == status
        and row.cleared == cleared
    )
    if unchanged:
        return  # a replayed page: nothing to do, and the row's version stays
    await session.execute(
        update(Transaction)
        .where(Transaction.id == row.id)
        .values(
            external_id=transaction.transaction_id,
            amount_minor=amount_minor,
            posted_on=day,
            payee=payee,
            payee_original=transaction.name,
            status=status,
            cleared=cleared,
            version=Transaction.version + 1,
            updated_at=batch.now,
        )
        .execution_options(synchronize_session=False)
    )
    if row.is_split and (row.amount_minor != amount_minor or row.posted_on != day):
        await _rescale_split(session, row.id, amount_minor, day)
    batch.buckets.add((row.account_id, month_of(row.posted_on)))
    batch.buckets.add((row.account_id, month_of(day)))
    row.external_id = transaction.transaction_id
    row.amount_minor, row.posted_on, row.payee = amount_minor, day, payee
    row.payee_original, row.status, row.cleared = transaction.name, status, cleared
    batch.modified += 1


async def _rescale_split(
    session: AsyncSession, transaction_id: uuid.UUID, amount_minor: int, day: date
) -> None:
    lines = (
        await session.execute(
            select(TransactionSplit.id, TransactionSplit.amount_minor)
            .where(TransactionSplit.transaction_id == transaction_id)
            .order_by(TransactionSplit.id)
        )
    ).all()
    if not lines:
        return
    amounts = mapping.rescale_lines([amount for _, amount in lines], amount_minor)
    for (line_id, _), amount in zip(lines, amounts, strict=True):
        await session.execute(
            update(TransactionSplit)
            .where(TransactionSplit.id == line_id)
            .values(amount_minor=amount, posted_on=day)
            .execution_options(synchronize_session=False)
        )


async def _remove(
    session: AsyncSession,
    batch: _Batch,
    rows: dict[tuple[uuid.UUID, str], _Row],
    removed_ids: Sequence[str],
) -> None:
    by_external: dict[str, list[_Row]] = {}
    for row in rows.values():
        by_external.setdefault(row.external_id, []).append(row)
    doomed = [
        row
        for external_id in dict.fromkeys(removed_ids)
        for row in by_external.get(external_id, [])
    ]
    if not doomed:
        return
    ids = [row.id for row in doomed]
    tags: dict[uuid.UUID, list[str]] = {row.id: [] for row in doomed}
    lines: dict[uuid.UUID, list[dict[str, Any]]] = {row.id: [] for row in doomed}
    for chunk in _chunks(ids):
        for transaction_id, tag in await session.execute(
            select(TransactionTag.transaction_id, TransactionTag.tag)
            .where(TransactionTag.transaction_id.in_(chunk))
            .order_by(TransactionTag.tag)
        ):
            tags[transaction_id].append(tag)
        for transaction_id, category_id, amount_minor, memo in await session.execute(
            select(
                TransactionSplit.transaction_id,
                TransactionSplit.category_id,
                TransactionSplit.amount_minor,
                TransactionSplit.memo,
            )
            .where(TransactionSplit.transaction_id.in_(chunk))
            .order_by(TransactionSplit.id)
        ):
            lines[transaction_id].append(
                {
                    "category_id": str(category_id) if category_id else None,
                    "amount_minor": int(amount_minor),
                    "memo": memo,
                }
            )
    kept = [
        _kept_edit(batch, row, tags[row.id], lines[row.id])
        for row in doomed
        if _has_edit(row, tags[row.id], lines[row.id])
    ]
    if kept:
        # A removal replayed after the row is gone finds no row, so no edit is kept twice; an
        # older kept edit of the same bank id is replaced.
        await session.execute(
            delete(BankPendingEdit).where(
                BankPendingEdit.external_id.in_([k["external_id"] for k in kept]),
                BankPendingEdit.account_id.in_({k["account_id"] for k in kept}),
            )
        )
        await session.execute(insert(BankPendingEdit), kept)
    for chunk in _chunks(ids):
        await session.execute(
            delete(Transaction)
            .where(Transaction.id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
    batch.buckets |= buckets_of_rows((row.account_id, row.posted_on) for row in doomed)
    batch.removed += len(doomed)


def _has_edit(row: _Row, tags: list[str], lines: list[dict[str, Any]]) -> bool:
    payee_edited = not mapping.payee_from_description(row.payee, row.payee_original)
    return bool(row.category_id or row.memo or tags or lines or payee_edited)


def _kept_edit(
    batch: _Batch, row: _Row, tags: list[str], lines: list[dict[str, Any]]
) -> dict[str, Any]:
    payee_edited = not mapping.payee_from_description(row.payee, row.payee_original)
    return {
        "id": uuid.uuid4(),
        "household_id": batch.household_id,
        "account_id": row.account_id,
        "external_id": row.external_id,
        "payee_original": row.payee_original,
        "posted_on": row.posted_on,
        "amount_minor": row.amount_minor,
        "payee": row.payee if payee_edited else None,
        "memo": row.memo,
        "category_id": row.category_id,
        "tags": tags,
        "splits": lines,
        "removed_at": batch.now,
    }


async def _write_inserts(session: AsyncSession, batch: _Batch) -> None:
    await number_bulk_rows(session, batch.inserts)
    for chunk in _chunks(batch.inserts):
        await session.execute(insert(Transaction), list(chunk))
    for chunk in _chunks(batch.splits):
        await session.execute(insert(TransactionSplit), list(chunk))
    for chunk in _chunks(batch.tags):
        await session.execute(insert(TransactionTag), list(chunk))


def _posted_total(account_id: uuid.UUID) -> ColumnElement[int]:
    return (
        select(cast(func.coalesce(func.sum(Transaction.amount_minor), 0), BigInteger))
        .where(
            Transaction.account_id == account_id,
            Transaction.status == TransactionStatus.POSTED,
        )
        .scalar_subquery()
    )


async def _set_opening_balances(
    session: AsyncSession,
    links: Sequence[BankConnectionAccount],
    balances_minor: dict[str, int],
    result: SyncResult,
) -> None:
    """For accounts the link created: the opening balance that makes the account's posted
    transactions add up to the bank's current balance (which leaves pending ones out). The
    account's balance then shows the bank's balance minus what is still pending, and stays right
    as pending transactions post. Redone on every sync until Plaid has sent the whole history,
    since older transactions that arrive later would otherwise shift it."""
    for link in links:
        if not link.opening_balance_from_bank:
            continue
        balance = balances_minor.get(link.plaid_account_id)
        if balance is None:
            continue
        first_day = (
            select(func.min(Transaction.posted_on))
            .where(Transaction.account_id == link.account_id)
            .scalar_subquery()
        )
        await session.execute(
            update(Account)
            .where(Account.id == link.account_id)
            # Opened on its first transaction, so that net worth over time counts the opening
            # balance from the start of the history the bank sent.
            .values(
                opening_balance_minor=balance - _posted_total(link.account_id),
                opened_on=func.coalesce(first_day, Account.opened_on),
            )
            .execution_options(synchronize_session=False)
        )
        if result.transactions_update_status == HISTORY_COMPLETE:
            await session.execute(
                update(BankConnectionAccount)
                .where(BankConnectionAccount.id == link.id)
                .values(opening_balance_from_bank=False)
                .execution_options(synchronize_session=False)
            )


async def forget_old_edits(session: AsyncSession, now: datetime) -> int:
    """Drop kept edits nobody claimed within PENDING_EDITS_KEPT (cancelled holds)."""
    result = await session.execute(
        delete(BankPendingEdit).where(BankPendingEdit.removed_at < now - PENDING_EDITS_KEPT)
    )
    return int(getattr(result, "rowcount", 0) or 0)
