"""The worker's side of bank connections: syncing, item events from webhooks, removing items.

**Sync** (`run_sync`, the `bank_connections.sync` job):
1. A short transaction takes the connection's row lock, bumps `sync_generation` (a sync request
   made from now on gets a job of its own, see service.request_sync) and notes the start.
2. Every /transactions/sync page is fetched from the stored cursor with no database transaction
   open (PlaidClient.fetch_sync restarts the whole loop on
   TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION, as Plaid requires).
3. One transaction locks the connection row (PostgreSQL: SELECT ... FOR UPDATE; SQLite: its one
   writer) and checks the stored cursor is still the one the fetch began with. If another sync
   advanced it meanwhile, nothing is written and the fetch starts again from the new cursor, so
   two syncs of one item never interleave and a page is never applied twice. Otherwise
   added/modified/removed (apply.apply_sync_result) and the new cursor are written together:
   a sync killed anywhere leaves either everything or nothing, and the job runs again.

**Errors.** plaid_api already retries rate limits, institution downtime and 5xx inside a run
(backoff with full jitter); a run that still fails leaves the job to the job system, which
retries it with its own backoff and jitter. ITEM_LOGIN_REQUIRED is never retried: the
connection becomes needs_reauth until the family signs in again (Link's update mode). Other
Plaid errors set status "error" and fail the job; the next webhook, "Sync now" or the daily sync
tries again.

**Item events** (`run_item_event`): ERROR and LOGIN_REPAIRED webhooks are hints, and Plaid's
/item/get is asked for the truth, so that webhooks replayed or delivered out of order cannot
leave a wrong status. PENDING_EXPIRATION / PENDING_DISCONNECT ask for re-authentication before
access breaks (needs_reauth, with the date); a successful sync clears that only once /item/get
no longer reports the old consent expiry. USER_PERMISSION_REVOKED is final: disconnected.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import perf_counter
from typing import Any, Final, Literal

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget import redis_client
from family_budget.alerts.service import AlertKind, raise_alert
from family_budget.bank_connections import mapping, metrics
from family_budget.bank_connections.apply import apply_sync_result
from family_budget.bank_connections.plaid_api import (
    PlaidAccount,
    PlaidApiError,
    PlaidClient,
    RetryPolicy,
    SyncResult,
)
from family_budget.bank_connections.status_cache import SyncStatus, SyncStatusCache
from family_budget.bank_connections.token_crypto import TokenCipher, TokenDecryptionError
from family_budget.config import Settings
from family_budget.db import unit_of_work
from family_budget.households.context import HouseholdContext
from family_budget.models import (
    Account,
    BankConnection,
    BankConnectionAccount,
    BankConnectionStatus,
    Household,
)
from family_budget.worker.jobs import JobContext, PermanentJobError

logger = logging.getLogger(__name__)

SYNC_LEASE: Final = timedelta(minutes=10)
# Fetches started again because another sync applied first, before the job gives up (and is
# retried by the job system).
MAX_SUPERSEDED: Final = 5
PENDING_EXPIRY_CODES: Final = frozenset({"PENDING_EXPIRATION", "PENDING_DISCONNECT"})
_GONE: Final = frozenset({"ITEM_NOT_FOUND", "INVALID_ACCESS_TOKEN"})


class RetryableSyncError(Exception):
    """Plaid failed in a way that may pass (rate limit, downtime, 5xx): the job system retries."""


# --- Plumbing the jobs share ----------------------------------------------------------------------


def plaid_client(settings: Settings) -> PlaidClient:
    return PlaidClient.from_settings(
        settings, retry=RetryPolicy(max_attempts=settings.plaid_max_attempts)
    )


@asynccontextmanager
async def status_cache(settings: Settings) -> AsyncIterator[SyncStatusCache]:
    """The cache on a client of this job's own (a job runs in an event loop of its own)."""
    url = settings.resolved_redis_url
    client = redis_client.connect(url) if url else None
    try:
        yield SyncStatusCache(client)
    finally:
        if client is not None:
            await client.aclose()


