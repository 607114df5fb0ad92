"""Webhook bodies into typed events, from Plaid's own examples."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from family_budget.bank_connections.webhooks import (
    IgnoredWebhook,
    ItemError,
    LoginRepaired,
    NewAccountsAvailable,
    PendingDisconnect,
    PendingExpiration,
    SyncUpdatesAvailable,
    UserPermissionRevoked,
    WebhookPayloadError,
    parse_webhook,
)
from tests.plaid_support import plaid_fixture


def example(name: str) -> bytes:
    return plaid_fixture("webhooks", f"{name}.example-1.json").read_bytes()


class TestParse:
    def test_sync_updates_available(self) -> None:
        event = parse_webhook(example("SyncUpdatesAvailableWebhook"))
        assert event == SyncUpdatesAvailable(
            item_id="wz666MBjYWTp2PDzzggYhM6oWWmBb",
            environment="production",
            initial_update_complete=True,
            historical_update_complete=False,
        )

    def test_item_error_carries_the_error_code(self) -> None:
        event = parse_webhook(example("ItemErrorWebhook"))
        assert isinstance(event, ItemError)
        assert event.error_code == "ITEM_LOGIN_REQUIRED"
        assert event.error.error_type == "ITEM_ERROR"
        assert event.error.status == 400

    def test_pending_expiration(self) -> None:
        event = parse_webhook(example("PendingExpirationWebhook"))
        assert isinstance(event, PendingExpiration)
        assert event.consent_expiration_time == datetime(2020, 1, 15, 13, 25, 17, 766000, UTC)

    def test_pending_disconnect(self) -> None:
        event = parse_webhook(example("PendingDisconnectWebhook"))
        assert isinstance(event, PendingDisconnect)
        assert event.reason == "INSTITUTION_MIGRATION"

    def test_login_repaired(self) -> None:
        event = parse_webhook(example("ItemLoginRepairedWebhook"))
        assert event == LoginRepaired(
            item_id="wz666MBjYWTp2PDzzggYhM6oWWmBb", environment="production"
        )

    def test_user_permission_revoked(self) -> None:
        event = parse_webhook(example("UserPermissionRevokedWebhook"))
        assert isinstance(event, UserPermissionRevoked)
        assert event.item_id == "gAXlMgVEw5uEGoQnnXZ6tn9E7Mn3LBc4PJVKZ"
        assert event.error is not None
        assert event.error.error_code == "USER_PERMISSION_REVOKED"

    def test_new_accounts_available(self) -> None:
        event = parse_webhook(example("NewAccountsAvailableWebhook"))
        assert isinstance(event, NewAccountsAvailable)

    @pytest.mark.parametrize(
        ("name", "webhook_type", "webhook_code"),
        [
            ("TransactionsRemovedWebhook", "TRANSACTIONS", "TRANSACTIONS_REMOVED"),
            ("WebhookUpdateAcknowledgedWebhook", "ITEM", "WEBHOOK_UPDATE_ACKNOWLEDGED"),
        ],
    )
    def test_others_are_ignored_kinds(
        self, name: str, webhook_type: str, webhook_code: str
    ) -> None:
        event = parse_webhook(example(name))
        assert event == IgnoredWebhook(
            webhook_type=webhook_type,
            webhook_code=webhook_code,
            item_id="wz666MBjYWTp2PDzzggYhM6oWWmBb",
        )

    def test_the_signed_vectors_legacy_webhook_is_ignored(self) -> None:
        body = plaid_fixture("webhook_verification_vector", "body.raw.json").read_bytes()
        assert parse_webhook(body).kind == "ignored"


class TestMalformed:
    @pytest.mark.parametrize(
        "body",
        [
            b"not json",
            b"[1, 2]",
            b"{}",
            b'{"webhook_type": "ITEM"}',
            b'{"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE"}',
            b'{"webhook_type": "ITEM", "webhook_code": "ERROR", "item_id": "i", "error": 5}',
            b'{"webhook_type": "ITEM", "webhook_code": "PENDING_EXPIRATION", "item_id": "i",'
            b' "consent_expiration_time": "soon"}',
        ],
    )
    def test_refused_with_a_clear_error(self, body: bytes) -> None:
        with pytest.raises(WebhookPayloadError):
            parse_webhook(body)

    def test_error_names_the_missing_field(self) -> None:
        body = b'{"webhook_type": "TRANSACTIONS", "webhook_code": "SYNC_UPDATES_AVAILABLE"}'
        with pytest.raises(WebhookPayloadError, match="item_id"):
            parse_webhook(body)
