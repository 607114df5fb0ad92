"""seed-demo: the demo household's structure, its money invariants, re-runs and scaling up.

seed_demo_household opens its own engine and commits, so it cannot run inside the per-test
transaction of conftest: each test here gets a database of its own (a temporary SQLite file, or a
fresh PostgreSQL database when TEST_DATABASE_URL is set), built by the real migrations.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, make_url, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory
from family_budget.demo import DEMO_EMAILS, DemoSummary, seed_demo_household
from family_budget.households.context import HouseholdContext
from family_budget.migrations import upgrade_to_head
from family_budget.models import (
    Account,
    AccountKind,
    AccountShare,
    BudgetAssignment,
    Category,
    Household,
    Membership,
    Role,
    Transaction,
    TransactionSplit,
    TransactionStatus,
    TransactionTag,
    User,
)
from family_budget.rules.service import apply_rule, list_rules
from family_budget.security import verify_password

# A fixed "today" keeps the checks exact: the 18 months run from 2024-09 to 2026-02, across a
# year end, through a summer vacation, two school starts and two Decembers.
TODAY = date(2026, 2, 11)
FIRST_MONTH = date(2024, 9, 1)
MONTHS = 18


async def _admin(server_url: str, statement: str) -> None:
    admin_url = make_url(server_url).set(drivername="postgresql+asyncpg", database="postgres")
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@asynccontextmanager
async def _demo_database(data_dir: Path) -> AsyncIterator[Settings]:
    """Settings for a database of its own, migrated to head, removed afterwards."""
    server_url = os.environ.get("TEST_DATABASE_URL")
    name = f"family_budget_demo_{uuid.uuid4().hex[:10]}"
    if server_url:
        await _admin(server_url, f'CREATE DATABASE "{name}"')
        url = (
            make_url(server_url)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
    else:
        url = f"sqlite+aiosqlite:///{(data_dir / f'{name}.db').as_posix()}"
    try:
        await asyncio.to_thread(upgrade_to_head, url)
        yield Settings(
            environment="development",
            database_url=url,
            redis_url=None,
            data_dir=data_dir,
            jwt_secret="demo-test-secret-" + "y" * 40,
            public_app_url="https://budget.example.com/",
        )
    finally:
        if server_url:
            await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@asynccontextmanager
async def _reader(settings: Settings) -> AsyncIterator[AsyncSession]:
    engine: AsyncEngine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
async def seeded(
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[Settings, DemoSummary]]:
    async with _demo_database(tmp_path_factory.mktemp("demo")) as settings:
        summary = await seed_demo_household(settings, months=MONTHS, today=TODAY)
        yield settings, summary


@pytest.fixture
async def demo_session(seeded: tuple[Settings, DemoSummary]) -> AsyncIterator[AsyncSession]:
    async with _reader(seeded[0]) as session:
        yield session


@pytest.fixture
async def fresh_settings(tmp_path: Path) -> AsyncIterator[Settings]:
    async with _demo_database(tmp_path) as settings:
        yield settings


def _month(day: date) -> date:
    return day.replace(day=1)


async def _household_transactions(
    session: AsyncSession, household_id: uuid.UUID
) -> list[Transaction]:
    return list(
        (
            await session.execute(
                select(Transaction).where(Transaction.household_id == household_id)
            )
        ).scalars()
    )


async def _assert_money_invariants(session: AsyncSession, household_id: uuid.UUID) -> None:
    """Transfers pair up and net to zero; split lines sum to their parents; all inside the range."""
    transactions = await _household_transactions(session, household_id)
    by_id = {row.id: row for row in transactions}
    assert all(isinstance(row.amount_minor, int) for row in transactions)
    assert all(FIRST_MONTH <= row.posted_on <= TODAY for row in transactions)

    legs: dict[uuid.UUID, list[Transaction]] = {}
    for row in transactions:
        if row.transfer_id is not None:
            legs.setdefault(row.transfer_id, []).append(row)
    assert legs
    for pair in legs.values():
        assert len(pair) == 2
        first, second = pair
        assert first.amount_minor + second.amount_minor == 0
        assert first.amount_minor != 0
        assert first.account_id != second.account_id
        assert first.posted_on == second.posted_on
        assert first.category_id is None
        assert second.category_id is None
        assert not first.is_split
        assert not second.is_split

    splits = list(
        (
            await session.execute(
                select(TransactionSplit).where(TransactionSplit.household_id == household_id)
            )
        ).scalars()
    )
    lines: dict[uuid.UUID, list[TransactionSplit]] = {}
    for line in splits:
        lines.setdefault(line.transaction_id, []).append(line)
    split_parents = {row.id for row in transactions if row.is_split}
    assert split_parents
    assert set(lines) == split_parents
    for parent_id, parent_lines in lines.items():
        parent = by_id[parent_id]
        assert len(parent_lines) >= 2
        assert sum(line.amount_minor for line in parent_lines) == parent.amount_minor
        assert parent.category_id is None
        assert parent.transfer_id is None
        assert all(line.posted_on == parent.posted_on for line in parent_lines)
        assert all(line.category_id is not None for line in parent_lines)


class TestSeedDemoHousehold:
    async def test_three_members_with_their_roles(
        self, seeded: tuple[Settings, DemoSummary], demo_session: AsyncSession
    ) -> None:
        _, summary = seeded
        members = (
            await demo_session.execute(
                select(User.email, User.email_verified_at, Membership.role)
                .join(Membership, Membership.user_id == User.id)
                .where(Membership.household_id == summary.household_id)
            )
        ).all()
        assert sorted((email, role) for email, _, role in members) == [
            ("alex.demo@example.com", Role.OWNER),
            ("jordan.demo@example.com", Role.TEEN),
            ("sam.demo@example.com", Role.ADULT),
        ]
        assert all(verified is not None for _, verified, _ in members)
        household = await demo_session.get(Household, summary.household_id)
        assert household is not None
        assert household.currency == "USD"

    async def test_the_printed_password_logs_every_member_in(
        self, seeded: tuple[Settings, DemoSummary], demo_session: AsyncSession
    ) -> None:
        _, summary = seeded
        hashes = (
            await demo_session.execute(
                select(User.password_hash).where(User.email.in_(DEMO_EMAILS))
            )
        ).scalars()
        checks = [verify_password(password_hash, summary.password) for password_hash in hashes]
        assert checks == [True, True, True]
        assert len(summary.password) >= 24
        assert summary.password not in repr(summary)

    async def test_four_accounts_and_cash_shared_with_the_teen(
        self, seeded: tuple[Settings, DemoSummary], demo_session: AsyncSession
    ) -> None:
        _, summary = seeded
        accounts = list(
            (
                await demo_session.execute(
                    select(Account).where(Account.household_id == summary.household_id)
                )
            ).scalars()
        )
        assert sorted(account.kind for account in accounts) == sorted(
            [AccountKind.CHECKING, AccountKind.SAVINGS, AccountKind.CREDIT_CARD, AccountKind.CASH]
        )
        assert {account.currency for account in accounts} == {"USD"}
        shares = (
            await demo_session.execute(
                select(Account.kind, User.email)
                .select_from(AccountShare)
                .join(Account, Account.id == AccountShare.account_id)
                .join(User, User.id == AccountShare.user_id)
                .where(Account.household_id == summary.household_id)
            )
        ).all()
        assert [tuple(share) for share in shares] == [(AccountKind.CASH, "jordan.demo@example.com")]

    async def test_eighteen_months_ending_this_month(
        self, seeded: tuple[Settings, DemoSummary], demo_session: AsyncSession
    ) -> None:
        _, summary = seeded
        transactions = await _household_transactions(demo_session, summary.household_id)
        months = {_month(row.posted_on) for row in transactions}
        assert len(months) == MONTHS
        assert min(months) == FIRST_MONTH
        assert max(row.posted_on for row in transactions) == TODAY
        assert (summary.first_month, summary.last_month) == (FIRST_MONTH, date(2026, 2, 1))
        assert summary.transactions == len(transactions)

    async def test_transfers_and_splits_hold_together(
        self, seeded: tuple[Settings, DemoSummary], demo_session: AsyncSession
    ) -> None:
        await _assert_money_invariants(demo_session, seeded[1].household_id)

    async def test_budgets_for_every_expense_category_every_month(
        self, seeded: tuple[Settings, DemoSummary], demo_session: AsyncSession
    ) -> None:
        _, summary = seeded
        categories = list(
            (
                await demo_session.execute(
                    select(Category).where(Category.household_id == summary.household_id)
                )
            ).scalars()
        )
        expense_ids = {category.id for category in categories if not category.is_income}
        assignments = list(
            (
                await demo_session.execute(
                    select(BudgetAssignment).where(
                        BudgetAssignment.household_id == summary.household_id
                    )
                )
            ).scalars()
        )
        expected_months = {date(2024 + (8 + n) // 12, (8 + n) % 12 + 1, 1) for n in range(MONTHS)}
        keys = Counter((row.category_id, row.month) for row in assignments)
        assert set(keys) == {(c, m) for c in expense_ids for m in expected_months}
        assert set(keys.values()) == {1}
        assert all(row.assigned_minor > 0 for row in assignments)

    async def test_some_months_are_over_budget_and_most_are_not(
        self, seeded: tuple[Settings, DemoSummary], demo_session: AsyncSession
    ) -> None:
        # Groceries, the biggest variable category: per-month activity (split lines included)
        # against the amount assigned.
        _, summary = seeded
        groceries = (
            await demo_session.execute(
                select(Category.id).where(
                    Category.household_id == summary.household_id, Category.name == "Groceries"
                )
            )
        ).scalar_one()
        spent: Counter[date] = Counter()
        for row in await _household_transactions(demo_session, summary.household_id):
            if row.category_id == groceries:
                spent[_month(row.posted_on)] -= row.amount_minor
        split_lines = (
            await demo_session.execute(
                select(TransactionSplit).where(TransactionSplit.category_id == groceries)
            )
        ).scalars()
        for line in split_lines:
            spent[_month(line.posted_on)] -= line.amount_minor
        assigned = {
            row.month: row.assigned_minor
            for row in (
                await demo_session.execute(
                    select(BudgetAssignment).where(BudgetAssignment.category_id == groceries)
                )
            ).scalars()
        }
        full_months = [month for month in assigned if month < _month(TODAY)]
        over = [month for month in full_months if spent[month] > assigned[month]]
        assert 0 < len(over) < len(full_months) / 2
        # "Roughly balanced": a month's spending lands within 35% of its plan.
        assert all(abs(spent[m] - assigned[m]) < assigned[m] * 0.35 for m in full_months)

    async def test_realistic_details(
        self, seeded: tuple[Settings, DemoSummary], demo_session: AsyncSession
    ) -> None:
        _, summary = seeded
        household_id = summary.household_id
        categories = {
            category.id: category
            for category in (
                await demo_session.execute(
                    select(Category).where(Category.household_id == household_id)
                )
            ).scalars()
        }
        names: dict[uuid.UUID | None, str] = {c.id: c.name for c in categories.values()}
        assert {c.name for c in categories.values() if c.carry_overspending} >= {
            "Groceries",
            "Vacation fund",
        }
        transactions = await _household_transactions(demo_session, household_id)

        salaries = [row for row in transactions if names.get(row.category_id) == "Salary"]
        january = [row for row in salaries if _month(row.posted_on) == date(2025, 1, 1)]
        assert sorted(row.posted_on.day for row in january) == [1, 7, 15, 21]
        assert len({row.payee for row in salaries}) == 2
        rent = [row for row in transactions if names.get(row.category_id) == "Rent or mortgage"]
        assert len(rent) == MONTHS
        assert {row.posted_on.day for row in rent} == {1}

        electricity = {
            row.posted_on.month: -row.amount_minor
            for row in transactions
            if row.payee == "Bright Power Electric" and row.posted_on.year == 2025
        }
        assert electricity[7] > electricity[4] * 1.5  # summer air conditioning
        subscriptions = {
            row.payee for row in transactions if names.get(row.category_id) == "Subscriptions"
        }
        assert len(subscriptions) == 3

        refunds = [
            row
            for row in transactions
            if row.amount_minor > 0
            and row.category_id is not None
            and not categories[row.category_id].is_income
        ]
        assert refunds

        pending = [row for row in transactions if row.status is TransactionStatus.PENDING]
        assert pending
        assert all(TODAY - row.posted_on < timedelta(days=7) for row in pending)
        assert all(row.transfer_id is None for row in pending)

        tags = Counter(
            (
                await demo_session.execute(
                    select(TransactionTag.tag).where(TransactionTag.household_id == household_id)
                )
            ).scalars()
        )
        assert tags["vacation"] > 0
        assert tags["school"] > 0
        teen_rows = (
            await demo_session.execute(
                select(func.count())
                .select_from(Transaction)
                .join(User, User.id == Transaction.created_by_id)
                .where(Transaction.household_id == household_id, User.email == DEMO_EMAILS[2])
            )
        ).scalar_one()
        assert teen_rows > 0

    def test_describe_tells_where_and_how_to_log_in(
        self, seeded: tuple[Settings, DemoSummary]
    ) -> None:
        _, summary = seeded
        text_out = summary.describe()
        assert text_out.count(summary.password) == 1
        assert f"Password: {summary.password}\n" in text_out
        assert f"Household id: {summary.household_id}\n" in text_out
        assert "https://budget.example.com/docs" in text_out
        for email in DEMO_EMAILS:
            assert email in text_out

    async def test_its_rules_agree_with_its_data(
        self, seeded: tuple[Settings, DemoSummary], demo_session: AsyncSession
    ) -> None:
        """The Rules page starts with rules that describe how the demo family categorizes: each
        matches some of its transactions and would change none of them."""
        _, summary = seeded
        household = await demo_session.get_one(Household, summary.household_id)
        context = HouseholdContext.for_system(household)
        rules = await list_rules(demo_session, context)
        assert [rule.name for rule in rules] == [
            "Fuel stations",
            "Green Basket is groceries",
            "Gift shopping",
        ]
        for rule in rules:
            result = await apply_rule(demo_session, context, rule, dry_run=True)
            assert result.matched > 0, rule.name
            assert result.changed == 0, (rule.name, result.sample)


class TestRerun:
    async def test_replaces_the_household_and_users_with_the_same_data(
        self,
        fresh_settings: Settings,
        caplog: pytest.LogCaptureFixture,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        caplog.set_level(logging.DEBUG)
        first = await seed_demo_household(fresh_settings, today=TODAY)
        async with _reader(fresh_settings) as session:
            first_rows = sorted(
                (row.posted_on, row.amount_minor, row.payee, row.status)
                for row in await _household_transactions(session, first.household_id)
            )
        second = await seed_demo_household(fresh_settings, today=TODAY)

        assert second.household_id != first.household_id
        assert second.password != first.password
        async with _reader(fresh_settings) as session:
            assert await session.get(Household, first.household_id) is None
            households = (
                await session.execute(select(func.count()).select_from(Household))
            ).scalar_one()
            users = (await session.execute(select(User.email))).scalars()
            transactions = (
                await session.execute(select(func.count()).select_from(Transaction))
            ).scalar_one()
            second_rows = sorted(
                (row.posted_on, row.amount_minor, row.payee, row.status)
                for row in await _household_transactions(session, second.household_id)
            )
        assert households == 1
        assert sorted(users) == sorted(DEMO_EMAILS)
        assert transactions == len(second_rows) == second.transactions
        # Seeded randomness: the same money data every run (only the password changes).
        assert second_rows == first_rows

        captured = capsys.readouterr()
        for secret in (first.password, second.password):
            assert secret not in caplog.text
            assert secret not in captured.out + captured.err

    async def test_keeps_households_that_are_not_the_demo(self, fresh_settings: Settings) -> None:
        async with _reader(fresh_settings) as session:
            other = User(email="someone@example.com", name="Someone", password_hash="x")
            session.add(other)
            await session.flush()
            household = Household(name="Someone's", currency="EUR")
            session.add(household)
            await session.flush()
            session.add(Membership(household_id=household.id, user_id=other.id, role=Role.OWNER))
            await session.commit()

        await seed_demo_household(fresh_settings, today=TODAY, months=2)
        await seed_demo_household(fresh_settings, today=TODAY, months=2)

        async with _reader(fresh_settings) as session:
            names = sorted((await session.execute(select(Household.name))).scalars())
        assert names == ["Someone's", "The Demo Family"]


class TestScaleUp:
    async def test_reaches_about_n_transactions_with_the_same_rules(
        self, fresh_settings: Settings
    ) -> None:
        target = 4_000
        summary = await seed_demo_household(fresh_settings, transactions=target, today=TODAY)
        async with _reader(fresh_settings) as session:
            transactions = await _household_transactions(session, summary.household_id)
            await _assert_money_invariants(session, summary.household_id)
        assert abs(len(transactions) - target) <= target // 100
        assert summary.transactions == len(transactions)
        transfer_share = sum(row.transfer_id is not None for row in transactions) / target
        split_share = sum(row.is_split for row in transactions) / target
        assert 0.02 <= transfer_share <= 0.06
        assert 0.01 <= split_share <= 0.04
        assert len({row.payee for row in transactions}) >= 20
        assert len({row.account_id for row in transactions}) == 4
        months = Counter(_month(row.posted_on) for row in transactions)
        assert len(months) == MONTHS
        # Spread over the whole range, not piled into one month.
        assert max(months.values()) < target / 6

    @pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL"), reason="planner statistics are PostgreSQL's"
    )
    async def test_leaves_fresh_planner_statistics(self, fresh_settings: Settings) -> None:
        await seed_demo_household(fresh_settings, months=2, today=TODAY)
        async with _reader(fresh_settings) as session:
            analyzed = (
                await session.execute(
                    text(
                        "SELECT relname FROM pg_stat_user_tables "
                        "WHERE last_analyze IS NOT NULL ORDER BY relname"
                    )
                )
            ).scalars()
            assert set(analyzed) >= {
                "budget_assignments",
                "transaction_splits",
                "transaction_tags",
                "transactions",
            }

    async def test_a_target_below_the_history_keeps_the_history(
        self, fresh_settings: Settings
    ) -> None:
        summary = await seed_demo_household(fresh_settings, months=6, transactions=10, today=TODAY)
        assert summary.transactions > 100


@pytest.mark.parametrize(("months", "transactions"), [(0, None), (18, -1)])
async def test_rejects_impossible_sizes(
    tmp_path: Path, months: int, transactions: int | None
) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/unused.db", data_dir=tmp_path)
    with pytest.raises(ValueError, match="must"):
        await seed_demo_household(settings, months=months, transactions=transactions)
    assert not (tmp_path / "unused.db").exists()