async def _locked(session: AsyncSession, connection_id: uuid.UUID) -> BankConnection | None:
    statement = select(BankConnection).where(BankConnection.id == connection_id)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()


def _syncable(connection: BankConnection | None) -> bool:
    return (
        connection is not None
        and connection.removed_at is None
        and connection.access_token_encrypted is not None
        and connection.status is not BankConnectionStatus.DISCONNECTED
    )


def _access_token(settings: Settings, connection: BankConnection) -> str:
    assert connection.access_token_encrypted is not None
    return TokenCipher.from_settings(settings).decrypt(
        connection.access_token_encrypted, context=str(connection.id)
    )


def _record_error(connection: BankConnection, code: str, message: str) -> None:
    connection.last_error_code = code[:100]
    connection.last_error_message = message


async def ask_for_reauth(
    session: AsyncSession, ctx: JobContext, connection: BankConnection, code: str, message: str
) -> None:
    """The family must sign in again (Link's update mode): ITEM_LOGIN_REQUIRED, or consent
    about to expire. The one place that turns a connection to needs_reauth, and that tells the
    household's owners and adults so (an account_sync_failure alert).

    They are told when the connection starts waiting for this sign-in, not again while it still
    waits (a sync the family starts meanwhile fails the same way). The alert's key names the
    connection, the code and the day, so a webhook delivered twice, two jobs racing or a retried
    job tell nobody twice."""
    waiting_already = (
        connection.status is BankConnectionStatus.NEEDS_REAUTH
        and connection.last_error_code == code[:100]
    )
    connection.status = BankConnectionStatus.NEEDS_REAUTH
    _record_error(connection, code, message)
    if not waiting_already:
        await _alert_sync_failure(session, ctx, connection, code)


async def _alert_sync_failure(
    session: AsyncSession, ctx: JobContext, connection: BankConnection, code: str
) -> None:
    household = await session.get_one(Household, connection.household_id)
    account_names = (
        await session.scalars(
            select(Account.name)
            .join(BankConnectionAccount, BankConnectionAccount.account_id == Account.id)
            .where(BankConnectionAccount.connection_id == connection.id)
            .order_by(Account.name)
        )
    ).all()
    app_url = ctx.settings.public_app_url.rstrip("/")
    await raise_alert(
        session,
        kind=AlertKind.ACCOUNT_SYNC_FAILURE,
        data={
            "household_name": household.name,
            "institution_name": connection.institution_name,
            "account_name": ", ".join(account_names) or connection.institution_name,
            "reconnect_url": f"{app_url}/h/{household.id}/bank-connections",
        },
        key=f"sync-failure:{connection.id}:{code[:100]}:{ctx.now.date().isoformat()}",
        household=HouseholdContext.for_system(household),
    )


def _error_message(error: PlaidApiError) -> str:
    return error.display_message or error.error_message or str(error)


async def recount_statuses(session: AsyncSession) -> None:
    """Set the connections-by-status gauge (see metrics)."""
    rows = await session.execute(
        select(BankConnection.status, func.count())
        .where(BankConnection.removed_at.is_(None))
        .group_by(BankConnection.status)
    )
    metrics.record_connection_counts({status: int(count) for status, count in rows})


def _cached(connection: BankConnection, running_until: datetime | None) -> SyncStatus:
    return SyncStatus(
        running_until=running_until,
        last_synced_at=connection.last_synced_at,
        last_error_code=connection.last_error_code,
        last_error_message=connection.last_error_message,
    )


# --- Sync -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Start:
    cursor: str | None
    access_token: str
    needs_consent_check: bool


