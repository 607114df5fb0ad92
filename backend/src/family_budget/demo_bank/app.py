"""The demo bank over HTTP: Plaid's wire format, the control API, and Link's stand-in page.

Plaid endpoints are POST with a JSON body; credentials come in the body (`client_id`, `secret`)
or in the PLAID-CLIENT-ID / PLAID-SECRET headers, and any non-empty pair is accepted. Success
bodies carry `request_id`; failures are PlaidError bodies with Plaid's HTTP status.

Control endpoints (not Plaid's, for tests and for poking at the demo by hand):

- ``POST /demo/advance`` ``{"days", "hours", "minutes"}``: move the clock; new activity appears.
- ``POST /demo/errors`` ``{"endpoint", "error_code", "times", "after", "item_id"}``: the next
  `times` calls of `endpoint` (after letting `after` through) fail with that Plaid error.
  TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION changes the item's data instead, so the sync run
  under way notices it; ITEM_LOGIN_REQUIRED breaks the item's login until Link's update mode
  repairs it. ``DELETE /demo/errors`` clears the queue.
- ``POST /demo/items/{item_id}/transactions`` ``{"count", "pending", "amount", "merchant"}``,
  ``POST .../transactions/{id}/post`` ``{"amount"}``, ``PATCH .../transactions/{id}``,
  ``DELETE .../transactions/{id}``: make exactly the changes a test needs.
- ``GET /demo/state``: the clock and the items.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from family_budget.demo_bank.bank import (
    DemoBank,
    ErrorRule,
    PlaidErrorResponse,
    invalid_request,
    new_request_id,
)
from family_budget.demo_bank.link_page import render_link_page
from family_budget.demo_bank.persistence import StateFile

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS: Final = 10
Operation = Callable[[dict[str, Any]], dict[str, Any]]


def create_demo_bank_app(
    bank: DemoBank,
    *,
    state_file: StateFile | None = None,
    tick_seconds: float | None = 5.0,
) -> Starlette:
    """The ASGI app. With a real-time clock, a ticker applies new activity every `tick_seconds`
    and sends the webhooks it causes; `state_file` keeps the state across restarts."""
    deliveries: set[asyncio.Task[None]] = set()
    # One delivery at a time, in the order the bank queued them (asyncio.Lock wakes its waiters
    # first come, first served): a receiver sees an item's webhooks in the order they happened.
    # Sent concurrently, a webhook could overtake the one queued just before it, and a test
    # that waits for a later webhook as its end marker could miss the earlier one. A receiver
    # that does not answer holds the next ones up to WEBHOOK_TIMEOUT_SECONDS each.
    in_order = asyncio.Lock()

    def finish() -> None:
        """After any change: persist, and send the webhooks it queued (in the background)."""
        outbox, bank.outbox = bank.outbox, []
        if state_file is not None:
            state_file.save(bank)
        for url, body in outbox:
            task = asyncio.get_running_loop().create_task(_deliver(bank, url, body, in_order))
            deliveries.add(task)
            task.add_done_callback(deliveries.discard)

    def plaid(operation: Operation) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            request_id = new_request_id()
            try:
                body = await _json_body(request)
                _check_credentials(request, body)
                with bank.lock:
                    try:
                        bank.check_injected_error(request.url.path, body)
                        result = operation(body)
                    finally:
                        finish()
            except PlaidErrorResponse as error:
                return JSONResponse(
                    {**error.body(), "request_id": request_id}, status_code=error.http_status
                )
            return JSONResponse({**result, "request_id": request_id})

        return endpoint

    def control(
        handler: Callable[[Request, dict[str, Any]], Any], status: int = 200
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            try:
                body = await _json_body(request) if request.method in ("POST", "PATCH") else {}
                with bank.lock:
                    try:
                        result = handler(request, body)
                    finally:
                        finish()
            except PlaidErrorResponse as error:
                return JSONResponse(error.body(), status_code=error.http_status)
            if result is None:
                return Response(status_code=204)
            return JSONResponse(result, status_code=status)

        return endpoint

    def advance(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        delta = timedelta(
            days=_number(body, "days"),
            hours=_number(body, "hours"),
            minutes=_number(body, "minutes"),
        )
        if delta < timedelta(0):
            raise invalid_request("INVALID_FIELD", "the clock only moves forward")
        bank.advance(delta)
        return {"now": bank.clock.now().isoformat()}

    def state(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        bank.catch_up_all()
        return {
            "now": bank.clock.now().isoformat(),
            "items": [
                {
                    "item_id": item.item_id,
                    "institution_id": item.institution_id,
                    "login_required": item.login_required,
                    "transactions": len(item.transactions),
                    "changes": len(item.log),
                    "webhook": item.webhook,
                }
                for item in bank.items.values()
            ],
        }

    def inject(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(body.get("endpoint"), str) or not isinstance(body.get("error_code"), str):
            raise invalid_request("MISSING_FIELDS", "endpoint and error_code are required")
        rule = ErrorRule(
            endpoint=body["endpoint"],
            error_code=body["error_code"],
            times=int(_number(body, "times", default=1)),
            after=int(_number(body, "after")),
            item_id=body.get("item_id"),
            error_type=body.get("error_type"),
            http_status=int(body["http_status"]) if body.get("http_status") else None,
        )
        bank.inject_error(rule)
        return {"queued": len(bank.error_rules)}

    def clear_errors(request: Request, body: dict[str, Any]) -> None:
        bank.error_rules.clear()

    def add_transactions(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        count = int(_number(body, "count", default=1))
        if not 1 <= count <= 10_000:
            raise invalid_request("INVALID_FIELD", "count must be from 1 to 10000")
        ids = bank.add_transactions(
            request.path_params["item_id"],
            count=count,
            pending=bool(body.get("pending", False)),
            amount=_amount(body.get("amount")),
            merchant=body.get("merchant"),
        )
        return {"transaction_ids": ids}

    def post_transaction(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        new_id = bank.post_transaction(
            request.path_params["item_id"],
            request.path_params["transaction_id"],
            _amount(body.get("amount")),
        )
        return {"transaction_id": new_id}

    def modify_transaction(request: Request, body: dict[str, Any]) -> None:
        bank.modify_transaction(
            request.path_params["item_id"], request.path_params["transaction_id"], body
        )

    def remove_transaction(request: Request, body: dict[str, Any]) -> None:
        bank.remove_transaction(
            request.path_params["item_id"], request.path_params["transaction_id"]
        )

    def complete_link(request: Request, body: dict[str, Any]) -> dict[str, Any]:
        return bank.complete_link(
            str(body.get("link_token") or ""),
            body.get("institution_id"),
            str(body.get("username") or ""),
            str(body.get("password") or ""),
        )

    async def link_page(request: Request) -> Response:
        token = request.query_params.get("token", "")
        with bank.lock:
            try:
                session = bank.link_session(token)
            except PlaidErrorResponse as error:
                return HTMLResponse(
                    render_link_page(None, None, request.query_params.get("origin"), error),
                    status_code=400,
                )
            item = bank.items.get(session.item_id) if session.item_id else None
        return HTMLResponse(
            render_link_page(token, item, request.query_params.get("origin"), None),
            headers={"Cache-Control": "no-store"},
        )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ticker = None
        if bank.clock.realtime and tick_seconds:
            ticker = asyncio.create_task(_tick(bank, tick_seconds, finish))
        try:
            yield
        finally:
            if ticker is not None:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
            for task in list(deliveries):
                with contextlib.suppress(Exception):
                    await task

    plaid_routes = {
        "/link/token/create": bank.create_link_token,
        "/sandbox/public_token/create": bank.sandbox_public_token_create,
        "/item/public_token/exchange": bank.exchange_public_token,
        "/accounts/get": bank.accounts_get,
        "/item/get": bank.item_get,
        "/item/remove": bank.item_remove,
        "/transactions/sync": bank.transactions_sync,
        "/webhook_verification_key/get": bank.webhook_verification_key_get,
        "/sandbox/item/fire_webhook": bank.sandbox_item_fire_webhook,
        "/sandbox/item/reset_login": bank.sandbox_item_reset_login,
    }
    item_transaction = "/demo/items/{item_id}/transactions/{transaction_id}"
    routes = [Route(path, plaid(op), methods=["POST"]) for path, op in plaid_routes.items()]
    routes += [
        Route("/link", link_page, methods=["GET"]),
        Route("/link/complete", control(complete_link), methods=["POST"]),
        Route("/demo/advance", control(advance), methods=["POST"]),
        Route("/demo/state", control(state), methods=["GET"]),
        Route("/demo/errors", control(inject, 201), methods=["POST"]),
        Route("/demo/errors", control(clear_errors), methods=["DELETE"]),
        Route(
            "/demo/items/{item_id}/transactions",
            control(add_transactions, 201),
            methods=["POST"],
        ),
        Route(f"{item_transaction}/post", control(post_transaction, 201), methods=["POST"]),
        Route(item_transaction, control(modify_transaction), methods=["PATCH"]),
        Route(item_transaction, control(remove_transaction), methods=["DELETE"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


async def _tick(bank: DemoBank, seconds: float, finish: Callable[[], None]) -> None:
    while True:
        await asyncio.sleep(seconds)
        with bank.lock:
            bank.catch_up_all()
            finish()


async def _deliver(bank: DemoBank, url: str, body: dict[str, Any], in_order: asyncio.Lock) -> None:
    # Pretty-printed like Plaid's: the receiver must hash these exact bytes.
    raw = json.dumps(body, indent=2).encode("utf-8")
    async with in_order:
        headers = {"Content-Type": "application/json", "Plaid-Verification": bank.signer.sign(raw)}
        try:
            status = await asyncio.to_thread(_post, url, raw, headers)
        except (OSError, urllib.error.URLError) as exc:
            logger.warning("demo bank webhook to %s failed: %s", url, type(exc).__name__)
            return
    if status >= 300:
        logger.warning("demo bank webhook to %s answered %s", url, status)


def _post(url: str, raw: bytes, headers: dict[str, str]) -> int:
    if not url.startswith(("http://", "https://")):
        raise urllib.error.URLError("webhook URL must be http(s)")
    request = urllib.request.Request(url, data=raw, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


async def _json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        raise invalid_request("INVALID_BODY", "body could not be parsed as JSON") from None
    if not isinstance(body, dict):
        raise invalid_request("INVALID_BODY", "body must be a JSON object")
    return body


def _check_credentials(request: Request, body: dict[str, Any]) -> None:
    client_id = body.pop("client_id", None) or request.headers.get("PLAID-CLIENT-ID")
    secret = body.pop("secret", None) or request.headers.get("PLAID-SECRET")
    if not client_id or not secret:
        raise PlaidErrorResponse(
            "INVALID_REQUEST",
            "MISSING_FIELDS",
            "the following required fields are missing: client_id, secret",
        )


def _number(body: dict[str, Any], name: str, default: float = 0) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise invalid_request("INVALID_FIELD", f"{name} must be a number")
    return float(value)


def _amount(value: object) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise invalid_request("INVALID_FIELD", "amount must be a decimal string") from None
    if not amount.is_finite():
        raise invalid_request("INVALID_FIELD", "amount must be finite")
    return amount
