from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.budgets import service
from family_budget.households.context import HouseholdContext
from family_budget.models import AccountKind
from family_budget.months import add_months
from family_budget.reports.service import income_vs_expenses, spending_by_category
from tests.arrange import Family
from tests.factories import (
    assign_budget,
    create_account,
    create_category,
    create_category_group,
    create_transaction,
)

MONTHS = [add_months(date(2023, 9, 1), i) for i in range(8)]  # September 2023 .. April 2024


def lines_by_id(view: service.BudgetMonth) -> dict[uuid.UUID, service.BudgetLine]:
    return {line.category_id: line for group in view.groups for line in group.categories}


class TestTransfersNeverCount:
    async def test_transfers_change_no_budget_or_report_number(
        self, session: AsyncSession, family: Family
    ) -> None:
        home = HouseholdContext.for_system(family.household)
        group = await create_category_group(session, home)
        food = await create_category(session, home, group, name="Food", carry_overspending=True)
        salary = await create_category(session, home, group, name="Salary", is_income=True)
        checking = await create_account(session, home)
        card = await create_account(session, home, kind=AccountKind.CREDIT_CARD)
        await assign_budget(session, food, date(2024, 3, 1), 30000)
        await create_transaction(session, checking, category_id=salary.id, amount_minor=250000)
        await create_transaction(session, card, category_id=food.id, amount_minor=-4200)
        await session.commit()

        async def snapshot() -> tuple[object, ...]:
            march = await service.compute_month(session, home, date(2024, 3, 1))
            spending = await spending_by_category(
                session, home, date(2024, 1, 1), date(2024, 12, 31)
            )
            flows = await income_vs_expenses(session, home, MONTHS)
            return (march, spending.total_minor, spending.uncategorized_minor, flows)

        before = await snapshot()
        # Paying the card from checking is never activity, even with a category on the legs
        # (the transactions service refuses one, and never splits a transfer).
        for category_id in (None, food.id, salary.id):
            transfer_id = uuid.uuid4()
            await create_transaction(
                session,
                checking,
                amount_minor=-10000,
                transfer_id=transfer_id,
                category_id=category_id,
            )
            await create_transaction(
                session,
                card,
                amount_minor=10000,
                transfer_id=transfer_id,
                category_id=category_id,
            )
        await session.commit()

        assert await snapshot() == before
        march = before[0]
        assert isinstance(march, service.BudgetMonth)
        assert (march.totals.income_minor, march.totals.spent_minor) == (250000, 4200)
