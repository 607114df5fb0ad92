"""Bank connection rules on the API's side: Link tokens, linking a bank, reading connections,
asking for syncs, disconnecting, and turning verified webhooks into jobs.

Plaid calls are blocking (plaid-python); routes run them in a thread. The access token is
decrypted only to make a call and never leaves this process: not in a response, a log line or a
job payload (jobs carry the connection id and decrypt for themselves).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final, TypeVar

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.accounts.service import visible_account_ids_filter
from family_budget.bank_connections import mapping, webhooks
from family_budget.bank_connections.plaid_api import (
    ExchangedItem,
    PlaidAccount,
    PlaidApiError,
    PlaidClient,
    PlaidItem,
)
from family_budget.bank_connections.schemas import BankConnectionCreate
from family_budget.bank_connections.status_cache import SyncStatus, SyncStatusCache
from family_budget.bank_connections.token_crypto import TokenCipher
from family_budget.errors import Conflict, NotFound, ServiceUnavailable, Unprocessable
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    BankConnection,
    BankConnectionAccount,
    BankConnectionStatus,
    Transaction,
)
from family_budget.models.base import utcnow
from family_budget.worker.jobs import enqueue

logger = logging.getLogger(__name__)
T = TypeVar("T")

SYNC_JOB: Final = "bank_connections.sync"
ITEM_EVENT_JOB: Final = "bank_connections.item_event"
REMOVE_ITEM_JOB: Final = "bank_connections.remove_item"
# A running flag in the database older than this is a sync whose worker died.
RUNNING_AT_MOST: Final = timedelta(minutes=10)


# --- Plaid calls from a request -------------------------------------------------------------------


async def call_plaid(call: Callable[[], T]) -> T:
    """A blocking Plaid call in a thread; Plaid's failures as the problems a client sees."""
    try:
        return await asyncio.to_thread(call)
    except PlaidApiError as error:
        logger.warning(
            "plaid call failed",
            extra={"plaid_error_type": error.error_type, "plaid_error_code": error.error_code},
        )
        if error.retryable:
            raise ServiceUnavailable(
                "The bank connection service is not answering; try again in a minute",
                code="bank_service_unavailable",
            ) from None
        raise Unprocessable(
            error.display_message or "The bank connection service refused the request",
            code="bank_link_failed",
            extra={"plaid_error_code": error.error_code},
        ) from None


# --- Reading --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConnectionDetails:
    connection: BankConnection
    accounts: list[BankConnectionAccount]
    sync_running: bool
    last_synced_at: datetime | None
    last_error_code: str | None
    last_error_message: str | None


def _visible_connections(household: HouseholdContext) -> list[ColumnElement[bool]]:
    """Live connections of the household; for a teen, those feeding an account shared with
    them."""
    conditions: list[ColumnElement[bool]] = [
        BankConnection.household_id == household.id,
        BankConnection.removed_at.is_(None),
    ]
    if household.is_teen:
        conditions.append(
            exists().where(
                BankConnectionAccount.connection_id == BankConnection.id,
                visible_account_ids_filter(household, BankConnectionAccount.account_id),
            )
        )
    return conditions


async def _details(
    session: AsyncSession,
    household: HouseholdContext,
    connections: Sequence[BankConnection],
    cache: SyncStatusCache,
) -> list[ConnectionDetails]:
    ids = [connection.id for connection in connections]
    accounts: dict[uuid.UUID, list[BankConnectionAccount]] = {i: [] for i in ids}
    if ids:
        rows = await session.scalars(
            select(BankConnectionAccount)
            .where(
                BankConnectionAccount.connection_id.in_(ids),
                visible_account_ids_filter(household, BankConnectionAccount.account_id),
            )
            .order_by(BankConnectionAccount.name, BankConnectionAccount.id)
        )
        for row in rows:
            accounts[row.connection_id].append(row)
    cached = await cache.get_many(ids)
    now = utcnow()
    return [
        _with_status(connection, accounts[connection.id], cached.get(connection.id), now)
        for connection in connections
    ]


