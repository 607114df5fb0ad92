"""The one error shape: RFC 9457 problem details with a stable code, and nothing leaks."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from family_budget.errors import PROBLEM_CONTENT_TYPE

REGISTER = "/api/v1/auth/register"


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["title"], str)
    assert body["title"]
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert body["type"].endswith(code.replace("_", "-"))
    return body


class TestProblemShape:
    async def test_unknown_route_is_404_problem(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get("/api/v1/nothing-here"), 404, "not_found")

    async def test_wrong_method_is_405_problem(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.delete("/health"), 405, "method_not_allowed")

    async def test_missing_token_is_401_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/me")
        assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"

    async def test_malformed_json_is_400(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            REGISTER, content=b'{"email": "a@b.co", ', headers={"content-type": "application/json"}
        )
        assert_problem(response, 400, "malformed_json")

    async def test_validation_lists_each_bad_field(self, client: httpx.AsyncClient) -> None:
        response = await client.post(REGISTER, json={"email": "not-an-email", "password": 12})
        body = assert_problem(response, 422, "validation_error")
        fields = {error["field"] for error in body["errors"]}  # type: ignore[attr-defined]
        assert {"email", "password", "name"} <= fields

    async def test_unexpected_error_is_500_without_trace(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        @app.get("/boom-for-test")
        async def boom() -> None:
            raise RuntimeError("secret internal detail")

        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="https://t") as raw:
            response = await raw.get("/boom-for-test")
        body = assert_problem(response, 500, "internal_error")
        assert "secret internal detail" not in response.text
        assert "Traceback" not in response.text
        assert "RuntimeError" not in str(body)


class TestBodyLimit:
    async def test_declared_oversized_body_is_413(self, client: httpx.AsyncClient) -> None:
        payload = b'{"email": "' + b"a" * (1024 * 1024 + 10) + b'"}'
        response = await client.post(
            REGISTER, content=payload, headers={"content-type": "application/json"}
        )
        assert_problem(response, 413, "payload_too_large")

    async def test_streamed_oversized_body_is_413(self, client: httpx.AsyncClient) -> None:
        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(20):
                yield b"x" * (64 * 1024)

        response = await client.post(
            REGISTER, content=chunks(), headers={"content-type": "application/json"}
        )
        assert_problem(response, 413, "payload_too_large")

    @pytest.mark.parametrize("length", ["-1", "abc"])
    async def test_nonsense_content_length_is_413(
        self, client: httpx.AsyncClient, length: str
    ) -> None:
        transport_client = client
        response = await transport_client.post(
            REGISTER,
            content=b"{}",
            headers={"content-type": "application/json", "content-length": length},
        )
        assert response.status_code == 413


class TestRequestId:
    async def test_generated_when_absent(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/health")
        assert len(response.headers["x-request-id"]) == 32

    async def test_kept_when_sane(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/health", headers={"x-request-id": "abc-123"})
        assert response.headers["x-request-id"] == "abc-123"

    async def test_replaced_when_oversized(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/health", headers={"x-request-id": "z" * 200})
        assert response.headers["x-request-id"] != "z" * 200
