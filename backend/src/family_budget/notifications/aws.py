"""boto3 access for the notification code, imported lazily.

The package must import with the standard library alone (the Lambda runtime and the API share it),
so boto3 is loaded only when a client is first needed. Clients are typed `Any` on purpose: boto3
ships no type information of its own and the service stubs are not a runtime dependency.
"""

from __future__ import annotations

import importlib
from typing import Any


def client(service_name: str, **kwargs: Any) -> Any:
    """Create a boto3 client (region, credentials and endpoint come from the environment)."""
    boto3 = importlib.import_module("boto3")
    return boto3.client(service_name, **kwargs)


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, or None for any other exception."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    error = response.get("Error")
    if not isinstance(error, dict):
        return None
    code = error.get("Code")
    return code if isinstance(code, str) else None
