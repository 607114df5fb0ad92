"""Pure ASGI middleware: request id + access log + metrics, and the request body size limit."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Sequence
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from family_budget.errors import problem
from family_budget.observability.metrics import Metrics
from family_budget.structlog_lean import structlog

access_logger = logging.getLogger("family_budget.access")
REQUEST_ID_HEADER = b"x-request-id"


def _route_template(scope: Scope) -> str:
    """The full path template of the matched route, e.g. /api/v1/households/{household_id}/accounts.

    FastAPI puts the matched route object in scope["route"], but for routes of included routers
    that object carries only its own relative path; the full template comes from the app's route
    table, indexed once per app by route object.
    """
    route: Any = scope.get("route")
    if route is None:
        return "unmatched"
    state = scope["app"].state
    templates: dict[int, str] | None = getattr(state, "route_templates", None)
    if templates is None:
        templates = {
            id(context.original_route): str(context.path_format or context.path)
            for context in iter_route_contexts(scope["app"].routes)
        }
        state.route_templates = templates
    return templates.get(id(route)) or str(getattr(route, "path", "unmatched"))


class RequestContextMiddleware:
    """Gives each request an id (kept from a sane incoming X-Request-ID), logs it, measures it
    into the application's `state.metrics`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else ""
        request_id = request_id or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status_code = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER, request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            labels = (route, scope["method"], str(status_code))
            metrics: Metrics = scope["app"].state.metrics
            metrics.http_requests.labels(*labels).inc()
            metrics.http_request_duration.labels(*labels).observe(elapsed)
            access_logger.info(
                "request",
                extra={
                    "method": scope["method"],
                    "route": route,
                    "status": status_code,
                    "duration_ms": round(elapsed * 1000, 2),
                },
            )
            structlog.contextvars.clear_contextvars()


class BodySizeLimitMiddleware:
    """Refuses bodies over the limit with 413 — by Content-Length up front, or while streaming.

    `larger` raises the limit for the few routes that take files: (method, path pattern, limit).
    """

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        larger: Sequence[tuple[str, re.Pattern[str], int]] = (),
    ) -> None:
        self.app = app
        self.default_max_bytes = max_bytes
        self.larger = larger

    def _limit(self, scope: Scope) -> int:
        for method, pattern, limit in self.larger:
            if scope["method"] == method and pattern.fullmatch(scope.get("path", "")):
                return limit
        return self.default_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self._limit(scope)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
            await self._reject(scope, receive, send, max_bytes)
            return

        received = 0
        rejected = False
        response_started = False

        async def guarded_send(message: Message) -> None:
            nonlocal response_started
            if rejected:
                return  # the 413 has been sent; whatever the app answers is dropped
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        async def limited_receive() -> Message:
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request" and not rejected:
                received += len(message.get("body", b""))
                if received > max_bytes:
                    # Answer now and tell the app the client went away, so it stops reading
                    # (raising here would surface as a generic 400 "error parsing the body").
                    if not response_started:
                        await self._reject(scope, receive, send, max_bytes)
                    rejected = True
                    return {"type": "http.disconnect"}
            return message

        await self.app(scope, limited_receive, guarded_send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        response = problem(
            413,
            "payload_too_large",
            f"The request body is larger than {max_bytes} bytes",
            instance=scope.get("path"),
        )
        await response(scope, receive, send)
