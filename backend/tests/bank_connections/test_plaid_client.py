"""The real plaid-python client, through our wrapper, against the demo bank over HTTP."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from family_budget.bank_connections.plaid_api import ExchangedItem, PlaidApiError, PlaidClient
from family_budget.bank_connections.webhooks import (
    ItemError,
    LoginRepaired,
    SyncUpdatesAvailable,
    WebhookVerificationError,
    WebhookVerifier,
    parse_webhook,
)
from tests.plaid_support import (
    DEMO_NOW,
    DemoBankUnderTest,
    RecordedSleeps,
    WebhookReceiver,
)

SYNC = "/transactions/sync"


@pytest.fixture
def item(plaid_client: PlaidClient) -> ExchangedItem:
    public_token = plaid_client.create_sandbox_public_token("ins_109508")
    return plaid_client.exchange_public_token(public_token)


@pytest.fixture
def synced_cursor(plaid_client: PlaidClient, item: ExchangedItem) -> str:
    """The cursor after the item's whole history has been read once."""
    return plaid_client.fetch_sync(item.access_token, None).next_cursor


def verifier_for(plaid_client: PlaidClient) -> WebhookVerifier:
    return WebhookVerifier(plaid_client.get_webhook_verification_key)


class TestLink:
    def test_new_item_link_token(
        self, plaid_client: PlaidClient, demo_bank: DemoBankUnderTest
    ) -> None:
        token = plaid_client.create_link_token(client_user_id="user-1")
        assert token.link_token.startswith("link-sandbox-")
        assert token.expiration == DEMO_NOW + timedelta(hours=4)

    def test_link_through_the_page_gives_an_item_with_our_webhook(
        self,
        plaid_client: PlaidClient,
        demo_bank: DemoBankUnderTest,
        webhook_receiver: WebhookReceiver,
    ) -> None:
        token = plaid_client.create_link_token(client_user_id="user-1")
        linked = demo_bank.control.complete_link(token.link_token, institution_id="ins_109511")
        assert linked["metadata"]["institution"] == {
            "institution_id": "ins_109511",
            "name": "Tartan Bank",
        }
        exchanged = plaid_client.exchange_public_token(linked["public_token"])
        assert plaid_client.get_item(exchanged.access_token).webhook == webhook_receiver.url
        account_ids = {a.account_id for a in plaid_client.get_accounts(exchanged.access_token)}
        assert account_ids == {a["id"] for a in linked["metadata"]["accounts"]}

    def test_update_mode_link_token(self, plaid_client: PlaidClient, item: ExchangedItem) -> None:
        token = plaid_client.create_link_token(
            client_user_id="user-1", access_token=item.access_token
        )
        assert token.link_token.startswith("link-sandbox-")


class TestItems:
    def test_public_token_exchange_gives_a_working_access_token(
        self, plaid_client: PlaidClient, item: ExchangedItem
    ) -> None:
        assert item.access_token.startswith("access-sandbox-")
        got = plaid_client.get_item(item.access_token)
        assert got.item_id == item.item_id
        assert got.institution_name == "First Platypus Bank"
        assert got.error is None

    def test_public_token_is_single_use(
        self, plaid_client: PlaidClient, sleeps: RecordedSleeps
    ) -> None:
        public_token = plaid_client.create_sandbox_public_token("ins_109508")
        plaid_client.exchange_public_token(public_token)
        with pytest.raises(PlaidApiError) as raised:
            plaid_client.exchange_public_token(public_token)
        assert raised.value.error_code == "INVALID_PUBLIC_TOKEN"
        assert raised.value.http_status == 400
        assert not raised.value.retryable
        assert sleeps.delays == []

    def test_accounts(self, plaid_client: PlaidClient, item: ExchangedItem) -> None:
        accounts = plaid_client.get_accounts(item.access_token)
        assert sorted((a.type, a.subtype) for a in accounts) == [
            ("credit", "credit card"),
            ("depository", "checking"),
            ("depository", "savings"),
        ]
        assert {a.currency for a in accounts} == {"USD"}
        assert all(a.mask is not None and len(a.mask) == 4 for a in accounts)

    def test_item_remove(
        self, plaid_client: PlaidClient, item: ExchangedItem, sleeps: RecordedSleeps
    ) -> None:
        plaid_client.remove_item(item.access_token)
        with pytest.raises(PlaidApiError) as raised:
            plaid_client.get_accounts(item.access_token)
        assert raised.value.error_code == "INVALID_ACCESS_TOKEN"
        assert sleeps.delays == []


