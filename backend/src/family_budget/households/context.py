"""HouseholdContext: how every service is told which household it works on, and for whom.

A request builds one from the caller's membership (family_budget.deps resolves it once per
request); background work (the worker, the CLI) builds one for the system, which acts with an
owner's reach and no user. Services take this one type, never a bare id or the model alone, so
that the rules that depend on who acts (a teen sees only shared accounts) have what they need.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from family_budget.errors import Forbidden
from family_budget.models import Household, Membership, Role, User


@dataclass(frozen=True, slots=True)
class HouseholdContext:
    household: Household
    role: Role
    # None when the system acts (a scheduled job, an import run by the worker, the CLI).
    user: User | None = None

    @classmethod
    def for_member(
        cls, household: Household, membership: Membership, user: User
    ) -> HouseholdContext:
        return cls(household=household, role=membership.role, user=user)

    @classmethod
    def for_system(cls, household: Household) -> HouseholdContext:
        return cls(household=household, role=Role.OWNER)

    @property
    def id(self) -> uuid.UUID:
        return self.household.id

    @property
    def currency(self) -> str:
        return self.household.currency

    @property
    def user_id(self) -> uuid.UUID | None:
        return None if self.user is None else self.user.id

    @property
    def is_teen(self) -> bool:
        return self.role is Role.TEEN

    def require(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden(
                f"This needs the role {' or '.join(r.value for r in roles)} in this household",
                code="insufficient_role",
            )
