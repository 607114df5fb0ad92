"""Webhook signatures exactly as Plaid makes them: an ES256 JWT in `Plaid-Verification`."""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm


class WebhookSigner:
    """Signs webhook bodies with a P-256 key; `jwk()` is what /webhook_verification_key/get serves.

    `iat` is the real time, never the demo clock: the receiver checks it against its own clock, and
    the demo clock may have been advanced by days.
    """

    def __init__(
        self,
        private_key: ec.EllipticCurvePrivateKey | None = None,
        *,
        kid: str | None = None,
        created_at: int | None = None,
    ) -> None:
        self.private_key = private_key or ec.generate_private_key(ec.SECP256R1())
        self.kid = kid or str(uuid.uuid4())
        self.created_at = created_at if created_at is not None else int(time.time())

    def jwk(self) -> dict[str, Any]:
        public: dict[str, Any] = ECAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {
            "alg": "ES256",
            "created_at": self.created_at,
            "crv": public["crv"],
            "expired_at": None,
            "kid": self.kid,
            "kty": "EC",
            "use": "sig",
            "x": public["x"],
            "y": public["y"],
        }

    def sign(self, body: bytes) -> str:
        claims = {"iat": int(time.time()), "request_body_sha256": hashlib.sha256(body).hexdigest()}
        return jwt.encode(claims, self.private_key, algorithm="ES256", headers={"kid": self.kid})

    def to_state(self) -> dict[str, Any]:
        pem = self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return {"pem": pem.decode("ascii"), "kid": self.kid, "created_at": self.created_at}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> WebhookSigner:
        key = serialization.load_pem_private_key(state["pem"].encode("ascii"), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the demo bank's signing key is not an EC key")
        return cls(key, kid=state["kid"], created_at=int(state["created_at"]))
