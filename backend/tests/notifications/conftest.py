"""Fixtures for the notification tests.

AWS is played by moto in server mode on 127.0.0.1 and reached with real boto3 clients. moto's
Lambda cannot record what an asynchronous Invoke carried without Docker, so the Lambda service is
played by `InvokeRecorder`: a local HTTP server that speaks the Invoke wire format
(POST /2015-03-31/functions/{name}/invocations) and keeps every payload it received.
"""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from moto.server import ThreadedMotoServer

from family_budget.notifications import aws

REGION = "us-east-1"
SENDER = "Family Budget <no-reply@family-budget.test>"
CONFIGURATION_SET = "test-family-budget"


@pytest.fixture(autouse=True)
def aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Fake credentials and no access to any real AWS configuration of the machine."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_endpoint(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The moto server, emptied of what earlier tests created; default endpoint of every client."""
    # S310: the URL is the local moto server's, built above.
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    return moto_server


def moto_state(endpoint: str) -> dict[str, Any]:
    """Every model moto holds, as its dashboard API reports them."""
    url = f"{endpoint}/moto-api/data.json"
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - local moto server
        state: dict[str, Any] = json.loads(response.read())
    return state


@pytest.fixture
def sesv2(moto_endpoint: str) -> Any:
    """An SES v2 client with a verified sender identity and the configuration set."""
    client = aws.client("sesv2", region_name=REGION, endpoint_url=moto_endpoint)
    client.create_email_identity(EmailIdentity="family-budget.test")
    client.create_email_identity(EmailIdentity="no-reply@family-budget.test")
    client.create_configuration_set(ConfigurationSetName=CONFIGURATION_SET)
    return client


@pytest.fixture
def sns(moto_endpoint: str) -> Any:
    return aws.client("sns", region_name=REGION, endpoint_url=moto_endpoint)


@dataclass
class Invocation:
    function_name: str
    invocation_type: str
    payload: Any


@dataclass
class InvokeRecorder:
    url: str
    invocations: list[Invocation] = field(default_factory=list)
    status: int = 202  # what an asynchronous Invoke answers

    def payloads(self, function_name: str) -> list[Any]:
        return [i.payload for i in self.invocations if i.function_name == function_name]


@pytest.fixture
def lambda_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[InvokeRecorder]:
    """A local Lambda Invoke endpoint; AWS_ENDPOINT_URL_LAMBDA points every Lambda client at it."""
    recorder = InvokeRecorder(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            parts = self.path.split("?")[0].strip("/").split("/")
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if (
                len(parts) != 4
                or parts[:2] != ["2015-03-31", "functions"]
                or parts[3] != ("invocations")
            ):
                self.send_response(404)
                self.end_headers()
                return
            with lock:
                recorder.invocations.append(
                    Invocation(
                        function_name=unquote(parts[2]),
                        invocation_type=self.headers.get(
                            "X-Amz-Invocation-Type", "RequestResponse"
                        ),
                        payload=json.loads(body),
                    )
                )
            self.send_response(recorder.status)
            self.send_header("Content-Length", "0")
            self.send_header("x-amzn-RequestId", "test-request")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    recorder.url = f"http://{host!s}:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", recorder.url)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield recorder
    server.shutdown()
    server.server_close()
    thread.join()


def recipient(
    user_id: str = "user-1",
    *,
    email: str | None = None,
    name: str = "Alex",
    email_on: bool = True,
    push_on: bool = True,
    kinds: dict[str, dict[str, bool]] | None = None,
    push_endpoints: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    """One recipient of the event contract (JSON form)."""
    return {
        "user_id": user_id,
        "email": email or f"{user_id}@example.com",
        "name": name,
        "locale": "en",
        "preferences": {"email": email_on, "push": push_on, "kinds": kinds or {}},
        "push_endpoints": push_endpoints or [],
    }


BILL_DATA: dict[str, Any] = {
    "household_name": "The Parkers",
    "bill_name": "Electricity",
    "amount": {"amount_minor": 12345, "currency": "USD"},
    "due_on": "2025-03-05",
    "bill_url": "https://app.family-budget.test/bills/42",
}


def bill_event(*recipients: dict[str, Any], data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A bill reminder event as the worker publishes it."""
    return {
        "version": 1,
        "kind": "bill_reminder",
        "household_id": "household-1",
        "template": "bill_reminder",
        "data": data if data is not None else dict(BILL_DATA),
        "recipients": list(recipients),
    }


def endpoint_arn(platform: str = "APNS", name: str = "app", device: str = "device-1") -> str:
    return f"arn:aws:sns:{REGION}:123456789012:endpoint/{platform}/{name}/{device}"
