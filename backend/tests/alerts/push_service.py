"""A stand-in for a browser push service (RFC 8030) on 127.0.0.1, and the browser's side of a
subscription (its P-256 key pair and auth secret) to decrypt what arrives."""

from __future__ import annotations

import base64
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """What a browser keeps of its subscription: the private key and the auth secret."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    def keys(self) -> dict[str, str]:
        point = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"p256dh": b64url(point), "auth": b64url(self.auth_secret)}


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PushService:
    url: str
    deliveries: list[Delivery] = field(default_factory=list)
    status: int = 201
    # Set to hold the next request unanswered until released (a worker killed mid-send).
    hold: threading.Event | None = None
    received: threading.Event = field(default_factory=threading.Event)

    def endpoint(self, name: str) -> str:
        return f"{self.url}/push/{name}"


@contextmanager
def push_service() -> Iterator[PushService]:
    service = PushService(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                service.deliveries.append(
                    Delivery(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
            service.received.set()
            hold = service.hold
            if hold is not None:
                service.hold = None
                hold.wait(timeout=120)
            self.send_response(service.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    service.url = f"http://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield service
    finally:
        if service.hold is not None:
            service.hold.set()
        server.shutdown()
        server.server_close()
        thread.join()
