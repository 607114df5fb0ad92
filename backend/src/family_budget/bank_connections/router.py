from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status
from pydantic import BaseModel

from family_budget.audit import service as audit
from family_budget.audit.service import Target
from family_budget.bank_connections import service
from family_budget.bank_connections.plaid_api import PlaidClient
from family_budget.bank_connections.schemas import (
    BankConnectionCreate,
    BankConnectionRead,
    ConnectedAccountRead,
    LinkTokenCreate,
    LinkTokenRead,
    SyncErrorRead,
    SyncQueued,
)
from family_budget.bank_connections.status_cache import SyncStatusCache
from family_budget.bank_connections.token_crypto import TokenCipher
from family_budget.bank_connections.webhooks import (
    VERIFICATION_HEADER,
    WebhookPayloadError,
    WebhookVerificationError,
    WebhookVerifier,
    parse_webhook,
)
from family_budget.deps import AdultHouseholdDep, HouseholdDep, SessionDep, SettingsDep
from family_budget.errors import (
    BadRequest,
    Conflict,
    NotFound,
    ServiceUnavailable,
    Unauthorized,
    Unprocessable,
)
from family_budget.models import AuditAction, BankConnection, BankConnectionStatus
from family_budget.observability.metrics import Metrics

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/bank-connections", tags=["bank connections"])
webhook_router = APIRouter(prefix="/webhooks", tags=["webhooks"])


async def _plaid(request: Request) -> PlaidClient:
    client: PlaidClient | None = request.app.state.plaid
    if client is None:
        raise ServiceUnavailable(
            "Bank connections are not configured on this server (PLAID_CLIENT_ID, PLAID_SECRET)",
            code="bank_sync_not_configured",
        )
    return client


async def _cipher(request: Request) -> TokenCipher:
    cipher: TokenCipher = request.app.state.token_cipher
    return cipher


async def _cache(request: Request) -> SyncStatusCache:
    cache: SyncStatusCache = request.app.state.sync_status_cache
    return cache


PlaidDep = Annotated[PlaidClient, Depends(_plaid)]
CipherDep = Annotated[TokenCipher, Depends(_cipher)]
CacheDep = Annotated[SyncStatusCache, Depends(_cache)]


async def _connection_from_path(
    connection_id: Annotated[uuid.UUID, Path(description="The bank connection's id")],
    household: HouseholdDep,
    session: SessionDep,
) -> BankConnection:
    return await service.get_connection(session, household, connection_id)


ConnectionDep = Annotated[BankConnection, Depends(_connection_from_path)]


def _read(details: service.ConnectionDetails) -> BankConnectionRead:
    connection = details.connection
    last_error = None
    if details.last_error_code:
        last_error = SyncErrorRead(
            code=details.last_error_code, message=details.last_error_message or ""
        )
    return BankConnectionRead(
        id=connection.id,
        institution_name=connection.institution_name,
        status=connection.status,
        sync_running=details.sync_running,
        last_synced_at=details.last_synced_at,
        last_error=last_error,
        consent_expires_at=connection.consent_expires_at,
        accounts=[
            ConnectedAccountRead(
                id=account.id,
                name=account.name,
                mask=account.mask,
                kind=account.kind,
                account_id=account.account_id,
            )
            for account in details.accounts
        ],
        created_at=connection.created_at,
    )


