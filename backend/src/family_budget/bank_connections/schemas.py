"""Bank connection request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, model_validator

from family_budget.models import AccountKind, BankConnectionStatus
from family_budget.schemas import Schema

MAX_ACCOUNT_LINKS = 50

PlaidId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_\-]+$")]


class LinkTokenCreate(Schema):
    connection_id: uuid.UUID | None = Field(
        default=None,
        description="A connection to repair: the token opens Link in update mode (sign in again)",
    )


class LinkTokenRead(BaseModel):
    link_token: str
    expiration: datetime
    demo_link_url: str | None = Field(
        default=None,
        description="Only when the API talks to the demo bank (PLAID_API_URL set): open this "
        "page, with `&origin=<the web app's origin>` added, instead of Plaid Link. It posts "
        "its result to that origin with window.postMessage",
    )


class AccountLinkIn(Schema):
    plaid_account_id: PlaidId = Field(description="The bank account's id from Link's metadata")
    account_id: uuid.UUID = Field(
        description="An open account of the household, not linked to a bank yet, in the same "
        "currency; its transactions up to its latest one stay as typed, the bank's start the "
        "day after"
    )


class BankConnectionCreate(Schema):
    public_token: str = Field(min_length=1, max_length=200, description="From Link's onSuccess")
    account_links: list[AccountLinkIn] = Field(
        default_factory=list,
        max_length=MAX_ACCOUNT_LINKS,
        description="Bank accounts to feed existing accounts; every other bank account becomes "
        "a new account of the household",
    )

    @model_validator(mode="after")
    def _each_once(self) -> Self:
        plaid_ids = [link.plaid_account_id for link in self.account_links]
        account_ids = [link.account_id for link in self.account_links]
        if len(set(plaid_ids)) != len(plaid_ids) or len(set(account_ids)) != len(account_ids):
            raise ValueError("each bank account and each account may appear once")
        return self


class ConnectedAccountRead(BaseModel):
    id: uuid.UUID
    name: str = Field(description="The bank's name for the account")
    mask: str | None = Field(description="The last digits of the account number")
    kind: AccountKind
    account_id: uuid.UUID = Field(description="The household account its transactions go to")


class SyncErrorRead(BaseModel):
    code: str = Field(description="Plaid's error code, e.g. ITEM_LOGIN_REQUIRED")
    message: str


class BankConnectionRead(BaseModel):
    id: uuid.UUID
    institution_name: str
    status: BankConnectionStatus = Field(
        description="syncing: linked, first sync not finished; healthy; needs_reauth: sign in "
        "again through Link's update mode (a link token with connection_id); error; "
        "disconnected: access was revoked at the bank"
    )
    sync_running: bool = Field(description="A sync is fetching or applying right now")
    last_synced_at: datetime | None = Field(description="When the last successful sync ended")
    last_error: SyncErrorRead | None
    consent_expires_at: datetime | None = Field(
        description="When the bank's consent ends, if it told us (reconnect before then)"
    )
    accounts: list[ConnectedAccountRead]
    created_at: datetime


class SyncQueued(BaseModel):
    queued: bool = Field(description="False when a sync was already waiting to start")
