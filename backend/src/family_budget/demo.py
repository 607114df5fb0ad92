"""The demo household behind `family-budget seed-demo`: realistic history, optionally scaled up.

Everything but the password comes from a seeded `random.Random`, so two runs on the same day
produce the same money data. Rows go in with bulk INSERTs (batches of `BATCH_SIZE`), not ORM
objects one by one: `--transactions 100000` takes about 20-25 s on PostgreSQL on a 2-core machine.
"""

from __future__ import annotations

import asyncio
import calendar
import itertools
import random
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from family_budget.budgets.activity import rebuild_household
from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory, unit_of_work
from family_budget.households.service import create_household
from family_budget.models import (
    Account,
    AccountKind,
    AccountShare,
    ActivityTotal,
    BudgetAssignment,
    Category,
    CategoryGroup,
    Household,
    Invitation,
    Membership,
    Role,
    Transaction,
    TransactionSplit,
    TransactionStatus,
    TransactionTag,
    User,
)
from family_budget.security import hash_password

SEED = 20_240_601
BATCH_SIZE = 5_000
HOUSEHOLD_NAME = "The Demo Family"
CURRENCY = "USD"
ROLLOVER_CATEGORIES = ("Groceries", "Vacation fund", "Emergency fund")
# Card purchases of the last few days have not cleared yet.
PENDING_DAYS = 4


@dataclass(frozen=True, slots=True)
class DemoPerson:
    name: str
    email: str
    role: Role


DEMO_PEOPLE = (
    DemoPerson("Alex Demo", "alex.demo@example.com", Role.OWNER),
    DemoPerson("Sam Demo", "sam.demo@example.com", Role.ADULT),
    DemoPerson("Jordan Demo", "jordan.demo@example.com", Role.TEEN),
)
DEMO_EMAILS = tuple(person.email for person in DEMO_PEOPLE)


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
        first_month=_add_months(last_month, -(months - 1)),
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
        .where(Category.household_id == household.id, Category.name.in_(ROLLOVER_CATEGORIES))
        .values(rollover=True)
        .execution_options(synchronize_session=False)
    )

    first_month = _add_months(today.replace(day=1), -(months - 1))
    accounts = _DemoAccounts.create(session, household.id, opened_on=first_month)
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

    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    ledger = _Ledger(
        household_id=household.id,
        today=today,
        now=now,
        card=accounts.card,
        adults=(users[Role.OWNER].id, users[Role.ADULT].id),
        teen=users[Role.TEEN].id,
        rng=rng,
    )
    month_list = [_add_months(first_month, n) for n in range(months)]
    for month in month_list:
        _realistic_month(ledger, accounts, categories, month)
    ledger.add(
        accounts.card, today, -565, "Corner Coffee", categories["Dining out"], by=ledger.adults[1]
    )
    if transactions is not None:
        _scale_up(ledger, accounts, categories, first_month, transactions)

    budget_rows = [
        {
            "id": uuid.uuid4(),
            "household_id": household.id,
            "category_id": category_id,
            "month": month,
            "assigned_minor": _planned_minor(name, month),
            "created_at": now,
            "updated_at": now,
        }
        for month in month_list
        for name, category_id in expense_categories.items()
    ]
    await session.flush()
    await _bulk_insert(session, Transaction, ledger.transactions)
    await _bulk_insert(session, TransactionSplit, ledger.splits)
    await _bulk_insert(session, TransactionTag, ledger.tags)
    await _bulk_insert(session, BudgetAssignment, budget_rows)
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


async def _bulk_insert(session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]) -> None:
    # An executemany of a Core INSERT on the model's table: the same statement as the ORM's bulk
    # insert for the same rows, at a third of the client CPU (every value is given, so no ORM
    # defaults are needed). 100,000 transactions: ~11 s instead of ~18 s on 2 cores.
    table = model.__table__
    for start in range(0, len(rows), BATCH_SIZE):
        await session.execute(insert(table), rows[start : start + BATCH_SIZE])


