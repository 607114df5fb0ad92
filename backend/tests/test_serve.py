"""End to end over real HTTP: `family-budget migrate` then `family-budget serve`, as `make run`
does, on the embedded default (a SQLite file, no Redis)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CLI = str(Path(sys.executable).parent / "family-budget")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _request(url: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET")  # noqa: S310
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local server)
        return json.loads(response.read())


@contextmanager
def _serving(tmp_path: Path, **settings: str) -> Iterator[str]:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "JWT_", "TEST_"))
    }
    env.update({"DATA_DIR": str(tmp_path / "data"), "HOST": "127.0.0.1", "PORT": str(port)})
    env.update(settings)
    migrate = subprocess.run(
        [CLI, "migrate"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert migrate.returncode == 0, migrate.stderr
    process = subprocess.Popen(
        [CLI, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _request(f"{base}/health")
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "the server did not come up"
                time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    with _serving(tmp_path) as base:
        yield base


def test_register_login_and_budget_a_month(server: str, tmp_path: Path) -> None:
    assert _request(f"{server}/health")["checks"] == {"database": "ok"}
    email, password = "parent@example.com", "a long family passphrase"
    _request(
        f"{server}/api/v1/auth/register",
        {"email": email, "password": password, "name": "Parent"},
    )
    tokens = _request(f"{server}/api/v1/auth/login", {"email": email, "password": password})
    token = tokens["access_token"]
    (household,) = _request(f"{server}/api/v1/households", token=token)
    base = f"{server}/api/v1/households/{household['id']}"
    groups = _request(f"{base}/categories", token=token)
    groceries = next(
        category
        for group in groups
        for category in group["categories"]
        if category["name"] == "Groceries"
    )
    account = _request(
        f"{base}/accounts",
        {"name": "Checking", "kind": "checking", "opening_balance_minor": 100_000},
        token=token,
    )
    _request(
        f"{base}/transactions",
        {
            "account_id": account["id"],
            "posted_on": "2026-03-14",
            "amount_minor": -4_250,
            "payee": "Market",
            "category_id": groceries["id"],
        },
        token=token,
    )
    put = urllib.request.Request(  # noqa: S310
        f"{base}/budgets/2026-03/{groceries['id']}",
        data=json.dumps({"assigned_minor": 30_000}).encode(),
        method="PUT",
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(put, timeout=10) as response:  # noqa: S310
        assert response.status == 200
    month = _request(f"{base}/budgets/2026-03", token=token)
    line = next(
        category
        for group in month["groups"]
        for category in group["categories"]
        if category["category_id"] == groceries["id"]
    )
    assert (line["assigned_minor"], line["activity_minor"], line["available_minor"]) == (
        30_000,
        -4_250,
        25_750,
    )
    assert (tmp_path / "data" / "family_budget.db").exists()
    # The verification email is a job: what the worker does, `family-budget tick` does once.
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "JWT_", "TEST_"))
    }
    ticked = subprocess.run(
        [CLI, "tick"],
        env={**env, "DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ticked.returncode == 0, ticked.stderr
    [email] = [
        json.loads(path.read_text()) for path in (tmp_path / "data" / "outbox").glob("*.json")
    ]
    assert email["template"] == "email_verification"


def _failed_login(base: str, forwarded_for: str) -> tuple[int, dict[str, str | None]]:
    """The status of a wrong-password login, and the headers that say how the answer may be kept."""
    request = urllib.request.Request(  # noqa: S310 (local server)
        f"{base}/api/v1/auth/login",
        data=json.dumps({"email": "nobody@example.com", "password": "not the password"}).encode(),
        method="POST",
        headers={"content-type": "application/json", "x-forwarded-for": forwarded_for},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            status, headers = response.status, response.headers
    except urllib.error.HTTPError as error:
        status, headers = error.code, error.headers
    names = ("server", "x-content-type-options", "cache-control")
    return status, {name: headers[name] for name in names}


def test_a_made_up_forwarded_address_does_not_reset_the_rate_limit(tmp_path: Path) -> None:
    """Only the configured proxies are believed: a client naming a new X-Forwarded-For on every
    attempt is still one address to the per-address limit (hardening audit item 5)."""
    with _serving(
        tmp_path, TRUSTED_PROXIES="10.255.255.1", LOGIN_RATE_PER_ADDRESS="3/minute"
    ) as base:
        answers = [_failed_login(base, f"203.0.113.{attempt}") for attempt in range(4)]
    assert [status for status, _ in answers] == [401, 401, 401, 429]
    # Every answer: the server does not name itself, nothing may be cached or sniffed.
    expected_headers = {
        "server": None,
        "x-content-type-options": "nosniff",
        "cache-control": "no-store",
    }
    assert all(headers == expected_headers for _, headers in answers)


def test_a_trusted_proxy_names_the_client(tmp_path: Path) -> None:
    """Behind the trusted proxy each forwarded client has its own allowance."""
    with _serving(tmp_path, TRUSTED_PROXIES="127.0.0.1", LOGIN_RATE_PER_ADDRESS="3/minute") as base:
        answers = [_failed_login(base, f"203.0.113.{attempt}") for attempt in range(4)]
    assert [status for status, _ in answers] == [401, 401, 401, 401]
