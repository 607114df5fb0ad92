"""Access tokens at rest: AES-GCM with a key id, tamper detection, rotation, settings."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest
from pydantic import ValidationError

from family_budget.bank_connections.token_crypto import TokenCipher, TokenDecryptionError
from family_budget.config import Settings

ACCESS_TOKEN = "access-sandbox-de3ce8ef-33f8-452c-a685-8671031fc0f6"


def new_key() -> bytes:
    return secrets.token_bytes(32)


def encoded(key: bytes) -> str:
    return base64.b64encode(key).decode()


class TestRoundTrip:
    def test_decrypts_what_it_encrypted(self) -> None:
        cipher = TokenCipher(new_key())
        sealed = cipher.encrypt(ACCESS_TOKEN, context="connection-1")
        assert cipher.decrypt(sealed, context="connection-1") == ACCESS_TOKEN

    def test_ciphertext_does_not_contain_the_token(self) -> None:
        sealed = TokenCipher(new_key()).encrypt(ACCESS_TOKEN, context="c")
        assert ACCESS_TOKEN not in sealed
        assert "de3ce8ef" not in sealed
        assert base64.b64encode(ACCESS_TOKEN.encode()).decode()[:20] not in sealed

    def test_same_token_encrypts_differently_each_time(self) -> None:
        cipher = TokenCipher(new_key())
        assert cipher.encrypt(ACCESS_TOKEN, context="c") != cipher.encrypt(
            ACCESS_TOKEN, context="c"
        )


class TestTamperDetection:
    def test_flipped_ciphertext_byte_is_refused(self) -> None:
        cipher = TokenCipher(new_key())
        version, kid, payload = cipher.encrypt(ACCESS_TOKEN, context="c").split(".")
        raw = bytearray(base64.urlsafe_b64decode(payload))
        raw[20] ^= 0x01
        tampered = f"{version}.{kid}.{base64.urlsafe_b64encode(bytes(raw)).decode()}"
        with pytest.raises(TokenDecryptionError, match="authentication"):
            cipher.decrypt(tampered, context="c")

    def test_copied_to_another_connection_is_refused(self) -> None:
        cipher = TokenCipher(new_key())
        sealed = cipher.encrypt(ACCESS_TOKEN, context="connection-1")
        with pytest.raises(TokenDecryptionError):
            cipher.decrypt(sealed, context="connection-2")

    @pytest.mark.parametrize("garbage", ["", "fbt1.abc", "fbt2.x.y", "fbt1.0000.!!!!", "a.b.c.d"])
    def test_malformed_is_refused(self, garbage: str) -> None:
        with pytest.raises(TokenDecryptionError):
            TokenCipher(new_key()).decrypt(garbage, context="c")

    def test_relabelled_key_id_is_refused(self) -> None:
        old, new = new_key(), new_key()
        cipher = TokenCipher(new, [old])
        version, _, payload = TokenCipher(old).encrypt(ACCESS_TOKEN, context="c").split(".")
        new_kid = cipher.encrypt("x", context="c").split(".")[1]
        with pytest.raises(TokenDecryptionError):
            cipher.decrypt(f"{version}.{new_kid}.{payload}", context="c")


class TestKeys:
    def test_wrong_key_is_refused(self) -> None:
        sealed = TokenCipher(new_key()).encrypt(ACCESS_TOKEN, context="c")
        with pytest.raises(TokenDecryptionError, match="no configured key"):
            TokenCipher(new_key()).decrypt(sealed, context="c")

    def test_rotation_keeps_old_tokens_readable(self) -> None:
        old_key, new_key_ = new_key(), new_key()
        sealed_before = TokenCipher(old_key).encrypt(ACCESS_TOKEN, context="c")
        rotated = TokenCipher(new_key_, [old_key])
        assert rotated.decrypt(sealed_before, context="c") == ACCESS_TOKEN
        assert rotated.needs_reencryption(sealed_before)
        sealed_after = rotated.encrypt(ACCESS_TOKEN, context="c")
        assert not rotated.needs_reencryption(sealed_after)
        # Once the old key is dropped from the settings, only re-encrypted tokens still read.
        without_old = TokenCipher(new_key_)
        assert without_old.decrypt(sealed_after, context="c") == ACCESS_TOKEN
        with pytest.raises(TokenDecryptionError):
            without_old.decrypt(sealed_before, context="c")


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class TestFromSettings:
    def test_development_key_generated_once_with_owner_only_permissions(
        self, tmp_path: Path
    ) -> None:
        sealed = TokenCipher.from_settings(settings(data_dir=tmp_path)).encrypt("t", context="c")
        key_file = tmp_path / "bank_token_key"
        assert key_file.stat().st_mode & 0o077 == 0
        assert len(base64.b64decode(key_file.read_text())) == 32
        again = TokenCipher.from_settings(settings(data_dir=tmp_path))
        assert again.decrypt(sealed, context="c") == "t"

    def test_configured_and_old_keys(self, tmp_path: Path) -> None:
        old, current = new_key(), new_key()
        sealed = TokenCipher(old).encrypt("t", context="c")
        cipher = TokenCipher.from_settings(
            settings(
                data_dir=tmp_path,
                bank_token_encryption_key=encoded(current),
                bank_token_encryption_old_keys=f"{encoded(new_key())}, {encoded(old)}",
            )
        )
        assert cipher.decrypt(sealed, context="c") == "t"
        assert not (tmp_path / "bank_token_key").exists()

    @pytest.mark.parametrize(
        "bad",
        ["not base64!", base64.b64encode(b"short").decode(), encoded(new_key()) + "AAAA"],
        # Named, not shown: the random key would give every pytest-xdist worker another test id.
        ids=["not-base64", "too-short", "too-long"],
    )
    def test_malformed_key_stops_start_up(self, bad: str) -> None:
        with pytest.raises(ValidationError, match="32 bytes"):
            settings(bank_token_encryption_key=bad)
        with pytest.raises(ValidationError, match="32 bytes"):
            settings(bank_token_encryption_old_keys=bad)

    def test_production_refuses_to_start_without_a_key(self) -> None:
        with pytest.raises(ValidationError, match="BANK_TOKEN_ENCRYPTION_KEY"):
            settings(
                environment="production",
                database_url="postgresql://u@db/x",
                jwt_secret="k" * 40,
            )
