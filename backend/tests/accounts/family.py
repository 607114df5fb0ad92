"""A household with every role, shared and private accounts, and a second household to try to
reach into. Used by the accounts and transactions tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.config import Settings
from family_budget.models import Account, AccountKind, Category, Household, Role, User
from tests.factories import (
    add_member,
    auth_headers,
    create_account,
    create_category,
    create_household,
    create_user,
    share_account,
)


@dataclass
class Family:
    settings: Settings
    household: Household
    owner: User
    adult: User
    teen: User
    other_teen: User
    shared: Account  # shared with `teen`
    private: Account  # nobody shares it
    groceries: Category
    dining: Category
    outsider: User
    other_household: Household
    other_account: Account
    other_category: Category

    @property
    def base(self) -> str:
        return f"/api/v1/households/{self.household.id}"

    def headers(self, user: User | None = None) -> dict[str, str]:
        return auth_headers(self.settings, user or self.owner)


async def arrange_family(session: AsyncSession, settings: Settings) -> Family:
    owner = await create_user(session)
    household = await create_household(session, owner=owner)
    adult = await create_user(session)
    teen = await create_user(session)
    other_teen = await create_user(session)
    await add_member(session, household, adult, Role.ADULT)
    await add_member(session, household, teen, Role.TEEN)
    await add_member(session, household, other_teen, Role.TEEN)
    shared = await create_account(session, household, name="Pocket money", kind=AccountKind.CASH)
    private = await create_account(session, household, name="Joint checking")
    await share_account(session, shared, teen)
    groceries = await create_category(session, household, name="Groceries")
    dining = await create_category(session, household, name="Dining out")

    outsider = await create_user(session)
    other_household = await create_household(session, owner=outsider)
    other_account = await create_account(session, other_household, name="Theirs")
    other_category = await create_category(session, other_household, name="Their groceries")
    await session.commit()
    return Family(
        settings=settings,
        household=household,
        owner=owner,
        adult=adult,
        teen=teen,
        other_teen=other_teen,
        shared=shared,
        private=private,
        groceries=groceries,
        dining=dining,
        outsider=outsider,
        other_household=other_household,
        other_account=other_account,
        other_category=other_category,
    )
