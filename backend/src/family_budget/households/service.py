"""Household rules: creation, membership, invitations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.categories.service import create_default_categories
from family_budget.config import Settings
from family_budget.emails import EmailMessage
from family_budget.errors import Conflict, NotFound
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    AccountShare,
    Household,
    Invitation,
    Membership,
    Role,
    Transaction,
    User,
)
from family_budget.models.base import utcnow
from family_budget.notifications.templates import render_email
from family_budget.security import hash_token, link_token
from family_budget.worker.jobs import enqueue

INVITATION_TTL = timedelta(days=7)
INVITATION_TEMPLATE = "household_invitation"
# The job that emails an invitation (family_budget.households.tasks); its payload is the id.
INVITATION_EMAIL_JOB = "households.send_invitation"
INVITATION_TOKEN_PURPOSE = "invitation"  # noqa: S105 (a purpose name)


async def create_household(
    session: AsyncSession, *, owner: User, name: str, currency: str
) -> Household:
    """A new household with its owner and the default categories."""
    household = Household(name=name, currency=currency)
    session.add(household)
    await session.flush()
    session.add(Membership(household_id=household.id, user_id=owner.id, role=Role.OWNER))
    await create_default_categories(session, HouseholdContext(household, Role.OWNER, owner))
    return household


async def list_households(
    session: AsyncSession, user_id: uuid.UUID
) -> list[tuple[Household, Role]]:
    """The households `user_id` belongs to, with their role in each."""
    rows = await session.execute(
        select(Household, Membership.role)
        .join(Membership, Membership.household_id == Household.id)
        .where(Membership.user_id == user_id)
        .order_by(func.lower(Household.name), Household.created_at, Household.id)
    )
    return [(household, role) for household, role in rows]


async def has_transactions(session: AsyncSession, household: HouseholdContext) -> bool:
    found = await session.scalar(select(exists().where(Transaction.household_id == household.id)))
    return bool(found)


async def update_household(
    session: AsyncSession, household: HouseholdContext, *, name: str | None, currency: str | None
) -> Household:
    """Rename and/or change the currency. Amounts are stored without conversion, so the currency
    may only change while no transaction has been recorded in the old one."""
    if currency is not None and currency != household.currency:
        if await has_transactions(session, household):
            raise Conflict(
                "The currency cannot change once the household has transactions",
                code="currency_locked",
            )
        household.household.currency = currency
    if name is not None:
        household.household.name = name
    await session.flush()
    return household.household


async def delete_household(session: AsyncSession, household: HouseholdContext) -> None:
    # The foreign keys cascade: memberships, invitations, accounts, transactions, budgets.
    await session.execute(delete(Household).where(Household.id == household.id))


async def lock_household(session: AsyncSession, household_id: uuid.UUID) -> None:
    """Serialise membership changes of one household (PostgreSQL row lock; SQLite has a single
    writer anyway), so two owners demoting each other cannot leave it without an owner."""
    await session.execute(
        select(Household.id).where(Household.id == household_id).with_for_update()
    )


# Members ---------------------------------------------------------------------------------------


async def list_members(
    session: AsyncSession, household: HouseholdContext
) -> list[tuple[Membership, User]]:
    rows = await session.execute(
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.household_id == household.id)
        .order_by(Membership.created_at, User.id)
    )
    return [(membership, user) for membership, user in rows]


async def get_member(
    session: AsyncSession, household: HouseholdContext, user_id: uuid.UUID
) -> tuple[Membership, User]:
    row = (
        await session.execute(
            select(Membership, User)
            .join(User, User.id == Membership.user_id)
            .where(Membership.household_id == household.id, Membership.user_id == user_id)
        )
    ).first()
    if row is None:
        raise NotFound("Member not found", code="member_not_found")
    membership, user = row
    return membership, user


async def _count_owners(session: AsyncSession, household: HouseholdContext) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.household_id == household.id, Membership.role == Role.OWNER)
    )
    return int(count or 0)


async def _refuse_losing_last_owner(
    session: AsyncSession, household: HouseholdContext, membership: Membership, detail: str
) -> None:
    if membership.role is Role.OWNER and await _count_owners(session, household) <= 1:
        raise Conflict(detail, code="last_owner")


async def change_member_role(
    session: AsyncSession, household: HouseholdContext, user_id: uuid.UUID, role: Role
) -> tuple[Membership, User]:
    await lock_household(session, household.id)
    membership, user = await get_member(session, household, user_id)
    if role is not Role.OWNER:
        await _refuse_losing_last_owner(
            session,
            household,
            membership,
            "The last owner cannot be demoted; make another member an owner first",
        )
    membership.role = role
    await session.flush()
    return membership, user


async def remove_member(
    session: AsyncSession, household: HouseholdContext, user_id: uuid.UUID
) -> None:
    """Remove (or, for oneself, leave). The member's account shares in this household go too."""
    await lock_household(session, household.id)
    membership, _ = await get_member(session, household, user_id)
    await _refuse_losing_last_owner(
        session,
        household,
        membership,
        "The last owner cannot leave; make another member an owner or delete the household",
    )
    household_accounts = select(Account.id).where(Account.household_id == household.id)
    await session.execute(
        delete(AccountShare).where(
            AccountShare.user_id == user_id, AccountShare.account_id.in_(household_accounts)
        )
    )
    await session.delete(membership)
    await session.flush()


