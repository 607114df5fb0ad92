"""Domain errors carry their HTTP status and a stable code; one set of handlers renders RFC 9457."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import sqlalchemy.exc
from fastapi import FastAPI, Request, routing
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from family_budget import redis_client

PROBLEM_CONTENT_TYPE = "application/problem+json"
logger = logging.getLogger(__name__)


class AppError(Exception):
    """Base of every error a client may see. Subclasses set `status` and `code`."""

    status: int = 400
    code: str = "bad_request"
    title: str | None = None

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.headers = headers or {}
        self.extra = extra or {}


class BadRequest(AppError):
    status, code = 400, "bad_request"


class Unauthorized(AppError):
    status, code = 401, "unauthorized"

    def __init__(self, detail: str = "Authentication required", **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kwargs)


class Forbidden(AppError):
    status, code = 403, "forbidden"


class NotFound(AppError):
    status, code = 404, "not_found"


class Conflict(AppError):
    status, code = 409, "conflict"


class PreconditionFailed(AppError):
    status, code = 412, "precondition_failed"


class PreconditionRequired(AppError):
    status, code = 428, "precondition_required"


class Unprocessable(AppError):
    status, code = 422, "unprocessable"


class PayloadTooLarge(AppError):
    status, code = 413, "payload_too_large"


class ServiceUnavailable(AppError):
    """A service we depend on (a bank's API) is down or slow: try again later."""

    status, code = 503, "service_unavailable"

    def __init__(self, detail: str, *, retry_after_seconds: int = 30, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"Retry-After": str(max(1, retry_after_seconds))})
        super().__init__(detail, **kwargs)


class TooManyRequests(AppError):
    status, code = 429, "rate_limited"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(
            "Too many attempts; try again later",
            headers={"Retry-After": str(max(1, retry_after_seconds))},
            extra={"retry_after": max(1, retry_after_seconds)},
        )


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    title: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://family-budget.app/problems/{code.replace('_', '-')}",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    body.update(extra or {})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_CONTENT_TYPE)


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    503: "service_unavailable",
}


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        errors.append(
            {
                "field": ".".join(location[1:]) if len(location) > 1 else ".".join(location),
                "location": location[0] if location else "body",
                "message": error.get("msg", "invalid value"),
                "type": error.get("type", "value_error"),
            }
        )
    return errors


_DEPENDENCY_FAILURES: tuple[type[BaseException], ...] = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.TimeoutError,
    ConnectionError,
    TimeoutError,
)


def is_dependency_failure(exc: BaseException) -> bool:
    """A failure of the database or Redis themselves (refused, dropped or timed-out connections,
    a locked SQLite file), as opposed to an error in what we asked of them."""
    return isinstance(exc, _DEPENDENCY_FAILURES) or redis_client.is_unavailable(exc)


DEPENDENCY_RETRY_AFTER_SECONDS = 5


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path: the router's own 405 names only the first
    route whose path matched (GET of a resource that also takes PATCH and DELETE)."""
    methods: set[str] = set()
    for route in routing.iter_route_contexts(request.app.routes):
        path_regex = getattr(route, "path_regex", None)
        if path_regex is not None and path_regex.match(request.url.path):
            methods.update(getattr(route, "methods", None) or ())
    return ", ".join(sorted(methods))


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem(
            exc.status,
            exc.code,
            exc.detail,
            title=exc.title,
            instance=request.url.path,
            headers=exc.headers,
            extra=exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _field_errors(exc)
        if any(e["type"] == "json_invalid" for e in errors):
            return problem(
                400,
                "malformed_json",
                "The request body is not valid JSON",
                instance=request.url.path,
            )
        return problem(
            422,
            "validation_error",
            "The request has invalid fields",
            instance=request.url.path,
            extra={"errors": errors},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": _allowed_methods(request)}
        return problem(
            exc.status_code,
            code,
            detail,
            instance=request.url.path,
            headers=headers,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_dependency_failure(exc):
            # Nothing is wrong with the request: the database or Redis is down or restarting.
            # Clients retry after the pause; the pools reconnect by themselves (pre-ping, retries).
            logger.warning(
                "dependency unavailable",
                extra={"path": request.url.path, "error": type(exc).__name__},
            )
            return problem(
                503,
                "dependency_unavailable",
                "A service we depend on is unavailable; try again shortly",
                instance=request.url.path,
                headers={"Retry-After": str(DEPENDENCY_RETRY_AFTER_SECONDS)},
            )
        logger.exception("unhandled error", extra={"path": request.url.path})
        return problem(
            500,
            "internal_error",
            "Something went wrong on our side; it has been logged",
            instance=request.url.path,
        )
