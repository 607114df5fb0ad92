"""apply_rules_to_new_rows: the contract the import and the bank sync rely on, with the other
household's rules (which match these payees) present."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.models import PayeeMatch, Rule
from family_budget.rules.service import apply_rules_to_new_rows
from tests.arrange import Family


def _row(family: Family, payee: str, amount_minor: int = -500, **extra: Any) -> dict[str, Any]:
    row = {
        "id": uuid.uuid4(),
        "account_id": family.private.id,
        "payee": payee,
        "memo": "",
        "amount_minor": amount_minor,
        "category_id": None,
    }
    row.update(extra)
    return row


async def test_rules_fill_new_rows_in_place_and_return_their_tags(
    session: AsyncSession, family: Family
) -> None:
    session.add_all(
        [
            Rule(
                household_id=family.household.id,
                position=0,
                name="Shop",
                payee_match=PayeeMatch.CONTAINS,
                payee_value="corner",
                set_category_id=family.groceries.id,
                set_payee="Corner",
                add_tags=["shop"],
            ),
            Rule(
                household_id=family.household.id,
                position=1,
                name="Off",
                enabled=False,
                min_amount_minor=-1_000_000,
                add_tags=["never"],
            ),
        ]
    )
    await session.flush()
    plain = _row(family, "CORNER SHOP")
    decided = _row(family, "Corner Shop", category_id=family.dining.id)
    split = _row(family, "Corner Shop", is_split=True)
    transfer = _row(family, "Corner Shop", transfer_id=uuid.uuid4())
    other = _row(family, "Bakery")

    tags = await apply_rules_to_new_rows(
        session, family.household.id, [plain, decided, split, transfer, other]
    )

    assert [row["category_id"] for row in (plain, decided, split, transfer, other)] == [
        family.groceries.id,
        family.dining.id,
        None,
        None,
        None,
    ]
    assert [row["payee"] for row in (plain, decided, split, transfer, other)] == [
        "Corner",
        "Corner",
        "Corner",
        "Corner",
        "Bakery",
    ]
    assert sorted((t["transaction_id"], t["tag"]) for t in tags) == sorted(
        (row["id"], "shop") for row in (plain, decided, split, transfer)
    )
    assert {t["household_id"] for t in tags} == {family.household.id}


async def test_without_rules_nothing_changes(session: AsyncSession, family: Family) -> None:
    # The other household's rules match this payee and every outflow; ours are none.
    row = _row(family, "Corner Shop")
    before = dict(row)
    assert await apply_rules_to_new_rows(session, family.household.id, [row]) == []
    assert row == before
