"""Plaid-Verification, checked against a real webhook Plaid signed (the shared test vector)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest

from family_budget.bank_connections.webhooks import WebhookVerificationError, WebhookVerifier
from tests.plaid_support import plaid_fixture, read_plaid_json

VECTOR = "webhook_verification_vector"


@pytest.fixture
def expected() -> dict[str, Any]:
    result: dict[str, Any] = read_plaid_json(VECTOR, "expected.json")
    return result


@pytest.fixture
def token() -> str:
    return plaid_fixture(VECTOR, "plaid-verification.jwt").read_text().strip()


@pytest.fixture
def raw_body() -> bytes:
    return plaid_fixture(VECTOR, "body.raw.json").read_bytes()


class PlaidKeys:
    """Plays /webhook_verification_key/get with the vector's key; counts the calls."""

    def __init__(self, *keys: Mapping[str, Any]) -> None:
        self.keys = {key["kid"]: dict(key) for key in keys}
        self.calls: list[str] = []

    def __call__(self, kid: str) -> Mapping[str, Any]:
        self.calls.append(kid)
        if kid not in self.keys:
            raise LookupError("INVALID_WEBHOOK_VERIFICATION_KEY_ID")
        return self.keys[kid]


@pytest.fixture
def keys() -> PlaidKeys:
    return PlaidKeys(read_plaid_json(VECTOR, "webhook_verification_key_get.response.json")["key"])


def verifier(keys: PlaidKeys, expected: dict[str, Any], seconds_after_iat: int) -> WebhookVerifier:
    moment = datetime.fromtimestamp(expected["jwt_claims"]["iat"] + seconds_after_iat, UTC)
    return WebhookVerifier(keys, clock=lambda: moment)


def reheadered(token: str, header: dict[str, Any]) -> str:
    """The same claims and signature under another JWT header."""
    _, claims, signature = token.split(".")
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
    return f"{encoded}.{claims}.{signature}"


class TestRealVector:
    def test_vector_is_what_expected_json_says(
        self, expected: dict[str, Any], raw_body: bytes
    ) -> None:
        assert hashlib.sha256(raw_body).hexdigest() == expected["sha256_body.raw.json"]

    def test_accepted_at_its_time(
        self, keys: PlaidKeys, expected: dict[str, Any], token: str, raw_body: bytes
    ) -> None:
        verifier(keys, expected, 60).verify(token, raw_body)
        assert keys.calls == [expected["jwt_header"]["kid"]]

    def test_accepted_at_the_edge_of_five_minutes(
        self, keys: PlaidKeys, expected: dict[str, Any], token: str, raw_body: bytes
    ) -> None:
        verifier(keys, expected, 300).verify(token, raw_body)

    def test_refused_five_minutes_later(
        self, keys: PlaidKeys, expected: dict[str, Any], token: str, raw_body: bytes
    ) -> None:
        with pytest.raises(WebhookVerificationError, match="older than 5 minutes"):
            verifier(keys, expected, 301).verify(token, raw_body)

    def test_refused_with_the_real_clock(
        self, keys: PlaidKeys, token: str, raw_body: bytes
    ) -> None:
        with pytest.raises(WebhookVerificationError, match="older than 5 minutes"):
            WebhookVerifier(keys).verify(token, raw_body)

    def test_refused_long_before_it_was_issued(
        self, keys: PlaidKeys, expected: dict[str, Any], token: str, raw_body: bytes
    ) -> None:
        with pytest.raises(WebhookVerificationError):
            verifier(keys, expected, -301).verify(token, raw_body)

    def test_refused_with_a_changed_body(
        self, keys: PlaidKeys, expected: dict[str, Any], token: str, raw_body: bytes
    ) -> None:
        changed = raw_body.replace(b'"new_transactions": 390', b'"new_transactions": 391')
        assert changed != raw_body
        with pytest.raises(WebhookVerificationError, match="body does not match"):
            verifier(keys, expected, 60).verify(token, changed)

    def test_refused_re_serialized(
        self, keys: PlaidKeys, expected: dict[str, Any], token: str
    ) -> None:
        compact = plaid_fixture(VECTOR, "body.reserialized-compact.json").read_bytes()
        assert json.loads(compact) == json.loads(
            plaid_fixture(VECTOR, "body.raw.json").read_bytes()
        )
        with pytest.raises(WebhookVerificationError, match="body does not match"):
            verifier(keys, expected, 60).verify(token, compact)

    @pytest.mark.parametrize("algorithm", ["HS256", "none", "RS256", "ES384"])
    def test_refused_with_another_algorithm_in_the_header(
        self,
        keys: PlaidKeys,
        expected: dict[str, Any],
        token: str,
        raw_body: bytes,
        algorithm: str,
    ) -> None:
        forged = reheadered(token, {**expected["jwt_header"], "alg": algorithm})
        with pytest.raises(WebhookVerificationError, match="algorithm must be ES256"):
            verifier(keys, expected, 60).verify(forged, raw_body)
        assert keys.calls == []  # refused before any key was fetched

    def test_refused_hmac_signed_with_the_public_key(
        self, keys: PlaidKeys, expected: dict[str, Any], raw_body: bytes
    ) -> None:
        # The classic confusion attack: "verify" HS256 with the public key as the HMAC secret.
        jwk = next(iter(keys.keys.values()))
        header = {"alg": "HS256", "kid": jwk["kid"], "typ": "JWT"}
        claims = {
            "iat": expected["jwt_claims"]["iat"],
            "request_body_sha256": hashlib.sha256(raw_body).hexdigest(),
        }

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
        signature = hmac.new(json.dumps(jwk).encode(), signing_input.encode(), "sha256").digest()
        with pytest.raises(WebhookVerificationError, match="algorithm"):
            verifier(keys, expected, 60).verify(f"{signing_input}.{b64(signature)}", raw_body)

    def test_refused_with_a_broken_signature(
        self, keys: PlaidKeys, expected: dict[str, Any], token: str, raw_body: bytes
    ) -> None:
        head, claims, signature = token.split(".")
        broken = signature[:-4] + ("AAAA" if not signature.endswith("AAAA") else "BBBB")
        with pytest.raises(WebhookVerificationError, match="signature"):
            verifier(keys, expected, 60).verify(f"{head}.{claims}.{broken}", raw_body)

    @pytest.mark.parametrize("header", [None, "", "not-a-jwt", "a.b"])
    def test_refused_without_a_usable_header(
        self, keys: PlaidKeys, expected: dict[str, Any], raw_body: bytes, header: str | None
    ) -> None:
        with pytest.raises(WebhookVerificationError):
            verifier(keys, expected, 60).verify(header, raw_body)


