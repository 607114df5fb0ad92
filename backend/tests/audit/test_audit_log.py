"""The household audit log: what is recorded, who may read it, and that nobody can rewrite it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import AuditEvent, Household
from tests.arrange import Family
from tests.factories import auth_headers, create_transaction


async def events(client: httpx.AsyncClient, family: Family, **params: Any) -> dict[str, Any]:
    response = await client.get(
        f"{family.base}/audit-events", params=params, headers=family.headers()
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def summary(page: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (item["action"], item["actor_name"], item["target_label"], item["details"])
        for item in page["items"]
    ]


class TestRecording:
    async def test_account_changes_are_recorded_with_who_and_what(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        adult = family.headers(family.adult)
        created = await client.post(
            f"{family.base}/accounts",
            json={"name": "Rainy day", "kind": "savings", "opening_balance_minor": 50_000},
            headers=adult,
        )
        assert created.status_code == 201, created.text
        account = f"{family.base}/accounts/{created.json()['id']}"
        renamed = await client.patch(account, json={"name": "Holidays"}, headers=adult)
        assert renamed.status_code == 200
        # A PATCH that changes nothing is not an event.
        await client.patch(account, json={"name": "Holidays"}, headers=adult)
        await client.post(f"{account}/archive", headers=adult)
        await client.post(f"{account}/archive", headers=adult)
        await client.delete(account, headers=adult)

        page = await events(client, family)

        assert summary(page) == [
            ("account.deleted", "Adam Adult", "Holidays", {}),
            ("account.archived", "Adam Adult", "Holidays", {}),
            ("account.updated", "Adam Adult", "Holidays", {"name": ["Rainy day", "Holidays"]}),
            (
                "account.created",
                "Adam Adult",
                "Rainy day",
                {
                    "name": "Rainy day",
                    "kind": "savings",
                    "currency": "USD",
                    "opening_balance_minor": 50_000,
                    "opened_on": created.json()["opened_on"],
                    "shared_with_user_ids": [],
                },
            ),
        ]
        assert {item["actor_id"] for item in page["items"]} == {str(family.adult.id)}

    async def test_memberships_invitations_budget_and_exports(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        owner = family.headers()
        promoted = await client.patch(
            f"{family.base}/members/{family.teen.id}", json={"role": "adult"}, headers=owner
        )
        assert promoted.status_code == 200
        invited = await client.post(
            f"{family.base}/invitations",
            json={"email": "grandma@example.com", "role": "adult"},
            headers=owner,
        )
        assert invited.status_code == 201, invited.text
        await client.delete(f"{family.base}/invitations/{invited.json()['id']}", headers=owner)
        await client.delete(f"{family.base}/members/{family.other_teen.id}", headers=owner)
        left = await client.delete(
            f"{family.base}/members/{family.adult.id}", headers=family.headers(family.adult)
        )
        assert left.status_code == 204
        assigned = await client.put(
            f"{family.base}/budgets/2024-05/{family.groceries.id}",
            json={"assigned_minor": 40_000},
            headers=owner,
        )
        assert assigned.status_code == 200, assigned.text
        exported = await client.post(
            f"{family.base}/exports",
            json={"kind": "transactions_csv", "from": "2024-01-01", "to": "2024-03-31"},
            headers=owner,
        )
        assert exported.status_code == 202, exported.text

        actions = summary(await events(client, family))

        assert [(action, actor, label) for action, actor, label, _ in actions] == [
            ("export.requested", "Olive Owner", exported_filename(actions)),
            ("budget.assigned", "Olive Owner", "Groceries"),
            ("member.left", "Adam Adult", "Adam Adult"),
            ("member.removed", "Olive Owner", "Theo Teen"),
            ("invitation.revoked", "Olive Owner", "grandma@example.com"),
            ("invitation.created", "Olive Owner", "grandma@example.com"),
            ("member.role_changed", "Olive Owner", "Tess Teen"),
        ]
        details = [detail for *_, detail in actions]
        assert details[0] == {"kind": "transactions_csv", "from": "2024-01-01", "to": "2024-03-31"}
        assert details[1] == {"month": "2024-05-01", "assigned_minor": 40_000}
        assert details[2] == {"role": "adult"}
        assert details[3] == {"role": "teen"}
        assert details[5] == {"role": "adult"}
        assert details[6] == {"role": ["teen", "adult"]}

    async def test_moving_money_quick_assign_and_targets(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        owner = family.headers()
        await client.put(
            f"{family.base}/budgets/2024-05/{family.groceries.id}",
            json={"assigned_minor": 10_000},
            headers=owner,
        )
        moved = await client.post(
            f"{family.base}/budgets/2024-05/move",
            json={
                "from_category_id": str(family.groceries.id),
                "to_category_id": None,
                "amount_minor": 2_500,
            },
            headers=owner,
        )
        assert moved.status_code == 200, moved.text
        target = f"{family.base}/categories/{family.dining.id}/target"
        set_target = await client.put(
            target, json={"kind": "monthly", "amount_minor": 8_000}, headers=owner
        )
        assert set_target.status_code == 200, set_target.text
        funded = await client.post(
            f"{family.base}/budgets/2024-05/quick-assign",
            json={"strategy": "fund_targets"},
            headers=owner,
        )
        assert funded.status_code == 200, funded.text
        await client.delete(target, headers=owner)
        await client.delete(target, headers=owner)  # no target left: nothing to record

        actions = [(a, label, d) for a, _, label, d in summary(await events(client, family))]

        assert actions[:4] == [
            ("budget.target_cleared", "Dining out", {}),
            (
                "budget.quick_assigned",
                "May 2024",
                {"month": "2024-05-01", "strategy": "fund_targets", "changed_count": 1},
            ),
            (
                "budget.target_set",
                "Dining out",
                {"kind": "monthly", "amount_minor": 8_000, "month": None},
            ),
            (
                "budget.moved",
                "Groceries → To assign",
                {"month": "2024-05-01", "amount_minor": 2_500},
            ),
        ]

    async def test_a_refused_change_records_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await create_transaction(session, family.private, amount_minor=-1_000)
        await session.commit()

        refused = await client.delete(
            f"{family.base}/accounts/{family.private.id}", headers=family.headers()
        )

        assert refused.status_code == 409
        assert (await events(client, family))["items"] == []


def exported_filename(actions: list[tuple[str, str, str, dict[str, Any]]]) -> str:
    """The export's label is its file name, which the export service chooses."""
    label = actions[0][2]
    assert label.endswith(".csv")
    return label


