"""Replacing the demo household in the database.

Rows go in with bulk INSERTs (batches of `BATCH_SIZE`), not ORM objects one by one:
`--transactions 100000` takes about 20-25 s on PostgreSQL on a 2-core machine.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from family_budget.budgets.activity import rebuild_household
from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory, unit_of_work
from family_budget.demo.data import (
    CARRY_OVERSPENDING_CATEGORIES,
    CURRENCY,
    DEMO_EMAILS,
    DEMO_PEOPLE,
    DEMO_RULES,
    HOUSEHOLD_NAME,
    SEED,
    DemoPerson,
)
from family_budget.demo.ledger import DemoAccounts, Ledger, planned_minor, realistic_month, scale_up
from family_budget.households.service import create_household
from family_budget.models import (
    Account,
    AccountShare,
    ActivityTotal,
    BudgetAssignment,
    Category,
    CategoryGroup,
    Household,
    Invitation,
    Membership,
    PayeeMatch,
    Role,
    Rule,
    Transaction,
    TransactionSplit,
    TransactionTag,
    User,
)
from family_budget.months import add_months
from family_budget.security import hash_password
from family_budget.transactions.bulk import number_bulk_rows

BATCH_SIZE = 5_000


@dataclass(frozen=True, slots=True)
class DemoSummary:
    household_id: uuid.UUID
    household_name: str
    people: tuple[DemoPerson, ...]
    password: str = field(repr=False)
    login_url: str
    first_month: date
    last_month: date
    transactions: int

    def describe(self) -> str:
        """What the CLI prints once: where and how to log in (the only place the password shows)."""
        width = max(len(person.name) for person in self.people)
        lines = [
            f'Demo household "{self.household_name}" is ready: '
            f"{self.first_month:%Y-%m} to {self.last_month:%Y-%m}, "
            f"{self.transactions:,} transactions.",
            f"Household id: {self.household_id}",
            "",
            f"Log in at {self.login_url} with any of these accounts:",
            *(
                f"  {person.role.value:<6} {person.name:<{width}}  {person.email}"
                for person in self.people
            ),
            f"Password: {self.password}",
            "(the same for all three, shown only this once; running seed-demo again replaces the"
            " household and the users, with a new password)",
        ]
        return "\n".join(lines)


async def seed_demo_household(
    settings: Settings,
    *,
    months: int = 18,
    transactions: int | None = None,
    today: date | None = None,
) -> DemoSummary:
    """Replace the demo household and users with fresh ones; one transaction for all of it."""
    if months < 1:
        raise ValueError("months must be at least 1")
    if transactions is not None and transactions < 0:
        raise ValueError("transactions must not be negative")
    today = today or datetime.now(UTC).date()
    password = secrets.token_urlsafe(18)
    password_hash = await asyncio.to_thread(hash_password, password)
    engine = create_engine(settings)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            await remove_demo_household(session)
            household_id, count = await _create_demo(
                session,
                password_hash=password_hash,
                today=today,
                months=months,
                transactions=transactions,
            )
        if not settings.is_sqlite:
            await _refresh_planner_statistics(engine)
    finally:
        await engine.dispose()
    last_month = today.replace(day=1)
    return DemoSummary(
        household_id=household_id,
        household_name=HOUSEHOLD_NAME,
        people=DEMO_PEOPLE,
        password=password,
        login_url=settings.public_app_url.rstrip("/") + "/docs",
        first_month=add_months(last_month, -(months - 1)),
        last_month=last_month,
        transactions=count,
    )


async def _refresh_planner_statistics(engine: AsyncEngine) -> None:
    """ANALYZE the bulk-loaded tables: autovacuum gets to them only later, and until then
    PostgreSQL plans the first queries over 100,000 fresh rows without statistics."""
    tables = ", ".join(
        model.__tablename__
        for model in (
            Transaction,
            TransactionSplit,
            TransactionTag,
            BudgetAssignment,
            ActivityTotal,
        )
    )
    async with engine.connect() as connection:
        await connection.execute(text(f"ANALYZE {tables}"))
        await connection.commit()


async def remove_demo_household(session: AsyncSession) -> None:
    """Delete the demo users and every household they own, children first (bulk, no ORM loads)."""
    demo_user_ids = select(User.id).where(User.email.in_(DEMO_EMAILS))
    household_ids = list(
        (
            await session.execute(
                select(Membership.household_id).where(
                    Membership.user_id.in_(demo_user_ids), Membership.role == Role.OWNER
                )
            )
        ).scalars()
    )
    if household_ids:
        account_ids = select(Account.id).where(Account.household_id.in_(household_ids))
        await _delete(session, AccountShare, AccountShare.account_id.in_(account_ids))
        for model in (
            Rule,
            ActivityTotal,
            TransactionTag,
            TransactionSplit,
            Transaction,
            BudgetAssignment,
            Account,
            Category,
            CategoryGroup,
            Invitation,
            Membership,
        ):
            await _delete(session, model, model.household_id.in_(household_ids))
        await _delete(session, Household, Household.id.in_(household_ids))
    await _delete(session, User, User.email.in_(DEMO_EMAILS))


async def _delete(session: AsyncSession, model: type[Any], condition: Any) -> None:
    await session.execute(
        delete(model).where(condition).execution_options(synchronize_session=False)
    )


async def _create_demo(
    session: AsyncSession,
    *,
    password_hash: str,
    today: date,
    months: int,
    transactions: int | None,
) -> tuple[uuid.UUID, int]:
    now = datetime.now(UTC)
    users = {
        person.role: User(
            email=person.email,
            name=person.name,
            password_hash=password_hash,
            email_verified_at=now,
        )
        for person in DEMO_PEOPLE
    }
    session.add_all(users.values())
    await session.flush()
    household = await create_household(
        session, owner=users[Role.OWNER], name=HOUSEHOLD_NAME, currency=CURRENCY
    )
    for role in (Role.ADULT, Role.TEEN):
        session.add(Membership(household_id=household.id, user_id=users[role].id, role=role))
    await session.execute(
        update(Category)
        .where(
            Category.household_id == household.id, Category.name.in_(CARRY_OVERSPENDING_CATEGORIES)
        )
        .values(carry_overspending=True)
        .execution_options(synchronize_session=False)
    )

    first_month = add_months(today.replace(day=1), -(months - 1))
    accounts = DemoAccounts.create(session, household.id, opened_on=first_month)
    await session.flush()
    session.add(AccountShare(account_id=accounts.cash, user_id=users[Role.TEEN].id))

    rows = (
        await session.execute(
            select(Category.name, Category.id, Category.is_income).where(
                Category.household_id == household.id
            )
        )
    ).all()
    categories = {name: category_id for name, category_id, _ in rows}
    expense_categories = {name: category_id for name, category_id, income in rows if not income}

    session.add_all(
        Rule(
            household_id=household.id,
            position=position,
            name=name,
            payee_match=PayeeMatch(match),
            payee_value=payee,
            set_category_id=categories[category],
            add_tags=list(tags),
        )
        for position, (name, match, payee, category, tags) in enumerate(DEMO_RULES)
    )

    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    ledger = Ledger(
        household_id=household.id,
        today=today,
        now=now,
        card=accounts.card,
        adults=(users[Role.OWNER].id, users[Role.ADULT].id),
        teen=users[Role.TEEN].id,
        rng=rng,
    )
    month_list = [add_months(first_month, n) for n in range(months)]
    for month in month_list:
        realistic_month(ledger, accounts, categories, month)
    ledger.add(
        accounts.card, today, -565, "Corner Coffee", categories["Dining out"], by=ledger.adults[1]
    )
    if transactions is not None:
        scale_up(ledger, accounts, categories, first_month, transactions)

    budget_rows = [
        {
            "id": uuid.uuid4(),
            "household_id": household.id,
            "category_id": category_id,
            "month": month,
            "assigned_minor": planned_minor(name, month),
            "created_at": now,
            "updated_at": now,
        }
        for month in month_list
        for name, category_id in expense_categories.items()
    ]
    await session.flush()
    await number_bulk_rows(session, ledger.transactions)
    await bulk_insert(session, Transaction, ledger.transactions)
    await bulk_insert(session, TransactionSplit, ledger.splits)
    await bulk_insert(session, TransactionTag, ledger.tags)
    await bulk_insert(session, BudgetAssignment, budget_rows)
    # The bulk inserts bypass the session hook that keeps the monthly totals.
    await session.run_sync(lambda sync: rebuild_household(sync.connection(), household.id))
    count = (
        await session.execute(
            select(func.count())
            .select_from(Transaction)
            .where(Transaction.household_id == household.id)
        )
    ).scalar_one()
    return household.id, int(count)


async def bulk_insert(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> None:
    # An executemany of a Core INSERT on the model's table: the same statement as the ORM's bulk
    # insert for the same rows, at a third of the client CPU (every value is given, so no ORM
    # defaults are needed). 100,000 transactions: ~11 s instead of ~18 s on 2 cores.
    table = model.__table__
    for start in range(0, len(rows), BATCH_SIZE):
        await session.execute(insert(table), rows[start : start + BATCH_SIZE])
