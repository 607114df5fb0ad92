"""Fixtures for the deployment script tests.

AWS is played by moto in server mode (Secrets Manager, CloudFormation) on 127.0.0.1 and by
botocore's Stubber where moto cannot answer realistically (ECS service/task state, ELB target
health). A real HTTP server on 127.0.0.1 plays the backend and frontend health endpoints.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_secretsmanager import SecretsManagerClient

SCRIPTS_DIR = Path(__file__).resolve().parents[2] / "scripts"
REGION = "us-east-1"


def load_script(filename: str) -> ModuleType:
    """Import a script whose file name has dashes (so it cannot be imported by name)."""
    if str(SCRIPTS_DIR) not in sys.path:
        sys.path.insert(0, str(SCRIPTS_DIR))
    module_name = filename.removesuffix(".py").replace("-", "_")
    spec = importlib.util.spec_from_file_location(module_name, SCRIPTS_DIR / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def populate_secrets() -> ModuleType:
    return load_script("populate-secrets.py")


@pytest.fixture(scope="session")
def aws_module(populate_secrets: ModuleType) -> ModuleType:
    """The scripts' shared module, as the scripts themselves imported it."""
    return sys.modules["_aws"]


@pytest.fixture(scope="session")
def verify_deployment() -> ModuleType:
    return load_script("verify-deployment.py")


@pytest.fixture(scope="session")
def run_migration() -> ModuleType:
    return load_script("run-migration.py")


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


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def moto_endpoint(moto_server: str) -> str:
    """The moto server, emptied of everything earlier tests created."""
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    return moto_server


@pytest.fixture
def secretsmanager(moto_endpoint: str) -> SecretsManagerClient:
    return boto3.client("secretsmanager", region_name=REGION, endpoint_url=moto_endpoint)


@pytest.fixture
def cloudformation(moto_endpoint: str) -> CloudFormationClient:
    return boto3.client("cloudformation", region_name=REGION, endpoint_url=moto_endpoint)


StackFactory = Callable[[str, dict[str, str]], None]
SecretWriter = Callable[[str, dict[str, Any]], None]


@pytest.fixture
def create_stack(cloudformation: CloudFormationClient) -> StackFactory:
    """Creates a real (moto) stack with one SSM parameter and the given outputs."""

    def _create(name: str, outputs: dict[str, str]) -> None:
        template = {
            "Resources": {
                "Marker": {
                    "Type": "AWS::SSM::Parameter",
                    "Properties": {"Name": f"/{name}/marker", "Type": "String", "Value": name},
                }
            },
            "Outputs": {key: {"Value": value} for key, value in outputs.items()},
        }
        cloudformation.create_stack(StackName=name, TemplateBody=json.dumps(template))

    return _create


@pytest.fixture
def put_secret(secretsmanager: SecretsManagerClient) -> SecretWriter:
    """Creates a secret holding the given JSON value, as CDK or an earlier run would have."""

    def _put(name: str, value: dict[str, Any]) -> None:
        secretsmanager.create_secret(Name=name, SecretString=json.dumps(value))

    return _put


@dataclass
class HealthServer:
    """A local HTTP server answering each path with a configurable status."""

    url: str
    statuses: dict[str, int]
    hits: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def health_server() -> Iterator[HealthServer]:
    state = HealthServer(url="", statuses={"/health": 200, "/api/health": 200})
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                state.hits[self.path] = state.hits.get(self.path, 0) + 1
            status = state.statuses.get(self.path, 404)
            body = json.dumps({"status": "ok" if status == 200 else "error"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host, port = server.server_address[:2]
    state.url = f"http://{host!s}:{port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join()
