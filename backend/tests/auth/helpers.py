"""Shared steps of the auth tests: logging in, reading Set-Cookie headers."""

from __future__ import annotations

from http.cookies import Morsel, SimpleCookie
from typing import Any

import httpx

from family_budget.auth.csrf import CSRF_COOKIE_NAME, CSRF_HEADER_NAME
from tests.factories import DEFAULT_PASSWORD

STRONG_PASSWORD = "a long and unusual passphrase 42"


async def login(
    client: httpx.AsyncClient, email: str, password: str = DEFAULT_PASSWORD
) -> dict[str, Any]:
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


def csrf_header(client: httpx.AsyncClient) -> dict[str, str]:
    return {CSRF_HEADER_NAME: client.cookies[CSRF_COOKIE_NAME]}


def set_cookies(response: httpx.Response) -> dict[str, Morsel[str]]:
    cookies: dict[str, Morsel[str]] = {}
    for header in response.headers.get_list("set-cookie"):
        parsed: SimpleCookie = SimpleCookie()
        parsed.load(header)
        cookies.update(parsed)
    return cookies