# Invitations -----------------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    # User emails are stored lower-cased; invitations follow suit so comparisons are exact.
    return email.strip().lower()


def _pending(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
    )


@dataclass(frozen=True, slots=True)
class NewInvitation:
    invitation: Invitation
    # Only ever put into the email: never logged, never returned, never stored in clear.
    token: str = field(repr=False)


async def create_invitation(
    session: AsyncSession,
    settings: Settings,
    *,
    household: HouseholdContext,
    inviter: User,
    email: str,
    role: Role,
    now: datetime | None = None,
) -> NewInvitation:
    now = now or utcnow()
    email = normalize_email(email)
    await lock_household(session, household.id)
    already_member = await session.scalar(
        select(
            exists()
            .where(Membership.household_id == household.id, Membership.user_id == User.id)
            .where(User.email == email)
        )
    )
    if already_member:
        raise Conflict("This person is already a member of the household", code="already_member")
    pending = await session.scalar(
        select(
            exists().where(
                Invitation.household_id == household.id,
                Invitation.email == email,
                *_pending(now),
            )
        )
    )
    if pending:
        raise Conflict(
            "An invitation for this email is already pending; revoke it to send a new one",
            code="invitation_pending",
        )
    # Derived from the row (family_budget.security.link_token): the email job rebuilds the link
    # from the id alone, and a retried job sends the same working link.
    invitation_id = uuid.uuid4()
    token = link_token(settings, INVITATION_TOKEN_PURPOSE, invitation_id)
    invitation = Invitation(
        id=invitation_id,
        household_id=household.id,
        email=email,
        role=role,
        token_hash=hash_token(token),
        invited_by_id=inviter.id,
        expires_at=now + INVITATION_TTL,
        created_at=now,
    )
    session.add(invitation)
    await session.flush()
    await enqueue(
        session,
        INVITATION_EMAIL_JOB,
        {"invitation_id": str(invitation.id)},
        key=f"email:invitation:{invitation.id}",
        household_id=household.id,
    )
    return NewInvitation(invitation=invitation, token=token)


