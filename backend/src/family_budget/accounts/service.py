"""Account rules. Every query for a household's accounts goes through the helpers here, which add
the household filter and, for a teen, the filter to the accounts shared with them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    BindParameter,
    ColumnElement,
    Select,
    and_,
    cast,
    delete,
    func,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from family_budget.accounts.schemas import AccountCreate, AccountUpdate
from family_budget.budgets.activity import buckets_of_account_money, refresh_buckets
from family_budget.errors import Conflict, NotFound, Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    AccountShare,
    Membership,
    Role,
    Transaction,
    on_budget_by_default,
)


@dataclass(frozen=True, slots=True)
class AccountDetails:
    account: Account
    balance_minor: int
    shared_with_user_ids: list[uuid.UUID]


def visible_account_ids_filter(
    household: HouseholdContext, account_id: InstrumentedAttribute[uuid.UUID]
) -> ColumnElement[bool]:
    """No restriction for owners and adults; a teen sees only the accounts shared with them.
    Combine with the table's own `household_id == household.id` condition."""
    if not household.is_teen:
        return true()
    return account_id.in_(shared_account_ids(household.user_id))


def shared_account_ids(
    user_id: uuid.UUID | BindParameter[uuid.UUID] | None,
) -> Select[uuid.UUID]:
    """The ids of the accounts shared with a teen: a value, or a parameter of a statement built
    once (no user, None, has none)."""
    return select(AccountShare.account_id).where(AccountShare.user_id == user_id)


def _account_scope(household: HouseholdContext) -> ColumnElement[bool]:
    return and_(
        Account.household_id == household.id, visible_account_ids_filter(household, Account.id)
    )


async def _find_account(
    session: AsyncSession, household: HouseholdContext, account_id: uuid.UUID
) -> Account | None:
    return (
        await session.execute(
            select(Account).where(Account.id == account_id, _account_scope(household))
        )
    ).scalar_one_or_none()


async def get_account(
    session: AsyncSession, household: HouseholdContext, account_id: uuid.UUID
) -> Account:
    """For ids in paths: missing, foreign and (for a teen) unshared accounts are all a 404."""
    account = await _find_account(session, household, account_id)
    if account is None:
        raise NotFound("Account not found", code="account_not_found")
    return account


async def require_account_in_household(
    session: AsyncSession, household: HouseholdContext, account_id: uuid.UUID
) -> Account:
    """For ids inside request bodies: a 422 on the field instead of a 404."""
    account = await _find_account(session, household, account_id)
    if account is None:
        raise Unprocessable(
            "account_id does not name an account of this household", code="unknown_account"
        )
    return account