class TestKeyCache:
    def test_key_fetched_once_per_kid(
        self, keys: PlaidKeys, expected: dict[str, Any], token: str, raw_body: bytes
    ) -> None:
        checker = verifier(keys, expected, 60)
        checker.verify(token, raw_body)
        checker.verify(token, raw_body)
        assert len(keys.calls) == 1

    def test_unknown_kid_refreshes_live_keys_then_is_refused(
        self, keys: PlaidKeys, expected: dict[str, Any], token: str, raw_body: bytes
    ) -> None:
        checker = verifier(keys, expected, 60)
        checker.verify(token, raw_body)
        other = reheadered(token, {**expected["jwt_header"], "kid": "rotated-key"})
        with pytest.raises(WebhookVerificationError, match="no verification key"):
            checker.verify(other, raw_body)
        known = expected["jwt_header"]["kid"]
        assert keys.calls == [known, known, "rotated-key"]

    def test_expired_key_is_refused_once_the_refresh_sees_it(
        self, keys: PlaidKeys, expected: dict[str, Any], token: str, raw_body: bytes
    ) -> None:
        checker = verifier(keys, expected, 60)
        checker.verify(token, raw_body)
        kid = expected["jwt_header"]["kid"]
        keys.keys[kid]["expired_at"] = expected["jwt_claims"]["iat"]
        unknown = reheadered(token, {**expected["jwt_header"], "kid": "new-key"})
        with pytest.raises(WebhookVerificationError):
            checker.verify(unknown, raw_body)  # triggers the refresh of live keys
        with pytest.raises(WebhookVerificationError, match="expired"):
            checker.verify(token, raw_body)


def test_signed_by_a_fresh_key_with_iat_now(raw_body: bytes) -> None:
    """A self-made ES256 token is accepted with the real clock: the verifier is not tied to the
    vector's key or time."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    private = ec.generate_private_key(ec.SECP256R1())
    jwk = {**ECAlgorithm.to_jwk(private.public_key(), as_dict=True), "kid": "k1", "alg": "ES256"}
    claims = {
        "iat": int((datetime.now(UTC) - timedelta(seconds=5)).timestamp()),
        "request_body_sha256": hashlib.sha256(raw_body).hexdigest(),
    }
    token = jwt.encode(claims, private, algorithm="ES256", headers={"kid": "k1"})
    WebhookVerifier(PlaidKeys(jwk)).verify(token, raw_body)
