"""create_app(): routers, middleware and the lifespan that owns engines and clients."""

from __future__ import annotations

import gc
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles

from family_budget.accounts.register_router import router as account_register_router
from family_budget.accounts.router import router as accounts_router
from family_budget.alerts.router import router as alerts_router
from family_budget.audit.router import router as audit_router
from family_budget.auth.rate_limit import build_rate_limiter
from family_budget.auth.refresh_store import build_refresh_store
from family_budget.auth.router import router as auth_router
from family_budget.bank_connections.plaid_api import PlaidClient, RetryPolicy
from family_budget.bank_connections.router import router as bank_connections_router
from family_budget.bank_connections.router import webhook_router as plaid_webhook_router
from family_budget.bank_connections.status_cache import SyncStatusCache
from family_budget.bank_connections.token_crypto import TokenCipher
from family_budget.bank_connections.webhooks import WebhookVerifier
from family_budget.bills.router import feed_router as bill_feed_router
from family_budget.bills.router import router as bills_router
from family_budget.budgets.router import alert_router as budget_alerts_router
from family_budget.budgets.router import router as budgets_router
from family_budget.categories.router import router as categories_router
from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory, read_only_bind
from family_budget.errors import install_error_handlers
from family_budget.exports.router import router as exports_router
from family_budget.households.router import router as households_router
from family_budget.http_headers import SecurityHeadersMiddleware
from family_budget.idempotency import IdempotencyMiddleware
from family_budget.imports.parsing.limits import MAX_FILE_BYTES as MAX_IMPORT_FILE_BYTES
from family_budget.imports.router import payees_router
from family_budget.imports.router import router as imports_router
from family_budget.observability.logging import configure_logging
from family_budget.observability.metrics import Metrics
from family_budget.observability.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from family_budget.openapi_contract import contract_openapi
from family_budget.receipts.content import MAX_RECEIPT_BYTES
from family_budget.receipts.router import router as receipts_router
from family_budget.redis_client import connect as connect_redis
from family_budget.reports.router import router as reports_router
from family_budget.rules.router import router as rules_router
from family_budget.storage.router import router as files_router
from family_budget.system.router import router as system_router
from family_budget.transactions.router import router as transactions_router
from family_budget.worker.dispatch import Dispatcher

API_PREFIX = "/api/v1"
HOUSEHOLD_PREFIX = f"{API_PREFIX}/households/{{household_id}}"
# A receipt upload is the one body larger than MAX_REQUEST_BODY_BYTES: the file plus room for
# the multipart framing.
RECEIPT_UPLOAD = ("POST", re.compile(rf"{API_PREFIX}/households/[^/]+/receipts"))
RECEIPT_UPLOAD_MAX_BYTES = MAX_RECEIPT_BYTES + 64 * 1024
# A bank file of up to 20 MB, plus the multipart envelope and the options field.
IMPORT_UPLOAD = ("POST", re.compile(rf"{API_PREFIX}/households/[^/]+/imports"))
IMPORT_UPLOAD_MAX_BYTES = MAX_IMPORT_FILE_BYTES + 64 * 1024


def _operation_id(route: APIRoute) -> str:
    # Stable, readable ids for the generated web client: the endpoint function's name.
    return route.name


# Swagger UI's files come from a package, not a CDN: the docs work on a laptop without internet.
_DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"


def _serve_docs(app: FastAPI) -> None:
    app.mount("/docs-assets", StaticFiles(directory=_DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Family Budget API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/docs-assets/favicon.png",
            swagger_ui_parameters={"persistAuthorization": True},
        )


def create_app(
    settings: Settings | None = None, *, configure_logs: bool = True, freeze_heap: bool = False
) -> FastAPI:
    settings = settings or Settings()
    if configure_logs:
        configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        dispatcher = Dispatcher(settings)
        redis_client = (
            connect_redis(settings.resolved_redis_url) if settings.resolved_redis_url else None
        )
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine, job_nudge=dispatcher.nudge)
        # Requests that only read (GET, HEAD) take their sessions from here.
        app.state.read_session_factory = create_session_factory(
            read_only_bind(engine) or engine, job_nudge=dispatcher.nudge
        )
        app.state.redis = redis_client
        app.state.rate_limiter = build_rate_limiter(settings)
        app.state.refresh_store = build_refresh_store(
            settings, redis_client, app.state.session_factory
        )
        # One Plaid client and one webhook verifier per app: the verifier caches Plaid's keys.
        plaid = (
            PlaidClient.from_settings(
                settings, retry=RetryPolicy(max_attempts=settings.plaid_max_attempts)
            )
            if settings.plaid_client_id and settings.plaid_secret
            else None
        )
        app.state.plaid = plaid
        app.state.plaid_webhook_verifier = (
            WebhookVerifier(plaid.get_webhook_verification_key) if plaid else None
        )
        app.state.token_cipher = TokenCipher.from_settings(settings)
        app.state.sync_status_cache = SyncStatusCache(redis_client)
        if freeze_heap:
            # Everything built at start lives as long as the process: out of the collector's
            # sight, a full collection no longer walks ~150k objects (a 130-200 ms pause that
            # stalled every request on the worker). Tests build many apps and leave this off.
            # FastAPI builds each route's request-time state (dependencies, validators) on the
            # first request that walks past it; building it here, once, freezes it too (with the
            # collector off meanwhile, as in main.py: all of it lives as long as the process).
            gc.disable()
            try:
                for _ in iter_route_contexts(app.routes):
                    pass
            finally:
                gc.enable()
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            if plaid is not None:
                plaid.close()
            if redis_client is not None:
                await redis_client.aclose()
            await engine.dispose()

    app = FastAPI(
        title="Family Budget API",
        version="1.0.0",
        summary="Households, accounts, transactions and monthly budgets for a family.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    app.state.metrics = Metrics()
    install_error_handlers(app)

    # Each router is included into the app itself, under its whole prefix, never into routers
    # nested in between: FastAPI builds every route of an included router again for each level
    # (and, when the prefix is empty, once more to check the paths), ~0.2 s of every start.
    # A request is matched against the routes in the order they are included, so the busiest
    # come first: the household's pages, led by transactions, the budget and reports. No request
    # can match two routes but one known pair (tests/test_route_order.py), so the order changes
    # nothing else.
    for domain_router in (
        transactions_router,
        categories_router,
        budgets_router,
        reports_router,
        accounts_router,
        account_register_router,
        bank_connections_router,
        receipts_router,
        exports_router,
        rules_router,
        bills_router,
        budget_alerts_router,
        imports_router,
        payees_router,
        audit_router,
    ):
        app.include_router(domain_router, prefix=HOUSEHOLD_PREFIX)
    for router in (
        auth_router,
        alerts_router,
        households_router,
        plaid_webhook_router,
        files_router,
        bill_feed_router,
    ):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(system_router)
    if settings.docs_enabled:
        _serve_docs(app)
    # Every error status each route can answer, with the problem+json body errors.py sends.
    app.openapi = lambda: contract_openapi(app)  # type: ignore[method-assign]

    # The last added is the outermost: the request id exists before anything else runs or
    # fails; idempotency runs innermost, on a body whose size is already limited.
    app.add_middleware(IdempotencyMiddleware, settings=settings)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_request_body_bytes,
        larger=[
            (*RECEIPT_UPLOAD, RECEIPT_UPLOAD_MAX_BYTES),
            (*IMPORT_UPLOAD, IMPORT_UPLOAD_MAX_BYTES),
        ],
    )
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware)
    return app
