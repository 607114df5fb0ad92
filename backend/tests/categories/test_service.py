from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.budgets.service import compute_month
from family_budget.categories import service
from family_budget.categories.schemas import CategoryUpdate
from family_budget.households.context import HouseholdContext
from family_budget.reports.service import spending_by_category
from tests.arrange import Family
from tests.factories import (
    assign_budget,
    create_account,
    create_category,
    create_category_group,
    create_household,
    create_split,
    create_transaction,
)

MONTHS = [date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1)]


class TestMergeCategories:
    async def test_totals_are_preserved(self, session: AsyncSession, family: Family) -> None:
        """After a merge the target holds the sum of both, month by month, and no household
        total (assigned, spent, left to assign, the spending report) moves by a cent."""
        home = HouseholdContext.for_system(family.household)
        group = await create_category_group(session, home)
        source = await create_category(session, home, group, name="Snacks", carry_overspending=True)
        target = await create_category(session, home, group, name="Food", carry_overspending=True)
        salary = await create_category(session, home, group, name="Salary", is_income=True)
        account = await create_account(session, home)
        await create_transaction(
            session,
            account,
            category_id=salary.id,
            amount_minor=500000,
            posted_on=date(2023, 12, 1),
        )
        for offset, month in enumerate(MONTHS):
            await assign_budget(session, source, month, 1000 * (offset + 1))
            if offset != 1:
                await assign_budget(session, target, month, 20000)
            day = month.replace(day=10)
            await create_transaction(
                session, account, category_id=source.id, amount_minor=-700, posted_on=day
            )
            await create_transaction(
                session, account, category_id=target.id, amount_minor=-15000, posted_on=day
            )
            parent = await create_transaction(
                session, account, amount_minor=-900, posted_on=day, is_split=True
            )
            await create_split(session, parent, source, -400)
            await create_split(session, parent, target, -500)
        await session.commit()

        before = {month: await compute_month(session, home, month) for month in MONTHS}
        report_before = await spending_by_category(session, home, MONTHS[0], date(2024, 2, 29))

        result = await service.merge_categories(
            session, home, source.id, into_category_id=target.id
        )
        await session.commit()

        assert (result.moved_transactions, result.moved_split_lines) == (3, 3)
        assert result.moved_budget_months == 3
        for month in MONTHS:
            after = await compute_month(session, home, month)
            assert after.totals == before[month].totals
            old = {line.category_id: line for g in before[month].groups for line in g.categories}
            merged = next(
                line for g in after.groups for line in g.categories if line.category_id == target.id
            )
            assert merged.assigned_minor == (
                old[source.id].assigned_minor + old[target.id].assigned_minor
            )
            assert merged.activity_minor == (
                old[source.id].activity_minor + old[target.id].activity_minor
            )
            assert merged.available_minor == (
                old[source.id].available_minor + old[target.id].available_minor
            )
            assert source.id not in {
                line.category_id for g in after.groups for line in g.categories
            }
        report_after = await spending_by_category(session, home, MONTHS[0], date(2024, 2, 29))
        assert report_after.total_minor == report_before.total_minor == 3 * (700 + 15000 + 900)
        assert [(c.name, c.spent_minor) for g in report_after.groups for c in g.categories] == [
            ("Food", 3 * (700 + 15000 + 900))
        ]


class TestDefaultsAndOrdering:
    async def test_default_categories_list_in_order(self, session: AsyncSession) -> None:
        new_household = HouseholdContext.for_system(await create_household(session))
        await service.create_default_categories(session, new_household)
        groups = await service.list_category_groups(session, new_household, include_hidden=False)
        assert [item.group.name for item in groups] == [
            name for name, _ in service.DEFAULT_CATEGORIES
        ]
        assert [(c.name, c.is_income) for c in groups[0].categories] == [
            ("Salary", True),
            ("Other income", True),
        ]

    async def test_new_categories_go_last_in_their_group(
        self, session: AsyncSession, family: Family
    ) -> None:
        group = await service.create_category_group(
            session, HouseholdContext.for_system(family.household), name="Pets"
        )
        first = await service.create_category(
            session, HouseholdContext.for_system(family.household), group_id=group.id, name="Food"
        )
        second = await service.create_category(
            session, HouseholdContext.for_system(family.household), group_id=group.id, name="Vet"
        )
        await service.update_category(
            session,
            HouseholdContext.for_system(family.household),
            first.id,
            CategoryUpdate(sort_order=10),
        )
        assert [
            c.name
            for c in await service.group_categories(
                session, HouseholdContext.for_system(family.household), group.id
            )
        ] == ["Vet", "Food"]
        assert (first.sort_order, second.sort_order) == (10, 1)
