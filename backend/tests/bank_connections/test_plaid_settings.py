"""The Plaid settings contract: PLAID_ENV (and the old PLAID_ENVIRONMENT), PLAID_API_URL, keys."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from family_budget.bank_connections.plaid_api import (
    PlaidClient,
    PlaidNotConfiguredError,
    plaid_host,
)
from family_budget.config import Settings


@pytest.fixture(autouse=True)
def no_plaid_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("PLAID_ENV", "PLAID_ENVIRONMENT", "PLAID_API_URL", "PLAID_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)


class TestEnvironment:
    def test_plaid_env_is_read(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PLAID_ENV", "production")
        assert Settings().plaid_env == "production"

    def test_old_plaid_environment_name_is_still_read(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PLAID_ENVIRONMENT", "production")  # what the ECS task sets today
        assert Settings().plaid_env == "production"

    def test_plaid_env_wins_over_the_old_name(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PLAID_ENVIRONMENT", "production")
        monkeypatch.setenv("PLAID_ENV", "sandbox")
        assert Settings().plaid_env == "sandbox"

    def test_unknown_environment_stops_start_up(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PLAID_ENV", "staging")
        with pytest.raises(ValidationError, match="plaid_env"):
            Settings()

    @pytest.mark.parametrize(
        ("environment", "host"),
        [
            ("sandbox", "https://sandbox.plaid.com"),
            ("production", "https://production.plaid.com"),
            # Plaid retired the Development host; its live-data use moved to Production.
            ("development", "https://production.plaid.com"),
        ],
    )
    def test_hosts(self, environment: str, host: str) -> None:
        assert plaid_host(Settings(plaid_env=environment)) == host

    def test_api_url_overrides_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PLAID_ENV", "production")
        monkeypatch.setenv("PLAID_API_URL", "http://127.0.0.1:8100")
        assert plaid_host(Settings()) == "http://127.0.0.1:8100"


class TestClient:
    def test_missing_keys_are_a_clear_error(self) -> None:
        with pytest.raises(PlaidNotConfiguredError, match="PLAID_CLIENT_ID"):
            PlaidClient.from_settings(Settings(plaid_client_id=None, plaid_secret=None))

    def test_secret_is_not_in_the_settings_repr(self) -> None:
        settings = Settings(plaid_client_id="id", plaid_secret="very-secret-value")
        assert "very-secret-value" not in repr(settings)
