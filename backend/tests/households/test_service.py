from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.config import Settings
from family_budget.errors import Conflict, NotFound
from family_budget.households import service
from family_budget.households.context import HouseholdContext
from family_budget.models import Household, Invitation, Role, User
from family_budget.security import hash_token
from tests.arrange import Family
from tests.factories import (
    add_member,
    create_account,
    create_split,
    create_transaction,
    create_user,
)
from tests.households.helpers import make_invitation, role_of

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


class TestInvitationAcceptUrl:
    @pytest.mark.parametrize("base", ["https://app.example.com", "https://app.example.com/"])
    def test_one_slash_between_base_and_path(self, base: str) -> None:
        assert (
            service.invitation_accept_url(base, "abc-_123")
            == "https://app.example.com/invitations/accept?token=abc-_123"
        )


class TestInvitationEmail:
    def test_renders_the_shared_template_and_escapes_names(self) -> None:
        invitation = Invitation(email="kid@example.com", role=Role.TEEN)
        household = Household(name="<b>Smiths</b>", currency="USD")
        inviter = User(name="Olive & Co", email="o@example.com", password_hash="x")
        message = service.invitation_email(
            invitation=invitation,
            inviter=inviter,
            household=household,
            accept_url="https://app.example.com/invitations/accept?token=t0k",
        )
        assert message.to == "kid@example.com"
        assert message.template == "household_invitation"
        assert message.subject == "Olive & Co invited you to <b>Smiths</b> on Family Budget"
        assert "https://app.example.com/invitations/accept?token=t0k" in message.text
        assert 'href="https://app.example.com/invitations/accept?token=t0k"' in message.html
        assert "&lt;b&gt;Smiths&lt;/b&gt;" in message.html
        assert "<b>Smiths</b>" not in message.html


class TestCreateInvitation:
    async def test_expires_after_seven_days_and_hides_the_token(
        self, session: AsyncSession, family: Family, settings: Settings
    ) -> None:
        household, owner = family.household, family.owner
        created = await service.create_invitation(
            session,
            settings,
            household=HouseholdContext.for_system(household),
            inviter=owner,
            email="  Guest@Example.com ",
            role=Role.ADULT,
            now=NOW,
        )
        invitation = created.invitation
        assert invitation.email == "guest@example.com"
        assert invitation.expires_at == NOW + timedelta(days=7)
        assert invitation.token_hash == hash_token(created.token)
        assert len(created.token) >= 43
        assert created.token not in repr(created)

    async def test_tokens_differ_between_invitations(
        self, session: AsyncSession, family: Family, settings: Settings
    ) -> None:
        household, owner = family.household, family.owner
        tokens = {
            (
                await service.create_invitation(
                    session,
                    settings,
                    household=HouseholdContext.for_system(household),
                    inviter=owner,
                    email=f"guest{n}@example.com",
                    role=Role.TEEN,
                    now=NOW,
                )
            ).token
            for n in range(3)
        }
        assert len(tokens) == 3


class TestAcceptInvitation:
    async def test_expiry_is_exclusive(self, session: AsyncSession, family: Family) -> None:
        household = family.household
        guest = await create_user(session, email="guest@example.com")
        _, token = await make_invitation(session, household, "guest@example.com", expires_at=NOW)

        with pytest.raises(NotFound):
            await service.accept_invitation(session, user=guest, token=token, now=NOW)
        joined, membership = await service.accept_invitation(
            session, user=guest, token=token, now=NOW - timedelta(microseconds=1)
        )
        assert joined.id == household.id
        assert membership.role is Role.ADULT

    async def test_second_claim_fails(self, session: AsyncSession, family: Family) -> None:
        household = family.household
        guest = await create_user(session, email="guest@example.com")
        _, token = await make_invitation(session, household, "guest@example.com", Role.TEEN)
        await service.accept_invitation(session, user=guest, token=token)
        with pytest.raises(NotFound):
            await service.accept_invitation(session, user=guest, token=token)
        assert await role_of(session, household.id, guest.id) is Role.TEEN


class TestUpdateHousehold:
    async def test_split_transactions_also_lock_the_currency(
        self, session: AsyncSession, family: Family
    ) -> None:
        household = family.household
        transaction = await create_transaction(session, await create_account(session, household))
        await create_split(session, transaction, None, transaction.amount_minor)
        with pytest.raises(Conflict) as raised:
            await service.update_household(
                session, HouseholdContext.for_system(household), name=None, currency="EUR"
            )
        assert raised.value.code == "currency_locked"
        assert household.currency == "USD"

    async def test_nothing_given_changes_nothing(
        self, session: AsyncSession, family: Family
    ) -> None:
        household = family.household
        await service.update_household(
            session, HouseholdContext.for_system(household), name=None, currency=None
        )
        assert (household.name, household.currency) == ("Home", "USD")


class TestChangeMemberRole:
    async def test_two_owners_cannot_both_step_down(
        self, session: AsyncSession, family: Family
    ) -> None:
        household, first = family.household, family.owner
        second = await create_user(session)
        await add_member(session, household, second, Role.OWNER)
        await service.change_member_role(
            session, HouseholdContext.for_system(household), first.id, Role.ADULT
        )
        with pytest.raises(Conflict) as raised:
            await service.change_member_role(
                session, HouseholdContext.for_system(household), second.id, Role.TEEN
            )
        assert raised.value.code == "last_owner"
        assert await role_of(session, household.id, second.id) is Role.OWNER
