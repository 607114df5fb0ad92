"""Plain typed factories for arranging test data. Each adds and flushes; the test's transaction
is rolled back afterwards."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.config import Settings
from family_budget.models import (
    Account,
    AccountKind,
    AccountShare,
    BudgetAssignment,
    Category,
    CategoryGroup,
    Household,
    Membership,
    Role,
    Transaction,
    TransactionSplit,
    User,
)
from family_budget.security import create_access_token, hash_password

DEFAULT_PASSWORD = "correct horse battery staple"
# Hashing is deliberately slow; factories share one hash of the default password.
DEFAULT_PASSWORD_HASH = hash_password(DEFAULT_PASSWORD)
_sequence = itertools.count(1)


async def create_user(session: AsyncSession, **overrides: Any) -> User:
    n = next(_sequence)
    values: dict[str, Any] = {
        "email": f"user{n}-{uuid.uuid4().hex[:6]}@example.com",
        "name": f"User {n}",
        "password_hash": DEFAULT_PASSWORD_HASH,
        "email_verified_at": datetime.now(UTC),
    }
    values.update(overrides)
    user = User(**values)
    session.add(user)
    await session.flush()
    return user


async def create_household(
    session: AsyncSession, owner: User | None = None, **overrides: Any
) -> Household:
    values: dict[str, Any] = {"name": f"Household {next(_sequence)}", "currency": "USD"}
    values.update(overrides)
    household = Household(**values)
    session.add(household)
    await session.flush()
    if owner is not None:
        await add_member(session, household, owner, Role.OWNER)
    return household


async def add_member(
    session: AsyncSession, household: Household, user: User, role: Role
) -> Membership:
    membership = Membership(household_id=household.id, user_id=user.id, role=role)
    session.add(membership)
    await session.flush()
    return membership


async def create_account(session: AsyncSession, household: Household, **overrides: Any) -> Account:
    values: dict[str, Any] = {
        "household_id": household.id,
        "name": f"Account {next(_sequence)}",
        "kind": AccountKind.CHECKING,
        "currency": household.currency,
        "opening_balance_minor": 0,
        "opened_on": date(2024, 1, 1),
    }
    values.update(overrides)
    account = Account(**values)
    session.add(account)
    await session.flush()
    return account


async def share_account(session: AsyncSession, account: Account, user: User) -> None:
    session.add(AccountShare(account_id=account.id, user_id=user.id))
    await session.flush()


async def create_category_group(
    session: AsyncSession, household: Household, **overrides: Any
) -> CategoryGroup:
    values: dict[str, Any] = {"household_id": household.id, "name": f"Group {next(_sequence)}"}
    values.update(overrides)
    group = CategoryGroup(**values)
    session.add(group)
    await session.flush()
    return group


async def create_category(
    session: AsyncSession,
    household: Household,
    group: CategoryGroup | None = None,
    **overrides: Any,
) -> Category:
    group = group or await create_category_group(session, household)
    values: dict[str, Any] = {
        "household_id": household.id,
        "group_id": group.id,
        "name": f"Category {next(_sequence)}",
    }
    values.update(overrides)
    category = Category(**values)
    session.add(category)
    await session.flush()
    return category


async def create_transaction(
    session: AsyncSession, account: Account, **overrides: Any
) -> Transaction:
    values: dict[str, Any] = {
        "household_id": account.household_id,
        "account_id": account.id,
        "posted_on": date(2024, 3, 15),
        "amount_minor": -1250,
        "payee": "Corner Shop",
    }
    values.update(overrides)
    transaction = Transaction(**values)
    session.add(transaction)
    await session.flush()
    return transaction


async def create_split(
    session: AsyncSession, transaction: Transaction, category: Category | None, amount_minor: int
) -> TransactionSplit:
    split = TransactionSplit(
        transaction_id=transaction.id,
        household_id=transaction.household_id,
        category_id=category.id if category else None,
        posted_on=transaction.posted_on,
        amount_minor=amount_minor,
    )
    session.add(split)
    await session.flush()
    return split


async def assign_budget(
    session: AsyncSession, category: Category, month: date, assigned_minor: int
) -> BudgetAssignment:
    assignment = BudgetAssignment(
        household_id=category.household_id,
        category_id=category.id,
        month=month.replace(day=1),
        assigned_minor=assigned_minor,
    )
    session.add(assignment)
    await session.flush()
    return assignment


def auth_headers(settings: Settings, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_access_token(settings, user.id)}"}