async def invitation_to_email(
    session: AsyncSession, settings: Settings, invitation_id: uuid.UUID, *, now: datetime
) -> EmailMessage | None:
    """The email of a pending invitation, for the job that sends it (None once it is accepted,
    revoked or expired, or when its link could not work any more)."""
    row = (
        await session.execute(
            select(Invitation, Household, User)
            .join(Household, Household.id == Invitation.household_id)
            .outerjoin(User, User.id == Invitation.invited_by_id)
            .where(Invitation.id == invitation_id, *_pending(now))
        )
    ).first()
    if row is None:
        return None
    invitation, household, inviter = row
    token = link_token(settings, INVITATION_TOKEN_PURPOSE, invitation.id)
    if hash_token(token) != invitation.token_hash:
        return None  # signed with a previous JWT_SECRET
    if inviter is None:  # the inviter's account was deleted since
        inviter = User(name="A member of the household", email="", password_hash="")
    return invitation_email(
        invitation=invitation,
        inviter=inviter,
        household=household,
        accept_url=invitation_accept_url(settings.public_app_url, token),
    )


def invitation_accept_url(public_app_url: str, token: str) -> str:
    return f"{public_app_url.rstrip('/')}/invitations/accept?token={token}"


def invitation_email(
    *, invitation: Invitation, inviter: User, household: Household, accept_url: str
) -> EmailMessage:
    rendered = render_email(
        INVITATION_TEMPLATE,
        {
            "inviter_name": inviter.name,
            "household_name": household.name,
            "accept_url": accept_url,
        },
    )
    return EmailMessage(
        to=invitation.email,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        template=INVITATION_TEMPLATE,
    )


async def list_pending_invitations(
    session: AsyncSession, household: HouseholdContext, *, now: datetime | None = None
) -> list[Invitation]:
    rows = await session.scalars(
        select(Invitation)
        .where(Invitation.household_id == household.id, *_pending(now or utcnow()))
        .order_by(Invitation.created_at, Invitation.id)
    )
    return list(rows)


async def revoke_invitation(
    session: AsyncSession,
    household: HouseholdContext,
    invitation_id: uuid.UUID,
    *,
    now: datetime | None = None,
) -> str:
    """Only a pending invitation can be revoked; accepted, revoked or expired ones are gone.
    Returns the address it was sent to."""
    now = now or utcnow()
    email = await session.scalar(
        update(Invitation)
        .where(
            Invitation.id == invitation_id,
            Invitation.household_id == household.id,
            *_pending(now),
        )
        .values(revoked_at=now)
        .returning(Invitation.email)
        .execution_options(synchronize_session=False)
    )
    if email is None:
        raise NotFound("Invitation not found", code="invitation_not_found")
    return email


async def accept_invitation(
    session: AsyncSession, *, user: User, token: str, now: datetime | None = None
) -> tuple[Household, Membership]:
    """Join the household of a pending invitation addressed to `user`'s email.

    Every failure (unknown token, expired, used, revoked, another person's invitation) is the same
    404, so a token cannot be probed for its state. The invitation is claimed with one conditional
    UPDATE, which makes it single-use even when two requests race. The household row is locked
    first, in the same order as every other membership change, so they cannot deadlock."""
    now = now or utcnow()
    not_found = NotFound("Invitation not found or no longer valid", code="invitation_not_found")
    token_hash = hash_token(token)
    household_id = await session.scalar(
        select(Invitation.household_id).where(Invitation.token_hash == token_hash)
    )
    if household_id is None:
        raise not_found
    await lock_household(session, household_id)
    role = await session.scalar(
        update(Invitation)
        .where(
            Invitation.token_hash == token_hash,
            Invitation.email == normalize_email(user.email),
            *_pending(now),
        )
        .values(accepted_at=now)
        .returning(Invitation.role)
        .execution_options(synchronize_session=False)
    )
    household = await session.get(Household, household_id)
    if role is None or household is None:
        raise not_found
    member = await session.scalar(
        select(
            exists().where(Membership.household_id == household_id, Membership.user_id == user.id)
        )
    )
    if member:
        # Raising rolls back the claim: the invitation stays pending (the owner can revoke it).
        raise Conflict("You are already a member of this household", code="already_member")
    membership = Membership(household_id=household_id, user_id=user.id, role=role, created_at=now)
    session.add(membership)
    await session.flush()
    return household, membership
