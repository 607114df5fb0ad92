"""Schemathesis hooks for `make test-contract` (scripts/contract.py loads them).

`not_a_server_error` is replaced by `no_server_error`, which is the same check but for one
documented answer: without Plaid keys (as here) the bank routes answer 503
`bank_sync_not_configured`, which is what they should do. Any other 5xx still fails.

`positive_data_acceptance` is replaced by `schema_valid_data_accepted`. The built-in one fails
every 4xx other than 401/403/404/409/429 to a request the schema calls valid; but this API also
refuses, with a code of its own, requests no JSON Schema can rule out: an id in the body that
names nothing in this household (`unknown_account`), `from` after `to` (`invalid_range`), a
cursor it did not give out (`invalid_cursor`), an Idempotency-Key the fuzzer reused with another
body (`idempotency_key_reused`). Those are documented statuses and codes. What must never happen
is a schema-valid request failing *validation* (`validation_error`, `malformed_json`): that
check stays, except for the few refusals JSON Schema cannot spell, listed in `_unspellable`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

import schemathesis

# Codes that mean "the request is not well formed": the schema should have said so.
_FORM_CODES = {"validation_error", "malformed_json", "bad_request"}
_ACCEPTED_STATUSES = {401, 403, 404, 409, 429}


def _unspellable(error: dict[str, Any]) -> bool:
    message = str(error.get("message", ""))
    # Strict integers: JSON Schema counts 12.0 as an integer; the API does not take it.
    if error.get("type") == "int_type":
        return True
    # Unassigned code points (and lone surrogates) cannot be listed in a pattern.
    found = re.search(r"disallowed character U\+([0-9A-F]{4,6})", message)
    if found:
        return unicodedata.category(chr(int(found.group(1), 16))) in {"Cn", "Cs", "Co"}
    # A form field holding JSON text (an import's `options`): its JSON cannot be described.
    if "must be a JSON object" in message:
        return True
    # email-validator refuses special-use domains (.test, .localhost); format "email" allows them.
    return "special-use or reserved name" in message


def _problem_code(response: Any) -> str | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


@schemathesis.check
def no_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    if response.status_code < 500:
        return None
    if response.status_code == 503 and _problem_code(response) == "bank_sync_not_configured":
        return None
    raise AssertionError(f"Server error {response.status_code}: {response.content[:500]!r}")


@schemathesis.check
def schema_valid_data_accepted(ctx: Any, response: Any, case: Any) -> bool | None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status < 400 or status >= 500 or status in _ACCEPTED_STATUSES:
        return None
    code = _problem_code(response)
    if code not in _FORM_CODES:
        return None  # a documented refusal with its own code
    errors = json.loads(response.content).get("errors") or []
    if errors and all(_unspellable(error) for error in errors):
        return None
    message = f"A schema-valid request was refused as malformed: {status} {code}"
    raise AssertionError(f"{message} {errors}")