async def run_sync(ctx: JobContext, connection_id: uuid.UUID) -> str:
    """Sync one connection (see the module doc); returns the outcome it counted."""
    started = perf_counter()
    outcome = "error"
    try:
        async with status_cache(ctx.settings) as cache:
            outcome = await _sync(ctx, connection_id, cache)
    except RetryableSyncError:
        outcome = "retry"
        raise
    finally:
        metrics.syncs_total.labels(outcome).inc()
        if outcome != "skipped":
            metrics.sync_duration_seconds.observe(perf_counter() - started)
    return outcome


async def _sync(ctx: JobContext, connection_id: uuid.UUID, cache: SyncStatusCache) -> str:
    try:
        start = await _begin(ctx, connection_id, cache)
    except TokenDecryptionError:
        await _fail(
            ctx, connection_id, cache, "TOKEN_UNREADABLE", "The stored bank token is unreadable"
        )
        raise PermanentJobError("the access token cannot be decrypted") from None
    if start is None:
        return "skipped"
    cursor = start.cursor
    with plaid_client(ctx.settings) as client:
        try:
            consent_resolved = (
                await _consent_renewed(ctx, client, connection_id, start.access_token)
                if start.needs_consent_check
                else False
            )
            for _ in range(MAX_SUPERSEDED + 1):
                result = await asyncio.to_thread(client.fetch_sync, start.access_token, cursor)
                if result.restarts:
                    metrics.sync_restarts_total.labels("plaid").inc(result.restarts)
                balances = await _balances(ctx, client, connection_id, start.access_token, result)
                applied = await _apply(
                    ctx, connection_id, cursor, result, balances, consent_resolved
                )
                if applied is None:
                    return "skipped"
                if applied is True:
                    break
                cursor = applied  # another sync moved the cursor: fetch again from there
                metrics.sync_restarts_total.labels("superseded").inc()
            else:
                raise RetryableSyncError("other syncs kept applying first")
        except PlaidApiError as error:
            return await _plaid_failed(ctx, connection_id, cache, error)
    async with unit_of_work(ctx.session_factory) as session:
        connection = await session.get(BankConnection, connection_id)
        if connection is not None:
            await cache.put(connection_id, _cached(connection, None))
        await recount_statuses(session)
    return "success"


async def _begin(
    ctx: JobContext, connection_id: uuid.UUID, cache: SyncStatusCache
) -> _Start | None:
    async with unit_of_work(ctx.session_factory) as session:
        connection = await _locked(session, connection_id)
        if connection is None or not _syncable(connection):
            return None
        connection.sync_generation += 1
        connection.sync_started_at = ctx.now
        start = _Start(
            cursor=connection.sync_cursor,
            access_token=_access_token(ctx.settings, connection),
            needs_consent_check=connection.status is BankConnectionStatus.NEEDS_REAUTH
            and connection.last_error_code in PENDING_EXPIRY_CODES,
        )
        await cache.put(connection_id, _cached(connection, ctx.now + SYNC_LEASE))
    return start


async def _consent_renewed(
    ctx: JobContext, client: PlaidClient, connection_id: uuid.UUID, access_token: str
) -> bool:
    """Has the family renewed consent since Plaid warned it would expire?"""
    item = await asyncio.to_thread(client.get_item, access_token)
    async with unit_of_work(ctx.session_factory) as session:
        connection = await session.get(BankConnection, connection_id)
        warned = connection.consent_expires_at if connection else None
    renewed_until = item.consent_expiration_time
    return warned is None or renewed_until is None or renewed_until > warned


async def _balances(
    ctx: JobContext,
    client: PlaidClient,
    connection_id: uuid.UUID,
    access_token: str,
    result: SyncResult,
) -> dict[str, int]:
    """The bank's current balances, for the accounts whose opening balance follows the bank's:
    from the sync's own pages when they list the account, else from /accounts/get."""
    async with unit_of_work(ctx.session_factory) as session:
        wanted = set(
            (
                await session.scalars(
                    select(BankConnectionAccount.plaid_account_id).where(
                        BankConnectionAccount.connection_id == connection_id,
                        BankConnectionAccount.opening_balance_from_bank.is_(True),
                    )
                )
            ).all()
        )
    if not wanted:
        return {}
    accounts: dict[str, PlaidAccount] = {a.account_id: a for a in result.accounts}
    if not wanted <= set(accounts):
        for account in await asyncio.to_thread(client.get_accounts, access_token):
            accounts.setdefault(account.account_id, account)
    balances: dict[str, int] = {}
    for plaid_id in wanted:
        found = accounts.get(plaid_id)
        balance = mapping.bank_balance_minor(found) if found else None
        if balance is not None:
            balances[plaid_id] = balance
    return balances


