"""Bank access tokens encrypted at rest with AES-256-GCM.

A Plaid access token never expires and reads a family's whole bank history, so the database holds
only ciphertext. The ciphertext names the key that made it (a fingerprint, not the key), so the key
can be rotated: set the new BANK_TOKEN_ENCRYPTION_KEY, move the previous one to
BANK_TOKEN_ENCRYPTION_OLD_KEYS, and tokens written before still decrypt; `needs_reencryption` tells
the service which ones to write again under the new key.

Format: ``fbt1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>``. The version, the key id and the
caller's context (e.g. the bank connection's id) are authenticated as associated data, so a
ciphertext copied onto another row, or relabelled with another key id, does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from family_budget.config import Settings, decode_bank_token_key

FORMAT_VERSION = "fbt1"
NONCE_BYTES = 12


class TokenDecryptionError(Exception):
    """The ciphertext is malformed, was tampered with, or no configured key made it."""


def key_id(key: bytes) -> str:
    """A short public fingerprint of a key (SHA-256 does not reveal the key)."""
    return hashlib.sha256(b"family-budget bank token key:" + key).hexdigest()[:16]


class TokenCipher:
    """Encrypts with the current key; decrypts with the current key or any old one."""

    def __init__(self, current_key: bytes, old_keys: Sequence[bytes] = ()) -> None:
        self._current_id = key_id(current_key)
        self._current = AESGCM(current_key)
        self._by_id = {key_id(key): AESGCM(key) for key in old_keys}
        self._by_id[self._current_id] = self._current

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCipher:
        return cls(
            decode_bank_token_key(settings.bank_token_key),
            [decode_bank_token_key(key) for key in settings.bank_token_old_keys],
        )

    def encrypt(self, plaintext: str, *, context: str) -> str:
        """Ciphertext for `plaintext`; `context` (e.g. the connection id) must match on decrypt."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._current.encrypt(
            nonce, plaintext.encode("utf-8"), _associated_data(self._current_id, context)
        )
        payload = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
        return f"{FORMAT_VERSION}.{self._current_id}.{payload}"

    def decrypt(self, ciphertext: str, *, context: str) -> str:
        version, kid, payload = _split(ciphertext)
        if version != FORMAT_VERSION:
            raise TokenDecryptionError(f"unknown token format {version!r}")
        cipher = self._by_id.get(kid)
        if cipher is None:
            raise TokenDecryptionError(f"no configured key has id {kid}")
        try:
            raw = base64.urlsafe_b64decode(payload.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise TokenDecryptionError("ciphertext is not base64") from None
        nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        try:
            plain = cipher.decrypt(nonce, sealed, _associated_data(kid, context))
        except (InvalidTag, ValueError):
            raise TokenDecryptionError("ciphertext failed authentication") from None
        return plain.decode("utf-8")

    def needs_reencryption(self, ciphertext: str) -> bool:
        """True when an old key made this ciphertext (write it again after a rotation)."""
        return _split(ciphertext)[1] != self._current_id


def _split(ciphertext: str) -> tuple[str, str, str]:
    parts = ciphertext.split(".")
    if len(parts) != 3:
        raise TokenDecryptionError("ciphertext is not in the fbt1.<key id>.<data> format")
    return parts[0], parts[1], parts[2]


def _associated_data(kid: str, context: str) -> bytes:
    return f"{FORMAT_VERSION}.{kid}.{context}".encode()