class TestSyncPaging:
    def test_initial_sync_reads_the_history(
        self, plaid_client: PlaidClient, item: ExchangedItem
    ) -> None:
        result = plaid_client.fetch_sync(item.access_token, None)
        ids = [t.transaction_id for t in result.added]
        assert len(ids) > 100
        assert len(set(ids)) == len(ids)
        assert result.modified == []
        assert result.removed == []
        assert result.transactions_update_status == "HISTORICAL_UPDATE_COMPLETE"
        assert {t.account_id for t in result.added} <= {a.account_id for a in result.accounts}

    def test_twelve_hundred_transactions_come_in_three_pages(
        self,
        plaid_client: PlaidClient,
        item: ExchangedItem,
        synced_cursor: str,
        demo_bank: DemoBankUnderTest,
    ) -> None:
        new_ids = demo_bank.control.add_transactions(item.item_id, count=1200)
        result = plaid_client.fetch_sync(item.access_token, synced_cursor)
        assert result.pages == 3  # 500 + 500 + 200
        assert [t.transaction_id for t in result.added] == new_ids
        assert result.restarts == 0
        again = plaid_client.fetch_sync(item.access_token, result.next_cursor)
        assert (again.added, again.modified, again.removed, again.pages) == ([], [], [], 1)

    def test_mutation_during_pagination_restarts_from_the_first_cursor(
        self,
        plaid_client: PlaidClient,
        item: ExchangedItem,
        synced_cursor: str,
        demo_bank: DemoBankUnderTest,
        sleeps: RecordedSleeps,
    ) -> None:
        new_ids = demo_bank.control.add_transactions(item.item_id, count=1200)
        # The second page request changes the item's data: that page fails, the loop restarts.
        demo_bank.control.inject_error(
            SYNC, "TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION", after=1, item_id=item.item_id
        )
        result = plaid_client.fetch_sync(item.access_token, synced_cursor)
        added = [t.transaction_id for t in result.added]
        assert result.restarts == 1
        assert len(added) == len(set(added)) == 1201  # nothing doubled
        assert added[:1200] == new_ids  # nothing lost, in order
        assert result.pages == 3
        assert sleeps.delays == []  # a mutation restarts at once

    def test_pending_posts_across_two_pages_with_a_tip(
        self,
        plaid_client: PlaidClient,
        item: ExchangedItem,
        synced_cursor: str,
        demo_bank: DemoBankUnderTest,
    ) -> None:
        control = demo_bank.control
        [pending_id] = control.add_transactions(
            item.item_id, pending=True, amount="42.00", merchant="OLIVE GARDEN 0012"
        )
        control.add_transactions(item.item_id, count=499)
        posted_id = control.post_transaction(item.item_id, pending_id, amount="50.40")

        result = plaid_client.fetch_sync(item.access_token, synced_cursor)
        assert result.pages == 2  # the pending one on page 1, its posting on page 2
        by_id = {t.transaction_id: t for t in result.added}
        pending, posted = by_id[pending_id], by_id[posted_id]
        assert pending.pending
        assert pending.amount_minor == -4200
        assert not posted.pending
        assert posted.pending_transaction_id == pending_id
        assert posted.amount_minor == -5040
        assert pending_id in {r.transaction_id for r in result.removed}

    def test_generated_pending_transactions_post_over_days(
        self,
        plaid_client: PlaidClient,
        item: ExchangedItem,
        synced_cursor: str,
        demo_bank: DemoBankUnderTest,
    ) -> None:
        history = plaid_client.fetch_sync(item.access_token, None)
        pending_ids = {t.transaction_id for t in history.added if t.pending}
        assert pending_ids  # purchases of the last days are still pending
        demo_bank.control.advance(days=6)
        result = plaid_client.fetch_sync(item.access_token, synced_cursor)
        removed = {r.transaction_id for r in result.removed}
        assert pending_ids <= removed
        replacing = {t.pending_transaction_id for t in result.added if t.pending_transaction_id}
        cancelled = pending_ids - replacing
        assert len(cancelled) <= len(pending_ids) // 2  # most post, a few holds are cancelled
        assert any(t.pending for t in result.added)  # and new purchases are pending now


