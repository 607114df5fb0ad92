from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.errors import Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.models import AccountKind
from family_budget.months import add_months, month_end
from family_budget.reports import service
from tests.arrange import Family
from tests.factories import (
    create_account,
    create_category,
    create_split,
    create_transaction,
)

MONTHS = [date(2023, 11, 1), date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1)]


class TestClassifyBalance:
    @pytest.mark.parametrize(
        ("kind", "balance", "expected"),
        [
            (AccountKind.CREDIT_CARD, -2500, (0, 2500)),
            (AccountKind.LOAN, -900000, (0, 900000)),
            (AccountKind.CREDIT_CARD, 300, (300, 0)),
            (AccountKind.LOAN, 0, (0, 0)),
            (AccountKind.CHECKING, -4000, (-4000, 0)),
            (AccountKind.SAVINGS, 12000, (12000, 0)),
            (AccountKind.INVESTMENT, 5, (5, 0)),
            (AccountKind.CASH, 0, (0, 0)),
        ],
    )
    def test_rule(self, kind: AccountKind, balance: int, expected: tuple[int, int]) -> None:
        assert service.classify_balance(kind, balance) == expected

    @pytest.mark.parametrize("kind", list(AccountKind))
    @pytest.mark.parametrize("balance", [-(10**13), -1, 0, 1, 10**13])
    def test_net_is_always_the_balance(self, kind: AccountKind, balance: int) -> None:
        asset, liability = service.classify_balance(kind, balance)
        assert asset - liability == balance
        assert liability >= 0


class TestCheckRange:
    def test_limits(self) -> None:
        service.check_range(date(2024, 1, 1), date(2024, 1, 1))
        service.check_range(date(2020, 2, 29), date(2025, 2, 28))
        with pytest.raises(Unprocessable) as too_long:
            service.check_range(date(2020, 2, 29), date(2025, 3, 1))
        assert (too_long.value.code, too_long.value.detail) == (
            "range_too_long",
            "The range may span at most 5 years",
        )
        with pytest.raises(Unprocessable) as backwards:
            service.check_range(date(2024, 1, 2), date(2024, 1, 1))
        assert (backwards.value.code, backwards.value.detail) == (
            "invalid_range",
            "from must not be after to",
        )


class TestPlanRange:
    @given(
        starts_on=st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
        length=st.integers(min_value=0, max_value=800),
    )
    def test_every_day_of_the_range_counts_once_and_no_other(
        self, starts_on: date, length: int
    ) -> None:
        ends_on = date.fromordinal(min(starts_on.toordinal() + length, date.max.toordinal()))
        plan = service.plan_range(starts_on, ends_on)
        counts: Counter[date] = Counter()
        if plan.first_month is not None:
            assert plan.last_month is not None
            month = plan.first_month
            while True:
                counts.update(_days(month, month_end(month)))
                if month == plan.last_month:
                    break
                month = add_months(month, 1)
        for first, last in plan.added:
            counts.update(_days(first, last))
        for first, last in plan.subtracted:
            counts.subtract(_days(first, last))
        assert {day: n for day, n in counts.items() if n} == dict.fromkeys(
            _days(starts_on, ends_on), 1
        )

    def test_a_rolling_year_reads_a_few_days_of_raw_rows(self) -> None:
        plan = service.plan_range(date(2025, 12, 2), date(2026, 12, 2))
        assert plan == service.RangePlan(
            date(2025, 12, 1),
            date(2026, 11, 1),
            added=((date(2026, 12, 1), date(2026, 12, 2)),),
            subtracted=((date(2025, 12, 1), date(2025, 12, 1)),),
        )


def _days(first: date, last: date) -> list[date]:
    return [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]


class TestReportsAgree:
    async def test_monthly_expenses_equal_spending_and_net_is_all_activity(
        self, session: AsyncSession, family: Family
    ) -> None:
        rng = random.Random(7)
        home = HouseholdContext.for_system(family.household)
        categories = [
            await create_category(session, home, name="Salary", is_income=True),
            await create_category(session, home, name="Food"),
            await create_category(session, home, name="Rent", hidden=True),
            None,
        ]
        accounts = [await create_account(session, home), await create_account(session, home)]
        activity = 0
        for _ in range(40):
            month = rng.choice(MONTHS)
            day = month.replace(day=rng.randrange(1, 29))
            account = rng.choice(accounts)
            category = rng.choice(categories)
            amount = rng.randrange(-50000, 50000)
            if rng.random() < 0.2:
                transfer_id = uuid.uuid4()
                await create_transaction(
                    session,
                    accounts[0],
                    amount_minor=-amount,
                    posted_on=day,
                    transfer_id=transfer_id,
                )
                await create_transaction(
                    session,
                    accounts[1],
                    amount_minor=amount,
                    posted_on=day,
                    transfer_id=transfer_id,
                )
            elif rng.random() < 0.3:
                parent = await create_transaction(
                    session, account, amount_minor=amount, posted_on=day, is_split=True
                )
                await create_split(session, parent, category, amount // 2)
                await create_split(session, parent, rng.choice(categories), amount - amount // 2)
                activity += amount
            else:
                await create_transaction(
                    session,
                    account,
                    amount_minor=amount,
                    posted_on=day,
                    category_id=category.id if category else None,
                )
                activity += amount
        await session.commit()

        flows = await service.income_vs_expenses(session, home, MONTHS)
        assert sum(flow.net_minor for flow in flows) == activity
        for flow in flows:
            spending = await service.spending_by_category(
                session, home, flow.month, month_end(flow.month)
            )
            assert flow.expenses_minor == spending.total_minor
