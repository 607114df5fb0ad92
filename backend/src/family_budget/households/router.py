"""Households, their members and invitations. Mounted at /api/v1 (full paths below)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from family_budget.audit import service as audit
from family_budget.audit.service import Target
from family_budget.deps import CurrentUser, HouseholdDep, OwnerHouseholdDep, SessionDep, SettingsDep
from family_budget.households import service
from family_budget.households.context import HouseholdContext
from family_budget.households.schemas import (
    HouseholdCreate,
    HouseholdRead,
    HouseholdUpdate,
    InvitationAccept,
    InvitationCreate,
    InvitationRead,
    MemberRead,
    MemberUpdate,
)
from family_budget.models import AuditAction, Role

router = APIRouter(tags=["households"])

HOUSEHOLD = "/households/{household_id}"


@router.get("/households")
async def list_households(user: CurrentUser, session: SessionDep) -> list[HouseholdRead]:
    """List the households you belong to, with your role in each."""
    rows = await service.list_households(session, user.id)
    return [HouseholdRead.build(household, role) for household, role in rows]


@router.post("/households", status_code=status.HTTP_201_CREATED)
async def create_household(
    body: HouseholdCreate, user: CurrentUser, session: SessionDep
) -> HouseholdRead:
    """Create a household with default categories; you become its owner."""
    household = await service.create_household(
        session, owner=user, name=body.name, currency=body.currency
    )
    return HouseholdRead.build(household, Role.OWNER)


@router.get(HOUSEHOLD)
async def get_household(household: HouseholdDep) -> HouseholdRead:
    """Get a household you belong to."""
    return HouseholdRead.build(household.household, household.role)


@router.patch(HOUSEHOLD)
async def update_household(
    body: HouseholdUpdate, household: OwnerHouseholdDep, session: SessionDep
) -> HouseholdRead:
    """Rename a household or change its currency (only while it has no transactions)."""
    before = {"name": household.household.name, "currency": household.household.currency}
    updated = await service.update_household(
        session, household, name=body.name, currency=body.currency
    )
    changed = audit.changes(before, {"name": updated.name, "currency": updated.currency})
    if changed:
        await audit.record(
            session,
            household,
            AuditAction.HOUSEHOLD_UPDATED,
            Target("household", updated.id, updated.name),
            changed,
        )
    return HouseholdRead.build(updated, household.role)


@router.delete(HOUSEHOLD, status_code=status.HTTP_204_NO_CONTENT)
async def delete_household(household: OwnerHouseholdDep, session: SessionDep) -> Response:
    """Delete a household and everything in it."""
    await service.delete_household(session, household)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(f"{HOUSEHOLD}/members")
async def list_members(household: HouseholdDep, session: SessionDep) -> list[MemberRead]:
    """List the members of a household."""
    rows = await service.list_members(session, household)
    return [MemberRead.build(membership, user) for membership, user in rows]


@router.patch(f"{HOUSEHOLD}/members/{{user_id}}")
async def update_member(
    user_id: uuid.UUID, body: MemberUpdate, household: OwnerHouseholdDep, session: SessionDep
) -> MemberRead:
    """Change a member's role (the last owner cannot be demoted)."""
    before, _ = await service.get_member(session, household, user_id)
    previous_role = before.role
    membership, user = await service.change_member_role(session, household, user_id, body.role)
    if membership.role is not previous_role:
        await audit.record(
            session,
            household,
            AuditAction.MEMBER_ROLE_CHANGED,
            Target("member", user.id, user.name),
            {"role": [previous_role.value, membership.role.value]},
        )
    return MemberRead.build(membership, user)


@router.delete(f"{HOUSEHOLD}/members/{{user_id}}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    user_id: uuid.UUID, household: HouseholdDep, user: CurrentUser, session: SessionDep
) -> Response:
    """Remove a member, or leave the household by removing yourself."""
    if user_id != user.id:
        household.require(Role.OWNER)
    membership, member = await service.get_member(session, household, user_id)
    role = membership.role
    await service.remove_member(session, household, user_id)
    await audit.record(
        session,
        household,
        AuditAction.MEMBER_LEFT if user_id == user.id else AuditAction.MEMBER_REMOVED,
        Target("member", member.id, member.name),
        {"role": role.value},
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(f"{HOUSEHOLD}/invitations", status_code=status.HTTP_201_CREATED)
async def create_invitation(
    body: InvitationCreate,
    household: OwnerHouseholdDep,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> InvitationRead:
    """Invite someone by email to join the household with a role; the link is valid 7 days."""
    # The email is a job written in this transaction: sent after the commit, never lost.
    created = await service.create_invitation(
        session,
        settings,
        household=household,
        inviter=user,
        email=str(body.email),
        role=body.role,
    )
    invitation = created.invitation
    await audit.record(
        session,
        household,
        AuditAction.INVITATION_CREATED,
        Target("invitation", invitation.id, invitation.email),
        {"role": invitation.role.value},
    )
    return InvitationRead.build(invitation)


@router.get(f"{HOUSEHOLD}/invitations")
async def list_invitations(
    household: OwnerHouseholdDep, session: SessionDep
) -> list[InvitationRead]:
    """List the household's pending invitations."""
    invitations = await service.list_pending_invitations(session, household)
    return [InvitationRead.build(invitation) for invitation in invitations]


@router.delete(f"{HOUSEHOLD}/invitations/{{invitation_id}}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_invitation(
    invitation_id: uuid.UUID, household: OwnerHouseholdDep, session: SessionDep
) -> Response:
    """Revoke a pending invitation; its link stops working."""
    email = await service.revoke_invitation(session, household, invitation_id)
    await audit.record(
        session,
        household,
        AuditAction.INVITATION_REVOKED,
        Target("invitation", invitation_id, email),
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/invitations/accept")
async def accept_invitation(
    body: InvitationAccept, user: CurrentUser, session: SessionDep
) -> HouseholdRead:
    """Accept an invitation sent to your email address and join its household."""
    household, membership = await service.accept_invitation(session, user=user, token=body.token)
    await audit.record(
        session,
        HouseholdContext.for_member(household, membership, user),
        AuditAction.MEMBER_JOINED,
        Target("member", user.id, user.name),
        {"role": membership.role.value},
    )
    return HouseholdRead.build(household, membership.role)
