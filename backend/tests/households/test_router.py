from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.categories.service import DEFAULT_CATEGORIES
from family_budget.config import Settings
from family_budget.models import (
    Account,
    AccountShare,
    Category,
    Household,
    Invitation,
    Membership,
    Role,
    Transaction,
    User,
)
from family_budget.models.base import utcnow
from family_budget.security import hash_token
from tests.arrange import Family
from tests.conftest import Emails
from tests.factories import (
    add_member,
    auth_headers,
    create_account,
    create_household,
    create_transaction,
    create_user,
    share_account,
)
from tests.households.helpers import (
    count,
    make_invitation,
    reload_invitation,
    role_of,
)
from tests.outbox import token_from_link

API = "/api/v1"
NOWHERE = "00000000-0000-0000-0000-000000000000"


def problem_code(response: httpx.Response) -> str:
    assert response.headers["content-type"] == "application/problem+json"
    code: str = response.json()["code"]
    return code


def error_fields(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert problem_code(response) == "validation_error"
    return {error["field"] for error in response.json()["errors"]}


class TestListHouseholds:
    async def test_lists_own_households_with_role(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        zebra = await create_household(session, name="Zebra home", currency="EUR")
        await add_member(session, zebra, user, Role.TEEN)
        apple = await create_household(session, owner=user, name="apple flat", currency="USD")
        await create_household(session, owner=await create_user(session), name="Not mine")
        await session.commit()

        response = await client.get(f"{API}/households", headers=auth_headers(settings, user))

        assert response.status_code == 200
        assert [(h["id"], h["name"], h["currency"], h["role"]) for h in response.json()] == [
            (str(apple.id), "apple flat", "USD", "owner"),
            (str(zebra.id), "Zebra home", "EUR", "teen"),
        ]

    async def test_no_households_is_empty_list(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        response = await client.get(f"{API}/households", headers=auth_headers(settings, user))
        assert response.status_code == 200
        assert response.json() == []

    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"{API}/households")
        assert response.status_code == 401
        assert problem_code(response) == "unauthorized"


class TestCreateHousehold:
    async def test_valid(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()

        response = await client.post(
            f"{API}/households",
            json={"name": "  The Smiths  ", "currency": "EUR"},
            headers=auth_headers(settings, user),
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["name"] == "The Smiths"
        assert body["currency"] == "EUR"
        assert body["role"] == "owner"
        household_id = uuid.UUID(body["id"])
        assert await role_of(session, household_id, user.id) is Role.OWNER
        assert await count(session, Membership, Membership.household_id == household_id) == 1
        expected_categories = sum(len(categories) for _, categories in DEFAULT_CATEGORIES)
        assert (
            await count(session, Category, Category.household_id == household_id)
            == expected_categories
        )

    async def test_invalid_body_is_422_and_creates_nothing(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
    ) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"name": "Home", "currency": "XYZ"}, "currency"),
            ({"name": "Home", "currency": "usd"}, "currency"),
            ({"name": "Home", "currency": "EURO"}, "currency"),
            ({"name": "", "currency": "USD"}, "name"),
            ({"name": "   ", "currency": "USD"}, "name"),
            ({"name": "x" * 201, "currency": "USD"}, "name"),
            ({"name": "Home\u0000", "currency": "USD"}, "name"),
            ({"name": 123, "currency": "USD"}, "name"),
            ({"name": "Home", "currency": 840}, "currency"),
            ({"name": "Home"}, "currency"),
            ({"currency": "USD"}, "name"),
            ({"name": "Home", "currency": "USD", "owner_id": NOWHERE}, "owner_id"),
        ]
        user = await create_user(session)
        await session.commit()
        before = await count(session, Household)

        for body, field in cases:
            response = await client.post(
                f"{API}/households", json=body, headers=auth_headers(settings, user)
            )

            assert error_fields(response) == {field}, body
            assert await count(session, Household) == before
            assert await count(session, Membership, Membership.user_id == user.id) == 0

    async def test_malformed_json_is_400(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        response = await client.post(
            f"{API}/households",
            content=b'{"name": "Home",',
            headers={**auth_headers(settings, user), "content-type": "application/json"},
        )
        assert response.status_code == 400
        assert problem_code(response) == "malformed_json"

    async def test_anonymous_is_401(self, client: httpx.AsyncClient, session: AsyncSession) -> None:
        before = await count(session, Household)
        response = await client.post(f"{API}/households", json={"name": "H", "currency": "USD"})
        assert response.status_code == 401
        assert await count(session, Household) == before


class TestGetHousehold:
    async def test_teen_member_gets_it_with_role(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, teen = family.household, family.teen
        household.currency = "GBP"
        await session.commit()

        response = await client.get(
            f"{API}/households/{household.id}", headers=auth_headers(settings, teen)
        )

        assert response.status_code == 200
        body = response.json()
        assert (body["id"], body["name"], body["currency"], body["role"]) == (
            str(household.id),
            "Home",
            "GBP",
            "teen",
        )

    async def test_unknown_and_malformed_ids(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        await session.commit()
        headers = auth_headers(settings, user)
        missing = await client.get(f"{API}/households/{NOWHERE}", headers=headers)
        assert missing.status_code == 404
        assert problem_code(missing) == "household_not_found"
        assert error_fields(await client.get(f"{API}/households/not-a-uuid", headers=headers)) == {
            "household_id"
        }


class TestUpdateHousehold:
    async def test_rename(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner = family.household, family.owner
        await create_transaction(session, await create_account(session, household))
        await session.commit()

        response = await client.patch(
            f"{API}/households/{household.id}",
            json={"name": "Casa Nuestra 🏡"},
            headers=auth_headers(settings, owner),
        )

        assert response.status_code == 200, response.text
        assert response.json()["name"] == "Casa Nuestra 🏡"
        assert response.json()["currency"] == "USD"
        await session.refresh(household)
        assert (household.name, household.currency) == ("Casa Nuestra 🏡", "USD")

    async def test_currency_changes_while_no_transactions(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner = family.household, family.owner
        await create_account(session, household)
        await session.commit()

        response = await client.patch(
            f"{API}/households/{household.id}",
            json={"currency": "JPY", "name": "Tokyo"},
            headers=auth_headers(settings, owner),
        )

        assert response.status_code == 200, response.text
        await session.refresh(household)
        assert (household.name, household.currency) == ("Tokyo", "JPY")

    async def test_currency_locked_once_there_are_transactions(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner = family.household, family.owner
        await create_transaction(session, await create_account(session, household))
        await session.commit()

        response = await client.patch(
            f"{API}/households/{household.id}",
            json={"name": "New name", "currency": "EUR"},
            headers=auth_headers(settings, owner),
        )

        assert response.status_code == 409
        assert problem_code(response) == "currency_locked"
        await session.refresh(household)
        assert (household.name, household.currency) == ("Home", "USD")

    async def test_same_currency_is_not_a_change(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner = family.household, family.owner
        await create_transaction(session, await create_account(session, household))
        await session.commit()
        response = await client.patch(
            f"{API}/households/{household.id}",
            json={"currency": "USD"},
            headers=auth_headers(settings, owner),
        )
        assert response.status_code == 200
        assert response.json()["currency"] == "USD"

    @pytest.mark.parametrize("role", [Role.ADULT, Role.TEEN])
    async def test_adult_or_teen_is_403(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        role: Role,
        family: Family,
    ) -> None:
        household, member = family.household, family.member(role)
        await session.commit()
        response = await client.patch(
            f"{API}/households/{household.id}",
            json={"name": "Mine now"},
            headers=auth_headers(settings, member),
        )
        assert response.status_code == 403
        assert problem_code(response) == "insufficient_role"
        await session.refresh(household)
        assert household.name == "Home"

    async def test_invalid_body_is_422_and_changes_nothing(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"name": None}, "name"),
            ({"currency": None}, "currency"),
            ({"name": ""}, "name"),
            ({"currency": "ABC"}, "currency"),
            ({"currency": ["USD"]}, "currency"),
            ({"name": {"en": "Home"}}, "name"),
            ({"colour": "blue"}, "colour"),
        ]
        household, owner = family.household, family.owner
        await session.commit()
        for body, field in cases:
            response = await client.patch(
                f"{API}/households/{household.id}", json=body, headers=auth_headers(settings, owner)
            )
            assert error_fields(response) == {field}, body
            await session.refresh(household)
            assert (household.name, household.currency) == ("Home", "USD")


class TestDeleteHousehold:
    async def test_owner_deletes_it_and_everything_in_it(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner, teen = family.household, family.owner, family.teen
        account = await create_account(session, household)
        await share_account(session, account, teen)
        await create_transaction(session, account)
        await make_invitation(session, household, "guest@example.com")
        other = family.other.household
        await create_transaction(session, await create_account(session, other))
        await session.commit()
        theirs = await count(session, Transaction, Transaction.household_id == other.id)

        response = await client.delete(
            f"{API}/households/{household.id}", headers=auth_headers(settings, owner)
        )

        assert response.status_code == 204
        assert response.content == b""
        assert await count(session, Household, Household.id == household.id) == 0
        assert await count(session, Membership, Membership.household_id == household.id) == 0
        assert await count(session, Account, Account.household_id == household.id) == 0
        assert await count(session, Transaction, Transaction.household_id == household.id) == 0
        assert await count(session, Invitation, Invitation.household_id == household.id) == 0
        assert await count(session, AccountShare, AccountShare.user_id == teen.id) == 0
        assert await count(session, Transaction, Transaction.household_id == other.id) == theirs
        gone = await client.get(
            f"{API}/households/{household.id}", headers=auth_headers(settings, owner)
        )
        assert gone.status_code == 404

    @pytest.mark.parametrize("role", [Role.ADULT, Role.TEEN])
    async def test_adult_or_teen_is_403(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        role: Role,
        family: Family,
    ) -> None:
        household, member = family.household, family.member(role)
        await session.commit()
        response = await client.delete(
            f"{API}/households/{household.id}", headers=auth_headers(settings, member)
        )
        assert response.status_code == 403
        assert problem_code(response) == "insufficient_role"
        assert await count(session, Household, Household.id == household.id) == 1


class TestListMembers:
    async def test_any_member_sees_everyone(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household = await create_household(session)
        owner = await create_user(session, name="Olive Owner", email="olive@example.com")
        teen = await create_user(session, name="Tim Teen", email="tim@example.com")
        joined_owner = await add_member(session, household, owner, Role.OWNER)
        joined_owner.created_at = utcnow() - timedelta(days=30)
        joined_teen = await add_member(session, household, teen, Role.TEEN)

        await session.commit()

        response = await client.get(
            f"{API}/households/{household.id}/members", headers=auth_headers(settings, teen)
        )

        assert response.status_code == 200
        members = response.json()
        assert [(m["user_id"], m["name"], m["email"], m["role"]) for m in members] == [
            (str(owner.id), "Olive Owner", "olive@example.com", "owner"),
            (str(teen.id), "Tim Teen", "tim@example.com", "teen"),
        ]
        assert [datetime.fromisoformat(m["joined_at"]) for m in members] == [
            joined_owner.created_at,
            joined_teen.created_at,
        ]


class TestUpdateMember:
    async def test_owner_promotes_adult(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner, adult = family.household, family.owner, family.adult
        await session.commit()

        response = await client.patch(
            f"{API}/households/{household.id}/members/{adult.id}",
            json={"role": "owner"},
            headers=auth_headers(settings, owner),
        )

        assert response.status_code == 200, response.text
        assert response.json()["user_id"] == str(adult.id)
        assert response.json()["role"] == "owner"
        assert await role_of(session, household.id, adult.id) is Role.OWNER

    async def test_owner_may_step_down_when_another_owner_remains(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner = family.household, family.owner
        co_owner = await create_user(session)
        await add_member(session, household, co_owner, Role.OWNER)
        await session.commit()
        response = await client.patch(
            f"{API}/households/{household.id}/members/{owner.id}",
            json={"role": "adult"},
            headers=auth_headers(settings, owner),
        )
        assert response.status_code == 200
        assert await role_of(session, household.id, owner.id) is Role.ADULT
        assert await role_of(session, household.id, co_owner.id) is Role.OWNER

    @pytest.mark.parametrize("new_role", ["adult", "teen"])
    async def test_last_owner_cannot_be_demoted(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        new_role: str,
        family: Family,
    ) -> None:
        household, owner = family.household, family.owner
        await session.commit()
        response = await client.patch(
            f"{API}/households/{household.id}/members/{owner.id}",
            json={"role": new_role},
            headers=auth_headers(settings, owner),
        )
        assert response.status_code == 409
        assert problem_code(response) == "last_owner"
        assert await role_of(session, household.id, owner.id) is Role.OWNER

    async def test_last_owner_keeping_owner_role_is_fine(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner = family.household, family.owner
        await session.commit()
        response = await client.patch(
            f"{API}/households/{household.id}/members/{owner.id}",
            json={"role": "owner"},
            headers=auth_headers(settings, owner),
        )
        assert response.status_code == 200
        assert response.json()["role"] == "owner"

    @pytest.mark.parametrize("role", [Role.ADULT, Role.TEEN])
    async def test_adult_or_teen_is_403(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        role: Role,
        family: Family,
    ) -> None:
        household, member, teen = family.household, family.member(role), family.other_teen
        await session.commit()
        response = await client.patch(
            f"{API}/households/{household.id}/members/{teen.id}",
            json={"role": "adult"},
            headers=auth_headers(settings, member),
        )
        assert response.status_code == 403
        assert problem_code(response) == "insufficient_role"
        assert await role_of(session, household.id, teen.id) is Role.TEEN

    async def test_invalid_body_is_422(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"role": "admin"}, "role"),
            ({"role": "OWNER"}, "role"),
            ({"role": 1}, "role"),
            ({}, "role"),
            ({"role": "teen", "name": "x"}, "name"),
        ]
        household, owner, adult = family.household, family.owner, family.adult
        await session.commit()
        for body, field in cases:
            response = await client.patch(
                f"{API}/households/{household.id}/members/{adult.id}",
                json=body,
                headers=auth_headers(settings, owner),
            )
            assert error_fields(response) == {field}, body
            assert await role_of(session, household.id, adult.id) is Role.ADULT


class TestRemoveMember:
    async def test_owner_removes_member_and_their_shares_here(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner, teen = family.household, family.owner, family.teen
        shared_here = await create_account(session, household)
        await share_account(session, shared_here, teen)
        elsewhere = await create_household(session)
        await add_member(session, elsewhere, teen, Role.TEEN)
        shared_elsewhere = await create_account(session, elsewhere)
        await share_account(session, shared_elsewhere, teen)
        await session.commit()

        response = await client.delete(
            f"{API}/households/{household.id}/members/{teen.id}",
            headers=auth_headers(settings, owner),
        )

        assert response.status_code == 204
        assert await role_of(session, household.id, teen.id) is None
        shares = (
            await session.scalars(
                select(AccountShare.account_id).where(AccountShare.user_id == teen.id)
            )
        ).all()
        assert shares == [shared_elsewhere.id]
        assert await role_of(session, elsewhere.id, teen.id) is Role.TEEN
        after = await client.get(
            f"{API}/households/{household.id}", headers=auth_headers(settings, teen)
        )
        assert after.status_code == 404

    @pytest.mark.parametrize("role", [Role.ADULT, Role.TEEN])
    async def test_member_leaves(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        role: Role,
        family: Family,
    ) -> None:
        household, owner, member = family.household, family.owner, family.member(role)
        await session.commit()
        response = await client.delete(
            f"{API}/households/{household.id}/members/{member.id}",
            headers=auth_headers(settings, member),
        )
        assert response.status_code == 204
        assert await role_of(session, household.id, member.id) is None
        assert await role_of(session, household.id, owner.id) is Role.OWNER

    async def test_owner_leaves_when_another_owner_remains(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner = family.household, family.owner
        co_owner = await create_user(session)
        await add_member(session, household, co_owner, Role.OWNER)
        await session.commit()
        response = await client.delete(
            f"{API}/households/{household.id}/members/{owner.id}",
            headers=auth_headers(settings, owner),
        )
        assert response.status_code == 204
        assert await role_of(session, household.id, owner.id) is None
        assert await role_of(session, household.id, co_owner.id) is Role.OWNER

    async def test_owner_removes_another_owner(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner = family.household, family.owner
        co_owner = await create_user(session)
        await add_member(session, household, co_owner, Role.OWNER)
        await session.commit()
        response = await client.delete(
            f"{API}/households/{household.id}/members/{co_owner.id}",
            headers=auth_headers(settings, owner),
        )
        assert response.status_code == 204
        assert await role_of(session, household.id, co_owner.id) is None

    @pytest.mark.parametrize("alone", [True, False])
    async def test_last_owner_cannot_leave(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        alone: bool,
        family: Family,
    ) -> None:
        household, owner = family.household, family.owner
        if alone:
            await session.execute(
                delete(Membership).where(
                    Membership.household_id == household.id, Membership.user_id != owner.id
                )
            )
        await session.commit()
        members = await count(session, Membership, Membership.household_id == household.id)
        response = await client.delete(
            f"{API}/households/{household.id}/members/{owner.id}",
            headers=auth_headers(settings, owner),
        )
        assert response.status_code == 409
        assert problem_code(response) == "last_owner"
        assert await role_of(session, household.id, owner.id) is Role.OWNER
        assert members == (1 if alone else 4)
        assert await count(session, Membership, Membership.household_id == household.id) == members

    @pytest.mark.parametrize("role", [Role.ADULT, Role.TEEN])
    async def test_adult_or_teen_removing_someone_else_is_403(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        role: Role,
        family: Family,
    ) -> None:
        household, owner, member = family.household, family.owner, family.member(role)
        adult = await create_user(session)  # another adult, never the one acting
        await add_member(session, household, adult, Role.ADULT)
        await session.commit()
        for target in (owner, adult):
            response = await client.delete(
                f"{API}/households/{household.id}/members/{target.id}",
                headers=auth_headers(settings, member),
            )
            assert response.status_code == 403
            assert problem_code(response) == "insufficient_role"
        # Our four members and the second adult, all still there.
        assert await count(session, Membership, Membership.household_id == household.id) == 5


class TestCreateInvitation:
    async def test_valid_sends_the_link_by_email(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        emails: Emails,
        caplog: pytest.LogCaptureFixture,
        family: Family,
    ) -> None:
        caplog.set_level(logging.DEBUG)
        household, owner = family.household, family.owner
        household.name = "The Smiths"
        owner.name = "Olive"
        await session.commit()
        before = utcnow()

        response = await client.post(
            f"{API}/households/{household.id}/invitations",
            json={"email": "Kid.Smith@Example.COM", "role": "teen"},
            headers=auth_headers(settings, owner),
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["email"] == "kid.smith@example.com"
        assert body["role"] == "teen"
        assert body["invited_by_id"] == str(owner.id)
        assert set(body) == {"id", "email", "role", "invited_by_id", "expires_at", "created_at"}
        invitation = await reload_invitation(session, uuid.UUID(body["id"]))
        assert invitation.household_id == household.id
        assert invitation.expires_at - invitation.created_at == timedelta(days=7)
        assert invitation.created_at >= before
        assert (invitation.accepted_at, invitation.revoked_at) == (None, None)

        [email] = await emails()
        assert email["to"] == "kid.smith@example.com"
        assert email["template"] == "household_invitation"
        assert email["subject"] == "Olive invited you to The Smiths on Family Budget"
        token = token_from_link(email["text"], settings.public_app_url)
        assert token_from_link(email["html"], settings.public_app_url) == token
        # Stored by hash only; the clear token is in the email and nowhere else.
        assert invitation.token_hash == hash_token(token)
        assert token not in response.text
        for record in caplog.records:
            assert token not in record.getMessage()
            assert token not in repr(record.__dict__)

    async def test_already_member_is_409_whatever_the_case(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        emails: Emails,
        family: Family,
    ) -> None:
        household, owner, adult = family.household, family.owner, family.adult
        await session.commit()
        response = await client.post(
            f"{API}/households/{household.id}/invitations",
            json={"email": adult.email.upper(), "role": "adult"},
            headers=auth_headers(settings, owner),
        )
        assert response.status_code == 409
        assert problem_code(response) == "already_member"
        assert await count(session, Invitation, Invitation.household_id == household.id) == 0
        assert (await emails()) == []

    async def test_member_of_another_household_can_be_invited(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        emails: Emails,
        family: Family,
    ) -> None:
        household, owner = family.household, family.owner
        elsewhere = family.other.owner
        await session.commit()
        response = await client.post(
            f"{API}/households/{household.id}/invitations",
            json={"email": elsewhere.email, "role": "owner"},
            headers=auth_headers(settings, owner),
        )
        assert response.status_code == 201
        assert response.json()["role"] == "owner"
        [email] = await emails()
        assert email["to"] == elsewhere.email
        # ... and joins: being a member elsewhere is no reason to refuse.
        accepted = await client.post(
            f"{API}/invitations/accept",
            json={"token": token_from_link(email["text"], settings.public_app_url)},
            headers=auth_headers(settings, elsewhere),
        )
        assert accepted.status_code == 200, accepted.text
        assert await role_of(session, household.id, elsewhere.id) is Role.OWNER
        assert await role_of(session, family.other.household.id, elsewhere.id) is Role.OWNER

    async def test_pending_invitation_is_409(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        emails: Emails,
        family: Family,
    ) -> None:
        household, owner = family.household, family.owner
        await make_invitation(session, household, "guest@example.com")
        await session.commit()
        response = await client.post(
            f"{API}/households/{household.id}/invitations",
            json={"email": "GUEST@example.com", "role": "adult"},
            headers=auth_headers(settings, owner),
        )
        assert response.status_code == 409
        assert problem_code(response) == "invitation_pending"
        assert await count(session, Invitation, Invitation.household_id == household.id) == 1
        assert (await emails()) == []

    async def test_expired_revoked_or_accepted_invitations_do_not_block(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        emails: Emails,
        family: Family,
    ) -> None:
        household, owner = family.household, family.owner
        now = utcnow()
        await make_invitation(
            session, household, "guest@example.com", expires_at=now - timedelta(seconds=1)
        )
        await make_invitation(session, household, "guest@example.com", revoked_at=now)
        await make_invitation(session, household, "guest@example.com", accepted_at=now)
        other = family.other.household
        await make_invitation(session, other, "guest@example.com")
        await session.commit()
        response = await client.post(
            f"{API}/households/{household.id}/invitations",
            json={"email": "guest@example.com", "role": "adult"},
            headers=auth_headers(settings, owner),
        )
        assert response.status_code == 201, response.text
        assert len(await emails()) == 1

    @pytest.mark.parametrize("role", [Role.ADULT, Role.TEEN])
    async def test_adult_or_teen_is_403(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        emails: Emails,
        role: Role,
        family: Family,
    ) -> None:
        household, member = family.household, family.member(role)
        await session.commit()
        response = await client.post(
            f"{API}/households/{household.id}/invitations",
            json={"email": "friend@example.com", "role": "teen"},
            headers=auth_headers(settings, member),
        )
        assert response.status_code == 403
        assert problem_code(response) == "insufficient_role"
        assert await count(session, Invitation, Invitation.household_id == household.id) == 0
        assert (await emails()) == []

    async def test_invalid_body_is_422(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        emails: Emails,
        family: Family,
    ) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"email": "not-an-email", "role": "adult"}, "email"),
            ({"email": "a@b", "role": "adult"}, "email"),
            ({"email": "", "role": "adult"}, "email"),
            ({"email": 42, "role": "adult"}, "email"),
            ({"email": "friend@example.com", "role": "admin"}, "role"),
            ({"email": "friend@example.com"}, "role"),
            ({"email": "friend@example.com", "role": "adult", "token": "x"}, "token"),
        ]
        household, owner = family.household, family.owner
        await session.commit()
        for body, field in cases:
            response = await client.post(
                f"{API}/households/{household.id}/invitations",
                json=body,
                headers=auth_headers(settings, owner),
            )
            assert error_fields(response) == {field}, body
            assert await count(session, Invitation, Invitation.household_id == household.id) == 0
            assert (await emails()) == []


class TestListInvitations:
    async def test_lists_pending_only(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner = family.household, family.owner
        now = utcnow()
        first, _ = await make_invitation(
            session, household, "first@example.com", Role.TEEN, created_at=now - timedelta(hours=2)
        )
        second, _ = await make_invitation(
            session, household, "second@example.com", Role.OWNER, created_at=now
        )
        await make_invitation(session, household, "late@example.com", expires_at=now)
        await make_invitation(session, household, "gone@example.com", revoked_at=now)
        await make_invitation(session, household, "joined@example.com", accepted_at=now)
        other = family.other.household
        await make_invitation(session, other, "elsewhere@example.com")
        await session.commit()

        response = await client.get(
            f"{API}/households/{household.id}/invitations", headers=auth_headers(settings, owner)
        )

        assert response.status_code == 200
        assert [(i["id"], i["email"], i["role"]) for i in response.json()] == [
            (str(first.id), "first@example.com", "teen"),
            (str(second.id), "second@example.com", "owner"),
        ]

    @pytest.mark.parametrize("role", [Role.ADULT, Role.TEEN])
    async def test_adult_or_teen_is_403(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        role: Role,
        family: Family,
    ) -> None:
        household, member = family.household, family.member(role)
        await session.commit()
        response = await client.get(
            f"{API}/households/{household.id}/invitations", headers=auth_headers(settings, member)
        )
        assert response.status_code == 403
        assert problem_code(response) == "insufficient_role"


class TestRevokeInvitation:
    async def test_revoked_link_stops_working(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner = family.household, family.owner
        guest = await create_user(session, email="guest@example.com")
        invitation, token = await make_invitation(session, household, "guest@example.com")
        await session.commit()

        response = await client.delete(
            f"{API}/households/{household.id}/invitations/{invitation.id}",
            headers=auth_headers(settings, owner),
        )

        assert response.status_code == 204
        assert (await reload_invitation(session, invitation.id)).revoked_at is not None
        accept = await client.post(
            f"{API}/invitations/accept",
            json={"token": token},
            headers=auth_headers(settings, guest),
        )
        assert accept.status_code == 404
        assert problem_code(accept) == "invitation_not_found"
        assert await role_of(session, household.id, guest.id) is None

    async def test_not_pending_is_404(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, owner = family.household, family.owner
        now = utcnow()
        accepted, _ = await make_invitation(session, household, "a@example.com", accepted_at=now)
        revoked, _ = await make_invitation(session, household, "r@example.com", revoked_at=now)
        expired, _ = await make_invitation(session, household, "e@example.com", expires_at=now)
        await session.commit()
        for invitation in (accepted, revoked, expired):
            response = await client.delete(
                f"{API}/households/{household.id}/invitations/{invitation.id}",
                headers=auth_headers(settings, owner),
            )
            assert response.status_code == 404
            assert problem_code(response) == "invitation_not_found"
        assert (await reload_invitation(session, accepted.id)).revoked_at is None

    @pytest.mark.parametrize("role", [Role.ADULT, Role.TEEN])
    async def test_adult_or_teen_is_403(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        role: Role,
        family: Family,
    ) -> None:
        household, member = family.household, family.member(role)
        invitation, _ = await make_invitation(session, household, "guest@example.com")
        await session.commit()
        response = await client.delete(
            f"{API}/households/{household.id}/invitations/{invitation.id}",
            headers=auth_headers(settings, member),
        )
        assert response.status_code == 403
        assert problem_code(response) == "insufficient_role"
        assert (await reload_invitation(session, invitation.id)).revoked_at is None


class TestAcceptInvitation:
    async def _invite(
        self,
        client: httpx.AsyncClient,
        settings: Settings,
        emails: Emails,
        household: Household,
        owner: User,
        email: str,
        role: str,
    ) -> str:
        response = await client.post(
            f"{API}/households/{household.id}/invitations",
            json={"email": email, "role": role},
            headers=auth_headers(settings, owner),
        )
        assert response.status_code == 201, response.text
        [message] = [e for e in (await emails()) if e["to"] == email.lower()]
        return token_from_link(message["text"], settings.public_app_url)

    async def test_invited_person_joins_with_the_role(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        emails: Emails,
        family: Family,
    ) -> None:
        household, owner = family.household, family.owner
        household.name, household.currency = "The Smiths", "CAD"
        kid = await create_user(session, email="kid@example.com")
        await session.commit()
        token = await self._invite(
            client, settings, emails, household, owner, "Kid@Example.com", "teen"
        )

        response = await client.post(
            f"{API}/invitations/accept", json={"token": token}, headers=auth_headers(settings, kid)
        )

        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["id"], body["name"], body["currency"], body["role"]) == (
            str(household.id),
            "The Smiths",
            "CAD",
            "teen",
        )
        assert await role_of(session, household.id, kid.id) is Role.TEEN
        invitation = (
            await session.execute(
                select(Invitation)
                .where(Invitation.token_hash == hash_token(token))
                .execution_options(populate_existing=True)
            )
        ).scalar_one()
        assert invitation.accepted_at is not None
        members = await client.get(
            f"{API}/households/{household.id}/members", headers=auth_headers(settings, kid)
        )
        assert {m["user_id"] for m in members.json()} == {
            str(user.id) for user in (owner, family.adult, family.teen, family.other_teen, kid)
        }

    async def test_token_is_single_use(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household = family.household
        guest = await create_user(session, email="guest@example.com")
        _, token = await make_invitation(session, household, "guest@example.com", Role.ADULT)
        await session.commit()
        headers = auth_headers(settings, guest)

        first = await client.post(
            f"{API}/invitations/accept", json={"token": token}, headers=headers
        )
        assert first.status_code == 200
        # Leaving and re-using the same link does not get the guest back in.
        left = await client.delete(
            f"{API}/households/{household.id}/members/{guest.id}", headers=headers
        )
        assert left.status_code == 204
        again = await client.post(
            f"{API}/invitations/accept", json={"token": token}, headers=headers
        )
        assert again.status_code == 404
        assert problem_code(again) == "invitation_not_found"
        assert await role_of(session, household.id, guest.id) is None

    async def test_expired_is_404(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household = family.household
        guest = await create_user(session, email="guest@example.com")
        invitation, token = await make_invitation(
            session, household, "guest@example.com", expires_at=utcnow() - timedelta(seconds=1)
        )
        await session.commit()
        response = await client.post(
            f"{API}/invitations/accept",
            json={"token": token},
            headers=auth_headers(settings, guest),
        )
        assert response.status_code == 404
        assert problem_code(response) == "invitation_not_found"
        assert await role_of(session, household.id, guest.id) is None
        assert (await reload_invitation(session, invitation.id)).accepted_at is None

    async def test_someone_elses_invitation_is_404_and_stays_pending(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household = family.household
        guest = await create_user(session, email="guest@example.com")
        intruder = await create_user(session, email="intruder@example.com")
        invitation, token = await make_invitation(session, household, "guest@example.com")
        await session.commit()

        stolen = await client.post(
            f"{API}/invitations/accept",
            json={"token": token},
            headers=auth_headers(settings, intruder),
        )

        assert stolen.status_code == 404
        assert problem_code(stolen) == "invitation_not_found"
        assert await role_of(session, household.id, intruder.id) is None
        assert (await reload_invitation(session, invitation.id)).accepted_at is None
        rightful = await client.post(
            f"{API}/invitations/accept",
            json={"token": token},
            headers=auth_headers(settings, guest),
        )
        assert rightful.status_code == 200

    async def test_unknown_token_is_404(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        guest = await create_user(session)
        await session.commit()
        response = await client.post(
            f"{API}/invitations/accept",
            json={"token": "x" * 43},
            headers=auth_headers(settings, guest),
        )
        assert response.status_code == 404
        assert problem_code(response) == "invitation_not_found"

    async def test_already_member_is_409_and_invitation_stays_pending(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings, family: Family
    ) -> None:
        household, adult = family.household, family.adult
        invitation, token = await make_invitation(session, household, adult.email, Role.OWNER)
        await session.commit()
        response = await client.post(
            f"{API}/invitations/accept",
            json={"token": token},
            headers=auth_headers(settings, adult),
        )
        assert response.status_code == 409
        assert problem_code(response) == "already_member"
        assert await role_of(session, household.id, adult.id) is Role.ADULT
        assert (await reload_invitation(session, invitation.id)).accepted_at is None

    async def test_anonymous_is_401(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        household = family.household
        invitation, token = await make_invitation(session, household, "guest@example.com")
        await session.commit()
        response = await client.post(f"{API}/invitations/accept", json={"token": token})
        assert response.status_code == 401
        assert (await reload_invitation(session, invitation.id)).accepted_at is None

    async def test_invalid_body_is_422(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
    ) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({}, "token"),
            ({"token": ""}, "token"),
            ({"token": 12345}, "token"),
            ({"token": "x" * 201}, "token"),
            ({"token": "abc", "household_id": NOWHERE}, "household_id"),
        ]
        guest = await create_user(session)
        await session.commit()
        for body, field in cases:
            response = await client.post(
                f"{API}/invitations/accept", json=body, headers=auth_headers(settings, guest)
            )
            assert error_fields(response) == {field}, body