async def _shared_user_ids(
    session: AsyncSession, household: HouseholdContext, account_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    # Only current teen members count: a share left behind by someone who left the household
    # (or became an adult) must not come back in a list the client may send back in a PATCH.
    shared: dict[uuid.UUID, list[uuid.UUID]] = {account_id: [] for account_id in account_ids}
    if not account_ids:
        return shared
    rows = await session.execute(
        select(AccountShare.account_id, AccountShare.user_id)
        .join(
            Membership,
            and_(
                Membership.user_id == AccountShare.user_id,
                Membership.household_id == household.id,
                Membership.role == Role.TEEN,
            ),
        )
        .where(AccountShare.account_id.in_(account_ids))
        .order_by(AccountShare.user_id)
    )
    for account_id, user_id in rows:
        shared[account_id].append(user_id)
    return shared


async def _balance(session: AsyncSession, account: Account) -> int:
    total = (
        await session.execute(
            select(cast(func.coalesce(func.sum(Transaction.amount_minor), 0), BigInteger)).where(
                Transaction.account_id == account.id
            )
        )
    ).scalar_one()
    return account.opening_balance_minor + int(total)


async def account_details(
    session: AsyncSession, household: HouseholdContext, account: Account
) -> AccountDetails:
    shared = await _shared_user_ids(session, household, [account.id])
    return AccountDetails(account, await _balance(session, account), shared[account.id])


async def list_accounts(
    session: AsyncSession, household: HouseholdContext, *, include_archived: bool
) -> list[AccountDetails]:
    totals = (
        select(
            Transaction.account_id.label("account_id"),
            func.sum(Transaction.amount_minor).label("total_minor"),
        )
        .where(Transaction.household_id == household.id)
        .group_by(Transaction.account_id)
        .subquery()
    )
    statement = (
        select(Account, cast(func.coalesce(totals.c.total_minor, 0), BigInteger))
        .outerjoin(totals, totals.c.account_id == Account.id)
        .where(_account_scope(household))
        .order_by(func.lower(Account.name), Account.id)
    )
    if not include_archived:
        statement = statement.where(Account.archived_at.is_(None))
    rows = (await session.execute(statement)).all()
    shared = await _shared_user_ids(session, household, [account.id for account, _ in rows])
    return [
        AccountDetails(account, account.opening_balance_minor + int(total), shared[account.id])
        for account, total in rows
    ]


async def _require_teen_members(
    session: AsyncSession, household: HouseholdContext, user_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    wanted = set(user_ids)
    if not wanted:
        return wanted
    found = set(
        (
            await session.execute(
                select(Membership.user_id).where(
                    Membership.household_id == household.id,
                    Membership.role == Role.TEEN,
                    Membership.user_id.in_(wanted),
                )
            )
        ).scalars()
    )
    unknown = wanted - found
    if unknown:
        raise Unprocessable(
            "Accounts can only be shared with teen members of this household",
            code="unknown_member",
            extra={"user_ids": sorted(str(user_id) for user_id in unknown)},
        )
    return wanted


async def _replace_shares(
    session: AsyncSession, account_id: uuid.UUID, user_ids: set[uuid.UUID]
) -> None:
    await session.execute(delete(AccountShare).where(AccountShare.account_id == account_id))
    session.add_all(AccountShare(account_id=account_id, user_id=user_id) for user_id in user_ids)


async def has_transactions(session: AsyncSession, account_id: uuid.UUID) -> bool:
    found = (
        await session.execute(
            select(Transaction.id).where(Transaction.account_id == account_id).limit(1)
        )
    ).first()
    return found is not None


async def create_account(
    session: AsyncSession, household: HouseholdContext, data: AccountCreate
) -> AccountDetails:
    shared_with = await _require_teen_members(session, household, data.shared_with_user_ids)
    account = Account(
        household_id=household.id,
        name=data.name,
        kind=data.kind,
        currency=data.currency or household.household.currency,
        opening_balance_minor=data.opening_balance_minor,
        opened_on=data.opened_on or datetime.now(UTC).date(),
        on_budget=on_budget_by_default(data.kind) if data.on_budget is None else data.on_budget,
    )
    session.add(account)
    await session.flush()
    await _replace_shares(session, account.id, shared_with)
    await session.flush()
    return await account_details(session, household, account)


async def update_account(
    session: AsyncSession, household: HouseholdContext, account: Account, data: AccountUpdate
) -> AccountDetails:
    fields = data.model_fields_set
    if data.currency is not None and data.currency != account.currency:
        await lock_accounts(session, [account.id], exclusive=True)
        if await has_transactions(session, account.id):
            raise Conflict(
                "The currency of an account with transactions cannot change",
                code="account_has_transactions",
            )
        account.currency = data.currency
    if data.name is not None:
        account.name = data.name
    if data.opening_balance_minor is not None:
        account.opening_balance_minor = data.opening_balance_minor
    if data.opened_on is not None:
        account.opened_on = data.opened_on
    if data.on_budget is not None and data.on_budget != account.on_budget:
        account.on_budget = data.on_budget
        await session.flush()
        # Its money (and the other legs of its transfers) enters or leaves the budget activity.
        await session.run_sync(
            lambda sync: refresh_buckets(
                sync.connection(), buckets_of_account_money(sync.connection(), account.id)
            )
        )
    if "shared_with_user_ids" in fields and data.shared_with_user_ids is not None:
        shared_with = await _require_teen_members(session, household, data.shared_with_user_ids)
        await _replace_shares(session, account.id, shared_with)
    account.updated_at = datetime.now(UTC)
    await session.flush()
    return await account_details(session, household, account)


async def set_archived(
    session: AsyncSession, household: HouseholdContext, account: Account, *, archived: bool
) -> AccountDetails:
    """Idempotent: archiving an archived account keeps its original archived_at."""
    if archived and account.archived_at is None:
        account.archived_at = datetime.now(UTC)
    elif not archived:
        account.archived_at = None
    await session.flush()
    return await account_details(session, household, account)


async def lock_accounts(
    session: AsyncSession, account_ids: Iterable[uuid.UUID], *, exclusive: bool = False
) -> set[uuid.UUID]:
    """Lock the accounts' rows until the end of the database transaction; the ids still there.

    The account row is the lock of everything written to it, taken first and always in id
    order. Check-then-act on an account (delete it if it has no transactions; change its
    currency if it has none) takes it exclusively, writers of its transactions take the
    weaker key-share-compatible lock the monthly totals take anyway: one waits for the other
    and then sees what it did, instead of the delete's cascade silently taking a confirmed
    transaction with it. (SQLite runs one writer at a time and ignores the lock.)"""
    wanted = sorted(set(account_ids))
    if not wanted:
        return set()
    query = select(Account.id).where(Account.id.in_(wanted)).order_by(Account.id)
    locked = await session.scalars(
        query.with_for_update() if exclusive else query.with_for_update(key_share=True)
    )
    return set(locked)


async def delete_account(session: AsyncSession, account: Account) -> None:
    await lock_accounts(session, [account.id], exclusive=True)
    if await has_transactions(session, account.id):
        raise Conflict(
            "An account with transactions cannot be deleted; archive it instead",
            code="account_has_transactions",
        )
    await session.delete(account)
    await session.flush()
