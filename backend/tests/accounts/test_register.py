"""The account register (running balances, pages, cleared balances), the cleared toggle,
reconciling, and the guard on reconciled transactions."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.accounts.register import read_register
from family_budget.models import Account, ClearedState, Reconciliation, Transaction
from family_budget.money import MAX_AMOUNT_MINOR
from tests.arrange import Family
from tests.factories import create_transaction

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

# (posted_on, amount_minor, cleared), in the order they are entered. Entered out of date order
# and with two rows on one day, so date order and entry order both decide.
ENTERED = [
    (date(2024, 3, 5), -1_250, ClearedState.CLEARED),
    (date(2024, 3, 1), 250_000, ClearedState.CLEARED),
    (date(2024, 3, 5), -4_599, ClearedState.UNCLEARED),
    (date(2024, 3, 20), -80_000, ClearedState.CLEARED),
    (date(2024, 2, 28), 1_000, ClearedState.RECONCILED),
    (date(2024, 3, 5), -333, ClearedState.CLEARED),
    (date(2024, 4, 2), -7_777, ClearedState.UNCLEARED),
]
OPENING = 50_000


async def _enter(session: AsyncSession, account: Account) -> list[Transaction]:
    """ENTERED on `account`, with entry times one second apart in list order."""
    account.opening_balance_minor = OPENING
    rows = []
    for index, (posted_on, amount, cleared) in enumerate(ENTERED):
        rows.append(
            await create_transaction(
                session,
                account,
                posted_on=posted_on,
                amount_minor=amount,
                cleared=cleared,
                created_at=EPOCH + timedelta(seconds=index),
            )
        )
    return rows


def _expected_register(rows: list[Transaction]) -> list[tuple[str, int]]:
    """The independent model: newest first, each row's opening balance plus the amounts of the
    rows entered before it on earlier days or the same day."""
    indexed = list(enumerate(ENTERED))
    expected = []
    for index, (posted_on, _, _) in indexed:
        earlier = sum(
            amount
            for other, (other_on, amount, _) in indexed
            if (other_on, other) <= (posted_on, index)
        )
        expected.append(((posted_on, index), str(rows[index].id), OPENING + earlier))
    expected.sort(reverse=True)
    return [(row_id, balance) for _, row_id, balance in expected]


async def _their_money(session: AsyncSession, family: Family) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in await session.execute(
            select(
                Transaction.id, Transaction.amount_minor, Transaction.cleared, Transaction.version
            )
            .where(Transaction.household_id == family.other.household.id)
            .order_by(Transaction.id)
        )
    ]


async def _our_rows(session: AsyncSession, account: Account) -> list[tuple[Any, ...]]:
    return [
        tuple(row)
        for row in await session.execute(
            select(Transaction.id, Transaction.amount_minor, Transaction.cleared)
            .where(Transaction.account_id == account.id)
            .order_by(Transaction.id)
            .execution_options(populate_existing=True)
        )
    ]


async def _mixed_money(session: AsyncSession, family: Family) -> list[Transaction]:
    """Our rows on the private account, our shared account's money in the same months, their
    money in the same months (always there)."""
    rows = await _enter(session, family.private)
    await create_transaction(
        session, family.shared, posted_on=date(2024, 3, 5), amount_minor=-99, cleared="cleared"
    )
    await session.commit()
    return rows


class TestRegister:
    async def test_running_balance_on_every_page(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        rows = await _mixed_money(session, family)

        seen: list[tuple[str, int]] = []
        cursor = None
        pages = 0
        while True:
            params: dict[str, Any] = {"limit": 3}
            if cursor:
                params["cursor"] = cursor
            response = await client.get(
                f"{family.base}/accounts/{family.private.id}/register",
                params=params,
                headers=family.headers(),
            )
            assert response.status_code == 200, response.text
            body = response.json()
            seen += [(item["id"], item["running_balance_minor"]) for item in body["items"]]
            pages += 1
            cursor = body["next_cursor"]
            if cursor is None:
                break

        assert pages == 3
        assert seen == _expected_register(rows)

    async def test_balances_and_last_reconciliation(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await _mixed_money(session, family)

        response = await client.get(
            f"{family.base}/accounts/{family.private.id}/register", headers=family.headers()
        )

        body = response.json()
        cleared = OPENING + sum(a for _, a, c in ENTERED if c is not ClearedState.UNCLEARED)
        uncleared = sum(a for _, a, c in ENTERED if c is ClearedState.UNCLEARED)
        assert body["cleared_balance_minor"] == cleared
        assert body["uncleared_balance_minor"] == uncleared
        assert body["balance_minor"] == OPENING + sum(a for _, a, _ in ENTERED)
        assert body["last_reconciliation"] is None
        assert body["items"][0]["running_balance_minor"] == body["balance_minor"]
        by_id = {item["id"]: item["cleared"] for item in body["items"]}
        assert sorted(by_id.values()) == sorted(c.value for _, _, c in ENTERED)

    async def test_bad_cursor_is_400(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.get(
            f"{family.base}/accounts/{family.private.id}/register",
            params={"cursor": "bm90IGEgY3Vyc29y"},
            headers=family.headers(),
        )

        assert response.status_code == 400
        assert response.json()["code"] == "invalid_cursor"

    async def test_teen_sees_only_shared_accounts(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await _mixed_money(session, family)

        shared = await client.get(
            f"{family.base}/accounts/{family.shared.id}/register",
            headers=family.headers(family.teen),
        )
        private = await client.get(
            f"{family.base}/accounts/{family.private.id}/register",
            headers=family.headers(family.teen),
        )
        not_shared = await client.get(
            f"{family.base}/accounts/{family.shared.id}/register",
            headers=family.headers(family.other_teen),
        )

        assert shared.status_code == 200
        assert [i["running_balance_minor"] for i in shared.json()["items"]] == [-99]
        assert (private.status_code, private.json()["code"]) == (404, "account_not_found")
        assert not_shared.status_code == 404

    async def test_non_member_and_foreign_account_are_404(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        stranger = await client.get(
            f"{family.base}/accounts/{family.private.id}/register",
            headers=family.headers(family.other.owner),
        )
        theirs = await client.get(
            f"{family.base}/accounts/{family.other.checking.id}/register",
            headers=family.headers(),
        )

        assert (stranger.status_code, stranger.json()["code"]) == (404, "household_not_found")
        assert (theirs.status_code, theirs.json()["code"]) == (404, "account_not_found")


amounts = st.integers(min_value=-MAX_AMOUNT_MINOR, max_value=MAX_AMOUNT_MINOR)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    opening=amounts,
    entered=st.lists(
        st.tuples(st.integers(0, 3), amounts, st.sampled_from(list(ClearedState))), max_size=10
    ),
    page_size=st.integers(1, 4),
)
async def test_running_and_cleared_balances_match_the_plain_sums(
    session: AsyncSession,
    family: Family,
    opening: int,
    entered: list[tuple[int, int, ClearedState]],
    page_size: int,
) -> None:
    """Whatever the amounts, days and page size: each row's running balance is the opening
    balance plus every row up to it (by day, then entry), summed here in Python, and the cleared
    and uncleared balances split the balance by state."""
    account = family.private
    await session.refresh(account)
    savepoint = await session.begin_nested()
    try:
        account.opening_balance_minor = opening
        rows = [
            Transaction(
                id=uuid.uuid4(),
                household_id=family.household.id,
                account_id=account.id,
                posted_on=date(2024, 3, 1) + timedelta(days=day),
                amount_minor=amount,
                cleared=cleared,
                created_at=EPOCH + timedelta(seconds=index),
            )
            for index, (day, amount, cleared) in enumerate(entered)
        ]
        session.add_all(rows)
        await session.flush()

        seen: list[tuple[uuid.UUID, int]] = []
        cursor = None
        while True:
            page = await read_register(session, account, limit=page_size, cursor=cursor)
            seen += [(row.transaction.id, row.running_balance_minor) for row in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break

        order = sorted(range(len(entered)), key=lambda i: (entered[i][0], i), reverse=True)
        expected = [
            (
                rows[i].id,
                opening
                + sum(
                    entered[j][1]
                    for j in range(len(entered))
                    if (entered[j][0], j) <= (entered[i][0], i)
                ),
            )
            for i in order
        ]
        assert seen == expected
        cleared = sum(a for _, a, c in entered if c is not ClearedState.UNCLEARED)
        uncleared = sum(a for _, a, c in entered if c is ClearedState.UNCLEARED)
        assert (
            page.balances.cleared_balance_minor,
            page.balances.uncleared_balance_minor,
            page.balances.balance_minor,
        ) == (opening + cleared, uncleared, opening + cleared + uncleared)
    finally:
        await savepoint.rollback()


class TestCleared:
    async def test_toggle(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        rows = await _mixed_money(session, family)
        uncleared = rows[2]

        response = await client.put(
            f"{family.base}/accounts/{family.private.id}/register/{uncleared.id}/cleared",
            json={"cleared": "cleared"},
            headers=family.headers(family.adult),
        )

        assert response.status_code == 200
        assert response.json()["cleared"] == "cleared"
        assert response.json()["version"] == 2
        await session.refresh(uncleared)
        assert uncleared.cleared is ClearedState.CLEARED

    async def test_reconciled_needs_confirmation(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        rows = await _mixed_money(session, family)
        url = f"{family.base}/accounts/{family.private.id}/register/{rows[4].id}/cleared"

        refused = await client.put(url, json={"cleared": "uncleared"}, headers=family.headers())
        confirmed = await client.put(
            url,
            json={"cleared": "uncleared"},
            params={"confirm_reconciled": "true"},
            headers=family.headers(),
        )

        assert (refused.status_code, refused.json()["code"]) == (409, "transaction_reconciled")
        assert confirmed.json()["cleared"] == "uncleared"

    async def test_cannot_set_reconciled_or_touch_another_account(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        rows = await _mixed_money(session, family)

        reconciled = await client.put(
            f"{family.base}/accounts/{family.private.id}/register/{rows[0].id}/cleared",
            json={"cleared": "reconciled"},
            headers=family.headers(),
        )
        elsewhere = await client.put(
            f"{family.base}/accounts/{family.shared.id}/register/{rows[0].id}/cleared",
            json={"cleared": "uncleared"},
            headers=family.headers(),
        )

        assert reconciled.status_code == 422
        assert (elsewhere.status_code, elsewhere.json()["code"]) == (404, "transaction_not_found")

    async def test_teen_cannot_toggle(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        row = await create_transaction(session, family.shared)
        await session.commit()

        response = await client.put(
            f"{family.base}/accounts/{family.shared.id}/register/{row.id}/cleared",
            json={"cleared": "cleared"},
            headers=family.headers(family.teen),
        )

        assert response.status_code == 403


class TestReconcile:
    async def test_preview_changes_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await _mixed_money(session, family)
        before = await _our_rows(session, family.private)

        response = await client.get(
            f"{family.base}/accounts/{family.private.id}/reconcile",
            params={"statement_balance_minor": 200_000, "statement_on": "2024-03-31"},
            headers=family.headers(),
        )

        # Cleared or reconciled up to March 31: everything but the two uncleared rows.
        cleared = OPENING - 1_250 + 250_000 - 80_000 + 1_000 - 333
        assert response.json() == {
            "statement_on": "2024-03-31",
            "statement_balance_minor": 200_000,
            "cleared_balance_minor": cleared,
            "difference_minor": 200_000 - cleared,
            "cleared_count": 4,
        }
        assert await _our_rows(session, family.private) == before

    async def test_matching_statement_reconciles_cleared_rows_up_to_its_day(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        rows = await _mixed_money(session, family)
        late = await create_transaction(
            session,
            family.private,
            posted_on=date(2024, 4, 3),
            amount_minor=-10,
            cleared=ClearedState.CLEARED,
        )
        await session.commit()
        theirs = await _their_money(session, family)
        statement = OPENING - 1_250 + 250_000 - 80_000 + 1_000 - 333

        response = await client.post(
            f"{family.base}/accounts/{family.private.id}/reconcile",
            json={"statement_balance_minor": statement, "statement_on": "2024-03-31"},
            headers=family.headers(family.adult),
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["adjustment_minor"], body["adjustment_transaction_id"]) == (0, None)
        assert body["reconciled_count"] == 4
        states = {row[0]: row[2] for row in await _our_rows(session, family.private)}
        expected = {
            rows[i].id: ClearedState.RECONCILED
            if c is not ClearedState.UNCLEARED
            else ClearedState.UNCLEARED
            for i, (_, _, c) in enumerate(ENTERED)
        }
        expected[late.id] = ClearedState.CLEARED
        assert states == expected
        recorded = (
            await session.execute(
                select(Reconciliation).where(Reconciliation.account_id == family.private.id)
            )
        ).scalar_one()
        assert (recorded.statement_on, recorded.statement_balance_minor) == (
            date(2024, 3, 31),
            statement,
        )
        assert (recorded.household_id, recorded.reconciled_by_id) == (
            family.household.id,
            family.adult.id,
        )
        assert await _their_money(session, family) == theirs
        register = await client.get(
            f"{family.base}/accounts/{family.private.id}/register", headers=family.headers()
        )
        last = register.json()["last_reconciliation"]
        assert (last["id"], last["statement_balance_minor"]) == (str(recorded.id), statement)

    async def test_difference_without_adjustment_changes_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await _mixed_money(session, family)
        before = await _our_rows(session, family.private)
        cleared = OPENING - 1_250 + 250_000 - 80_000 + 1_000 - 333

        response = await client.post(
            f"{family.base}/accounts/{family.private.id}/reconcile",
            json={"statement_balance_minor": cleared + 501, "statement_on": "2024-03-31"},
            headers=family.headers(),
        )

        assert response.status_code == 409
        assert response.json()["code"] == "reconciliation_difference"
        assert response.json()["difference_minor"] == 501
        assert await _our_rows(session, family.private) == before
        count = await session.scalar(select(func.count()).select_from(Reconciliation))
        assert count == 1  # theirs

    async def test_adjustment_books_the_difference(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        await _mixed_money(session, family)
        theirs = await _their_money(session, family)
        cleared = OPENING - 1_250 + 250_000 - 80_000 + 1_000 - 333

        response = await client.post(
            f"{family.base}/accounts/{family.private.id}/reconcile",
            json={
                "statement_balance_minor": cleared - 2_468,
                "statement_on": "2024-03-31",
                "create_adjustment": True,
            },
            headers=family.headers(),
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["adjustment_minor"] == -2_468
        adjustment = await session.get_one(
            Transaction,
            uuid.UUID(body["adjustment_transaction_id"]),
            populate_existing=True,
        )
        assert (adjustment.amount_minor, adjustment.payee, adjustment.posted_on) == (
            -2_468,
            "Reconciliation adjustment",
            date(2024, 3, 31),
        )
        assert adjustment.cleared is ClearedState.RECONCILED
        assert body["reconciled_count"] == 5
        again = await client.get(
            f"{family.base}/accounts/{family.private.id}/reconcile",
            params={"statement_balance_minor": cleared - 2_468, "statement_on": "2024-03-31"},
            headers=family.headers(),
        )
        assert again.json()["difference_minor"] == 0
        assert await _their_money(session, family) == theirs

    async def test_teen_cannot_reconcile(self, client: httpx.AsyncClient, family: Family) -> None:
        response = await client.post(
            f"{family.base}/accounts/{family.shared.id}/reconcile",
            json={"statement_balance_minor": 0},
            headers=family.headers(family.teen),
        )

        assert response.status_code == 403


class TestReconciledGuard:
    async def _reconciled(self, session: AsyncSession, family: Family) -> Transaction:
        row = await create_transaction(
            session, family.private, amount_minor=-500, cleared=ClearedState.RECONCILED
        )
        await session.commit()
        return row

    async def test_amount_change_needs_confirmation(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        row = await self._reconciled(session, family)
        url = f"{family.base}/transactions/{row.id}"
        headers = {**family.headers(), "If-Match": 'W/"1"'}

        refused = await client.patch(url, json={"amount_minor": -600}, headers=headers)
        await session.refresh(row)
        unchanged = (row.amount_minor, row.cleared)
        confirmed = await client.patch(
            url,
            json={"amount_minor": -600},
            params={"confirm_reconciled": "true"},
            headers=headers,
        )

        assert (refused.status_code, refused.json()["code"]) == (409, "transaction_reconciled")
        assert unchanged == (-500, ClearedState.RECONCILED)
        assert confirmed.status_code == 200, confirmed.text
        assert (confirmed.json()["amount_minor"], confirmed.json()["cleared"]) == (-600, "cleared")

    async def test_memo_change_keeps_it_reconciled(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        row = await self._reconciled(session, family)

        response = await client.patch(
            f"{family.base}/transactions/{row.id}",
            json={"memo": "checked", "amount_minor": -500},
            headers={**family.headers(), "If-Match": 'W/"1"'},
        )

        assert response.status_code == 200
        assert response.json()["cleared"] == "reconciled"

    async def test_delete_needs_confirmation(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        row = await self._reconciled(session, family)
        url = f"{family.base}/transactions/{row.id}"
        headers = {**family.headers(), "If-Match": 'W/"1"'}

        refused = await client.delete(url, headers=headers)
        still_there = await session.get(Transaction, row.id, populate_existing=True)
        confirmed = await client.delete(url, params={"confirm_reconciled": "true"}, headers=headers)

        assert (refused.status_code, refused.json()["code"]) == (409, "transaction_reconciled")
        assert still_there is not None
        assert confirmed.status_code == 204
