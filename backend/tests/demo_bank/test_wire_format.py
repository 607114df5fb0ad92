"""The demo bank's responses are Plaid's: checked against the schemas extracted from Plaid's
OpenAPI spec (shared fixtures) and by plaid-python's own models, over raw HTTP."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
import jsonschema
import plaid
import pytest
from plaid.model.accounts_get_response import AccountsGetResponse
from plaid.model.item_get_response import ItemGetResponse
from plaid.model.item_public_token_exchange_response import ItemPublicTokenExchangeResponse
from plaid.model.link_token_create_response import LinkTokenCreateResponse
from plaid.model.plaid_error import PlaidError
from plaid.model.transactions_sync_response import TransactionsSyncResponse
from plaid.model.webhook_verification_key_get_response import (
    WebhookVerificationKeyGetResponse,
)

from tests.plaid_support import DemoBankUnderTest, read_plaid_json

CREDENTIALS = {"PLAID-CLIENT-ID": "demo-client", "PLAID-SECRET": "demo-secret"}


def openapi_to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable` as JSON Schema; references the extract left out accept anything."""
    if isinstance(node, list):
        return [openapi_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {}
    converted = {
        key: openapi_to_json_schema(value)
        for key, value in node.items()
        if key not in ("nullable", "example", "x-examples")
    }
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def response_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = openapi_to_json_schema(read_plaid_json("schemas", name)["response"])
    return schema


def validate(body: dict[str, Any], schema_file: str, model: type) -> None:
    jsonschema.validate(body, response_schema(schema_file))
    deserialize(body, model)


def deserialize(body: dict[str, Any], model: type) -> None:
    """plaid-python's models check required fields and types as they are built."""
    client = plaid.ApiClient(plaid.Configuration(host="http://unused"))
    client.deserialize(_Response(json.dumps(body)), (model,), True)


@dataclass
class _Response:
    """What ApiClient.deserialize reads: a response with `.data`."""

    data: str


@pytest.fixture
def http(demo_bank: DemoBankUnderTest) -> httpx.Client:
    return httpx.Client(base_url=demo_bank.url, headers=CREDENTIALS, timeout=30)


def call(http: httpx.Client, path: str, body: dict[str, Any], status: int = 200) -> Any:
    response = http.post(path, json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


@pytest.fixture
def access_token(http: httpx.Client) -> str:
    public = call(
        http,
        "/sandbox/public_token/create",
        {"institution_id": "ins_109508", "initial_products": ["transactions"]},
    )
    token: str = call(
        http, "/item/public_token/exchange", {"public_token": public["public_token"]}
    )["access_token"]
    return token


class TestSuccessBodies:
    def test_link_token_create(self, http: httpx.Client) -> None:
        body = call(
            http,
            "/link/token/create",
            {
                "client_name": "Family Budget",
                "language": "en",
                "country_codes": ["US"],
                "user": {"client_user_id": "u1"},
                "products": ["transactions"],
            },
        )
        validate(body, "link_token_create.json", LinkTokenCreateResponse)
        assert body["request_id"]

    def test_exchange(self, http: httpx.Client) -> None:
        public = call(
            http,
            "/sandbox/public_token/create",
            {"institution_id": "ins_109511", "initial_products": ["transactions"]},
        )
        body = call(http, "/item/public_token/exchange", {"public_token": public["public_token"]})
        validate(body, "item_public_token_exchange.json", ItemPublicTokenExchangeResponse)

    def test_item_get(self, http: httpx.Client, access_token: str) -> None:
        body = call(http, "/item/get", {"access_token": access_token})
        validate(body, "item_get.json", ItemGetResponse)

    def test_accounts_get(self, http: httpx.Client, access_token: str) -> None:
        body = call(http, "/accounts/get", {"access_token": access_token})
        jsonschema.validate(
            body["accounts"][0],
            openapi_to_json_schema(
                read_plaid_json("schemas", "component.AccountBase.json")["schema"]
            ),
        )
        deserialize(body, AccountsGetResponse)

    def test_transactions_sync_pages(
        self, http: httpx.Client, access_token: str, demo_bank: DemoBankUnderTest
    ) -> None:
        first = call(http, "/transactions/sync", {"access_token": access_token, "count": 50})
        validate(first, "transactions_sync.json", TransactionsSyncResponse)
        assert first["has_more"] is True
        assert len(first["added"]) == 50
        # Every kind of change, posted and pending, on the wire.
        item_id = demo_bank.bank.items_by_token[access_token]
        [pending] = demo_bank.control.add_transactions(item_id, pending=True, amount="12.34")
        demo_bank.control.post_transaction(item_id, pending, amount="14.00")
        some_posted = next(t for t in first["added"] if not t["pending"])
        demo_bank.control.modify_transaction(item_id, some_posted["transaction_id"], name="X")
        cursor = first["next_cursor"]
        with pytest.raises(AssertionError):  # the data changed mid-run: that run is over
            call(http, "/transactions/sync", {"access_token": access_token, "cursor": cursor})
        cursor, pages = "", []
        while True:
            page = call(
                http,
                "/transactions/sync",
                {"access_token": access_token, "cursor": cursor, "count": 500},
            )
            validate(page, "transactions_sync.json", TransactionsSyncResponse)
            pages.append(page)
            cursor = page["next_cursor"]
            if not page["has_more"]:
                break
        assert sum(len(p["modified"]) for p in pages) == 1
        assert sum(len(p["removed"]) for p in pages) == 1

    def test_webhook_verification_key(
        self, http: httpx.Client, demo_bank: DemoBankUnderTest
    ) -> None:
        body = call(http, "/webhook_verification_key/get", {"key_id": demo_bank.bank.signer.kid})
        validate(body, "webhook_verification_key_get.json", WebhookVerificationKeyGetResponse)
        assert body["key"]["alg"] == "ES256"
        assert body["key"]["expired_at"] is None

    def test_credentials_in_the_body_are_accepted(self, demo_bank: DemoBankUnderTest) -> None:
        response = httpx.post(
            f"{demo_bank.url}/webhook_verification_key/get",
            json={"client_id": "c", "secret": "s", "key_id": demo_bank.bank.signer.kid},
        )
        assert response.status_code == 200


class TestErrorBodies:
    @pytest.mark.parametrize(
        ("error_code", "error_type", "status"),
        [
            ("RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED", 429),
            ("INSTITUTION_DOWN", "INSTITUTION_ERROR", 400),
            ("INTERNAL_SERVER_ERROR", "API_ERROR", 500),
        ],
    )
    def test_injected_errors_are_plaid_errors(
        self,
        http: httpx.Client,
        access_token: str,
        demo_bank: DemoBankUnderTest,
        error_code: str,
        error_type: str,
        status: int,
    ) -> None:
        demo_bank.control.inject_error("/accounts/get", error_code)
        body = call(http, "/accounts/get", {"access_token": access_token}, status=status)
        assert (body["error_type"], body["error_code"]) == (error_type, error_code)
        self.assert_plaid_error(body)
        call(http, "/accounts/get", {"access_token": access_token})  # only once

    def test_missing_credentials(self, demo_bank: DemoBankUnderTest) -> None:
        response = httpx.post(f"{demo_bank.url}/item/get", json={"access_token": "x"})
        assert response.status_code == 400
        assert response.json()["error_code"] == "MISSING_FIELDS"
        self.assert_plaid_error(response.json())

    @pytest.mark.parametrize(
        ("path", "body", "code"),
        [
            ("/item/get", {"access_token": "access-sandbox-nope"}, "INVALID_ACCESS_TOKEN"),
            ("/item/public_token/exchange", {"public_token": "nope"}, "INVALID_PUBLIC_TOKEN"),
            ("/transactions/sync", {}, "MISSING_FIELDS"),
            (
                "/webhook_verification_key/get",
                {"key_id": "nope"},
                "INVALID_WEBHOOK_VERIFICATION_KEY_ID",
            ),
            (
                "/sandbox/public_token/create",
                {"institution_id": "ins_0", "initial_products": ["transactions"]},
                "INVALID_INSTITUTION",
            ),
        ],
    )
    def test_bad_requests(
        self, http: httpx.Client, path: str, body: dict[str, Any], code: str
    ) -> None:
        answer = call(http, path, body, status=400)
        assert answer["error_code"] == code
        self.assert_plaid_error(answer)

    @pytest.mark.parametrize("cursor", ["garbage", "eyJpIjoib3RoZXIiLCJwIjowLCJlIjowfQ=="])
    def test_foreign_or_broken_cursor(
        self, http: httpx.Client, access_token: str, cursor: str
    ) -> None:
        answer = call(
            http, "/transactions/sync", {"access_token": access_token, "cursor": cursor}, status=400
        )
        assert answer["error_code"] == "INVALID_FIELD"

    @pytest.mark.parametrize("count", [0, 501, "5", True])
    def test_count_out_of_range(self, http: httpx.Client, access_token: str, count: object) -> None:
        answer = call(
            http, "/transactions/sync", {"access_token": access_token, "count": count}, status=400
        )
        assert answer["error_code"] == "INVALID_FIELD"

    @staticmethod
    def assert_plaid_error(body: dict[str, Any]) -> None:
        schema = openapi_to_json_schema(
            read_plaid_json("errors", "PlaidError.schema.json")["schema"]
        )
        jsonschema.validate(body, schema)
        assert body["request_id"]
        deserialize(body, PlaidError)


class TestTheCheckHasTeeth:
    def test_a_sync_page_missing_a_required_field_is_caught_both_ways(self) -> None:
        page = read_plaid_json("examples", "transactions_sync.response.example-1.json")
        page = page.get("value", page)
        validate(page, "transactions_sync.json", TransactionsSyncResponse)
        broken = {key: value for key, value in page.items() if key != "next_cursor"}
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, response_schema("transactions_sync.json"))
        with pytest.raises(TypeError, match="next_cursor"):
            deserialize(broken, TransactionsSyncResponse)
