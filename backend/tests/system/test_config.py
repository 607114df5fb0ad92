from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from family_budget.config import Settings


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class TestEmbeddedDefault:
    def test_sqlite_file_under_data_dir(self, tmp_path: Path) -> None:
        settings = _settings(data_dir=tmp_path)
        assert (
            settings.resolved_database_url
            == f"sqlite+aiosqlite:///{tmp_path.as_posix()}/family_budget.db"
        )
        assert settings.resolved_redis_url is None

    def test_jwt_secret_generated_once_and_kept(self, tmp_path: Path) -> None:
        first = _settings(data_dir=tmp_path).jwt_key
        second = _settings(data_dir=tmp_path).jwt_key
        assert first == second
        assert len(first) >= 48
        assert (tmp_path / "jwt_secret").stat().st_mode & 0o077 == 0


class TestDatabaseUrl:
    def test_plain_postgres_url_gets_async_driver(self) -> None:
        settings = _settings(database_url="postgresql://u:p@db:5432/family_budget")
        assert settings.resolved_database_url == "postgresql+asyncpg://u:p@db:5432/family_budget"

    def test_assembled_from_secret_keys_with_escaping(self) -> None:
        settings = _settings(
            database_host="db.internal",
            database_user="dbadmin",
            database_password="p@ss/w:rd",
            database_name="family_budget",
        )
        assert settings.resolved_database_url == (
            "postgresql+asyncpg://dbadmin:p%40ss%2Fw%3Ard@db.internal:5432/family_budget"
        )

    def test_redis_auth_token_is_merged(self) -> None:
        settings = _settings(redis_url="rediss://cache.internal:6379/0", redis_auth_token="t/k")
        assert settings.resolved_redis_url == "rediss://:t%2Fk@cache.internal:6379/0"


class TestProductionRefusesUnsafeSettings:
    def test_missing_jwt_secret(self) -> None:
        with pytest.raises(ValidationError, match="JWT_SECRET"):
            _settings(environment="production", database_url="postgresql://u@db/x")

    def test_short_jwt_secret(self) -> None:
        with pytest.raises(ValidationError, match="JWT_SECRET"):
            _settings(
                environment="production", database_url="postgresql://u@db/x", jwt_secret="short"
            )

    def test_sqlite(self, tmp_path: Path) -> None:
        with pytest.raises(ValidationError, match="SQLite"):
            _settings(environment="production", jwt_secret="k" * 40, data_dir=tmp_path)

    def test_safe_production_settings_start(self) -> None:
        settings = _settings(
            environment="production",
            database_url="postgresql://u@db/x",
            jwt_secret="k" * 40,
            bank_token_encryption_key="A" * 43 + "=",  # base64 of 32 bytes
        )
        assert settings.is_production
        assert not settings.docs_enabled

    def test_environment_variables_are_read(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("ENVIRONMENT", "staging")
        monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/x")
        monkeypatch.setenv("JWT_SECRET", "k" * 40)
        monkeypatch.setenv("PLAID_CLIENT_ID", "client-1")
        settings = Settings()
        assert settings.environment == "staging"
        assert settings.plaid_client_id == "client-1"


class TestRefreshReuseGrace:
    def test_default_and_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        assert _settings().refresh_reuse_grace_seconds == 10
        monkeypatch.setenv("REFRESH_REUSE_GRACE_SECONDS", "0")
        assert Settings().refresh_reuse_grace_seconds == 0

    def test_negative_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="refresh_reuse_grace_seconds"):
            _settings(refresh_reuse_grace_seconds=-1)


def test_local_secrets_created_at_once_by_many_agree(tmp_path: Path) -> None:
    """The API and the worker starting together must not each keep a key of their own."""
    from concurrent.futures import ThreadPoolExecutor

    def vapid_key(_: int) -> str:
        return Settings(_env_file=None, data_dir=tmp_path).vapid_key  # type: ignore[call-arg]

    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(vapid_key, range(16)))
    assert len(keys) == 1
    assert next(iter(keys)).startswith("-----BEGIN PRIVATE KEY-----")
    assert (tmp_path / "vapid_private_key.pem").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vapid_private_key.pem"]