async def _apply(
    ctx: JobContext,
    connection_id: uuid.UUID,
    cursor: str | None,
    result: SyncResult,
    balances: dict[str, int],
    consent_resolved: bool,
) -> Literal[True] | str | None:
    """True when applied; the newer cursor when another sync got there first; None when the
    connection went away (removed or disconnected) meanwhile."""
    async with unit_of_work(ctx.session_factory) as session:
        connection = await _locked(session, connection_id)
        if connection is None or not _syncable(connection):
            return None
        if connection.sync_cursor != cursor:
            return connection.sync_cursor or ""
        links = list(
            (
                await session.scalars(
                    select(BankConnectionAccount).where(
                        BankConnectionAccount.connection_id == connection_id
                    )
                )
            ).all()
        )
        counts = await apply_sync_result(
            session,
            household_id=connection.household_id,
            links=links,
            result=result,
            balances_minor=balances,
            now=ctx.now,
        )
        if result.next_cursor:
            connection.sync_cursor = result.next_cursor
        connection.last_synced_at = connection.sync_finished_at = ctx.now
        _healthy_after_sync(connection, consent_resolved)
    for change, count in (
        ("added", counts.added),
        ("modified", counts.modified),
        ("removed", counts.removed),
    ):
        metrics.transactions_total.labels(change).inc(count)
    logger.info(
        "bank sync applied",
        extra={
            "connection_id": str(connection_id),
            "added": counts.added,
            "modified": counts.modified,
            "removed": counts.removed,
            "skipped": counts.skipped,
            "pages": result.pages,
        },
    )
    return True


def _healthy_after_sync(connection: BankConnection, consent_resolved: bool) -> None:
    waiting_for_consent = (
        connection.status is BankConnectionStatus.NEEDS_REAUTH
        and connection.last_error_code in PENDING_EXPIRY_CODES
        and not consent_resolved
    )
    if waiting_for_consent:
        return
    connection.status = BankConnectionStatus.HEALTHY
    connection.last_error_code = connection.last_error_message = None
    if consent_resolved:
        connection.consent_expires_at = None


async def _plaid_failed(
    ctx: JobContext, connection_id: uuid.UUID, cache: SyncStatusCache, error: PlaidApiError
) -> str:
    async with unit_of_work(ctx.session_factory) as session:
        connection = await _locked(session, connection_id)
        if connection is None:
            return "skipped"
        connection.sync_finished_at = ctx.now
        if error.login_required:
            await ask_for_reauth(session, ctx, connection, error.error_code, _error_message(error))
        else:
            _record_error(connection, error.error_code, _error_message(error))
            if not error.retryable:
                connection.status = BankConnectionStatus.ERROR
        await cache.put(connection_id, _cached(connection, None))
        await recount_statuses(session)
    if error.login_required:
        return "login_required"
    if error.retryable:
        raise RetryableSyncError(f"Plaid {error.error_type}/{error.error_code}") from None
    raise PermanentJobError(f"Plaid {error.error_type}/{error.error_code}") from None


async def _fail(
    ctx: JobContext, connection_id: uuid.UUID, cache: SyncStatusCache, code: str, message: str
) -> None:
    async with unit_of_work(ctx.session_factory) as session:
        connection = await _locked(session, connection_id)
        if connection is None:
            return
        _record_error(connection, code, message)
        connection.status = BankConnectionStatus.ERROR
        connection.sync_finished_at = ctx.now
        await cache.put(connection_id, _cached(connection, None))


