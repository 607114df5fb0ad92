"""The Plaid test fixtures (demo bank, plaid-python client, webhook receiver) from plaid_support,
and the app pointed at this test's demo bank."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from family_budget.bank_connections.plaid_api import PlaidClient
from family_budget.bank_connections.webhooks import WebhookVerifier
from family_budget.config import Settings
from tests.plaid_support import (
    DemoBankUnderTest,
    WebhookReceiver,
    demo_bank,
    plaid_client,
    sleeps,
    webhook_receiver,
)

__all__ = ["demo_bank", "plaid_client", "sleeps", "webhook_receiver"]


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
