"""The state file keeps linked items across restarts; control calls refuse nonsense."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from family_budget.bank_connections.plaid_api import PlaidClient
from family_budget.demo_bank.app import create_demo_bank_app
from family_budget.demo_bank.bank import DemoBank, DemoClock
from family_budget.demo_bank.persistence import StateFile
from family_budget.demo_bank.testing import DemoBankControlError, serve_in_thread
from tests.plaid_support import DEMO_NOW, DemoBankUnderTest, demo_settings


def test_restart_keeps_items_transactions_and_signing_key(tmp_path: Path) -> None:
    state = StateFile(tmp_path / "demo_bank.json")
    first = DemoBank(clock=DemoClock(frozen_at=DEMO_NOW))
    with serve_in_thread(create_demo_bank_app(first, state_file=state)) as url:
        client = PlaidClient.from_settings(demo_settings(url))
        item = client.exchange_public_token(client.create_sandbox_public_token("ins_109511"))
        history = client.fetch_sync(item.access_token, None)
        client.close()
    assert (tmp_path / "demo_bank.json").stat().st_mode & 0o077 == 0

    second = DemoBank(clock=DemoClock(frozen_at=DEMO_NOW))
    assert state.load_into(second)
    assert second.signer.kid == first.signer.kid
    with serve_in_thread(create_demo_bank_app(second, state_file=state)) as url:
        client = PlaidClient.from_settings(demo_settings(url))
        assert client.get_item(item.access_token).item_id == item.item_id
        again = client.fetch_sync(item.access_token, None)
        assert [t.transaction_id for t in again.added] == [t.transaction_id for t in history.added]
        assert client.fetch_sync(item.access_token, history.next_cursor).added == []
        client.close()


def test_no_state_file_means_a_fresh_bank(tmp_path: Path) -> None:
    assert not StateFile(tmp_path / "missing.json").load_into(DemoBank())


class TestControlRefusesNonsense:
    @pytest.mark.parametrize(
        "body",
        [
            {"days": -1},
            {"days": "two"},
            {"hours": True},
        ],
    )
    def test_advance(self, demo_bank: DemoBankUnderTest, body: dict[str, object]) -> None:
        before = demo_bank.control.state()["now"]
        response = httpx.post(f"{demo_bank.url}/demo/advance", json=body)
        assert response.status_code == 400
        assert response.json()["error_code"] == "INVALID_FIELD"
        assert demo_bank.control.state()["now"] == before

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"endpoint": "/accounts/get"},
            {"endpoint": "/accounts/get", "error_code": "MADE_UP"},
            {"endpoint": "/transactions/sync", "error_code": "ITEM_LOGIN_REQUIRED"},
        ],
    )
    def test_errors(self, demo_bank: DemoBankUnderTest, body: dict[str, object]) -> None:
        response = httpx.post(f"{demo_bank.url}/demo/errors", json=body)
        assert response.status_code == 400
        assert demo_bank.bank.error_rules == []

    def test_unknown_item_or_transaction(self, demo_bank: DemoBankUnderTest) -> None:
        with pytest.raises(DemoBankControlError) as refused:
            demo_bank.control.add_transactions("no-such-item")
        assert refused.value.status == 400
        assert refused.value.body["error_code"] == "ITEM_NOT_FOUND"

    def test_not_json(self, demo_bank: DemoBankUnderTest) -> None:
        response = httpx.post(f"{demo_bank.url}/demo/advance", content=b"{nope")
        assert response.status_code == 400
        assert response.json()["error_code"] == "INVALID_BODY"