def _with_status(
    connection: BankConnection,
    accounts: list[BankConnectionAccount],
    cached: SyncStatus | None,
    now: datetime,
) -> ConnectionDetails:
    if cached is not None:
        return ConnectionDetails(
            connection,
            accounts,
            cached.running(now),
            cached.last_synced_at,
            cached.last_error_code,
            cached.last_error_message,
        )
    started, finished = connection.sync_started_at, connection.sync_finished_at
    running = (
        started is not None
        and (finished is None or finished < started)
        and started > now - RUNNING_AT_MOST
    )
    return ConnectionDetails(
        connection,
        accounts,
        running,
        connection.last_synced_at,
        connection.last_error_code,
        connection.last_error_message,
    )


async def list_connections(
    session: AsyncSession, household: HouseholdContext, cache: SyncStatusCache
) -> list[ConnectionDetails]:
    connections = (
        await session.scalars(
            select(BankConnection)
            .where(*_visible_connections(household))
            .order_by(BankConnection.institution_name, BankConnection.id)
        )
    ).all()
    return await _details(session, household, connections, cache)


async def get_connection(
    session: AsyncSession, household: HouseholdContext, connection_id: uuid.UUID
) -> BankConnection:
    """For ids in paths: missing, removed, foreign and (for a teen) unshared are a 404."""
    connection = (
        await session.scalars(
            select(BankConnection).where(
                BankConnection.id == connection_id,
                *_visible_connections(household),
            )
        )
    ).one_or_none()
    if connection is None:
        raise NotFound("Bank connection not found", code="bank_connection_not_found")
    return connection


async def connection_details(
    session: AsyncSession,
    household: HouseholdContext,
    connection: BankConnection,
    cache: SyncStatusCache,
) -> ConnectionDetails:
    return (await _details(session, household, [connection], cache))[0]


# --- Link -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkTokenResult:
    link_token: str
    expiration: datetime
    demo_link_url: str | None


async def create_link_token(
    household: HouseholdContext,
    plaid: PlaidClient,
    cipher: TokenCipher,
    connection: BankConnection | None,
    demo_bank_url: str | None,
) -> LinkTokenResult:
    """A Link token for a new connection, or for update mode on `connection` (re-auth)."""
    # Plaid's user id must not be personal data: the user's id, which is not.
    client_user_id = str(household.user_id or household.id)
    access_token = None
    if connection is not None:
        if connection.access_token_encrypted is None:
            raise Conflict("This connection is being removed", code="bank_connection_removed")
        access_token = cipher.decrypt(connection.access_token_encrypted, context=str(connection.id))
    token = await call_plaid(
        lambda: plaid.create_link_token(client_user_id=client_user_id, access_token=access_token)
    )
    demo_link_url = (
        f"{demo_bank_url.rstrip('/')}/link?token={token.link_token}" if demo_bank_url else None
    )
    return LinkTokenResult(token.link_token, token.expiration, demo_link_url)


async def _linkable_accounts(
    session: AsyncSession, household: HouseholdContext, data: BankConnectionCreate
) -> dict[uuid.UUID, Account]:
    """The existing accounts `data` links to: open accounts of the household, not fed by a bank
    already. Checked before the public token is spent."""
    wanted = [link.account_id for link in data.account_links]
    if not wanted:
        return {}
    found = {
        account.id: account
        for account in await session.scalars(
            select(Account).where(
                Account.id.in_(wanted),
                Account.household_id == household.id,
                Account.archived_at.is_(None),
                ~exists().where(BankConnectionAccount.account_id == Account.id),
            )
        )
    }
    unknown = sorted(str(i) for i in wanted if i not in found)
    if unknown:
        raise Unprocessable(
            "Some account_id values do not name open accounts of this household that are not "
            "linked to a bank yet",
            code="unknown_account",
            extra={"account_ids": unknown},
        )
    return found


async def _discard_item(plaid: PlaidClient, access_token: str) -> None:
    """Best effort: an item we will not keep is removed at Plaid (it would be billed)."""
    try:
        await asyncio.to_thread(plaid.remove_item, access_token)
    except PlaidApiError as error:
        logger.warning(
            "could not remove a discarded item", extra={"plaid_error_code": error.error_code}
        )


