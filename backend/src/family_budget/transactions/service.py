"""Transaction rules: splits, transfers, optimistic concurrency, bulk re-categorizing.

Reading (the list, one transaction with its details) is family_budget.transactions.queries.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from family_budget.accounts.register import reconciled_guard
from family_budget.accounts.service import lock_accounts, require_account_in_household
from family_budget.budgets.activity import buckets_of_transactions, refresh_buckets
from family_budget.categories.service import (
    require_categories_in_household,
)
from family_budget.db import affected_rows
from family_budget.errors import (
    Conflict,
    Forbidden,
    PreconditionFailed,
    Unprocessable,
)
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    ClearedState,
    Transaction,
    TransactionSplit,
    TransactionStatus,
    TransactionTag,
)
from family_budget.models.base import utcnow
from family_budget.transactions.queries import (
    TransactionDetails,
    counterpart_of,
    load_lines,
    receipt_counts,
    transfer_info,
    visible_transactions,
)
from family_budget.transactions.schemas import (
    BulkCategorize,
    SplitLineIn,
    TransactionCreate,
    TransactionUpdate,
    TransferCreate,
)

# What a teen may change on a transaction of an account shared with them.
TEEN_EDITABLE_FIELDS = frozenset({"category_id", "splits", "tags"})


# --- Money invariants (plain functions, property-tested) -------------------------------------


def splits_sum_ok(amount_minor: int, line_amounts_minor: Iterable[int]) -> bool:
    """A split's lines must add up to the transaction's amount, to the minor unit."""
    return sum(line_amounts_minor) == amount_minor


def transfer_pair(amount_minor: int) -> tuple[int, int]:
    """The (outflow on the source, inflow on the destination) amounts of a transfer."""
    if amount_minor <= 0:
        raise ValueError("a transfer moves a positive amount")
    return -amount_minor, amount_minor


# --- Writing ----------------------------------------------------------------------------------


async def _require_open_account(
    session: AsyncSession, household: HouseholdContext, account_id: uuid.UUID
) -> Account:
    account = await require_account_in_household(session, household, account_id)
    if not await lock_accounts(session, [account_id]):
        raise Unprocessable(  # deleted while we were looking
            "account_id does not name an account of this household", code="unknown_account"
        )
    if account.archived_at is not None:
        raise Conflict("The account is archived", code="account_archived")
    return account


def _validate_splits(amount_minor: int, lines: Sequence[SplitLineIn]) -> None:
    """The lines' count and sum (their categories are checked with the transaction's own)."""
    if len(lines) == 1:
        raise Unprocessable("A split needs at least two lines", code="split_needs_two_lines")
    if not splits_sum_ok(amount_minor, (line.amount_minor for line in lines)):
        raise Unprocessable(
            "The split lines must add up to the transaction's amount",
            code="splits_do_not_sum",
            extra={
                "amount_minor": amount_minor,
                "lines_total_minor": sum(line.amount_minor for line in lines),
            },
        )


def _split_rows(transaction: Transaction, lines: Sequence[SplitLineIn]) -> list[TransactionSplit]:
    return [
        TransactionSplit(
            id=uuid.uuid4(),
            transaction_id=transaction.id,
            household_id=transaction.household_id,
            category_id=line.category_id,
            posted_on=transaction.posted_on,
            amount_minor=line.amount_minor,
            memo=line.memo,
        )
        for line in lines
    ]


def _split_parent_has_category() -> Unprocessable:
    return Unprocessable(
        "A split transaction has no category of its own; categorize its lines",
        code="split_parent_has_category",
    )


def _transfer_not_categorizable() -> Unprocessable:
    return Unprocessable(
        "A transfer is not spending or income and cannot be split; only the on-budget leg of "
        "a transfer with a tracking account can have a category",
        code="transfer_not_categorizable",
    )


async def _transfer_leg_categorizable(
    session: AsyncSession, leg_account_id: uuid.UUID, other_account_id: uuid.UUID
) -> bool:
    """Money crossing the budget's edge (an on-budget account on this side, a tracking one on
    the other) is spending or income; see family_budget.budgets.activity.activity_arms."""
    rows = {
        account_id: on_budget
        for account_id, on_budget in await session.execute(
            select(Account.id, Account.on_budget).where(
                Account.id.in_([leg_account_id, other_account_id])
            )
        )
    }
    return bool(rows.get(leg_account_id)) and rows.get(other_account_id) is False


async def create_transaction(
    session: AsyncSession, household: HouseholdContext, data: TransactionCreate
) -> TransactionDetails:
    await _require_open_account(session, household, data.account_id)
    if data.splits:
        if data.category_id is not None:
            raise _split_parent_has_category()
        _validate_splits(data.amount_minor, data.splits)
    await require_categories_in_household(
        session, household, [data.category_id, *(line.category_id for line in data.splits)]
    )
    transaction = Transaction(
        id=uuid.uuid4(),
        household_id=household.id,
        account_id=data.account_id,
        posted_on=data.posted_on,
        amount_minor=data.amount_minor,
        payee=data.payee,
        memo=data.memo,
        category_id=data.category_id,
        status=data.status,
        cleared=ClearedState(data.cleared.value),
        is_split=bool(data.splits),
        created_by_id=household.user_id,
    )
    splits = _split_rows(transaction, data.splits)
    # One flush for the transaction, its lines and tags: the monthly totals are recomputed once.
    session.add(transaction)
    session.add_all(splits)
    session.add_all(
        TransactionTag(transaction_id=transaction.id, tag=tag, household_id=household.id)
        for tag in data.tags
    )
    await session.flush()
    return TransactionDetails(transaction, sorted(data.tags), sorted(splits, key=lambda s: s.id))


def check_version(transaction: Transaction, expected_versions: Collection[int]) -> None:
    if transaction.version not in expected_versions:
        raise PreconditionFailed(
            "The transaction changed since you read it; reload it and try again",
            code="version_conflict",
            extra={"current_version": transaction.version},
        )


async def _flush_versioned(session: AsyncSession) -> None:
    try:
        await session.flush()
    except StaleDataError:
        # Someone else updated or deleted the row between our read and our write.
        raise PreconditionFailed(
            "The transaction changed since you read it; reload it and try again",
            code="version_conflict",
        ) from None


async def update_transaction(
    session: AsyncSession,
    household: HouseholdContext,
    transaction: Transaction,
    expected_versions: Collection[int],
    data: TransactionUpdate,
    *,
    confirm_reconciled: bool = False,
) -> TransactionDetails:
    fields = data.model_fields_set
    if household.is_teen and fields - TEEN_EDITABLE_FIELDS:
        raise Forbidden(
            "A teen can change only the category, splits and tags of a transaction",
            code="insufficient_role",
        )
    # The accounts first (see lock_accounts): the one it is in and, if it moves, the new one.
    moving_to = data.account_id if data.account_id is not None else transaction.account_id
    await lock_accounts(session, [transaction.account_id, moving_to])
    check_version(transaction, expected_versions)
    counterpart = await counterpart_of(session, transaction)
    is_transfer = transaction.transfer_id is not None

    amount = data.amount_minor if data.amount_minor is not None else transaction.amount_minor
    posted_on = data.posted_on if data.posted_on is not None else transaction.posted_on
    category_id = data.category_id if "category_id" in fields else transaction.category_id
    new_lines = data.splits  # None: leave the lines as they are

    moves_money = (
        amount != transaction.amount_minor
        or posted_on != transaction.posted_on
        or (data.account_id is not None and data.account_id != transaction.account_id)
    )
    new_cleared = ClearedState(data.cleared.value) if data.cleared is not None else None
    touched = [transaction] if moves_money or new_cleared not in (None, transaction.cleared) else []
    if counterpart is not None and (
        amount != transaction.amount_minor or posted_on != transaction.posted_on
    ):
        touched.append(counterpart)
    reconciled_guard(touched, confirmed=confirm_reconciled)

    if is_transfer:
        if new_lines:
            raise _transfer_not_categorizable()
        if amount == 0:
            raise Unprocessable(
                "A transfer moves a non-zero amount", code="invalid_transfer_amount"
            )

    if data.account_id is not None and data.account_id != transaction.account_id:
        account = await _require_open_account(session, household, data.account_id)
        if counterpart is not None:
            other = await require_account_in_household(session, household, counterpart.account_id)
            if account.id == other.id:
                raise Unprocessable("A transfer needs two different accounts", code="same_account")
            if account.currency != other.currency:
                raise Unprocessable(
                    "A transfer's accounts must share a currency", code="currency_mismatch"
                )
        transaction.account_id = account.id

    if (
        is_transfer
        and category_id is not None
        and (
            counterpart is None
            or not await _transfer_leg_categorizable(
                session, transaction.account_id, counterpart.account_id
            )
        )
    ):
        raise _transfer_not_categorizable()

    existing_lines: list[TransactionSplit] = []
    if transaction.is_split:
        _, loaded = await load_lines(session, [transaction])
        existing_lines = loaded[transaction.id]

    if new_lines:
        if "category_id" in fields and data.category_id is not None:
            raise _split_parent_has_category()
        category_id = None  # splitting moves the categorization onto the lines
        _validate_splits(amount, new_lines)
    elif new_lines is None and transaction.is_split:
        if category_id is not None:
            raise _split_parent_has_category()
        if not splits_sum_ok(amount, (line.amount_minor for line in existing_lines)):
            raise Unprocessable(
                "The new amount no longer matches the split lines; send new lines with it",
                code="splits_do_not_sum",
            )

    await require_categories_in_household(
        session, household, [category_id, *(line.category_id for line in new_lines or ())]
    )

    transaction.amount_minor = amount
    transaction.posted_on = posted_on
    transaction.category_id = category_id
    if data.payee is not None:
        transaction.payee = data.payee
    if data.memo is not None:
        transaction.memo = data.memo
    if data.status is not None:
        transaction.status = data.status
    # A confirmed change of what a statement confirmed leaves the row cleared: the next
    # reconciliation checks it again.
    for row in touched:
        if row.cleared is ClearedState.RECONCILED:
            row.cleared = ClearedState.CLEARED
    if new_cleared is not None:
        transaction.cleared = new_cleared

    if new_lines is not None:
        for line in existing_lines:
            await session.delete(line)
        existing_lines = _split_rows(transaction, new_lines)
        session.add_all(existing_lines)
        transaction.is_split = bool(new_lines)
    else:
        for line in existing_lines:
            line.posted_on = posted_on

    tags = await _replace_tags(session, transaction, data.tags)

    if counterpart is not None:
        # The pair is one unit: amount and date move together.
        counterpart.amount_minor = -amount
        counterpart.posted_on = posted_on
        counterpart.updated_at = utcnow()
    # Always touch the row so that its version moves even when only tags or lines changed.
    transaction.updated_at = utcnow()
    await _flush_versioned(session)
    receipts = await receipt_counts(session, [transaction.id])
    return TransactionDetails(
        transaction,
        tags,
        sorted(existing_lines, key=lambda s: s.id),
        transfer_info(transaction, counterpart),
        receipts.get(transaction.id, 0),
    )


async def _replace_tags(
    session: AsyncSession, transaction: Transaction, new_tags: list[str] | None
) -> list[str]:
    rows = list(
        (
            await session.execute(
                select(TransactionTag).where(TransactionTag.transaction_id == transaction.id)
            )
        ).scalars()
    )
    current = {row.tag for row in rows}
    if new_tags is None:
        return sorted(current)
    wanted = set(new_tags)
    for row in rows:
        if row.tag not in wanted:
            await session.delete(row)
    session.add_all(
        TransactionTag(
            transaction_id=transaction.id, tag=tag, household_id=transaction.household_id
        )
        for tag in wanted - current
    )
    return sorted(wanted)


async def delete_transaction(
    session: AsyncSession,
    transaction: Transaction,
    expected_versions: Collection[int],
    *,
    confirm_reconciled: bool = False,
) -> None:
    """Deleting one leg of a transfer deletes the pair."""
    check_version(transaction, expected_versions)
    counterpart = await counterpart_of(session, transaction)
    reconciled_guard(
        [transaction] if counterpart is None else [transaction, counterpart],
        confirmed=confirm_reconciled,
    )
    if counterpart is not None:
        await session.delete(counterpart)
    await session.delete(transaction)
    await _flush_versioned(session)


async def create_transfer(
    session: AsyncSession, household: HouseholdContext, data: TransferCreate
) -> tuple[uuid.UUID, TransactionDetails, TransactionDetails]:
    """The outflow leg on the source and the inflow leg on the destination, linked by an id."""
    if data.from_account_id == data.to_account_id:
        raise Unprocessable("A transfer needs two different accounts", code="same_account")
    source = await _require_open_account(session, household, data.from_account_id)
    destination = await _require_open_account(session, household, data.to_account_id)
    if source.currency != destination.currency:
        raise Unprocessable("A transfer's accounts must share a currency", code="currency_mismatch")
    outflow_minor, inflow_minor = transfer_pair(data.amount_minor)
    transfer_id = uuid.uuid4()
    categorized_account_id = None
    if data.category_id is not None:
        # Only the on-budget leg of a transfer across the budget's edge carries a category.
        if source.on_budget and not destination.on_budget:
            categorized_account_id = source.id
        elif destination.on_budget and not source.on_budget:
            categorized_account_id = destination.id
        else:
            raise _transfer_not_categorizable()
        await require_categories_in_household(session, household, [data.category_id])
    legs = [
        Transaction(
            id=uuid.uuid4(),
            household_id=household.id,
            account_id=account.id,
            posted_on=data.posted_on,
            amount_minor=amount,
            payee=data.payee,
            memo=data.memo,
            status=TransactionStatus.POSTED,
            transfer_id=transfer_id,
            category_id=data.category_id if account.id == categorized_account_id else None,
            created_by_id=household.user_id,
        )
        for account, amount in ((source, outflow_minor), (destination, inflow_minor))
    ]
    session.add_all(legs)
    await session.flush()
    out_leg, in_leg = legs
    return (
        transfer_id,
        TransactionDetails(out_leg, transfer=transfer_info(out_leg, in_leg)),
        TransactionDetails(in_leg, transfer=transfer_info(in_leg, out_leg)),
    )


async def bulk_categorize(
    session: AsyncSession, household: HouseholdContext, data: BulkCategorize
) -> int:
    """All or nothing: every id must be visible and categorizable, or nothing changes."""
    wanted = set(data.transaction_ids)
    rows = (
        await session.execute(
            select(
                Transaction.id,
                Transaction.account_id,
                Transaction.transfer_id,
                Transaction.is_split,
            ).where(Transaction.id.in_(wanted), visible_transactions(household))
        )
    ).all()
    unknown = wanted - {row.id for row in rows}
    if unknown:
        raise Unprocessable(
            "Some transaction ids do not name transactions you can see in this household",
            code="unknown_transactions",
            extra={"transaction_ids": sorted(str(i) for i in unknown)},
        )
    transfers = sorted(str(row.id) for row in rows if row.transfer_id is not None)
    if transfers:
        raise Unprocessable(
            "Transfers cannot be categorized",
            code="transfer_not_categorizable",
            extra={"transaction_ids": transfers},
        )
    split = sorted(str(row.id) for row in rows if row.is_split)
    if split:
        raise Unprocessable(
            "Split transactions are categorized line by line",
            code="split_not_categorizable",
            extra={"transaction_ids": split},
        )
    await lock_accounts(session, {row.account_id for row in rows})
    if data.category_id is not None:
        await require_categories_in_household(session, household, [data.category_id])
    # Every id was just found visible in the household (above, in this transaction).
    result = await session.execute(
        update(Transaction)
        .where(Transaction.id.in_(wanted))
        .values(category_id=data.category_id, version=Transaction.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    # A bulk UPDATE bypasses the session hook that keeps the monthly totals.
    await session.run_sync(
        lambda sync: refresh_buckets(
            sync.connection(), buckets_of_transactions(sync.connection(), wanted)
        )
    )
    return affected_rows(result)
