"""The envelope rules through the production path: accounts, transactions and assignments in the
database, the month view computed from the monthly totals (compute_month), checked month by
month against the paper model (tests/budgets/reference.py), across a year end, with another
household's money in the same months (tests/arrange.py) that must not leak in."""

from __future__ import annotations

import uuid
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.budgets.service import compute_month
from family_budget.models import (
    Account,
    AccountKind,
    BudgetAssignment,
    Category,
    Transaction,
    TransactionSplit,
)
from family_budget.months import add_months
from tests.arrange import Family
from tests.budgets.reference import PaperAccount, PaperCategory, PaperTransaction, walk

# Six months across a year end, inside the other household's money months.
MONTHS = [add_months(date(2023, 10, 1), i) for i in range(6)]
MONTH = st.sampled_from(MONTHS)
AMOUNT = st.integers(min_value=-500_000, max_value=500_000)
ACCOUNTS = ("checking", "card", "loan")
KINDS = {
    "checking": AccountKind.CHECKING,
    "card": AccountKind.CREDIT_CARD,
    "loan": AccountKind.LOAN,
}
CATEGORY = st.sampled_from([None, "groceries", "dining", "pay"])

PLAIN = st.tuples(
    st.just("plain"), MONTH, st.sampled_from(ACCOUNTS), AMOUNT, CATEGORY, st.booleans()
)
# A transfer from one account to another, with a category (or none) on either leg: only the
# on-budget leg of a transfer with a tracking account may count, whatever the categories say.
TRANSFER = st.tuples(
    st.just("transfer"),
    MONTH,
    st.sampled_from([(a, b) for a in ACCOUNTS for b in ACCOUNTS if a != b]),
    st.integers(min_value=1, max_value=500_000),
    CATEGORY,
    CATEGORY,
)
LEDGER = st.fixed_dictionaries(
    {
        "on_budget": st.fixed_dictionaries({a: st.booleans() for a in ACCOUNTS}),
        "opening": st.fixed_dictionaries({a: st.tuples(AMOUNT, MONTH) for a in ACCOUNTS}),
        "carry": st.fixed_dictionaries({"groceries": st.booleans(), "dining": st.booleans()}),
        "assigned": st.dictionaries(
            st.tuples(st.sampled_from(["groceries", "dining"]), MONTH),
            st.integers(min_value=0, max_value=400_000),
            max_size=8,
        ),
        "money": st.lists(st.one_of(PLAIN, TRANSFER), max_size=10),
    }
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ledger=LEDGER)
async def test_month_view_matches_the_paper_model(
    session: AsyncSession, family: Family, ledger: dict[str, object]
) -> None:
    await session.refresh(family.groceries)
    await session.refresh(family.dining)
    savepoint = await session.begin_nested()
    try:
        await _check(session, family, ledger)
    finally:
        await savepoint.rollback()


async def _check(session: AsyncSession, family: Family, ledger: dict[str, object]) -> None:
    home = family.household.id
    on_budget: dict[str, bool] = ledger["on_budget"]  # type: ignore[assignment]
    opening: dict[str, tuple[int, date]] = ledger["opening"]  # type: ignore[assignment]
    carry: dict[str, bool] = ledger["carry"]  # type: ignore[assignment]
    assigned: dict[tuple[str, date], int] = ledger["assigned"]  # type: ignore[assignment]
    money: list[tuple[object, ...]] = ledger["money"]  # type: ignore[assignment]

    pay = Category(
        id=uuid.uuid4(), household_id=home, group_id=family.group.id, name="Pay", is_income=True
    )
    family.groceries.carry_overspending = carry["groceries"]
    family.dining.carry_overspending = carry["dining"]
    category_ids = {"groceries": family.groceries.id, "dining": family.dining.id, "pay": pay.id}
    accounts = {
        name: Account(
            id=uuid.uuid4(),
            household_id=home,
            name=name,
            kind=KINDS[name],
            currency="USD",
            opening_balance_minor=opening[name][0],
            opened_on=opening[name][1].replace(day=9),
            on_budget=on_budget[name],
        )
        for name in ACCOUNTS
    }
    session.add_all([pay, *accounts.values()])
    await session.flush()

    rows: list[object] = []
    paper: list[PaperTransaction] = []

    def add(
        account: str, month: date, amount: int, category: str | None, transfer: str | None
    ) -> Transaction:
        day = month.replace(day=31 if month.month in (10, 12, 1, 3) else 28)
        row = Transaction(
            id=uuid.uuid4(),
            household_id=home,
            account_id=accounts[account].id,
            posted_on=day,
            amount_minor=amount,
            category_id=category_ids[category] if category else None,
            transfer_id=uuid.UUID(transfer) if transfer else None,
        )
        rows.append(row)
        paper.append(PaperTransaction(account, month, amount, category, transfer))
        return row

    for entry in money:
        if entry[0] == "plain":
            _, month, account, amount, category, as_split = entry
            assert isinstance(month, date)
            assert isinstance(account, str)
            assert isinstance(amount, int)
            assert category is None or isinstance(category, str)
            if as_split and category is not None:
                parent = add(account, month, amount, None, None)
                parent.is_split = True
                paper[-1] = PaperTransaction(account, month, amount, category)
                rows.append(
                    TransactionSplit(
                        transaction_id=parent.id,
                        household_id=home,
                        category_id=category_ids[category],
                        posted_on=parent.posted_on,
                        amount_minor=amount,
                    )
                )
            else:
                add(account, month, amount, category, None)
        else:
            _, month, (source, destination), amount, out_category, in_category = entry
            assert isinstance(month, date)
            assert isinstance(amount, int)
            transfer = str(uuid.uuid4())
            add(str(source), month, -amount, out_category, transfer)  # type: ignore[arg-type]
            add(str(destination), month, amount, in_category, transfer)  # type: ignore[arg-type]
    for (category, month), amount in assigned.items():
        rows.append(
            BudgetAssignment(
                household_id=home,
                category_id=category_ids[category],
                month=month,
                assigned_minor=amount,
            )
        )
    session.add_all(rows)
    await session.flush()

    sheet = walk(
        accounts={
            name: PaperAccount(on_budget[name], opening[name][0], opening[name][1])
            for name in ACCOUNTS
        },
        categories={
            "groceries": PaperCategory(carry_overspending=carry["groceries"]),
            "dining": PaperCategory(carry_overspending=carry["dining"]),
            "pay": PaperCategory(is_income=True),
        },
        transactions=paper,
        assigned=assigned,
        first=MONTHS[0],
        last=add_months(MONTHS[-1], 1),
    )
    for month, page in sheet.items():
        view = await compute_month(session, family.context(), month)
        lines = {line.name: line for group in view.groups for line in group.categories}
        for name, category in (("groceries", family.groceries), ("dining", family.dining)):
            line = lines[category.name]
            assert (line.assigned_minor, line.activity_minor, line.available_minor) == (
                page.assigned[name],
                page.activity.get(name, 0),
                page.available[name],
            ), (month, name)
        assert view.totals.income_minor == page.income, month
        assert view.totals.left_to_assign_minor == page.to_assign, month
        assert view.totals.spent_minor == -sum(page.activity.values()), month
