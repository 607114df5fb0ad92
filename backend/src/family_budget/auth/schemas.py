"""Request and response bodies of registration, login, sessions and the caller's profile."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from family_budget.auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from family_budget.models import Role
from family_budget.schemas import CurrencyCode, LongName, Name, Schema

# Stored and compared lower-cased (users.email is unique on the normalized form).
Email = Annotated[EmailStr, Field(max_length=320), AfterValidator(str.lower)]
# Passwords are taken exactly as typed: no whitespace stripping. The policy (auth/passwords.py)
# bounds new passwords; this bound only caps the work a login can cause.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=1, max_length=4096)]
# A new password: the policy's bounds (auth/passwords.py) are in the schema; it answers 422
# weak_password for one outside them.
NewPassword = Annotated[
    str,
    StringConstraints(strip_whitespace=False, min_length=1, max_length=4096),
    Field(json_schema_extra={"minLength": MIN_PASSWORD_LENGTH, "maxLength": MAX_PASSWORD_LENGTH}),
]
OpaqueToken = Annotated[str, Field(min_length=1, max_length=4096)]


class RegisterRequest(Schema):
    # What _only_with_a_household below requires, for the schema.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {
                "required": ["create_household"],
                "properties": {"create_household": {"const": False}},
            },
            "then": {
                "properties": {"household_name": {"type": "null"}, "currency": {"type": "null"}}
            },
        }
    )

    email: Email
    password: NewPassword
    name: Name
    # Declared before the household's fields: their validator reads it.
    create_household: bool = Field(
        default=True,
        description=(
            "Create a first household owned by the new user. Send false when signing up to accept "
            "an invitation, so that the new user has only the household they join (then omit "
            "household_name and currency)"
        ),
    )
    household_name: LongName | None = Field(
        default=None, description="Name of the first household; defaults to “{name}'s household”"
    )
    # Optional rather than defaulted, so that clients may leave it out when joining instead.
    currency: CurrencyCode | None = Field(
        default=None, description="Currency of the first household; defaults to USD"
    )

    # Runs only for fields the client sent: defaults are not validated.
    @field_validator("household_name", "currency")
    @classmethod
    def _only_with_a_household(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("create_household") is False:
            raise ValueError("must be omitted when create_household is false")
        return value


class LoginRequest(Schema):
    email: Email
    password: Password


class RefreshRequest(Schema):
    refresh_token: OpaqueToken | None = Field(
        default=None,
        description="Omit to use the refresh cookie (then the X-CSRF-Token header is required)",
    )


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth 2 token type)
    expires_in: int = Field(description="Seconds until the access token expires")


class MeUpdate(Schema):
    name: Name


class PasswordChange(Schema):
    current_password: Password
    new_password: NewPassword


class VerifyEmailRequest(Schema):
    token: OpaqueToken


class ForgotPasswordRequest(Schema):
    email: Email


class ResetPasswordRequest(Schema):
    token: OpaqueToken
    new_password: NewPassword


class Accepted(BaseModel):
    detail: str


class MembershipRead(BaseModel):
    household_id: uuid.UUID
    household_name: str
    currency: str
    currency_exponent: int = Field(
        description="Decimal digits of the currency's minor unit (2 for USD, 0 for JPY, 3 for KWD)"
    )
    role: Role


class EmailChange(Schema):
    new_email: Email
    current_password: Password


class EmailUndeliverable(BaseModel):
    since: datetime
    reason: Literal["bounce", "complaint"] = Field(
        description="bounce: mail to the address came back; complaint: it was marked as spam"
    )


class MeRead(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    email_verified: bool
    email_undeliverable: EmailUndeliverable | None = Field(
        description="Set when email to the address fails: no email is sent until it is changed"
    )
    created_at: datetime
    households: list[MembershipRead]


class SessionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    device_label: str = Field(description='The browser and system, e.g. "Firefox on Linux"')
    created_at: datetime = Field(description="When this sign-in happened")
    last_seen_at: datetime = Field(description="When the session was last refreshed")
    expires_at: datetime = Field(description="When it ends at the latest, unless used to sign out")
    current: bool = Field(description="The session making this request")


class SessionsSignedOut(BaseModel):
    signed_out_count: int


class TwoFactorStatus(BaseModel):
    enabled: bool
    enabled_at: datetime | None
    recovery_codes_left: int = Field(description="Unused recovery codes (0 when off)")


class TwoFactorSetupStart(Schema):
    current_password: Password


class TwoFactorSetupRead(BaseModel):
    secret: str = Field(description="The key to type into an authenticator app (base32)")
    otpauth_uri: str = Field(description="The otpauth:// URI the QR code holds")
    qr_code_svg_data_uri: str = Field(description="The QR code as a data: URI of an SVG image")


class TwoFactorEnable(Schema):
    code: str = Field(min_length=6, max_length=10, description="The 6 digits the app shows now")


class TwoFactorPassword(Schema):
    current_password: Password


class RecoveryCodesRead(BaseModel):
    recovery_codes: list[str] = Field(
        description="Each works once; shown only now, so the user keeps them somewhere safe"
    )


class TwoFactorSignIn(Schema):
    # Exactly one of code and recovery_code, as the validator below requires.
    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["code"],
                    "properties": {"code": {"type": "string"}},
                    "not": {
                        "required": ["recovery_code"],
                        "properties": {"recovery_code": {"type": "string"}},
                    },
                },
                {
                    "required": ["recovery_code"],
                    "properties": {"recovery_code": {"type": "string"}},
                    "not": {"required": ["code"], "properties": {"code": {"type": "string"}}},
                },
            ]
        }
    )

    challenge_token: str = Field(
        max_length=2000, description="From the two_factor_required answer of /auth/login"
    )
    code: str | None = Field(default=None, min_length=6, max_length=10)
    recovery_code: str | None = Field(default=None, min_length=10, max_length=20)
    remember_device: bool = Field(
        default=False, description="Skip the second step in this browser for 30 days"
    )

    @model_validator(mode="after")
    def _one_way(self) -> TwoFactorSignIn:
        if (self.code is None) == (self.recovery_code is None):
            raise ValueError("Give either code or recovery_code")
        return self