@router.post("/link-token")
async def create_link_token(
    household: AdultHouseholdDep,
    session: SessionDep,
    settings: SettingsDep,
    plaid: PlaidDep,
    cipher: CipherDep,
    body: LinkTokenCreate,
) -> LinkTokenRead:
    """A Plaid Link token: to connect a bank, or with connection_id to repair a connection."""
    connection = None
    if body.connection_id is not None:
        try:
            connection = await service.get_connection(session, household, body.connection_id)
        except NotFound:
            raise Unprocessable(
                "connection_id does not name a bank connection of this household",
                code="unknown_bank_connection",
            ) from None
    result = await service.create_link_token(
        household, plaid, cipher, connection, demo_bank_url=settings.plaid_api_url
    )
    return LinkTokenRead(
        link_token=result.link_token,
        expiration=result.expiration,
        demo_link_url=result.demo_link_url,
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_bank_connection(
    household: AdultHouseholdDep,
    session: SessionDep,
    plaid: PlaidDep,
    cipher: CipherDep,
    cache: CacheDep,
    body: BankConnectionCreate,
) -> BankConnectionRead:
    """Connect a bank from Link's public token; its transactions arrive with the first sync."""
    connection = await service.create_connection(session, household, plaid, cipher, body)
    await audit.record(
        session,
        household,
        AuditAction.BANK_CONNECTION_LINKED,
        Target("bank_connection", connection.id, connection.institution_name),
    )
    return _read(await service.connection_details(session, household, connection, cache))


@router.get("")
async def list_bank_connections(
    household: HouseholdDep, session: SessionDep, cache: CacheDep
) -> list[BankConnectionRead]:
    """List the bank connections (a teen sees those feeding accounts shared with them)."""
    return [_read(d) for d in await service.list_connections(session, household, cache)]


@router.get("/{connection_id:uuid}")
async def get_bank_connection(
    connection: ConnectionDep, household: HouseholdDep, session: SessionDep, cache: CacheDep
) -> BankConnectionRead:
    """Get one bank connection with its sync status."""
    return _read(await service.connection_details(session, household, connection, cache))


@router.post("/{connection_id:uuid}/sync", status_code=status.HTTP_202_ACCEPTED)
async def sync_bank_connection(
    household: AdultHouseholdDep, connection: ConnectionDep, session: SessionDep
) -> SyncQueued:
    """Fetch new transactions now (in the background)."""
    if connection.status is BankConnectionStatus.DISCONNECTED:
        raise Conflict(
            "Access to this bank was revoked; connect it again to sync",
            code="bank_connection_disconnected",
        )
    return SyncQueued(queued=await service.request_sync(session, connection))


@router.delete("/{connection_id:uuid}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_bank_connection(
    household: AdultHouseholdDep, connection: ConnectionDep, session: SessionDep
) -> None:
    """Disconnect the bank; its accounts and transactions stay."""
    await service.remove_connection(session, connection)
    await audit.record(
        session,
        household,
        AuditAction.BANK_CONNECTION_REMOVED,
        Target("bank_connection", connection.id, connection.institution_name),
    )


class WebhookReceived(BaseModel):
    received: bool


@webhook_router.post("/plaid")
async def receive_plaid_webhook(
    request: Request, session: SessionDep, settings: SettingsDep
) -> WebhookReceived:
    """Plaid's webhooks (verified by their Plaid-Verification header); work is queued."""
    address = request.client.host if request.client else "unknown"
    await request.app.state.rate_limiter.hit(
        settings.plaid_webhook_rate_per_address, "plaid_webhook", address
    )
    verifier: WebhookVerifier | None = request.app.state.plaid_webhook_verifier
    if verifier is None:
        raise ServiceUnavailable(
            "Bank connections are not configured on this server", code="bank_sync_not_configured"
        )
    metrics: Metrics = request.app.state.metrics
    raw_body = await request.body()
    header = request.headers.get(VERIFICATION_HEADER)
    try:
        # The verifier may fetch a key from Plaid (blocking): in a thread.
        await asyncio.to_thread(verifier.verify, header, raw_body)
    except WebhookVerificationError as exc:
        metrics.plaid_webhooks.labels("unverified", "unverified", "failed").inc()
        logger.warning("plaid webhook refused", extra={"reason": str(exc), "address": address})
        raise Unauthorized(
            "The webhook's Plaid-Verification header does not verify",
            code="webhook_verification_failed",
            headers={},
        ) from None
    try:
        event = parse_webhook(raw_body)
    except WebhookPayloadError as exc:
        metrics.plaid_webhooks.labels("malformed", "malformed", "verified").inc()
        raise BadRequest(str(exc), code="invalid_webhook") from None
    assert header is not None
    delivery_id = hashlib.sha256(header.encode()).hexdigest()
    outcome = await service.handle_webhook(session, event, delivery_id)
    webhook_type, webhook_code = _type_and_code(raw_body)
    metrics.plaid_webhooks.labels(webhook_type, webhook_code, "verified").inc()
    logger.info(
        "plaid webhook",
        extra={"webhook_type": webhook_type, "webhook_code": webhook_code, "outcome": outcome},
    )
    return WebhookReceived(received=True)


def _type_and_code(raw_body: bytes) -> tuple[str, str]:
    body = json.loads(raw_body)  # parse_webhook has checked it is a JSON object
    return str(body.get("webhook_type"))[:40], str(body.get("webhook_code"))[:60]
