"""Shared pieces of the Plaid tests: the fixture files, the demo bank, a webhook receiver.

The Plaid fixture files (schemas, webhook examples, the real signed webhook) live beside the
repository in ``../shared/fixtures/plaid`` and are read in place. When they are missing a test
fails under CI=true (CI must not pass without them) and is skipped with the reason otherwise.

The demo bank runs in a background thread on a free port with a frozen clock, so what it holds
changes only when a test says so; the real plaid-python client talks to it over HTTP.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from family_budget.bank_connections.plaid_api import PlaidClient, RetryPolicy
from family_budget.bank_connections.webhooks import WebhookVerifier
from family_budget.config import Settings
from family_budget.demo_bank.app import create_demo_bank_app
from family_budget.demo_bank.bank import DemoBank, DemoClock
from family_budget.demo_bank.testing import DemoBankControl, serve_in_thread

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
PLAID_FIXTURES = REPOSITORY_ROOT.parent / "shared" / "fixtures" / "plaid"
# A fixed instant for the demo bank's clock: every test sees the same history.
DEMO_NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def plaid_fixture(*parts: str) -> Path:
    """A file under the shared Plaid fixtures; fails under CI, skips elsewhere, when missing."""
    path = PLAID_FIXTURES.joinpath(*parts)
    if not path.exists():
        message = (
            f"Plaid fixture {'/'.join(parts)} not found: the shared fixtures are expected in "
            "../shared/fixtures/plaid beside the repository"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def read_plaid_json(*parts: str) -> Any:
    return json.loads(plaid_fixture(*parts).read_text(encoding="utf-8"))


@dataclass
class ReceivedWebhook:
    headers: dict[str, str]
    body: bytes


class WebhookReceiver:
    """A local HTTP endpoint that records every POST it gets, for the demo bank to call."""

    def __init__(self) -> None:
        self.received: queue.Queue[ReceivedWebhook] = queue.Queue()
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                received.put(ReceivedWebhook(dict(self.headers.items()), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/webhooks/plaid"

    def next(self, timeout: float = 15.0) -> ReceivedWebhook:
        """The next webhook received (waits on the queue; fails after `timeout` seconds)."""
        try:
            return self.received.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("no webhook arrived") from None

    def next_json(self, timeout: float = 15.0) -> tuple[ReceivedWebhook, dict[str, Any]]:
        webhook = self.next(timeout)
        return webhook, json.loads(webhook.body)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class DemoBankUnderTest:
    url: str
    bank: DemoBank
    control: DemoBankControl


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def demo_bank() -> Iterator[DemoBankUnderTest]:
    bank = DemoBank(clock=DemoClock(frozen_at=DEMO_NOW), seed="tests")
    with serve_in_thread(create_demo_bank_app(bank)) as url:
        yield DemoBankUnderTest(url=url, bank=bank, control=DemoBankControl(url))


@dataclass
class RecordedSleeps:
    """Stands in for time.sleep in the retry policy: records the delays, waits for none."""

    delays: list[float]

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> RecordedSleeps:
    return RecordedSleeps([])


def demo_settings(url: str, webhook_url: str | None = None) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        plaid_client_id="demo-client",
        plaid_secret="demo-secret-value",
        plaid_api_url=url,
        plaid_webhook_url=webhook_url,
    )


@pytest.fixture
def plaid_client(
    demo_bank: DemoBankUnderTest, webhook_receiver: WebhookReceiver, sleeps: RecordedSleeps
) -> Iterator[PlaidClient]:
    """The real plaid-python client, pointed at the demo bank by PLAID_API_URL."""
    import random

    retry = RetryPolicy(max_attempts=4, sleep=sleeps, rng=random.Random(7))
    client = PlaidClient.from_settings(
        demo_settings(demo_bank.url, webhook_receiver.url), retry=retry
    )
    yield client
    client.close()


@pytest.fixture
def bank_settings(
    settings: Settings, demo_bank: DemoBankUnderTest, webhook_receiver: WebhookReceiver
) -> Settings:
    """The suite's settings, with Plaid pointed at this test's demo bank (which posts its
    webhooks to the receiver, for the test to hand to the API)."""
    return settings.model_copy(
        update={
            "plaid_client_id": "demo-client",
            "plaid_secret": SecretStr("demo-secret-value"),
            "plaid_api_url": demo_bank.url,
            "plaid_webhook_url": webhook_receiver.url,
            # Retryable errors go straight to the job system (no sleeping inside a run).
            "plaid_max_attempts": 1,
        }
    )


@pytest.fixture
async def bank_app(app: FastAPI, bank_settings: Settings) -> AsyncIterator[FastAPI]:
    """The shared app with this test's Plaid client, webhook verifier and settings."""
    saved = (app.state.settings, app.state.plaid, app.state.plaid_webhook_verifier)
    plaid = PlaidClient.from_settings(bank_settings)
    app.state.settings = bank_settings
    app.state.plaid = plaid
    app.state.plaid_webhook_verifier = WebhookVerifier(plaid.get_webhook_verification_key)
    try:
        yield app
    finally:
        app.state.settings, app.state.plaid, app.state.plaid_webhook_verifier = saved
        plaid.close()