async def create_connection(
    session: AsyncSession,
    household: HouseholdContext,
    plaid: PlaidClient,
    cipher: TokenCipher,
    data: BankConnectionCreate,
) -> BankConnection:
    """Exchange the public token, create the connection and its accounts, queue the first sync.

    Linking an institution the household is already connected to is refused with 409 and the
    existing connection's id (repair that one in update mode instead); the new item is removed
    at Plaid."""
    existing_accounts = await _linkable_accounts(session, household, data)
    exchanged: ExchangedItem = await call_plaid(
        lambda: plaid.exchange_public_token(data.public_token)
    )
    try:
        item: PlaidItem = await call_plaid(lambda: plaid.get_item(exchanged.access_token))
        await refuse_second_link(session, household, item.institution_id)
        plaid_accounts: list[PlaidAccount] = await call_plaid(
            lambda: plaid.get_accounts(exchanged.access_token)
        )
        connection = await _store(
            session, household, cipher, exchanged, item, plaid_accounts, existing_accounts, data
        )
    except Exception:
        await _discard_item(plaid, exchanged.access_token)
        raise
    await request_sync(session, connection)
    return connection


async def _store(
    session: AsyncSession,
    household: HouseholdContext,
    cipher: TokenCipher,
    exchanged: ExchangedItem,
    item: PlaidItem,
    plaid_accounts: list[PlaidAccount],
    existing_accounts: dict[uuid.UUID, Account],
    data: BankConnectionCreate,
) -> BankConnection:
    by_plaid_id = {account.account_id: account for account in plaid_accounts}
    links_by_plaid_id = {link.plaid_account_id: link.account_id for link in data.account_links}
    unknown = sorted(set(links_by_plaid_id) - set(by_plaid_id))
    if unknown:
        raise Unprocessable(
            "Some plaid_account_id values are not accounts of this bank login",
            code="unknown_bank_account",
            extra={"plaid_account_ids": unknown},
        )
    for plaid_id, account_id in links_by_plaid_id.items():
        if by_plaid_id[plaid_id].currency != existing_accounts[account_id].currency:
            raise Unprocessable(
                "A bank account can only feed an account in its own currency",
                code="currency_mismatch",
                extra={"plaid_account_id": plaid_id, "account_id": str(account_id)},
            )

    connection_id = uuid.uuid4()
    connection = BankConnection(
        id=connection_id,
        household_id=household.id,
        plaid_item_id=item.item_id,
        institution_id=item.institution_id,
        institution_name=(item.institution_name or "Bank")[:200],
        access_token_encrypted=cipher.encrypt(exchanged.access_token, context=str(connection_id)),
        status=BankConnectionStatus.SYNCING,
        consent_expires_at=item.consent_expiration_time,
        created_by_id=household.user_id,
    )
    try:
        async with session.begin_nested():
            session.add(connection)
            await session.flush()
    except IntegrityError:
        existing = await session.scalar(
            select(BankConnection.id).where(
                BankConnection.household_id == household.id,
                BankConnection.institution_id == item.institution_id,
                BankConnection.removed_at.is_(None),
            )
        )
        raise _already_linked(existing) from None

    today = utcnow().date()
    for plaid_account in plaid_accounts:
        if plaid_account.currency is None:
            continue  # an unofficial currency (crypto): nothing we can hold
        linked_to = links_by_plaid_id.get(plaid_account.account_id)
        imports_from = None
        if linked_to is not None:
            account_id = linked_to
            imports_from = await _day_after_last_transaction(session, account_id)
        else:
            account = Account(
                id=uuid.uuid4(),
                household_id=household.id,
                name=mapping.account_name(plaid_account),
                kind=mapping.account_kind_for(plaid_account.type, plaid_account.subtype),
                currency=plaid_account.currency,
                opening_balance_minor=0,
                opened_on=today,
            )
            session.add(account)
            account_id = account.id
        session.add(
            BankConnectionAccount(
                connection_id=connection.id,
                household_id=household.id,
                account_id=account_id,
                plaid_account_id=plaid_account.account_id,
                name=plaid_account.name[:200],
                mask=(plaid_account.mask or None) and plaid_account.mask[:10],
                kind=mapping.account_kind_for(plaid_account.type, plaid_account.subtype),
                imports_from=imports_from,
                opening_balance_from_bank=plaid_account.account_id not in links_by_plaid_id,
            )
        )
    await session.flush()
    return connection


def _already_linked(connection_id: uuid.UUID | None) -> Conflict:
    return Conflict(
        "This bank is already connected to the household; repair that connection instead "
        "(a link token with its connection_id opens Link in update mode)",
        code="institution_already_linked",
        extra={"connection_id": str(connection_id) if connection_id else None},
    )


