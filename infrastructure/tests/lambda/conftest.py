"""Fixtures for the tests of the Lambda handlers under infrastructure/lambda/.

AWS is played by moto in server mode on 127.0.0.1; the handlers create their own boto3 clients,
which reach moto through AWS_ENDPOINT_URL.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from moto.server import ThreadedMotoServer

LAMBDA_DIR = Path(__file__).resolve().parents[2] / "lambda"
REGION = "us-east-1"


def _import_handler(function_dir: str) -> ModuleType:
    """Import lambda/<function_dir>/index.py under a unique module name ("lambda" is a keyword)."""
    path = LAMBDA_DIR / function_dir / "index.py"
    spec = importlib.util.spec_from_file_location(f"{function_dir}_index", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def load_handler() -> Callable[[str], ModuleType]:
    """A function importing the index.py of a directory under lambda/."""
    return _import_handler


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
    """The moto server, emptied of what earlier tests created; every client's endpoint."""
    # S310: the URL is the local moto server's, built above.
    request = urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    return moto_server
