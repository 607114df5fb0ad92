"""Shared pieces of the deployment scripts: names from the design, AWS clients, error reporting.

The scripts are run as `python scripts/<name>.py` from `infrastructure/`, so this module is
importable as `_aws` (the script's own directory is first on `sys.path`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ProfileNotFound,
)

if TYPE_CHECKING:
    from mypy_boto3_cloudformation import CloudFormationClient
    from mypy_boto3_cloudformation.type_defs import StackTypeDef
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_secretsmanager import SecretsManagerClient

ENVIRONMENTS = ("development", "staging", "production")

# The four secrets of the design ("Secrets Management"), in the order a human reads them.
SECRET_KINDS = ("database", "plaid", "jwt", "external-services")

# Stack name suffixes, in deployment order; DnsStack exists only when a domain is configured.
STACK_SUFFIXES = (
    "SecurityStack",
    "EcrStack",
    "StorageStack",
    "DatabaseStack",
    "CacheStack",
    "DnsStack",
    "NotificationStack",
    "ComputeStack",
    "MonitoringStack",
)
OPTIONAL_STACK_SUFFIXES = frozenset({"DnsStack"})

# Exit codes shared by the scripts.
EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_AWS_ERROR = 2
EXIT_INTERRUPTED = 130

_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
    }
)


def secret_name(environment: str, kind: str) -> str:
    return f"{environment}/family-budget/{kind}"


def stack_name(environment: str, suffix: str) -> str:
    return f"{environment}-{suffix}"


class ScriptError(Exception):
    """A failure the script explains in one message (no traceback)."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def add_aws_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags every script shares: environment, region, profile, endpoint override."""
    parser.add_argument(
        "--environment",
        "-e",
        required=True,
        choices=ENVIRONMENTS,
        help="deployment environment",
    )
    parser.add_argument(
        "--region", help="AWS region (default: AWS_REGION / AWS_DEFAULT_REGION / the profile's)"
    )
    parser.add_argument("--profile", help="named AWS profile (default: AWS_PROFILE or the default)")
    parser.add_argument(
        "--endpoint-url",
        help="send every AWS call to this endpoint instead of AWS (local testing only)",
    )


@dataclass(frozen=True)
class Aws:
    """Creates real boto3 clients for one region/profile, optionally against a local endpoint."""

    session: boto3.Session
    endpoint_url: str | None = None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Aws:
        # Same precedence as the AWS CLI: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile.
        region = args.region or os.environ.get("AWS_REGION") or None
        session = boto3.Session(profile_name=args.profile, region_name=region)
        if session.region_name is None:
            raise NoRegionError()
        return cls(session=session, endpoint_url=args.endpoint_url)

    @property
    def region(self) -> str:
        return self.session.region_name or ""

    @property
    def _config(self) -> Config:
        return Config(
            retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=10, read_timeout=30
        )

    def cloudformation(self) -> CloudFormationClient:
        return self.session.client(
            "cloudformation", endpoint_url=self.endpoint_url, config=self._config
        )

    def ecs(self) -> ECSClient:
        return self.session.client("ecs", endpoint_url=self.endpoint_url, config=self._config)

    def elbv2(self) -> ElasticLoadBalancingv2Client:
        return self.session.client("elbv2", endpoint_url=self.endpoint_url, config=self._config)

    def secretsmanager(self) -> SecretsManagerClient:
        return self.session.client(
            "secretsmanager", endpoint_url=self.endpoint_url, config=self._config
        )


def describe_stack(cloudformation: CloudFormationClient, name: str) -> StackTypeDef | None:
    """The stack, or None when it does not exist."""
    try:
        stacks = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message", "")
        if error.response.get("Error", {}).get("Code") == "ValidationError" and (
            "does not exist" in message
        ):
            return None
        raise
    return stacks[0] if stacks else None


def stack_outputs(stack: StackTypeDef) -> dict[str, str]:
    return {
        output["OutputKey"]: output.get("OutputValue", "")
        for output in stack.get("Outputs", [])
        if "OutputKey" in output
    }


def require_outputs(
    cloudformation: CloudFormationClient, name: str, keys: tuple[str, ...]
) -> dict[str, str]:
    """Outputs of a deployed stack, failing clearly when the stack or an output is missing."""
    stack = describe_stack(cloudformation, name)
    if stack is None:
        raise ScriptError(f"Stack {name} does not exist: deploy it first.")
    outputs = stack_outputs(stack)
    missing = [key for key in keys if not outputs.get(key)]
    if missing:
        raise ScriptError(f"Stack {name} has no output(s) {', '.join(missing)}.")
    return outputs


def describe_aws_error(error: Exception) -> str:
    """One readable line for an AWS failure. AWS error messages never carry secret values."""
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return (
            "No usable AWS credentials were found. Configure them (aws configure, "
            "AWS_PROFILE or --profile, or aws sso login) and run again."
        )
    if isinstance(error, NoRegionError):
        return "No AWS region is configured: pass --region or set AWS_REGION."
    if isinstance(error, ProfileNotFound):
        return f"{error}. Check --profile / AWS_PROFILE against your AWS config."
    if isinstance(error, EndpointConnectionError):
        return f"Could not reach the AWS endpoint: {error}"
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = details.get("Code", "Unknown")
        message = details.get("Message", "")
        if code in _DENIED_CODES:
            return (
                f"AWS denied {error.operation_name} ({code}): {message} "
                "Check that your credentials are valid and allowed to do this."
            )
        return f"AWS error in {error.operation_name} ({code}): {message}"
    return f"AWS client error: {error}"


def run_cli(body: Callable[[], int]) -> int:
    """Run a script body, turning expected failures into one message on stderr and an exit code."""
    try:
        return body()
    except ScriptError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return error.exit_code
    except (ClientError, BotoCoreError) as error:
        print(f"ERROR: {describe_aws_error(error)}", file=sys.stderr)
        return EXIT_AWS_ERROR
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_INTERRUPTED
