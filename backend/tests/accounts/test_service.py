from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.accounts.service import (
    account_balance,
    get_account,
    require_account_in_household,
)
from family_budget.errors import NotFound, Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.models import Role, User
from family_budget.money import MAX_AMOUNT_MINOR
from family_budget.transactions.service import transfer_pair
from tests.arrange import Family

amounts = st.integers(min_value=-MAX_AMOUNT_MINOR, max_value=MAX_AMOUNT_MINOR)
amount_lists = st.lists(amounts, max_size=50)


class TestAccountBalance:
    @given(opening=amounts)
    def test_no_transactions_is_the_opening_balance(self, opening: int) -> None:
        assert account_balance(opening, []) == opening

    @given(opening=amounts, first=amount_lists, then=amount_lists)
    def test_is_additive_over_time(self, opening: int, first: list[int], then: list[int]) -> None:
        assert account_balance(opening, first + then) == account_balance(
            account_balance(opening, first), then
        )

    @given(opening=amounts, data=amount_lists, rng=st.randoms())
    def test_order_does_not_matter(self, opening: int, data: list[int], rng: random.Random) -> None:
        shuffled = list(data)
        rng.shuffle(shuffled)
        assert account_balance(opening, shuffled) == account_balance(opening, data)

    @given(
        openings=st.lists(amounts, min_size=2, max_size=5),
        spending=st.lists(st.tuples(st.integers(0, 4), amounts), max_size=30),
        transfers=st.lists(
            st.tuples(st.integers(0, 4), st.integers(0, 4), st.integers(1, MAX_AMOUNT_MINOR)),
            max_size=30,
        ),
    )
    def test_transfers_move_money_without_creating_it(
        self,
        openings: list[int],
        spending: list[tuple[int, int]],
        transfers: list[tuple[int, int, int]],
    ) -> None:
        n = len(openings)
        ledger: list[list[int]] = [[] for _ in range(n)]
        for account, amount in spending:
            ledger[account % n].append(amount)
        for source, destination, amount in transfers:
            if source % n == destination % n:
                continue
            outflow, inflow = transfer_pair(amount)
            ledger[source % n].append(outflow)
            ledger[destination % n].append(inflow)

        total = sum(account_balance(o, rows) for o, rows in zip(openings, ledger, strict=True))

        assert total == sum(openings) + sum(amount for _, amount in spending)


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