async def refuse_second_link(
    session: AsyncSession, household: HouseholdContext, institution_id: str | None
) -> None:
    """The friendly check before the constraint decides (see create_connection)."""
    if institution_id is None:
        return
    existing = await session.scalar(
        select(BankConnection.id).where(
            BankConnection.household_id == household.id,
            BankConnection.institution_id == institution_id,
            BankConnection.removed_at.is_(None),
        )
    )
    if existing is not None:
        raise _already_linked(existing)


async def _day_after_last_transaction(session: AsyncSession, account_id: uuid.UUID) -> date | None:
    last = await session.scalar(
        select(Transaction.posted_on)
        .where(Transaction.account_id == account_id)
        .order_by(Transaction.posted_on.desc())
        .limit(1)
    )
    return None if last is None else last + timedelta(days=1)


# --- Syncs and removal ----------------------------------------------------------------------------


async def request_sync(session: AsyncSession, connection: BankConnection) -> bool:
    """Queue a sync of `connection`; False when one is already waiting to start.

    The job's key carries the connection's sync generation, read under the row's lock, and a
    sync bumps the generation (under the same lock) before it fetches. So requests made before a
    sync starts share one job, and a request made after a fetch began gets a new job: a burst of
    webhooks makes few jobs, and no change announced by one goes unfetched."""
    statement = select(BankConnection.sync_generation).where(BankConnection.id == connection.id)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    generation = await session.scalar(statement)
    if generation is None:
        return False
    return await enqueue(
        session,
        SYNC_JOB,
        {"connection_id": str(connection.id)},
        key=f"{SYNC_JOB}:{connection.id}:{generation}",
        household_id=connection.household_id,
    )


async def remove_connection(session: AsyncSession, connection: BankConnection) -> None:
    """Disconnect: gone from the API at once; the worker removes the item at Plaid and then the
    connection. Accounts and transactions stay."""
    connection.removed_at = utcnow()
    await session.flush()
    await enqueue(
        session,
        REMOVE_ITEM_JOB,
        {"connection_id": str(connection.id)},
        key=f"{REMOVE_ITEM_JOB}:{connection.id}",
        household_id=connection.household_id,
    )


# --- Webhooks -------------------------------------------------------------------------------------

_ITEM_EVENTS: Final = (
    webhooks.ItemError,
    webhooks.LoginRepaired,
    webhooks.PendingExpiration,
    webhooks.PendingDisconnect,
    webhooks.UserPermissionRevoked,
)


async def handle_webhook(
    session: AsyncSession, event: webhooks.WebhookEvent, delivery_id: str
) -> str:
    """Turn a verified webhook into jobs; returns what was done (for logs and metrics).

    `delivery_id` names this delivery (a hash of its signature): the same delivery replayed
    makes no second item-event job. Sync requests coalesce by themselves (request_sync)."""
    item_id = getattr(event, "item_id", None)
    if isinstance(event, webhooks.IgnoredWebhook | webhooks.NewAccountsAvailable) or not item_id:
        return "ignored"
    connection = await session.scalar(
        select(BankConnection).where(
            BankConnection.plaid_item_id == item_id, BankConnection.removed_at.is_(None)
        )
    )
    if connection is None:
        return "unknown_item"
    if isinstance(event, webhooks.SyncUpdatesAvailable):
        if connection.status is BankConnectionStatus.DISCONNECTED:
            return "ignored"
        await request_sync(session, connection)
        return "sync_requested"
    if isinstance(event, _ITEM_EVENTS):
        payload: dict[str, str] = {"connection_id": str(connection.id), "event": event.kind}
        if isinstance(event, webhooks.PendingExpiration):
            payload["consent_expires_at"] = event.consent_expiration_time.astimezone(
                UTC
            ).isoformat()
        elif isinstance(event, webhooks.PendingDisconnect) and event.disconnect_time:
            payload["consent_expires_at"] = event.disconnect_time.astimezone(UTC).isoformat()
        await enqueue(
            session,
            ITEM_EVENT_JOB,
            payload,
            key=f"{ITEM_EVENT_JOB}:{delivery_id}",
            household_id=connection.household_id,
        )
        return "item_event"
    return "ignored"
