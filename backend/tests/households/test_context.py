"""HouseholdContext: who acts, with which reach."""

from __future__ import annotations

import pytest

from family_budget.errors import Forbidden
from family_budget.households.context import HouseholdContext
from family_budget.models import Household, Role, User


def test_the_system_acts_with_an_owners_reach_and_no_user() -> None:
    household = Household(name="Home", currency="EUR")
    system = HouseholdContext.for_system(household)
    assert (system.role, system.user, system.user_id) == (Role.OWNER, None, None)
    assert (system.currency, system.is_teen) == ("EUR", False)
    system.require(Role.OWNER)  # background work may do what an owner may


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.OWNER, True), (Role.ADULT, True), (Role.TEEN, False)],
)
def test_require_refuses_other_roles_with_403(role: Role, allowed: bool) -> None:
    member = HouseholdContext(Household(name="Home", currency="USD"), role, User(name="M"))
    assert member.is_teen is (role is Role.TEEN)
    if allowed:
        member.require(Role.OWNER, Role.ADULT)
        return
    with pytest.raises(Forbidden) as refused:
        member.require(Role.OWNER, Role.ADULT)
    assert (refused.value.code, refused.value.detail) == (
        "insufficient_role",
        "This needs the role owner or adult in this household",
    )
