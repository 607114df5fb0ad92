"""The Plaid test fixtures (demo bank, plaid-python client, webhook receiver, the app pointed at
this test's demo bank) from plaid_support."""

from __future__ import annotations

from tests.plaid_support import (
    bank_app,
    bank_settings,
    demo_bank,
    plaid_client,
    sleeps,
    webhook_receiver,
)

__all__ = ["bank_app", "bank_settings", "demo_bank", "plaid_client", "sleeps", "webhook_receiver"]
