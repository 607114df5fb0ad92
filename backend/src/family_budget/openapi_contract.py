"""The OpenAPI schema as the contract: every error status a route can answer, with its body.

FastAPI documents a route's success and a 422 shaped like its own validation error, which is
not what `errors.py` sends. `contract_openapi(app)` post-processes `get_openapi()` once:

- every error is `application/problem+json`, the `Problem` body `errors.problem()` builds
  (validation errors list each field in `errors`, as `_field_errors()` writes them);
- the statuses come from what the route does, not from a hand-kept list: the `AppError`
  subclasses its endpoint and dependencies raise, found by reading their code and the code of the
  family_budget functions they call (`_RaiseFinder`), plus what the machinery around every route
  adds: request validation (422, 400 for malformed JSON), the body size limit (413), the
  Idempotency-Key middleware on POST (400, 409, 422) and a database or Redis outage (503).
  A route's explicit `responses=` are kept (their description) and given the Problem body.

500 is never documented: it is a defect, and the contract test fails on it.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import sys
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import FunctionType, MethodType, ModuleType
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from family_budget.errors import PROBLEM_CONTENT_TYPE, AppError, TooManyRequests
from family_budget.idempotency import MAX_KEY_LENGTH

_PACKAGE = "family_budget"
_SCHEMAS = "#/components/schemas/"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": (
        "An RFC 9457 problem document. `code` is stable and is what clients branch on; "
        "`detail` is for people. Some codes add members of their own (`retry_after`, "
        "the rows an undo kept, ...)."
    ),
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "A URI naming the problem, from `code`"},
        "title": {"type": "string", "description": "The status's reason phrase"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Stable, snake_case"},
        "instance": {"type": "string", "description": "The request's path"},
        "errors": {
            "type": "array",
            "description": "With `validation_error`: one entry per invalid input",
            "items": {"$ref": f"{_SCHEMAS}ProblemFieldError"},
        },
        "retry_after": {
            "type": "integer",
            "minimum": 1,
            "description": "With `rate_limited`: seconds to wait (also in Retry-After)",
        },
    },
    "additionalProperties": True,
}

FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "ProblemFieldError",
    "description": "One invalid input of a `validation_error`",
    "type": "object",
    "required": ["field", "location", "message", "type"],
    "properties": {
        "field": {
            "type": "string",
            "description": 'Dotted path within its location ("splits.0.amount_minor")',
        },
        "location": {
            "type": "string",
            "description": "body, query, path, header or cookie",
        },
        "message": {"type": "string"},
        "type": {"type": "string", "description": "Pydantic's error type (missing, ...)"},
    },
    "additionalProperties": False,
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}
_WWW_AUTHENTICATE = {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}

# What the machinery around the routes answers, whatever the route.
_DEFAULT_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    428: "precondition_required",
    429: "rate_limited",
    503: "dependency_unavailable",
}

# Attribute calls whose receiver the reader cannot type (`household.require(...)`) are matched by
# method name against family_budget's classes; these names are too common to mean anything.
_AMBIGUOUS_METHODS = frozenset(
    {
        "get",
        "add",
        "delete",
        "put",
        "list",
        "execute",
        "scalar",
        "scalars",
        "close",
        "flush",
        "commit",
        "rollback",
        "refresh",
        "read",
        "write",
        "open",
        "send",
        "run",
        "update",
        "pop",
        "set",
        "items",
        "keys",
        "values",
        "copy",
        "format",
        "join",
        "split",
        "strip",
        "encode",
        "decode",
        "append",
        "extend",
    }
)


@dataclass
class Raises:
    """The error statuses a piece of code can answer, each with the codes seen for it."""

    codes: dict[int, set[str]] = field(default_factory=dict)

    def add(self, status: int, code: str) -> None:
        self.codes.setdefault(status, set()).add(code)

    def merge(self, other: Raises) -> None:
        for status, codes in other.codes.items():
            self.codes.setdefault(status, set()).update(codes)


def _error_class(value: object) -> type[AppError] | None:
    if isinstance(value, type) and issubclass(value, AppError) and value is not AppError:
        return value
    return None


def _own_function(value: object) -> FunctionType | None:
    if isinstance(value, MethodType):
        value = value.__func__
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    value = inspect.unwrap(value) if callable(value) else value
    if isinstance(value, FunctionType) and (value.__module__ or "").startswith(_PACKAGE):
        return value
    return None


class _RaiseFinder:
    """Reads family_budget functions and collects the AppErrors they (transitively) raise."""

    def __init__(self) -> None:
        self._done: dict[FunctionType, Raises] = {}
        self._methods: dict[str, list[FunctionType]] | None = None

    def _methods_by_name(self) -> dict[str, list[FunctionType]]:
        if self._methods is None:
            found: dict[str, list[FunctionType]] = {}
            for name, module in list(sys.modules.items()):
                if not name.startswith(_PACKAGE) or not isinstance(module, ModuleType):
                    continue
                for cls in vars(module).values():
                    if not isinstance(cls, type) or cls.__module__ != name:
                        continue
                    for attr, value in vars(cls).items():
                        function = _own_function(value)
                        if function is not None and not attr.startswith("__"):
                            found.setdefault(attr, []).append(function)
            self._methods = found
        return self._methods

    def raises(self, target: Callable[..., Any]) -> Raises:
        function = _own_function(target)
        if function is None:
            # A class used as a dependency (or a callable instance): read its __call__/__init__.
            result = Raises()
            for attr in ("__call__", "__init__"):
                method = _own_function(getattr(type(target), attr, None))
                if method is None and isinstance(target, type):
                    method = _own_function(getattr(target, attr, None))
                if method is not None:
                    result.merge(self.raises(method))
            return result
        if function in self._done:
            return self._done[function]
        result = Raises()
        self._done[function] = result  # recursion guard: cycles see what is known so far
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
        except (OSError, TypeError, SyntaxError):
            return result
        scope = dict(function.__globals__)
        if function.__closure__:
            for name, cell in zip(function.__code__.co_freevars, function.__closure__, strict=True):
                with contextlib.suppress(ValueError):  # an empty cell
                    scope[name] = cell.cell_contents
        called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                self._call(node, scope, result)
            elif isinstance(node, (ast.Name, ast.Attribute)) and id(node) not in called:
                value = self._resolve(node, scope)
                error = _error_class(value)
                if error is not None:
                    result.add(error.status, error.code)
                elif (inner := _own_function(value)) is not None and inner is not function:
                    result.merge(self.raises(inner))
        return result

    def _call(self, node: ast.Call, scope: dict[str, Any], result: Raises) -> None:
        callee = self._resolve(node.func, scope)
        error = _error_class(callee)
        if error is not None:
            code = error.code
            for keyword in node.keywords:
                if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
                    code = str(keyword.value.value)
            result.add(error.status, code)
            return
        if (function := _own_function(callee)) is not None:
            result.merge(self.raises(function))
            return
        if callee is None and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name in _AMBIGUOUS_METHODS or name.startswith("_"):
                return
            for method in self._methods_by_name().get(name, []):
                result.merge(self.raises(method))

    def _resolve(self, node: ast.expr, scope: dict[str, Any]) -> object | None:
        if isinstance(node, ast.Name):
            return scope.get(node.id)
        if isinstance(node, ast.Attribute):
            owner = self._resolve(node.value, scope)
            if isinstance(owner, (ModuleType, type)):
                return getattr(owner, node.attr, None)
        return None


def _dependency_calls(dependant: Dependant) -> Iterable[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependency_calls(sub)


def _has_parameters(dependant: Dependant) -> bool:
    if dependant.path_params or dependant.query_params or dependant.header_params:
        return True
    if dependant.cookie_params or dependant.body_params:
        return True
    return any(_has_parameters(sub) for sub in dependant.dependencies)


def _body_params(dependant: Dependant) -> bool:
    return bool(dependant.body_params) or any(_body_params(s) for s in dependant.dependencies)


def _route_raises(route: Any, finder: _RaiseFinder) -> Raises:
    result = Raises()
    result.merge(finder.raises(route.endpoint))
    for call in _dependency_calls(route.dependant):
        result.merge(finder.raises(call))
        if getattr(call, "__name__", "") == "get_rate_limiter":
            result.add(TooManyRequests.status, TooManyRequests.code)
    if _has_parameters(route.dependant):
        result.add(422, "validation_error")
    if _body_params(route.dependant):
        result.add(400, "malformed_json")
        result.add(413, "payload_too_large")
    if "POST" in route.methods and _requires_auth(route):
        result.add(400, "invalid_idempotency_key")
        result.add(409, "idempotency_key_in_progress")
        result.add(422, "idempotency_key_reused")
    result.add(503, "dependency_unavailable")
    return result


def _requires_auth(route: Any) -> bool:
    # Every route that needs a signed-in caller reads the access token's claims (family_budget
    # .deps: get_current_user and get_household both start there).
    return any(
        getattr(call, "__name__", "") == "get_access_claims"
        for call in _dependency_calls(route.dependant)
    )


def _response(status: int, codes: set[str], existing: dict[str, Any] | None) -> dict[str, Any]:
    phrase = HTTPStatus(status).phrase
    listed = ", ".join(f"`{code}`" for code in sorted(codes))
    description = f"{phrase}: {listed}"
    if existing and existing.get("description") and existing["description"] != phrase:
        description = f"{description}. {existing['description']}"
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": f"{_SCHEMAS}Problem"}}},
    }
    headers: dict[str, Any] = {}
    if status in (429, 503):
        headers.update(_RETRY_AFTER)
    if status == 401:
        headers.update(_WWW_AUTHENTICATE)
    if headers:
        response["headers"] = headers
    return response


_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Names this attempt: the same key with the same request within 24 hours gets the first "
        "answer again (Idempotent-Replayed: true) with no second effect"
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": "^[\\x20-\\x7e]+$",
    },
}


def contract_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document with every error status it can answer (cached on the app)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = FastAPI.openapi(app)
    finder = _RaiseFinder()
    # Included routers are resolved lazily: their routes (full path, dependencies) are contexts.
    for route in routing.iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        path_item = schema["paths"].get(route.path_format, {})
        raises = _route_raises(route, finder)
        for method in route.methods or ():
            operation = path_item.get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            for status in list(responses):
                # An explicit `responses=` entry names an error the reader cannot see.
                if status.isdigit() and int(status) >= 400 and int(status) not in raises.codes:
                    raises.add(int(status), _DEFAULT_CODES.get(int(status), "error"))
            for status, codes in sorted(raises.codes.items()):
                responses[str(status)] = _response(status, codes, responses.get(str(status)))
            if method == "POST" and _requires_auth(route):
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                    parameters.append(_IDEMPOTENCY_KEY)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    components["ProblemFieldError"] = FIELD_ERROR_SCHEMA
    # FastAPI's own validation error is never sent: errors.py answers a Problem instead.
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    app.openapi_schema = schema
    return schema