# --- Item events ----------------------------------------------------------------------------------


async def run_item_event(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Apply an ITEM webhook (see the module doc). Payload: connection_id, event (the webhook
    event's kind), and for PENDING_* the consent expiry."""
    connection_id = uuid.UUID(payload["connection_id"])
    event = str(payload["event"])
    async with unit_of_work(ctx.session_factory) as session:
        connection = await session.get(BankConnection, connection_id)
        if not _syncable(connection):
            return
        assert connection is not None
        try:
            access_token = _access_token(ctx.settings, connection)
        except TokenDecryptionError:
            raise PermanentJobError("the access token cannot be decrypted") from None

    item_error: PlaidApiError | None = None
    if event in ("item_error", "login_repaired"):
        with plaid_client(ctx.settings) as client:
            try:
                item_error = (await asyncio.to_thread(client.get_item, access_token)).error
            except PlaidApiError as error:
                if error.retryable:
                    raise RetryableSyncError(f"Plaid {error.error_code}") from None
                item_error = error

    async with unit_of_work(ctx.session_factory) as session:
        connection = await _locked(session, connection_id)
        if connection is None or not _syncable(connection):
            return
        if event == "user_permission_revoked":
            connection.status = BankConnectionStatus.DISCONNECTED
            _record_error(
                connection,
                "USER_PERMISSION_REVOKED",
                "Access to this bank was revoked at the bank; its transactions are kept",
            )
        elif event in ("pending_expiration", "pending_disconnect"):
            expires = payload.get("consent_expires_at")
            connection.consent_expires_at = datetime.fromisoformat(expires) if expires else None
            code = "PENDING_EXPIRATION" if event == "pending_expiration" else "PENDING_DISCONNECT"
            await ask_for_reauth(
                session,
                ctx,
                connection,
                code,
                "The bank will stop sharing data soon: reconnect to keep transactions coming",
            )
        elif item_error is not None:
            if item_error.login_required:
                await ask_for_reauth(
                    session, ctx, connection, item_error.error_code, _error_message(item_error)
                )
            else:
                _record_error(connection, item_error.error_code, _error_message(item_error))
                if not item_error.retryable:
                    connection.status = BankConnectionStatus.ERROR
        elif connection.last_error_code not in PENDING_EXPIRY_CODES:
            # Plaid reports no error (the login works again): healthy, and catch up.
            from family_budget.bank_connections.service import request_sync

            if connection.status in (BankConnectionStatus.NEEDS_REAUTH, BankConnectionStatus.ERROR):
                connection.status = BankConnectionStatus.HEALTHY
                connection.last_error_code = connection.last_error_message = None
            await request_sync(session, connection)
        await recount_statuses(session)
    async with status_cache(ctx.settings) as cache:
        await cache.put(connection_id, _cached(connection, None))


# --- Removal --------------------------------------------------------------------------------------


async def run_remove_item(ctx: JobContext, connection_id: uuid.UUID) -> None:
    """After DELETE: end the item at Plaid (billing stops, the token dies), then forget the
    connection. Its accounts and transactions stay, as plain accounts of the household."""
    async with unit_of_work(ctx.session_factory) as session:
        connection = await session.get(BankConnection, connection_id)
        if connection is None or connection.removed_at is None:
            return
        encrypted = connection.access_token_encrypted
        access_token = _access_token(ctx.settings, connection) if encrypted else None
    if access_token is not None:
        with plaid_client(ctx.settings) as client:
            try:
                await asyncio.to_thread(client.remove_item, access_token)
            except PlaidApiError as error:
                if error.error_code not in _GONE:
                    raise
    async with unit_of_work(ctx.session_factory) as session:
        await session.execute(delete(BankConnection).where(BankConnection.id == connection_id))
        await recount_statuses(session)
    async with status_cache(ctx.settings) as cache:
        await cache.forget(connection_id)
