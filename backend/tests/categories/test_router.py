from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import (
    Base,
    BudgetAssignment,
    Category,
    CategoryGroup,
    Transaction,
    TransactionSplit,
)
from tests.arrange import Family
from tests.factories import (
    assign_budget,
    create_account,
    create_category,
    create_category_group,
    create_split,
    create_transaction,
)

ROLE_MATRIX = [("owner", True), ("adult", True), ("teen", False)]


async def count(session: AsyncSession, model: type[Base], *where: ColumnElement[bool]) -> int:
    query = select(func.count()).select_from(model).where(*where)
    return (await session.execute(query)).scalar_one()


async def reload(session: AsyncSession, model: type[object], id_: uuid.UUID) -> object | None:
    """The row as the database has it now (None when gone), bypassing the session's copy."""
    return await session.get(model, id_, populate_existing=True)


class TestListCategories:
    async def test_groups_and_categories_in_display_order(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        later = await create_category_group(session, family.household, name="Later", sort_order=2)
        first = await create_category_group(session, family.household, name="First", sort_order=1)
        b = await create_category(session, family.household, first, name="B", sort_order=1)
        a = await create_category(session, family.household, first, name="A", sort_order=0)
        pay = await create_category(
            session, family.household, later, name="Pay", is_income=True, carry_overspending=False
        )
        await create_category(session, family.other.household, name="Not ours")
        await session.commit()

        response = await client.get(f"{family.base}/categories", headers=family.headers())

        assert response.status_code == 200
        body = response.json()
        assert [g["name"] for g in body] == ["Everyday", "First", "Later"]
        assert [c["id"] for c in body[0]["categories"]] == [
            str(family.groceries.id),
            str(family.dining.id),
        ]
        assert [c["id"] for c in body[1]["categories"]] == [str(a.id), str(b.id)]
        assert body[2]["categories"] == [
            {
                "id": str(pay.id),
                "group_id": str(later.id),
                "name": "Pay",
                "is_income": True,
                "hidden": False,
                "carry_overspending": False,
                "sort_order": 0,
            }
        ]

    async def test_hidden_only_when_asked(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        shown = await create_category_group(session, family.household, name="Shown")
        hidden_group = await create_category_group(
            session, family.household, name="Hidden", hidden=True
        )
        visible = await create_category(session, family.household, shown, name="Visible")
        await create_category(session, family.household, shown, name="Gone", hidden=True)
        await create_category(session, family.household, hidden_group, name="In hidden group")
        await session.commit()

        default = await client.get(f"{family.base}/categories", headers=family.headers())
        everything = await client.get(
            f"{family.base}/categories",
            params={"include_hidden": "true"},
            headers=family.headers(),
        )

        assert [(g["name"], [c["id"] for c in g["categories"]]) for g in default.json()] == [
            ("Everyday", [str(family.groceries.id), str(family.dining.id)]),
            ("Shown", [str(visible.id)]),
        ]
        assert sorted(
            (g["name"], len(g["categories"]), g["hidden"]) for g in everything.json()
        ) == [("Everyday", 2, False), ("Hidden", 1, True), ("Shown", 2, False)]

    @pytest.mark.parametrize("role", ["owner", "adult", "teen"])
    async def test_every_member_reads(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, role: str
    ) -> None:
        await create_category(session, family.household)
        await session.commit()
        response = await client.get(
            f"{family.base}/categories", headers=family.headers(family.member(role))
        )
        assert response.status_code == 200
        assert len(response.json()) == 2  # "Everyday" and the new group

    async def test_needs_a_token(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.get(f"{family.base}/categories")
        assert response.status_code == 401


class TestCreateCategoryGroup:
    @pytest.mark.parametrize(("role", "allowed"), ROLE_MATRIX)
    async def test_roles(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        role: str,
        allowed: bool,
    ) -> None:
        await create_category_group(session, family.household, sort_order=4)
        await session.commit()
        response = await client.post(
            f"{family.base}/categories/groups",
            json={"name": "  Pets  "},
            headers=family.headers(family.member(role)),
        )
        groups = await count(
            session, CategoryGroup, CategoryGroup.household_id == family.household.id
        )
        if allowed:
            assert response.status_code == 201
            body = response.json()
            assert body["name"] == "Pets"
            assert body["sort_order"] == 5
            assert body["hidden"] is False
            assert body["categories"] == []
            assert groups == 3
        else:
            assert response.status_code == 403
            assert response.json()["code"] == "insufficient_role"
            assert groups == 2

    @pytest.mark.parametrize(
        "payload",
        [
            {},
            {"name": ""},
            {"name": "x" * 101},
            {"name": "Bad\u0007"},
            {"name": "A", "hidden": True},
        ],
    )
    async def test_invalid_body_is_422(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, payload: object
    ) -> None:
        response = await client.post(
            f"{family.base}/categories/groups", json=payload, headers=family.headers()
        )
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert (
            await count(session, CategoryGroup, CategoryGroup.household_id == family.household.id)
            == 1
        )


class TestUpdateCategoryGroup:
    async def test_partial_update(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        group = await create_category_group(session, family.household, name="Old", sort_order=3)
        member = await create_category(session, family.household, group, hidden=True)
        await session.commit()
        response = await client.patch(
            f"{family.base}/categories/groups/{group.id}",
            json={"hidden": True},
            headers=family.headers(family.adult),
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["name"], body["hidden"], body["sort_order"]) == ("Old", True, 3)
        assert [c["id"] for c in body["categories"]] == [str(member.id)]
        response = await client.patch(
            f"{family.base}/categories/groups/{group.id}",
            json={"name": "New", "sort_order": 0},
            headers=family.headers(),
        )
        assert (response.json()["name"], response.json()["sort_order"]) == ("New", 0)
        stored = await reload(session, CategoryGroup, group.id)
        assert isinstance(stored, CategoryGroup)
        assert (stored.name, stored.hidden, stored.sort_order) == ("New", True, 0)

    @pytest.mark.parametrize(
        "payload",
        [{"name": None}, {"hidden": "yes"}, {"sort_order": -1}, {"sort_order": 1.5}, {"x": 1}],
    )
    async def test_invalid_body_changes_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family, payload: object
    ) -> None:
        group = await create_category_group(session, family.household, name="Keep")
        await session.commit()
        response = await client.patch(
            f"{family.base}/categories/groups/{group.id}", json=payload, headers=family.headers()
        )
        assert response.status_code == 422
        stored = await reload(session, CategoryGroup, group.id)
        assert isinstance(stored, CategoryGroup)
        assert (stored.name, stored.hidden, stored.sort_order) == ("Keep", False, 0)

    async def test_teen_is_403(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        group = await create_category_group(session, family.household, name="Keep")
        await session.commit()
        response = await client.patch(
            f"{family.base}/categories/groups/{group.id}",
            json={"name": "Teen"},
            headers=family.headers(family.teen),
        )
        assert response.status_code == 403
        assert response.json()["code"] == "insufficient_role"


class TestDeleteCategoryGroup:
    @pytest.mark.parametrize(("role", "allowed"), ROLE_MATRIX)
    async def test_empty_group(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        role: str,
        allowed: bool,
    ) -> None:
        group = await create_category_group(session, family.household)
        await session.commit()
        response = await client.delete(
            f"{family.base}/categories/groups/{group.id}",
            headers=family.headers(family.member(role)),
        )
        assert response.status_code == (204 if allowed else 403)
        assert (await reload(session, CategoryGroup, group.id) is None) is allowed

    async def test_group_with_a_hidden_category_is_409(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        group = await create_category_group(session, family.household)
        await create_category(session, family.household, group, hidden=True)
        await session.commit()
        response = await client.delete(
            f"{family.base}/categories/groups/{group.id}", headers=family.headers()
        )
        assert response.status_code == 409
        assert response.json()["code"] == "category_group_not_empty"
        assert await reload(session, CategoryGroup, group.id) is not None


class TestCreateCategory:
    @pytest.mark.parametrize(("role", "allowed"), ROLE_MATRIX)
    async def test_roles(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        role: str,
        allowed: bool,
    ) -> None:
        group = await create_category_group(session, family.household)
        await create_category(session, family.household, group, sort_order=7)
        await session.commit()
        response = await client.post(
            f"{family.base}/categories",
            json={"group_id": str(group.id), "name": "Vet", "carry_overspending": True},
            headers=family.headers(family.member(role)),
        )
        total = await count(session, Category, Category.household_id == family.household.id)
        if allowed:
            assert response.status_code == 201
            body = response.json()
            assert body == {
                "id": body["id"],
                "group_id": str(group.id),
                "name": "Vet",
                "is_income": False,
                "hidden": False,
                "carry_overspending": True,
                "sort_order": 8,
            }
            assert total == 4
        else:
            assert response.status_code == 403
            assert total == 3

    async def test_income_category_cannot_roll_over(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        group = await create_category_group(session, family.household)
        await session.commit()
        response = await client.post(
            f"{family.base}/categories",
            json={
                "group_id": str(group.id),
                "name": "Pay",
                "is_income": True,
                "carry_overspending": True,
            },
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "income_category"
        assert await count(session, Category, Category.group_id == group.id) == 0

    @pytest.mark.parametrize(
        "payload",
        [
            {"name": "No group"},
            {"group_id": "not-a-uuid", "name": "X"},
            {"group_id": "GROUP", "name": "X", "is_income": "true"},
            {"group_id": "GROUP", "name": ""},
            {"group_id": "GROUP", "name": "X", "hidden": True},
        ],
    )
    async def test_invalid_body_is_422(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        payload: dict[str, object],
    ) -> None:
        group = await create_category_group(session, family.household)
        await session.commit()
        body = {k: str(group.id) if v == "GROUP" else v for k, v in payload.items()}
        response = await client.post(
            f"{family.base}/categories", json=body, headers=family.headers()
        )
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        assert await count(session, Category, Category.household_id == family.household.id) == 2


class TestUpdateCategory:
    async def test_changes_only_what_is_sent(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        group = await create_category_group(session, family.household)
        other_group = await create_category_group(session, family.household)
        category = await create_category(session, family.household, group, name="Food")
        await session.commit()
        response = await client.patch(
            f"{family.base}/categories/{category.id}",
            json={"carry_overspending": True, "group_id": str(other_group.id), "sort_order": 9},
            headers=family.headers(family.adult),
        )
        assert response.status_code == 200
        assert response.json() == {
            "id": str(category.id),
            "group_id": str(other_group.id),
            "name": "Food",
            "is_income": False,
            "hidden": False,
            "carry_overspending": True,
            "sort_order": 9,
        }
        response = await client.patch(
            f"{family.base}/categories/{category.id}",
            json={"name": "Groceries", "hidden": True},
            headers=family.headers(),
        )
        assert response.status_code == 200
        stored = await reload(session, Category, category.id)
        assert isinstance(stored, Category)
        assert (stored.name, stored.hidden, stored.carry_overspending, stored.group_id) == (
            "Groceries",
            True,
            True,
            other_group.id,
        )

    async def test_teen_is_403(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        category = await create_category(session, family.household, name="Food")
        await session.commit()
        response = await client.patch(
            f"{family.base}/categories/{category.id}",
            json={"name": "Candy"},
            headers=family.headers(family.teen),
        )
        assert response.status_code == 403
        stored = await reload(session, Category, category.id)
        assert isinstance(stored, Category)
        assert stored.name == "Food"

    async def test_income_category_cannot_roll_over(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        pay = await create_category(session, family.household, is_income=True)
        await session.commit()
        response = await client.patch(
            f"{family.base}/categories/{pay.id}",
            json={"carry_overspending": True},
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "income_category"

    @pytest.mark.parametrize(
        "payload",
        [{"is_income": True}, {"name": None}, {"carry_overspending": None}, {"group_id": 5}],
    )
    async def test_invalid_body_is_422(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        payload: dict[str, object],
    ) -> None:
        category = await create_category(session, family.household, name="Food")
        await session.commit()
        response = await client.patch(
            f"{family.base}/categories/{category.id}", json=payload, headers=family.headers()
        )
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
        stored = await reload(session, Category, category.id)
        assert isinstance(stored, Category)
        assert (stored.name, stored.is_income, stored.carry_overspending) == ("Food", False, False)


class TestMergeCategory:
    async def test_moves_everything_and_deletes_the_source(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        source = await create_category(session, family.household, name="Eating out")
        target = await create_category(session, family.household, name="Food")
        bystander = await create_category(session, family.household, name="Fuel")
        account = await create_account(session, family.household)
        moved = [
            await create_transaction(session, account, category_id=source.id, amount_minor=-500),
            await create_transaction(session, account, category_id=source.id, amount_minor=-700),
        ]
        kept = await create_transaction(
            session, account, category_id=bystander.id, amount_minor=-900
        )
        parent = await create_transaction(session, account, amount_minor=-1000, is_split=True)
        line_source = await create_split(session, parent, source, -400)
        line_bystander = await create_split(session, parent, bystander, -600)
        await assign_budget(session, source, date(2024, 2, 1), 1000)
        await assign_budget(session, source, date(2024, 3, 1), 2500)
        await assign_budget(session, target, date(2024, 3, 1), 4000)
        await assign_budget(session, target, date(2024, 4, 1), 100)
        await session.commit()
        versions = {t.id: t.version for t in moved}

        response = await client.post(
            f"{family.base}/categories/{source.id}/merge",
            json={"into_category_id": str(target.id)},
            headers=family.headers(family.adult),
        )

        assert response.status_code == 200
        body = response.json()
        assert body["category"]["id"] == str(target.id)
        assert (
            body["moved_transactions"],
            body["moved_split_lines"],
            body["moved_budget_months"],
        ) == (2, 1, 2)
        assert await reload(session, Category, source.id) is None
        for transaction in moved:
            stored = await reload(session, Transaction, transaction.id)
            assert isinstance(stored, Transaction)
            assert stored is not None
            assert stored.category_id == target.id
            assert stored.version == versions[transaction.id] + 1
        stored_kept = await reload(session, Transaction, kept.id)
        assert isinstance(stored_kept, Transaction)
        assert stored_kept.category_id == bystander.id
        lines = {
            s.id: s.category_id
            for s in (
                await session.scalars(
                    select(TransactionSplit)
                    .where(TransactionSplit.transaction_id == parent.id)
                    .execution_options(populate_existing=True)
                )
            ).all()
        }
        assert lines == {line_source.id: target.id, line_bystander.id: bystander.id}
        budgets = {
            (b.category_id, b.month): b.assigned_minor
            for b in (
                await session.scalars(
                    select(BudgetAssignment)
                    .where(BudgetAssignment.household_id == family.household.id)
                    .execution_options(populate_existing=True)
                )
            ).all()
        }
        assert budgets == {
            (target.id, date(2024, 2, 1)): 1000,
            (target.id, date(2024, 3, 1)): 6500,
            (target.id, date(2024, 4, 1)): 100,
        }

    async def test_teen_is_403(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        source = await create_category(session, family.household)
        target = await create_category(session, family.household)
        await session.commit()
        response = await client.post(
            f"{family.base}/categories/{source.id}/merge",
            json={"into_category_id": str(target.id)},
            headers=family.headers(family.teen),
        )
        assert response.status_code == 403
        assert await reload(session, Category, source.id) is not None

    async def test_into_itself_is_422(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        source = await create_category(session, family.household)
        await session.commit()
        response = await client.post(
            f"{family.base}/categories/{source.id}/merge",
            json={"into_category_id": str(source.id)},
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "same_category"
        assert await reload(session, Category, source.id) is not None

    async def test_income_into_spending_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        pay = await create_category(session, family.household, is_income=True)
        food = await create_category(session, family.household)
        account = await create_account(session, family.household)
        salary = await create_transaction(session, account, category_id=pay.id, amount_minor=300000)
        await session.commit()
        response = await client.post(
            f"{family.base}/categories/{pay.id}/merge",
            json={"into_category_id": str(food.id)},
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "income_mismatch"
        assert await reload(session, Category, pay.id) is not None
        stored = await reload(session, Transaction, salary.id)
        assert isinstance(stored, Transaction)
        assert (stored.category_id, stored.version) == (pay.id, 1)

    async def test_missing_target_is_422(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        source = await create_category(session, family.household)
        await session.commit()
        response = await client.post(
            f"{family.base}/categories/{source.id}/merge", json={}, headers=family.headers()
        )
        assert response.status_code == 422
        assert response.json()["code"] == "validation_error"
