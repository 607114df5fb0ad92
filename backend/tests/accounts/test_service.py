from __future__ import annotations

import uuid
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.accounts.service import (
    account_details,
    get_account,
    list_accounts,
    require_account_in_household,
)
from family_budget.errors import NotFound, Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.models import Role, Transaction, User
from family_budget.money import MAX_AMOUNT_MINOR
from family_budget.transactions.service import transfer_pair
from tests.arrange import Family

amounts = st.integers(min_value=-MAX_AMOUNT_MINOR, max_value=MAX_AMOUNT_MINOR)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    openings=st.tuples(amounts, amounts),
    spending=st.lists(st.tuples(st.integers(0, 1), amounts), max_size=20),
    transfers=st.lists(
        st.tuples(st.booleans(), st.integers(1, MAX_AMOUNT_MINOR)),
        max_size=10,
    ),
)
async def test_balances_from_sql_are_opening_plus_every_transaction(
    session: AsyncSession,
    family: Family,
    openings: tuple[int, int],
    spending: list[tuple[int, int]],
    transfers: list[tuple[bool, int]],
) -> None:
    """The balances the API reads (one account, and the list) come from SQL; they must equal
    the plain rule, summed here in Python: the opening balance plus every transaction of the
    account, transfers included, and nothing of another account or household."""
    accounts = [family.private, family.shared]
    for account in accounts:
        # A rolled-back example leaves them expired; load them again outside any lazy load.
        await session.refresh(account)
    ids = [account.id for account in accounts]
    expected = list(openings)
    rows: list[Transaction] = []
    for which, amount in spending:
        rows.append(_row(family, ids[which], amount))
        expected[which] += amount
    for to_shared, amount in transfers:
        source, destination = (0, 1) if to_shared else (1, 0)
        outflow, inflow = transfer_pair(amount)
        transfer_id = uuid.uuid4()
        rows.append(_row(family, ids[source], outflow, transfer_id))
        rows.append(_row(family, ids[destination], inflow, transfer_id))
        expected[source] += outflow
        expected[destination] += inflow
    savepoint = await session.begin_nested()
    try:
        for account, opening in zip(accounts, openings, strict=True):
            account.opening_balance_minor = opening
        session.add_all(rows)
        await session.flush()

        listed = await list_accounts(session, family.context(), include_archived=True)
        one = [await account_details(session, family.context(), a) for a in accounts]

        assert {d.account.id: d.balance_minor for d in listed} == dict(
            zip(ids, expected, strict=True)
        )
        assert [d.balance_minor for d in one] == expected
    finally:
        await savepoint.rollback()


def _row(
    family: Family, account_id: uuid.UUID, amount: int, transfer_id: uuid.UUID | None = None
) -> Transaction:
    return Transaction(
        household_id=family.household.id,
        account_id=account_id,
        posted_on=date(2024, 3, 15),
        amount_minor=amount,
        transfer_id=transfer_id,
    )


def _context(family: Family, user: User, role: Role) -> HouseholdContext:
    return HouseholdContext(family.household, role, user)


class TestAccountLookups:
    async def test_adult_gets_any_account_of_the_household(
        self, session: AsyncSession, family: Family
    ) -> None:
        adult = _context(family, family.adult, Role.ADULT)
        assert (await get_account(session, adult, family.private.id)).id == family.private.id
        found = await require_account_in_household(session, adult, family.shared.id)
        assert found.id == family.shared.id

    async def test_teen_gets_only_shared_accounts(
        self, session: AsyncSession, family: Family
    ) -> None:
        teen = _context(family, family.teen, Role.TEEN)
        assert (await get_account(session, teen, family.shared.id)).id == family.shared.id
        with pytest.raises(NotFound) as not_found:
            await get_account(session, teen, family.private.id)
        assert not_found.value.code == "account_not_found"
        with pytest.raises(Unprocessable) as unknown:
            await require_account_in_household(session, teen, family.private.id)
        assert unknown.value.code == "unknown_account"
