"""The Plaid test fixtures (demo bank, plaid-python client, webhook receiver) from plaid_support."""

from tests.plaid_support import demo_bank, plaid_client, sleeps, webhook_receiver

__all__ = ["demo_bank", "plaid_client", "sleeps", "webhook_receiver"]
