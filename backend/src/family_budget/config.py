"""Application settings, read once from the environment (names follow the design document)."""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Callable
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_JWT_SECRET_LENGTH = 32
BANK_TOKEN_KEY_BYTES = 32  # AES-256-GCM


class Environment(StrEnum):
    DEVELOPMENT = "development"
    STAGING = "staging"
    PRODUCTION = "production"


class UnsafeSettingsError(ValueError):
    """Raised at start-up when the settings would run production insecurely."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

    environment: Environment = Environment.DEVELOPMENT
    data_dir: Path = Path("data")

    database_url: str | None = None
    # ECS injects the database secret's JSON keys one by one (RDS rotation changes the password,
    # so a stored URL would go stale); the URL is assembled from them when DATABASE_URL is absent.
    database_host: str | None = None
    database_port: int = 5432
    database_name: str = "family_budget"
    database_user: str | None = None
    database_password: SecretStr | None = None
    database_pool_size: int = 10

    redis_url: str | None = None
    redis_auth_token: SecretStr | None = None

    jwt_secret: SecretStr | None = None
    jwt_algorithm: str = "HS256"
    access_token_expire_minutes: int = 15
    refresh_token_expire_days: int = 7
    # A used refresh token presented again this soon is a lost response or a second tab, not theft.
    refresh_reuse_grace_seconds: Annotated[int, Field(ge=0)] = 10

    plaid_client_id: str | None = None
    plaid_secret: SecretStr | None = None
    # PLAID_ENV is the name; PLAID_ENVIRONMENT is what the ECS task has set so far.
    # "development" is accepted and means Production: Plaid retired its Development host in 2024
    # (bank_connections/plaid_api.py says more).
    plaid_env: Annotated[
        Literal["sandbox", "development", "production"],
        Field(validation_alias=AliasChoices("plaid_env", "plaid_environment")),
    ] = "sandbox"
    plaid_api_url: str | None = None  # overrides the environment's host (tests, the demo bank)
    plaid_webhook_url: str | None = None  # the public URL Plaid posts webhooks to
    # Tries of one Plaid call (or one /transactions/sync run) while its error is retryable (rate
    # limits, institution downtime, 5xx), with backoff and jitter between; then the job system
    # retries the job with its own backoff.
    plaid_max_attempts: Annotated[int, Field(ge=1, le=10)] = 4
    # Webhook requests per source address (a forged header with an unknown key id makes the
    # verifier ask Plaid for that key, so floods are cut off before they reach it).
    plaid_webhook_rate_per_address: str = "300/minute"
    # Base64 of 32 bytes; old keys (comma-separated) still decrypt tokens stored before a rotation.
    bank_token_encryption_key: SecretStr | None = None
    bank_token_encryption_old_keys: SecretStr | None = None

    # How often beat sends the worker a tick (the schedule of periodic jobs; see worker/schedule).
    worker_tick_seconds: Annotated[float, Field(gt=0)] = 60.0

    # S3 buckets of the files the app keeps (family_budget.storage); without a name, a folder
    # of DATA_DIR of the same name stands in for the bucket (data/exports, data/receipts, ...).
    exports_bucket: str | None = None
    receipts_bucket: str | None = None
    backups_bucket: str | None = None
    # Backups kept by `family-budget backup`: the newest BACKUP_RETENTION_COUNT, and none older
    # than BACKUP_RETENTION_DAYS (the newest one always stays). 0 turns a limit off.
    backup_retention_count: Annotated[int, Field(ge=0)] = 14
    backup_retention_days: Annotated[int, Field(ge=0)] = 30
    # Signs the download links of files kept in DATA_DIR (S3 signs its own); generated into
    # data/ when unset.
    file_url_secret: SecretStr | None = None
    aws_region: str = "us-east-1"
    ses_configuration_set: str | None = None
    email_from_address: str = "Family Budget <no-reply@family-budget.local>"
    # The SQS queue of SES bounce and complaint events (the NotificationStack's email-events).
    ses_events_queue_url: str | None = None

    # Alerts in AWS: the NotificationStack's topic per kind. A kind without its topic is
    # delivered in-process, as on a laptop (family_budget.alerts.delivery).
    bill_reminders_topic_arn: str | None = None
    budget_alerts_topic_arn: str | None = None
    account_sync_failures_topic_arn: str | None = None
    security_alerts_topic_arn: str | None = None
    # SNS platform applications (NotificationStack outputs) that mobile device tokens are
    # registered with; without them, ios/android devices are kept but get no push.
    apns_platform_application_arn: str | None = None
    apns_sandbox_platform_application_arn: str | None = None
    fcm_platform_application_arn: str | None = None
    # Web Push: the VAPID private key (PEM, or base64url of the raw P-256 key); generated once
    # into data/ when absent. The subject is a mailto: or https: contact for push services.
    vapid_private_key: SecretStr | None = None
    vapid_subject: str = "mailto:no-reply@family-budget.local"

    public_app_url: str = "http://localhost:8000"
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (IPs or CIDRs, comma-separated):
    # the load balancers' subnets in AWS, the local web app's proxy on a laptop. Anyone else could
    # make up an address and sidestep the per-address rate limits.
    trusted_proxies: str = "127.0.0.1"
    cors_origins: Annotated[list[str], Field(default_factory=list)]
    log_level: str = "INFO"
    max_request_body_bytes: int = 1024 * 1024

    # Per account from one address (or one known device), and per account from all new devices.
    login_rate_per_account: str = "10/minute"
    login_rate_per_account_new_devices: str = "50/hour"
    login_rate_per_address: str = "30/minute"
    register_rate_per_address: str = "10/hour"
    forgot_password_rate_per_account: str = "5/hour"  # noqa: S105 (a rate, not a password)
    forgot_password_rate_per_address: str = "20/hour"  # noqa: S105

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        for key in self.bank_token_old_keys:
            decode_bank_token_key(key)
        if self.bank_token_encryption_key:
            decode_bank_token_key(self.bank_token_encryption_key.get_secret_value())
        if self.environment is not Environment.PRODUCTION:
            return self
        secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
        if len(secret) < MIN_JWT_SECRET_LENGTH:
            raise UnsafeSettingsError(
                f"JWT_SECRET must be at least {MIN_JWT_SECRET_LENGTH} characters in production"
            )
        if self.resolved_database_url.startswith("sqlite"):
            raise UnsafeSettingsError("production needs PostgreSQL: DATABASE_URL may not be SQLite")
        if not self.bank_token_encryption_key:
            raise UnsafeSettingsError(
                "BANK_TOKEN_ENCRYPTION_KEY (base64 of 32 random bytes) is required in production"
            )
        return self

    @cached_property
    def resolved_database_url(self) -> str:
        """The async SQLAlchemy URL: explicit, assembled from parts, or the embedded SQLite file."""
        if self.database_url:
            return _async_driver_url(self.database_url)
        if self.database_host and self.database_user:
            password = self.database_password.get_secret_value() if self.database_password else ""
            user = quote(self.database_user, safe="")
            return (
                f"postgresql+asyncpg://{user}:{quote(password, safe='')}"
                f"@{self.database_host}:{self.database_port}/{self.database_name}"
            )
        return f"sqlite+aiosqlite:///{(self.data_dir / 'family_budget.db').as_posix()}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @cached_property
    def resolved_redis_url(self) -> str | None:
        if not self.redis_url:
            return None
        if not self.redis_auth_token:
            return self.redis_url
        parts = urlsplit(self.redis_url)
        token = quote(self.redis_auth_token.get_secret_value(), safe="")
        host = parts.netloc.rsplit("@", 1)[-1]
        return urlunsplit((parts.scheme, f":{token}@{host}", parts.path, parts.query, ""))

    @property
    def is_production(self) -> bool:
        return self.environment is Environment.PRODUCTION

    @property
    def docs_enabled(self) -> bool:
        return self.environment is Environment.DEVELOPMENT

    @cached_property
    def jwt_key(self) -> str:
        """The signing key; without JWT_SECRET (development), one generated once into data/."""
        if self.jwt_secret:
            return self.jwt_secret.get_secret_value()
        return _load_or_create_local_secret(self.data_dir / "jwt_secret")

    @cached_property
    def bank_token_key(self) -> str:
        """Encrypts bank access tokens; without the setting (development), generated into data/."""
        if self.bank_token_encryption_key:
            return self.bank_token_encryption_key.get_secret_value()
        return _load_or_create_local_secret(
            self.data_dir / "bank_token_key", generate=_new_bank_token_key
        )

    @property
    def bank_token_old_keys(self) -> list[str]:
        if not self.bank_token_encryption_old_keys:
            return []
        value = self.bank_token_encryption_old_keys.get_secret_value()
        return [key.strip() for key in value.split(",") if key.strip()]

    @cached_property
    def vapid_key(self) -> str:
        """The VAPID private key (PEM); without VAPID_PRIVATE_KEY, one generated into data/."""
        if self.vapid_private_key:
            return self.vapid_private_key.get_secret_value()
        return _load_or_create_local_secret(
            self.data_dir / "vapid_private_key.pem", generate=_new_vapid_key
        )

    @cached_property
    def file_url_key(self) -> str:
        """Signs download links of local files; without the setting, generated once into data/."""
        if self.file_url_secret:
            return self.file_url_secret.get_secret_value()
        return _load_or_create_local_secret(self.data_dir / "file_url_key")

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"


def _async_driver_url(url: str) -> str:
    for plain, async_prefix in (
        ("postgresql://", "postgresql+asyncpg://"),
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql+psycopg://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return async_prefix + url[len(plain) :]
    return url


def decode_bank_token_key(key: str) -> bytes:
    """The raw AES key of a BANK_TOKEN_ENCRYPTION_KEY value; a malformed one stops start-up."""
    try:
        raw = base64.b64decode(key.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != BANK_TOKEN_KEY_BYTES:
        raise UnsafeSettingsError(
            f"bank token encryption keys must be base64 of {BANK_TOKEN_KEY_BYTES} bytes"
        )
    return raw


def _new_bank_token_key() -> str:
    return base64.b64encode(secrets.token_bytes(BANK_TOKEN_KEY_BYTES)).decode("ascii")


def _new_vapid_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _load_or_create_local_secret(
    path: Path, generate: Callable[[], str] = lambda: secrets.token_urlsafe(48)
) -> str:
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = generate()
    # Written whole under a temporary name, then linked into place, which fails if the file
    # exists: when the API and the worker start together, one key wins and both read it
    # (a key each would make the other's tokens or push subscriptions fail). Owner-only
    # permissions: it signs sessions, encrypts bank tokens or signs pushes.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    temporary.touch(mode=0o600)
    temporary.write_text(secret)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return path.read_text().strip()
    finally:
        temporary.unlink()
    return secret.strip()  # as a later read returns it
