"""Households, their members and invitations. Mounted at /api/v1 (full paths below)."""

from __future__ import annotations

import logging
import uuid

from fastapi import APIRouter, BackgroundTasks, Request, Response, status

from family_budget.deps import CurrentUser, HouseholdDep, OwnerHouseholdDep, SessionDep, SettingsDep
from family_budget.emails import EmailMessage, EmailSender
from family_budget.households import service
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
from family_budget.models import Role

logger = logging.getLogger(__name__)

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
    updated = await service.update_household(
        session, household, name=body.name, currency=body.currency
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
    membership, user = await service.change_member_role(session, household, user_id, body.role)
    return MemberRead.build(membership, user)


@router.delete(f"{HOUSEHOLD}/members/{{user_id}}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    user_id: uuid.UUID, household: HouseholdDep, user: CurrentUser, session: SessionDep
) -> Response:
    """Remove a member, or leave the household by removing yourself."""
    if user_id != user.id:
        household.require(Role.OWNER)
    await service.remove_member(session, household, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _send_invitation_email(
    sender: EmailSender, message: EmailMessage, invitation_id: uuid.UUID
) -> None:
    # Runs after the response, so after the commit: no email for an invitation that was not
    # saved. A failure is logged by id only (the body carries the token); the owner can revoke
    # the invitation and send a new one.
    try:
        await sender.send(message)
    except Exception:
        logger.exception(
            "invitation email could not be sent", extra={"invitation_id": str(invitation_id)}
        )


@router.post(f"{HOUSEHOLD}/invitations", status_code=status.HTTP_201_CREATED)
async def create_invitation(
    body: InvitationCreate,
    household: OwnerHouseholdDep,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    request: Request,
    background: BackgroundTasks,
) -> InvitationRead:
    """Invite someone by email to join the household with a role; the link is valid 7 days."""
    created = await service.create_invitation(
        session,
        household=household,
        inviter=user,
        email=str(body.email),
        role=body.role,
    )
    message = service.invitation_email(
        invitation=created.invitation,
        inviter=user,
        household=household.household,
        accept_url=service.invitation_accept_url(settings.public_app_url, created.token),
    )
    background.add_task(
        _send_invitation_email, request.app.state.email_sender, message, created.invitation.id
    )
    return InvitationRead.build(created.invitation)


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
    await service.revoke_invitation(session, household, invitation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/invitations/accept")
async def accept_invitation(
    body: InvitationAccept, user: CurrentUser, session: SessionDep
) -> HouseholdRead:
    """Accept an invitation sent to your email address and join its household."""
    household, membership = await service.accept_invitation(session, user=user, token=body.token)
    return HouseholdRead.build(household, membership.role)
