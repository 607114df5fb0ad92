"""A household with an owner, an adult and a teen, plus an outsider with a household of their own:
the cast of the categories, budgets and reports tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.config import Settings
from family_budget.models import Household, Role, User
from tests.factories import add_member, auth_headers, create_household, create_user


@dataclass(frozen=True)
class Family:
    household: Household
    owner: User
    adult: User
    teen: User
    other_household: Household
    outsider: User
    settings: Settings

    @property
    def base(self) -> str:
        return f"/api/v1/households/{self.household.id}"

    @property
    def other_base(self) -> str:
        return f"/api/v1/households/{self.other_household.id}"

    def headers(self, role: str = "owner") -> dict[str, str]:
        user = {
            "owner": self.owner,
            "adult": self.adult,
            "teen": self.teen,
            "outsider": self.outsider,
        }[role]
        return auth_headers(self.settings, user)


async def make_family(session: AsyncSession, settings: Settings) -> Family:
    owner = await create_user(session)
    adult = await create_user(session)
    teen = await create_user(session)
    outsider = await create_user(session)
    household = await create_household(session, owner=owner, currency="USD")
    await add_member(session, household, adult, Role.ADULT)
    await add_member(session, household, teen, Role.TEEN)
    other_household = await create_household(session, owner=outsider, currency="USD")
    return Family(household, owner, adult, teen, other_household, outsider, settings)
