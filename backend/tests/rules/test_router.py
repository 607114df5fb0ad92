"""The rules routes: CRUD and order, "apply to existing" and "always do this", each with the other
household's rules and transactions present (tests/arrange.py gives them rules matching our
factories' payee)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import ActivityTotal, Rule, Transaction, TransactionTag
from tests.arrange import Family
from tests.factories import create_category, create_split, create_transaction


def _rule(family: Family, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Corner shop is groceries",
        "conditions": {"payee": {"match": "contains", "value": "corner"}},
        "actions": {"category_id": str(family.groceries.id)},
    }
    body.update(overrides)
    return body


async def _create(client: httpx.AsyncClient, family: Family, **overrides: Any) -> dict[str, Any]:
    response = await client.post(
        f"{family.base}/rules", json=_rule(family, **overrides), headers=family.headers()
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _names(client: httpx.AsyncClient, family: Family) -> list[str]:
    response = await client.get(f"{family.base}/rules", headers=family.headers())
    assert response.status_code == 200
    return [rule["name"] for rule in response.json()]


class TestCreateRule:
    async def test_valid_rule_is_listed_with_everything_it_holds(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        created = await _create(
            client,
            family,
            conditions={
                "payee": {"match": "equals", "value": "Corner Shop"},
                "memo_contains": "weekly",
                "min_amount_minor": -5_000,
                "max_amount_minor": -100,
                "account_id": str(family.private.id),
            },
            actions={"category_id": str(family.dining.id), "payee": "Corner", "tags": ["food"]},
        )
        assert created["position"] == 0
        assert created["enabled"] is True
        assert created["conditions"] == {
            "payee": {"match": "equals", "value": "Corner Shop"},
            "memo_contains": "weekly",
            "min_amount_minor": -5_000,
            "max_amount_minor": -100,
            "account_id": str(family.private.id),
        }
        assert created["actions"] == {
            "category_id": str(family.dining.id),
            "payee": "Corner",
            "tags": ["food"],
        }
        listed = await client.get(f"{family.base}/rules", headers=family.headers())
        assert listed.json() == [created]

    async def test_new_rules_go_last(self, client: httpx.AsyncClient, family: Family) -> None:
        for name in ("one", "two", "three"):
            await _create(client, family, name=name)
        assert await _names(client, family) == ["one", "two", "three"]

    @pytest.mark.parametrize(
        ("conditions", "actions"),
        [
            ({}, {"tags": ["x"]}),  # no condition
            ({"payee": {"match": "contains", "value": "corner"}}, {"tags": []}),  # no action
            ({"payee": {"match": "contains", "value": "#12 -"}}, {"tags": ["x"]}),  # no letter
            ({"min_amount_minor": 10, "max_amount_minor": 5}, {"tags": ["x"]}),
            ({"payee": {"match": "regex", "value": "a.*"}}, {"tags": ["x"]}),
            ({"min_amount_minor": "10"}, {"tags": ["x"]}),
        ],
    )
    async def test_invalid_rules_are_422(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        conditions: dict[str, Any],
        actions: dict[str, Any],
    ) -> None:
        response = await client.post(
            f"{family.base}/rules",
            json=_rule(family, conditions=conditions, actions=actions),
            headers=family.headers(),
        )
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "validation_error"
        assert await _names(client, family) == []

    async def test_teen_cannot_read_or_write_rules(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        await _create(client, family)
        headers = family.headers(family.teen)
        assert (await client.get(f"{family.base}/rules", headers=headers)).status_code == 403
        response = await client.post(f"{family.base}/rules", json=_rule(family), headers=headers)
        assert response.status_code == 403


class TestUpdateAndDeleteRule:
    async def test_patch_replaces_conditions_and_keeps_the_rest(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        created = await _create(client, family)
        response = await client.patch(
            f"{family.base}/rules/{created['id']}",
            json={"enabled": False, "conditions": {"memo_contains": "rent"}},
            headers=family.headers(),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["enabled"] is False
        assert body["name"] == created["name"]
        assert body["actions"] == created["actions"]
        assert body["conditions"] == {
            "payee": None,
            "memo_contains": "rent",
            "min_amount_minor": None,
            "max_amount_minor": None,
            "account_id": None,
        }

    async def test_patch_with_null_is_422(self, client: httpx.AsyncClient, family: Family) -> None:
        created = await _create(client, family)
        response = await client.patch(
            f"{family.base}/rules/{created['id']}", json={"name": None}, headers=family.headers()
        )
        assert response.status_code == 422

    async def test_delete(self, client: httpx.AsyncClient, family: Family) -> None:
        created = await _create(client, family)
        url = f"{family.base}/rules/{created['id']}"
        assert (await client.delete(url, headers=family.headers())).status_code == 204
        response = await client.get(url, headers=family.headers())
        assert response.status_code == 404
        assert response.json()["code"] == "rule_not_found"


class TestReorderRules:
    async def test_new_order(self, client: httpx.AsyncClient, family: Family) -> None:
        ids = [(await _create(client, family, name=name))["id"] for name in ("a", "b", "c")]
        response = await client.put(
            f"{family.base}/rules/order",
            json={"rule_ids": [ids[2], ids[0], ids[1]]},
            headers=family.headers(),
        )
        assert response.status_code == 200, response.text
        assert [r["position"] for r in response.json()] == [0, 1, 2]
        assert await _names(client, family) == ["c", "a", "b"]

    @pytest.mark.parametrize("which", ["missing", "twice"])
    async def test_every_rule_once(
        self, client: httpx.AsyncClient, family: Family, which: str
    ) -> None:
        ids = [(await _create(client, family, name=name))["id"] for name in ("a", "b")]
        order = [ids[0]] if which == "missing" else [ids[0], ids[0], ids[1]]
        response = await client.put(
            f"{family.base}/rules/order", json={"rule_ids": order}, headers=family.headers()
        )
        assert response.status_code == 422
        assert response.json()["code"] == "incomplete_rule_order"
        assert await _names(client, family) == ["a", "b"]


async def _tags(session: AsyncSession, transaction_id: uuid.UUID) -> set[str]:
    return set(
        (
            await session.scalars(
                select(TransactionTag.tag).where(TransactionTag.transaction_id == transaction_id)
            )
        ).all()
    )


async def _fresh(session: AsyncSession, transaction_id: uuid.UUID) -> Transaction:
    return await session.get_one(Transaction, transaction_id, populate_existing=True)


async def _their_state(session: AsyncSession, family: Family) -> list[tuple[Any, ...]]:
    rows = await session.execute(
        select(Transaction.id, Transaction.payee, Transaction.category_id, Transaction.version)
        .where(Transaction.household_id == family.other.household.id)
        .order_by(Transaction.id)
    )
    tags = await session.execute(
        select(TransactionTag.transaction_id, TransactionTag.tag)
        .where(TransactionTag.household_id == family.other.household.id)
        .order_by(TransactionTag.transaction_id, TransactionTag.tag)
    )
    return [tuple(r) for r in rows.all()] + [tuple(t) for t in tags.all()]


async def _groceries_total(session: AsyncSession, family: Family, month: date) -> int:
    rows = await session.scalars(
        select(ActivityTotal.amount_minor).where(
            ActivityTotal.household_id == family.household.id,
            ActivityTotal.category_id == family.groceries.id,
            ActivityTotal.month == month,
        )
    )
    return sum(rows.all())


class TestApplyRule:
    async def test_dry_run_counts_and_changes_nothing_then_apply_changes_exactly_those(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        march = date(2024, 3, 1)
        # Matching: two uncategorized, one already right, one in dining; a transfer leg gets
        # only the tag; a split parent only the tag. Not matching: another payee.
        plain = await create_transaction(session, family.private, payee="CORNER SHOP #12")
        other_day = await create_transaction(
            session,
            family.shared,
            payee="Corner Shop",
            posted_on=date(2024, 4, 2),
            amount_minor=-300,
        )
        right = await create_transaction(
            session, family.private, payee="Corner shop", category_id=family.groceries.id
        )
        await session.execute(
            TransactionTag.__table__.insert().values(
                transaction_id=right.id, tag="shop", household_id=family.household.id
            )
        )
        dining = await create_transaction(
            session,
            family.private,
            payee="Corner Shop",
            category_id=family.dining.id,
            amount_minor=-700,
        )
        transfer = await create_transaction(
            session, family.private, payee="Corner Shop", transfer_id=uuid.uuid4()
        )
        split = await create_transaction(
            session, family.private, payee="Corner Shop", is_split=True
        )
        await create_split(session, split, family.dining, -1_000)
        await create_split(session, split, None, -250)
        elsewhere = await create_transaction(session, family.private, payee="Bakery")
        await session.commit()
        rule = await _create(
            client,
            family,
            actions={"category_id": str(family.groceries.id), "tags": ["shop"]},
        )
        theirs_before = await _their_state(session, family)
        groceries_before = await _groceries_total(session, family, march)
        assert groceries_before == -1_250  # `right`

        url = f"{family.base}/rules/{rule['id']}/apply"
        dry = await client.post(url, params={"dry_run": "true"}, headers=family.headers())

        assert dry.status_code == 200, dry.text
        body = dry.json()
        assert body["dry_run"] is True
        assert body["matched"] == 6
        assert body["changed"] == 5  # all but `right`
        sample = {item["transaction_id"]: item for item in body["sample"]}
        assert set(sample) == {str(t.id) for t in (plain, other_day, dining, transfer, split)}
        assert next(iter(body["sample"]))["transaction_id"] == str(other_day.id)  # newest first
        assert sample[str(dining.id)]["category_id"] == str(family.dining.id)
        assert sample[str(dining.id)]["new_category_id"] == str(family.groceries.id)
        assert sample[str(transfer.id)]["new_category_id"] is None
        assert sample[str(split.id)]["new_category_id"] is None
        assert sample[str(split.id)]["added_tags"] == ["shop"]
        assert (await _fresh(session, plain.id)).category_id is None
        assert await _tags(session, plain.id) == set()

        applied = await client.post(url, headers=family.headers())

        assert applied.status_code == 200, applied.text
        assert (applied.json()["matched"], applied.json()["changed"]) == (6, 5)
        for t in (plain, other_day, dining, right):
            fresh = await _fresh(session, t.id)
            assert fresh.category_id == family.groceries.id
        for t in (transfer, split, elsewhere):
            assert (await _fresh(session, t.id)).category_id is None
        assert (await _fresh(session, plain.id)).version == 2
        assert (await _fresh(session, right.id)).version == 1  # nothing to change
        for t in (plain, other_day, right, dining, transfer, split):
            assert await _tags(session, t.id) == {"shop"}
        assert await _tags(session, elsewhere.id) == set()
        # March: right, plain and dining (-1250 - 1250 - 700); the split's lines are its own.
        assert await _groceries_total(session, family, march) == -3_200
        assert await _groceries_total(session, family, date(2024, 4, 1)) == -300
        assert await _their_state(session, family) == theirs_before

        again = await client.post(url, headers=family.headers())
        assert (again.json()["matched"], again.json()["changed"]) == (6, 0)

    async def test_payee_action_and_amount_and_account_conditions(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        small = await create_transaction(
            session, family.private, payee="AMZN Mktp", amount_minor=-999
        )
        large = await create_transaction(
            session, family.private, payee="AMZN Mktp", amount_minor=-1_001
        )
        other_account = await create_transaction(
            session, family.shared, payee="AMZN Mktp", amount_minor=-999
        )
        await session.commit()
        rule = await _create(
            client,
            family,
            conditions={
                "payee": {"match": "contains", "value": "amzn"},
                "min_amount_minor": -1_000,
                "account_id": str(family.private.id),
            },
            actions={"payee": "Amazon"},
        )
        response = await client.post(
            f"{family.base}/rules/{rule['id']}/apply", headers=family.headers()
        )
        assert (response.json()["matched"], response.json()["changed"]) == (1, 1)
        assert (await _fresh(session, small.id)).payee == "Amazon"
        assert (await _fresh(session, large.id)).payee == "AMZN Mktp"
        assert (await _fresh(session, other_account.id)).payee == "AMZN Mktp"


class TestRuleFromTransaction:
    async def test_creates_a_first_payee_equals_rule_once(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await _create(client, family, name="older")
        transaction = await create_transaction(session, family.shared, payee="Blue Bottle")
        await session.commit()
        url = f"{family.base}/rules/from-transaction"
        body = {"transaction_id": str(transaction.id), "category_id": str(family.dining.id)}

        first = await client.post(url, json=body, headers=family.headers())

        assert first.status_code == 201, first.text
        rule = first.json()
        assert rule["conditions"]["payee"] == {"match": "equals", "value": "Blue Bottle"}
        assert rule["actions"] == {"category_id": str(family.dining.id), "payee": None, "tags": []}
        assert await _names(client, family) == ["Blue Bottle", "older"]

        await _create(client, family, name="newest")
        again = await client.post(
            url,
            json={**body, "category_id": str(family.groceries.id)},
            headers=family.headers(),
        )
        assert again.status_code == 200, again.text
        assert again.json()["id"] == rule["id"]
        assert again.json()["actions"]["category_id"] == str(family.groceries.id)
        assert await _names(client, family) == ["Blue Bottle", "older", "newest"]

    async def test_a_transaction_without_payee_is_422(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(session, family.shared, payee="")
        await session.commit()
        response = await client.post(
            f"{family.base}/rules/from-transaction",
            json={"transaction_id": str(transaction.id), "category_id": str(family.dining.id)},
            headers=family.headers(),
        )
        assert response.status_code == 422
        assert response.json()["code"] == "transaction_has_no_payee"


async def test_merging_a_category_repoints_its_rules(
    client: httpx.AsyncClient, session: AsyncSession, family: Family
) -> None:
    rule = await _create(client, family, actions={"category_id": str(family.dining.id)})
    response = await client.post(
        f"{family.base}/categories/{family.dining.id}/merge",
        json={"into_category_id": str(family.groceries.id)},
        headers=family.headers(),
    )
    assert response.status_code == 200, response.text
    fresh = await session.get_one(Rule, uuid.UUID(rule["id"]), populate_existing=True)
    assert fresh.set_category_id == family.groceries.id
    their_rule = await session.get_one(Rule, family.other.rule.id, populate_existing=True)
    assert their_rule.set_category_id == family.other.groceries.id


async def test_a_rule_goes_with_its_account(
    client: httpx.AsyncClient, session: AsyncSession, family: Family
) -> None:
    account_category = await create_category(session, family.household, family.group, name="X")
    await session.commit()
    rule = await _create(
        client,
        family,
        conditions={"account_id": str(family.shared.id)},
        actions={"category_id": str(account_category.id)},
    )
    await session.delete(family.shared)
    await session.commit()
    assert await session.get(Rule, uuid.UUID(rule["id"]), populate_existing=True) is None