@dataclass(frozen=True, slots=True)
class _DemoAccounts:
    checking: uuid.UUID
    savings: uuid.UUID
    card: uuid.UUID
    cash: uuid.UUID

    @classmethod
    def create(
        cls, session: AsyncSession, household_id: uuid.UUID, *, opened_on: date
    ) -> _DemoAccounts:
        specs = {
            "checking": ("Everyday checking", AccountKind.CHECKING, 420_000),
            "savings": ("High-yield savings", AccountKind.SAVINGS, 1_250_000),
            "card": ("Rewards credit card", AccountKind.CREDIT_CARD, 0),
            "cash": ("Cash wallet", AccountKind.CASH, 12_000),
        }
        ids: dict[str, uuid.UUID] = {}
        for key, (name, kind, opening) in specs.items():
            ids[key] = uuid.uuid4()
            session.add(
                Account(
                    id=ids[key],
                    household_id=household_id,
                    name=name,
                    kind=kind,
                    currency=CURRENCY,
                    opening_balance_minor=opening,
                    opened_on=opened_on,
                )
            )
        return cls(**ids)


@dataclass
class _Ledger:
    """Rows for the bulk inserts; dates after `today` are dropped (the month is not over)."""

    household_id: uuid.UUID
    today: date
    now: datetime
    card: uuid.UUID
    adults: tuple[uuid.UUID, uuid.UUID]
    teen: uuid.UUID
    rng: random.Random
    transactions: list[dict[str, Any]] = field(default_factory=list)
    splits: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)

    def adult(self) -> uuid.UUID:
        return self.rng.choice(self.adults)

    def add(
        self,
        account: uuid.UUID,
        on: date,
        amount_minor: int,
        payee: str,
        category: uuid.UUID | None,
        *,
        by: uuid.UUID | None = None,
        memo: str = "",
        tags: Sequence[str] = (),
        is_split: bool = False,
        transfer_id: uuid.UUID | None = None,
    ) -> uuid.UUID | None:
        if on > self.today:
            return None
        pending = (
            account == self.card and transfer_id is None and (self.today - on).days < PENDING_DAYS
        )
        transaction_id = uuid.uuid4()
        self.transactions.append(
            {
                "id": transaction_id,
                "household_id": self.household_id,
                "account_id": account,
                "posted_on": on,
                "amount_minor": amount_minor,
                "payee": payee,
                "memo": memo,
                "category_id": category,
                "status": TransactionStatus.PENDING if pending else TransactionStatus.POSTED,
                "is_split": is_split,
                "transfer_id": transfer_id,
                "created_by_id": by or self.adult(),
                "version": 1,
                "created_at": self.now,
                "updated_at": self.now,
            }
        )
        for tag in tags:
            self.tags.append(
                {"transaction_id": transaction_id, "tag": tag, "household_id": self.household_id}
            )
        return transaction_id

    def add_split(
        self,
        account: uuid.UUID,
        on: date,
        payee: str,
        lines: Sequence[tuple[uuid.UUID, int]],
        *,
        by: uuid.UUID | None = None,
    ) -> None:
        """One purchase whose lines carry the categories; the parent's amount is their sum."""
        total = sum(amount for _, amount in lines)
        parent = self.add(account, on, total, payee, None, by=by, is_split=True)
        if parent is None:
            return
        for category, amount in lines:
            self.splits.append(
                {
                    "id": uuid.uuid4(),
                    "transaction_id": parent,
                    "household_id": self.household_id,
                    "category_id": category,
                    "posted_on": on,
                    "amount_minor": amount,
                    "memo": "",
                }
            )

    def add_transfer(
        self, source: uuid.UUID, target: uuid.UUID, on: date, amount_minor: int, memo: str
    ) -> None:
        """Two legs sharing a transfer id, opposite amounts, no category."""
        if on > self.today:
            return
        transfer_id = uuid.uuid4()
        by = self.adult()
        self.add(source, on, -amount_minor, memo, None, by=by, transfer_id=transfer_id)
        self.add(target, on, amount_minor, memo, None, by=by, transfer_id=transfer_id)

    def balance(self, account: uuid.UUID, before: date) -> int:
        return sum(
            row["amount_minor"]
            for row in self.transactions
            if row["account_id"] == account and row["posted_on"] < before
        )

    def cents(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


# Seasonal monthly bills in whole dollars, January to December (air conditioning in summer, heating
# in winter), plus water, which barely moves.
ELECTRICITY = (118, 110, 92, 80, 88, 126, 158, 152, 112, 84, 92, 114)
HEATING_GAS = (128, 115, 88, 55, 34, 22, 20, 20, 26, 48, 86, 118)
WATER = 54

SUBSCRIPTIONS = (
    ("StreamFlix", 1_549, 5),
    ("Tunely Music Family", 1_699, 9),
    ("CloudBox Storage", 299, 23),
)
GROCERS = ("Green Basket Market", "FreshCo", "Harvest Lane Foods")
RESTAURANTS = ("Luigi's Trattoria", "Noodle Bar", "Taco Corner", "The Burger Joint", "Sushi Go")
FUEL_STATIONS = ("Roadside Gas & Go", "QuickFuel")
TEEN_SPENDING = (
    ("Campus Snack Bar", "Dining out"),
    ("City Cinema", "Entertainment"),
    ("Metro Transit", "Public transport"),
)
# (chance in a month, account, payee, category, lowest cents, highest cents, memo); a positive
# lowest amount is a refund: money back into an expense category, not income.
OCCASIONAL = (
    (0.5, "card", "Toy Harbor", "Kids", -6_000, -1_500, ""),
    (0.4, "checking", "Pharmacy Plus", "Health", -6_500, -1_200, ""),
    (0.5, "card", "City Cinema", "Entertainment", -9_000, -2_500, ""),
    (0.35, "card", "Outfitters", "Clothing", -12_000, -3_000, ""),
    (0.25, "card", "HomeHardware", "Home maintenance", -18_000, -2_000, ""),
    (0.3, "card", "Green Basket Market", "Groceries", 500, 2_500, "Refund: damaged item"),
    (0.2, "card", "Outfitters", "Clothing", 2_000, 6_000, "Return"),
)
# (calendar months, day, account, payee, category, lowest cents, highest cents, tag)
SEASONAL = (
    ((8, 9), 19, "card", "Book Nook", "Education", -14_000, -6_000, "school"),
    ((8, 9), 26, "card", "Outfitters", "Clothing", -9_000, -4_000, "school"),
    ((4, 10), 11, "checking", "AutoCare Garage", "Car maintenance", -42_000, -18_000, ""),
    ((12,), 6, "card", "Gift Gallery", "Gifts", -15_000, -4_000, "holidays"),
    ((12,), 13, "card", "Gift Gallery", "Gifts", -15_000, -4_000, "holidays"),
    ((12,), 18, "card", "Toy Harbor", "Gifts", -15_000, -4_000, "holidays"),
    ((7,), 3, "card", "Coastal Airlines", "Vacation fund", -86_000, -86_000, "vacation"),
    ((7,), 17, "card", "Seaside Inn", "Vacation fund", -124_000, -124_000, "vacation"),
    ((7,), 19, "card", "Harbor Seafood", "Vacation fund", -16_000, -9_000, "vacation"),
)
SCHOOL_MONTHS = (8, 9)

# Assigned every month, in cents: a family that plans by last year's spending.
MONTHLY_PLAN = {
    "Rent or mortgage": 215_000,
    "Home maintenance": 6_000,
    "Groceries": 76_000,
    "Dining out": 27_000,
    "Household supplies": 9_000,
    "Fuel": 19_000,
    "Public transport": 4_500,
    "Car maintenance": 6_000,
    "Phone and internet": 15_000,
    "Insurance": 13_200,
    "Subscriptions": 3_600,
    "Kids": 10_000,
    "Health": 7_000,
    "Education": 4_000,
    "Gifts": 6_000,
    "Entertainment": 9_000,
    "Clothing": 11_000,
    "Travel": 5_000,
    "Emergency fund": 60_000,
    "Vacation fund": 35_000,
}


def _planned_minor(category: str, month: date) -> int:
    if category == "Utilities":
        index = month.month - 1
        expected = ELECTRICITY[index] + HEATING_GAS[index] + WATER
        return (expected // 10 + 1) * 10 * 100
    if category == "Gifts" and month.month == 12:
        return 40_000
    if category == "Education" and month.month in SCHOOL_MONTHS:
        return 20_000
    return MONTHLY_PLAN.get(category, 5_000)


def _realistic_month(
    ledger: _Ledger, accounts: _DemoAccounts, categories: dict[str, uuid.UUID], month: date
) -> None:
    """One month of a two-income family with a teen: bills on their days, shopping in between."""
    rng = ledger.rng
    alex, sam = ledger.adults
    last_day = calendar.monthrange(month.year, month.month)[1]
    checking, savings, card, cash = (
        accounts.checking,
        accounts.savings,
        accounts.card,
        accounts.cash,
    )

    def day(n: int) -> date:
        return month.replace(day=min(n, last_day))

    def any_day(first: int = 1) -> date:
        return month.replace(day=rng.randint(first, last_day))

    def around(cents: int, spread: float = 0.08) -> int:
        return round(cents * rng.uniform(1 - spread, 1 + spread))

    salary = categories["Salary"]
    for pay_day in (1, 15):
        ledger.add(checking, day(pay_day), 185_000, "Northwind Logistics payroll", salary, by=alex)
    for pay_day in (7, 21):
        ledger.add(checking, day(pay_day), 140_000, "Riverside Clinic payroll", salary, by=sam)

    index = month.month - 1
    bills = (
        (1, checking, -215_000, "Maple Street Properties", "Rent or mortgage"),
        (3, checking, -13_200, "Safeguard Auto Insurance", "Insurance"),
        (6, checking, -5_500, "Little Kickers Soccer", "Kids"),
        (12, checking, -around(ELECTRICITY[index] * 100), "Bright Power Electric", "Utilities"),
        (14, checking, -around(HEATING_GAS[index] * 100), "Metro Gas", "Utilities"),
        (16, checking, -around(WATER * 100, 0.05), "City Water & Sewer", "Utilities"),
        (18, card, -8_500, "Skyline Mobile", "Phone and internet"),
        (20, card, -6_500, "FiberNet Internet", "Phone and internet"),
    )
    for bill_day, account, amount, payee, category in bills:
        ledger.add(account, day(bill_day), amount, payee, categories[category])
    for payee, cents, pay_day in SUBSCRIPTIONS:
        ledger.add(card, day(pay_day), -cents, payee, categories["Subscriptions"])

    # Groceries every Saturday, and a big-box trip split between food and supplies twice a month.
    saturday = month + timedelta(days=(5 - month.weekday()) % 7)
    while saturday.month == month.month:
        amount = -rng.randint(9_000, 19_500)
        ledger.add(card, saturday, amount, rng.choice(GROCERS), categories["Groceries"])
        saturday += timedelta(days=7)
    for trip_day in (9, 24):
        lines = [
            (categories["Groceries"], -rng.randint(2_500, 7_000)),
            (categories["Household supplies"], -rng.randint(1_500, 5_500)),
        ]
        if rng.random() < 0.3:
            lines.append((categories["Clothing"], -rng.randint(1_200, 4_000)))
        ledger.add_split(card, day(trip_day), "MegaMart", lines)

    for _ in range(rng.randint(4, 8)):
        amount = -rng.randint(1_800, 9_500)
        ledger.add(card, any_day(), amount, rng.choice(RESTAURANTS), categories["Dining out"])
    for fuel_day in (4, 13, 22, 30):
        amount = -rng.randint(3_800, 6_200)
        ledger.add(card, day(fuel_day), amount, rng.choice(FUEL_STATIONS), categories["Fuel"])

    # The teen spends from the shared cash wallet, topped up by a monthly ATM withdrawal.
    ledger.add_transfer(checking, cash, day(2), 10_000, "ATM withdrawal")
    for _ in range(rng.randint(3, 5)):
        payee, category = rng.choice(TEEN_SPENDING)
        amount = -rng.randint(400, 2_200)
        ledger.add(cash, any_day(2), amount, payee, categories[category], by=ledger.teen)

    for chance, account_name, payee, category, low, high, memo in OCCASIONAL:
        if rng.random() < chance:
            account = getattr(accounts, account_name)
            amount = rng.randint(low, high)
            ledger.add(account, any_day(), amount, payee, categories[category], memo=memo)
    for months, on_day, account_name, payee, category, low, high, tag in SEASONAL:
        if month.month in months:
            account = getattr(accounts, account_name)
            amount = rng.randint(low, high)
            tags = (tag,) if tag else ()
            ledger.add(account, day(on_day), amount, payee, categories[category], tags=tags)

    ledger.add_transfer(checking, savings, day(2), 95_000, "Monthly savings")
    payment_day = day(25)
    card_balance = ledger.balance(card, payment_day)
    if card_balance < 0:
        ledger.add_transfer(checking, card, payment_day, -card_balance, "Credit card payment")


# (payee, category, lowest cents, highest cents, account attribute, weight) for the scaled-up bulk.
_BULK_CATALOG: tuple[tuple[str, str, int, int, str, int], ...] = (
    ("Green Basket Market", "Groceries", 2_500, 21_000, "card", 14),
    ("FreshCo", "Groceries", 1_500, 16_000, "card", 10),
    ("Harvest Lane Foods", "Groceries", 1_200, 9_000, "checking", 6),
    ("Corner Coffee", "Dining out", 350, 1_400, "card", 10),
    ("Luigi's Trattoria", "Dining out", 3_800, 12_000, "card", 4),
    ("Noodle Bar", "Dining out", 1_800, 5_200, "cash", 4),
    ("Roadside Gas & Go", "Fuel", 3_000, 6_500, "card", 7),
    ("QuickFuel", "Fuel", 2_800, 6_000, "checking", 4),
    ("Metro Transit", "Public transport", 275, 2_750, "cash", 4),
    ("HomeHardware", "Home maintenance", 900, 22_000, "card", 3),
    ("MegaMart", "Household supplies", 800, 9_000, "card", 6),
    ("Pharmacy Plus", "Health", 600, 8_500, "checking", 4),
    ("City Cinema", "Entertainment", 1_200, 5_400, "card", 4),
    ("Book Nook", "Education", 900, 6_000, "card", 2),
    ("Outfitters", "Clothing", 1_900, 15_000, "card", 4),
    ("Gift Gallery", "Gifts", 1_500, 9_000, "card", 2),
    ("Toy Harbor", "Kids", 1_500, 6_000, "card", 3),
    ("AutoCare Garage", "Car maintenance", 4_500, 38_000, "checking", 1),
    ("Coastal Airlines", "Travel", 9_000, 60_000, "card", 1),
    ("Marketplace sale", "Other income", 1_000, 25_000, "checking", 1),
)
_BULK_TAGS = ("vacation", "school", "reimbursable", "gift")
_BULK_TRANSFERS = (
    ("checking", "savings", "Savings top-up"),
    ("checking", "card", "Credit card payment"),
    ("checking", "cash", "ATM withdrawal"),
    ("savings", "checking", "Move from savings"),
)
SPLIT_SHARE = 0.02
TRANSFER_SHARE = 0.03


def _scale_up(
    ledger: _Ledger,
    accounts: _DemoAccounts,
    categories: dict[str, uuid.UUID],
    first_day: date,
    target: int,
) -> None:
    """Generated rows over the same months until the household has `target` transactions
    (a transfer adds two rows, so the share of rows that are transfer legs is about 3%)."""
    rng = ledger.rng
    span = (ledger.today - first_day).days
    cumulative_weights = list(itertools.accumulate(entry[5] for entry in _BULK_CATALOG))
    while len(ledger.transactions) < target:
        on = first_day + timedelta(days=rng.randint(0, span))
        remaining = target - len(ledger.transactions)
        roll = rng.random()
        if roll < TRANSFER_SHARE / 2 and remaining >= 2:
            source, target_account, memo = rng.choice(_BULK_TRANSFERS)
            amount = rng.randint(2_000, 150_000)
            ledger.add_transfer(
                getattr(accounts, source), getattr(accounts, target_account), on, amount, memo
            )
            continue
        if roll < TRANSFER_SHARE / 2 + SPLIT_SHARE:
            lines = [
                (categories["Groceries"], -rng.randint(1_000, 9_000)),
                (categories["Household supplies"], -rng.randint(500, 6_000)),
            ]
            if rng.random() < 0.3:
                lines.append((categories["Kids"], -rng.randint(800, 4_000)))
            ledger.add_split(rng.choice((accounts.card, accounts.checking)), on, "MegaMart", lines)
            continue
        payee, category, low, high, account, _ = rng.choices(
            _BULK_CATALOG, cum_weights=cumulative_weights
        )[0]
        amount = rng.randint(low, high)
        is_income = category == "Other income"
        # About one purchase in fifty comes back as a refund.
        refund = not is_income and rng.random() < 0.02
        account_id = getattr(accounts, account)
        ledger.add(
            account_id,
            on,
            amount if is_income or refund else -amount,
            payee,
            categories[category],
            by=ledger.teen if account_id == accounts.cash else None,
            memo="Refund" if refund else "",
            tags=(rng.choice(_BULK_TAGS),) if rng.random() < 0.03 else (),
        )


def _add_months(month: date, count: int) -> date:
    years, month_index = divmod(month.month - 1 + count, 12)
    return date(month.year + years, month_index + 1, 1)
