"""The simulation: month by month, the rows a family like the demo one would have written."""

from __future__ import annotations

import calendar
import itertools
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.demo.data import (
    CURRENCY,
    ELECTRICITY,
    FUEL_STATIONS,
    GROCERS,
    HEATING_GAS,
    MONTHLY_PLAN,
    OCCASIONAL,
    PENDING_DAYS,
    RESTAURANTS,
    SCHOOL_MONTHS,
    SEASONAL,
    SUBSCRIPTIONS,
    TEEN_SPENDING,
    WATER,
)
from family_budget.models import (
    Account,
    AccountKind,
    TransactionStatus,
)


@dataclass(frozen=True, slots=True)
class DemoAccounts:
    checking: uuid.UUID
    savings: uuid.UUID
    card: uuid.UUID
    cash: uuid.UUID

    @classmethod
    def create(
        cls, session: AsyncSession, household_id: uuid.UUID, *, opened_on: date
    ) -> DemoAccounts:
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
class Ledger:
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
def planned_minor(category: str, month: date) -> int:
    if category == "Utilities":
        index = month.month - 1
        expected = ELECTRICITY[index] + HEATING_GAS[index] + WATER
        return (expected // 10 + 1) * 10 * 100
    if category == "Gifts" and month.month == 12:
        return 40_000
    if category == "Education" and month.month in SCHOOL_MONTHS:
        return 20_000
    return MONTHLY_PLAN.get(category, 5_000)


def realistic_month(
    ledger: Ledger, accounts: DemoAccounts, categories: dict[str, uuid.UUID], month: date
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


def scale_up(
    ledger: Ledger,
    accounts: DemoAccounts,
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
