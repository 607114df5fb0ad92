"""The OpenAPI schema is the contract: every error a route answers, with the body it sends.

`make test-contract` checks the running API against the schema with schemathesis; these tests pin
what the schema must say and the defects that run found, quickly and without a server.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.alerts.schemas import WebPushSubscription
from family_budget.app import create_app
from family_budget.auth.schemas import TwoFactorEnable
from family_budget.config import Settings
from family_budget.errors import PROBLEM_CONTENT_TYPE
from tests.factories import auth_headers, create_household, create_user

API = "/api/v1"
HOUSEHOLD = f"{API}/households/{{household_id}}"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return create_app(Settings(environment="development"), configure_logs=False).openapi()


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def _problem_validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    resolver_schema = {**schema["components"]["schemas"]["Problem"], "$defs": {}}
    field_error = schema["components"]["schemas"]["ProblemFieldError"]
    resolver_schema["properties"] = {
        **resolver_schema["properties"],
        "errors": {"type": "array", "items": field_error},
    }
    return jsonschema.Draft202012Validator(resolver_schema)


def _codes(operation: dict[str, Any], status: int) -> str:
    return str(operation["responses"][str(status)]["description"])


class TestEveryOperation:
    def test_errors_are_problem_documents(self, schema: dict[str, Any]) -> None:
        for method, path, operation in _operations(schema):
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                assert response["content"] == {
                    PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (method, path, status)

    def test_500_is_never_documented_and_503_always_is(self, schema: dict[str, Any]) -> None:
        for method, path, operation in _operations(schema):
            assert "500" not in operation["responses"], (method, path)
            unavailable = operation["responses"]["503"]
            assert "Retry-After" in unavailable["headers"], (method, path)

    def test_fastapis_own_validation_error_is_gone(self, schema: dict[str, Any]) -> None:
        assert "HTTPValidationError" not in schema["components"]["schemas"]
        assert "ValidationError" not in schema["components"]["schemas"]

    def test_authenticated_routes_document_401(self, schema: dict[str, Any]) -> None:
        for method, path, operation in _operations(schema):
            if operation.get("security"):
                assert "401" in operation["responses"], (method, path)

    def test_household_routes_document_the_foreign_household_404(
        self, schema: dict[str, Any]
    ) -> None:
        for method, path, operation in _operations(schema):
            if path.startswith(f"{API}/households/{{household_id}}"):
                assert "`household_not_found`" in _codes(operation, 404), (method, path)


class TestWhatRoutesDo:
    def test_transaction_change_documents_its_preconditions(self, schema: dict[str, Any]) -> None:
        patch = schema["paths"][f"{HOUSEHOLD}/transactions/{{transaction_id}}"]["patch"]
        assert {"400", "401", "403", "404", "409", "412", "413", "422", "428", "503"} <= set(
            patch["responses"]
        )
        assert "`version_conflict`" in _codes(patch, 412)
        assert "`transaction_not_found`" in _codes(patch, 404)

    def test_login_documents_its_rate_limit(self, schema: dict[str, Any]) -> None:
        login = schema["paths"][f"{API}/auth/login"]["post"]
        assert "Retry-After" in login["responses"]["429"]["headers"]
        assert "`invalid_credentials`" in _codes(login, 401)

    def test_posts_document_the_idempotency_key(self, schema: dict[str, Any]) -> None:
        create = schema["paths"][f"{HOUSEHOLD}/accounts"]["post"]
        assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
        assert "`idempotency_key_in_progress`" in _codes(create, 409)
        assert "`idempotency_key_reused`" in _codes(create, 422)


class TestConstraints:
    def test_month_path_parameter_has_its_pattern(self, schema: dict[str, Any]) -> None:
        get = schema["paths"][f"{HOUSEHOLD}/budgets/{{month}}"]["get"]
        month = next(p for p in get["parameters"] if p["name"] == "month")
        assert month["schema"]["pattern"] == r"^(19|20|21)\d{2}-(0[1-9]|1[0-2])$"

    def test_new_passwords_have_the_policys_length(self, schema: dict[str, Any]) -> None:
        password = schema["components"]["schemas"]["RegisterRequest"]["properties"]["password"]
        assert (password["minLength"], password["maxLength"]) == (10, 1000)

    def test_amounts_are_bounded_integers(self, schema: dict[str, Any]) -> None:
        amount = schema["components"]["schemas"]["TransactionCreate"]["properties"]["amount_minor"]
        assert amount["type"] == "integer"
        assert amount["maximum"] == 10**13

    def test_currencies_are_listed(self, schema: dict[str, Any]) -> None:
        currency = schema["components"]["schemas"]["HouseholdCreate"]["properties"]["currency"]
        assert "USD" in currency["enum"]
        assert "AAA" not in currency["enum"]


async def _owner(session: AsyncSession, settings: Settings) -> tuple[dict[str, str], str]:
    user = await create_user(session)
    household = await create_household(session, owner=user)
    await session.commit()
    return auth_headers(settings, user), f"{API}/households/{household.id}"


class TestBodiesMatchTheSchema:
    async def test_a_validation_error(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        schema: dict[str, Any],
    ) -> None:
        headers, base = await _owner(session, settings)

        response = await client.post(f"{base}/accounts", json={"name": ""}, headers=headers)

        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM_CONTENT_TYPE
        _problem_validator(schema).validate(response.json())
        assert response.json()["errors"]

    async def test_a_domain_error(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        schema: dict[str, Any],
    ) -> None:
        headers, _ = await _owner(session, settings)

        response = await client.get(f"{API}/households/{uuid.uuid4()}", headers=headers)

        assert response.status_code == 404
        _problem_validator(schema).validate(response.json())


class TestDefectsTheFuzzerFound:
    async def test_405_allows_every_method_of_the_path(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        headers, base = await _owner(session, settings)

        response = await client.put(base, headers=headers)

        assert response.status_code == 405
        assert response.headers["allow"] == "DELETE, GET, PATCH"

    async def test_a_literal_segment_is_not_taken_for_an_id(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        # PUT …/budgets/2024-03/copy-previous used to reach PUT …/budgets/{month}/{category_id}.
        headers, base = await _owner(session, settings)

        response = await client.put(f"{base}/budgets/2024-03/copy-previous", headers=headers)

        assert response.status_code == 405
        assert response.headers["allow"] == "POST"

    async def test_an_audit_cursor_past_64_bits_is_422_not_500(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        headers, base = await _owner(session, settings)

        response = await client.get(
            f"{base}/audit-events", params={"before_id": 2**100}, headers=headers
        )

        assert response.status_code == 422

    async def test_a_number_is_not_a_date(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        # Pydantic read "0" as 1970-01-01 (a Unix time); the schema says YYYY-MM-DD.
        headers, base = await _owner(session, settings)

        response = await client.get(f"{base}/transactions", params={"to": "0"}, headers=headers)

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "to"

    async def test_unknown_upload_fields_are_refused(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        headers, base = await _owner(session, settings)

        response = await client.post(
            f"{base}/receipts",
            files={"file": ("r.png", b"\x89PNG\r\n\x1a\n", "image/png")},
            data={"surprise": "1"},
            headers=headers,
        )

        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "surprise"

    @given(
        endpoint=st.text(alphabet=" \tab", max_size=4),
        # Within maxLength: a string longer only by its surrounding whitespace is still taken
        # (the schema cannot count after stripping; the fuzzer's too-long strings are not that).
        code=st.text(alphabet=" \t1", min_size=4, max_size=10),
    )
    def test_a_stripped_string_is_schema_valid_exactly_when_the_api_takes_it(
        self, endpoint: str, code: str
    ) -> None:
        # The fuzzer sent a push subscription key " ": schema-valid (minLength 1), yet stripped
        # to "" and refused. The schema now asks for the characters that stay after stripping.
        for model, values in (
            (WebPushSubscription, {"endpoint": endpoint, "keys": {"p256dh": "k", "auth": "a"}}),
            (TwoFactorEnable, {"code": code}),
        ):
            schema = model.model_json_schema()
            try:
                model.model_validate(values)
                taken = True
            except ValidationError:
                taken = False
            assert jsonschema.Draft202012Validator(schema).is_valid(values) == taken, values