class TestReading:
    async def test_only_this_households_events_newest_first_in_pages(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        other_owner = auth_headers(family.settings, family.other.owner)
        for name in ("First", "Second", "Third"):
            mine = await client.post(
                f"{family.base}/accounts",
                json={"name": name, "kind": "cash"},
                headers=family.headers(),
            )
            assert mine.status_code == 201
            theirs = await client.post(
                f"{family.other.base}/accounts",
                json={"name": f"Their {name}", "kind": "cash"},
                headers=other_owner,
            )
            assert theirs.status_code == 201

        first = await events(client, family, limit=2)
        rest = await events(client, family, limit=2, before_id=first["next_before_id"])

        assert [item["target_label"] for item in first["items"]] == ["Third", "Second"]
        assert [item["target_label"] for item in rest["items"]] == ["First"]
        assert rest["next_before_id"] is None

    @pytest.mark.parametrize("role", ["adult", "teen"])
    async def test_only_owners_read_it(
        self, client: httpx.AsyncClient, family: Family, role: str
    ) -> None:
        response = await client.get(
            f"{family.base}/audit-events", headers=family.headers(family.member(role))
        )
        assert (response.status_code, response.json()["code"]) == (403, "insufficient_role")

    async def test_a_non_member_sees_nothing_there(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        response = await client.get(f"{family.other.base}/audit-events", headers=family.headers())
        assert response.status_code == 404

    @pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"before_id": 0}])
    async def test_bad_paging(
        self, client: httpx.AsyncClient, family: Family, params: dict[str, int]
    ) -> None:
        response = await client.get(
            f"{family.base}/audit-events", params=params, headers=family.headers()
        )
        assert response.status_code == 422


class TestAppendOnly:
    async def _one_event(self, client: httpx.AsyncClient, family: Family) -> None:
        created = await client.post(
            f"{family.base}/accounts",
            json={"name": "Kept", "kind": "cash"},
            headers=family.headers(),
        )
        assert created.status_code == 201

    async def test_the_database_refuses_to_rewrite_or_delete_an_event(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await self._one_event(client, family)
        for statement in (
            update(AuditEvent).values(actor_name="Someone else"),
            delete(AuditEvent),
        ):
            with pytest.raises(DBAPIError, match="append-only"):
                async with session.begin_nested():
                    await session.execute(
                        statement.where(AuditEvent.household_id == family.household.id)
                    )
        count = await session.scalar(
            select(func.count()).where(AuditEvent.household_id == family.household.id)
        )
        assert count == 1

    async def test_deleting_the_household_takes_its_events(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await self._one_event(client, family)
        if session.get_bind().dialect.name == "sqlite":
            assert await session.scalar(text("PRAGMA foreign_keys")) == 1

        await session.execute(delete(Household).where(Household.id == family.household.id))

        remaining = await session.scalar(
            select(func.count()).where(AuditEvent.household_id == family.household.id)
        )
        assert remaining == 0