class TestRetries:
    def test_rate_limit_then_success_with_backoff(
        self,
        plaid_client: PlaidClient,
        item: ExchangedItem,
        demo_bank: DemoBankUnderTest,
        sleeps: RecordedSleeps,
    ) -> None:
        demo_bank.control.inject_error("/accounts/get", "RATE_LIMIT_EXCEEDED", times=2)
        assert len(plaid_client.get_accounts(item.access_token)) == 3
        assert len(sleeps.delays) == 2
        assert 0 <= sleeps.delays[0] <= 1.0
        assert 0 <= sleeps.delays[1] <= 2.0

    @pytest.mark.parametrize("error_code", ["INSTITUTION_DOWN", "INTERNAL_SERVER_ERROR"])
    def test_sync_failing_mid_loop_restarts_after_a_backoff(
        self,
        plaid_client: PlaidClient,
        item: ExchangedItem,
        synced_cursor: str,
        demo_bank: DemoBankUnderTest,
        sleeps: RecordedSleeps,
        error_code: str,
    ) -> None:
        new_ids = demo_bank.control.add_transactions(item.item_id, count=700)
        demo_bank.control.inject_error(SYNC, error_code, after=1)
        result = plaid_client.fetch_sync(item.access_token, synced_cursor)
        assert [t.transaction_id for t in result.added] == new_ids
        assert len(sleeps.delays) == 1
        assert result.restarts == 1

    def test_gives_up_after_the_last_attempt(
        self,
        plaid_client: PlaidClient,
        item: ExchangedItem,
        demo_bank: DemoBankUnderTest,
        sleeps: RecordedSleeps,
    ) -> None:
        demo_bank.control.inject_error("/item/get", "PLANNED_MAINTENANCE", times=10)
        with pytest.raises(PlaidApiError) as raised:
            plaid_client.get_item(item.access_token)
        assert raised.value.http_status == 503
        assert raised.value.retryable
        assert len(sleeps.delays) == 3  # four attempts

    def test_item_login_required_is_never_retried_and_repaired_in_update_mode(
        self,
        plaid_client: PlaidClient,
        item: ExchangedItem,
        synced_cursor: str,
        demo_bank: DemoBankUnderTest,
        sleeps: RecordedSleeps,
        webhook_receiver: WebhookReceiver,
    ) -> None:
        demo_bank.control.inject_error(SYNC, "ITEM_LOGIN_REQUIRED", item_id=item.item_id)
        with pytest.raises(PlaidApiError) as raised:
            plaid_client.fetch_sync(item.access_token, synced_cursor)
        assert raised.value.login_required
        assert not raised.value.retryable
        assert raised.value.display_message
        assert sleeps.delays == []
        broken = plaid_client.get_item(item.access_token).error
        assert broken is not None
        assert broken.error_code == "ITEM_LOGIN_REQUIRED"

        verifier = verifier_for(plaid_client)
        webhook, _ = webhook_receiver.next_json()
        verifier.verify(webhook.headers["Plaid-Verification"], webhook.body)
        event = parse_webhook(webhook.body)
        assert isinstance(event, ItemError)
        assert event.error_code == "ITEM_LOGIN_REQUIRED"

        update = plaid_client.create_link_token(
            client_user_id="user-1", access_token=item.access_token
        )
        demo_bank.control.complete_link(update.link_token, institution_id=None)
        webhook, _ = webhook_receiver.next_json()
        verifier.verify(webhook.headers["Plaid-Verification"], webhook.body)
        assert parse_webhook(webhook.body) == LoginRepaired(
            item_id=item.item_id, environment="sandbox"
        )
        assert plaid_client.get_item(item.access_token).error is None
        plaid_client.fetch_sync(item.access_token, synced_cursor)


