"""Request and response shapes of households, members and invitations."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import EmailStr, Field, field_validator

from family_budget import money
from family_budget.models import Household, Invitation, Membership, Role, User
from family_budget.schemas import CurrencyCode, LongName, ReadSchema, Schema, not_nullable

# An invitation token is `secrets.token_urlsafe(32)` (43 characters); anything far longer is junk.
MAX_TOKEN_LENGTH = 200


class HouseholdCreate(Schema):
    name: LongName
    currency: CurrencyCode = Field(description="ISO 4217 code of the household's budget")


class HouseholdUpdate(Schema):
    """Only the fields sent change; a field sent as null is an error, not a reset."""

    # Not nullable in the schema either: None only stands for "not sent".
    name: LongName | None = Field(default=None, json_schema_extra=not_nullable)
    currency: CurrencyCode | None = Field(
        default=None,
        description="Can change only while the household has no transactions",
        json_schema_extra=not_nullable,
    )

    @field_validator("name", "currency", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may be omitted but not null")
        return value


class HouseholdRead(ReadSchema):
    id: uuid.UUID
    name: str
    currency: str
    currency_exponent: int = Field(
        description="Decimal digits of the currency's minor unit (2 for USD, 0 for JPY, 3 for KWD)"
    )
    role: Role = Field(description="The caller's role in this household")
    created_at: datetime

    @classmethod
    def build(cls, household: Household, role: Role) -> HouseholdRead:
        return cls(
            id=household.id,
            name=household.name,
            currency=household.currency,
            currency_exponent=money.exponent(household.currency),
            role=role,
            created_at=household.created_at,
        )


class MemberUpdate(Schema):
    role: Role


class MemberRead(ReadSchema):
    user_id: uuid.UUID
    name: str
    email: str
    role: Role
    joined_at: datetime

    @classmethod
    def build(cls, membership: Membership, user: User) -> MemberRead:
        return cls(
            user_id=user.id,
            name=user.name,
            email=user.email,
            role=membership.role,
            joined_at=membership.created_at,
        )


class InvitationCreate(Schema):
    email: EmailStr = Field(max_length=320)
    role: Role


class InvitationRead(ReadSchema):
    """The token is never part of a response: it only travels in the invitation email."""

    id: uuid.UUID
    email: str
    role: Role
    invited_by_id: uuid.UUID | None
    expires_at: datetime
    created_at: datetime

    @classmethod
    def build(cls, invitation: Invitation) -> InvitationRead:
        return cls.model_validate(invitation)


class InvitationAccept(Schema):
    token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)