class TestWebhooks:
    def test_sync_updates_webhook_is_signed_like_plaid(
        self,
        plaid_client: PlaidClient,
        item: ExchangedItem,
        synced_cursor: str,
        demo_bank: DemoBankUnderTest,
        webhook_receiver: WebhookReceiver,
    ) -> None:
        demo_bank.control.add_transactions(item.item_id, count=3)
        webhook, _body = webhook_receiver.next_json()
        verifier_for(plaid_client).verify(webhook.headers["Plaid-Verification"], webhook.body)
        assert webhook.body.startswith(b'{\n  "')  # pretty-printed, as Plaid sends it
        event = parse_webhook(webhook.body)
        assert isinstance(event, SyncUpdatesAvailable)
        assert event.item_id == item.item_id

    def test_tampered_webhooks_are_refused(
        self,
        plaid_client: PlaidClient,
        item: ExchangedItem,
        synced_cursor: str,
        demo_bank: DemoBankUnderTest,
        webhook_receiver: WebhookReceiver,
    ) -> None:
        demo_bank.control.add_transactions(item.item_id)
        webhook, _ = webhook_receiver.next_json()
        header = webhook.headers["Plaid-Verification"]
        verifier = verifier_for(plaid_client)
        forged_item = webhook.body.replace(item.item_id.encode(), b"another-item-id")
        with pytest.raises(WebhookVerificationError, match="body"):
            verifier.verify(header, forged_item)
        with pytest.raises(WebhookVerificationError, match="body"):
            verifier.verify(header, webhook.body.replace(b"\n  ", b""))
        head, claims, signature = header.split(".")
        changed = signature[:10] + ("A" if signature[10] != "A" else "B") + signature[11:]
        with pytest.raises(WebhookVerificationError, match="signature"):
            verifier.verify(f"{head}.{claims}.{changed}", webhook.body)

    def test_no_sync_webhook_before_the_first_sync(
        self,
        plaid_client: PlaidClient,
        item: ExchangedItem,
        demo_bank: DemoBankUnderTest,
        webhook_receiver: WebhookReceiver,
    ) -> None:
        demo_bank.control.add_transactions(item.item_id)  # before any sync: Plaid stays quiet
        plaid_client.fetch_sync(item.access_token, None)
        demo_bank.control.add_transactions(item.item_id)
        # A webhook of another kind marks the end: collect everything up to it.
        plaid_client.fire_sandbox_webhook(item.access_token, "NEW_ACCOUNTS_AVAILABLE")
        codes = []
        while not codes or codes[-1] != "NEW_ACCOUNTS_AVAILABLE":
            codes.append(webhook_receiver.next_json()[1]["webhook_code"])
        assert codes.count("SYNC_UPDATES_AVAILABLE") == 1


class TestSecretsStayOut:
    def test_exchange_response_is_not_logged_even_at_debug(
        self, plaid_client: PlaidClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG)
        exchanged = plaid_client.exchange_public_token(
            plaid_client.create_sandbox_public_token("ins_109508")
        )
        assert exchanged.access_token not in caplog.text
        assert "demo-secret-value" not in caplog.text

    def test_access_token_and_secret_never_in_errors_or_logs(
        self,
        plaid_client: PlaidClient,
        item: ExchangedItem,
        demo_bank: DemoBankUnderTest,
        caplog: pytest.LogCaptureFixture,
    ) -> None:
        caplog.set_level(logging.DEBUG)
        demo_bank.control.inject_error(SYNC, "RATE_LIMIT_EXCEEDED", times=10)
        with pytest.raises(PlaidApiError) as raised:
            plaid_client.fetch_sync(item.access_token, None)
        shown = [str(raised.value), repr(raised.value), caplog.text, repr(item)]
        for text in shown:
            assert item.access_token not in text
            assert "demo-secret-value" not in text
        assert raised.value.__cause__ is None
        assert raised.value.__context__ is None


def test_sandbox_reset_login_breaks_the_item(
    plaid_client: PlaidClient, item: ExchangedItem, sleeps: RecordedSleeps
) -> None:
    plaid_client.reset_sandbox_login(item.access_token)
    with pytest.raises(PlaidApiError) as raised:
        plaid_client.get_accounts(item.access_token)
    assert raised.value.login_required
    assert sleeps.delays == []
