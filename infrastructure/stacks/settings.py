"""Deployment settings read from the CDK context (cdk.context.json or -c key=value).

The per-environment sizes are in ``stacks.config``; this module holds what a deployer chooses:
account, region, domain, alarm e-mail, Plaid environment, sender address and image tag.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stacks.config import DEFAULT_NON_PRODUCTION_IMAGE_TAG, environment_config

INFRASTRUCTURE_DIR = Path(__file__).resolve().parent.parent
CONTEXT_FILE = INFRASTRUCTURE_DIR / "cdk.context.json"
EXAMPLE_CONTEXT_FILE = INFRASTRUCTURE_DIR / "cdk.context.example.json"

_ACCOUNT = re.compile(r"^\d{12}$")
_IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


class SettingsError(ValueError):
    """The context does not describe a deployable environment."""


@dataclass(frozen=True)
class DeploymentSettings:
    environment: str
    account: str
    region: str
    domain_name: str | None
    alarm_email: str | None
    plaid_environment: str
    email_from_address: str
    image_tag: str
    monitoring_ingress_cidr: str
    # Bump after changing the push credentials in the external-services secret: CloudFormation
    # re-runs the platform-application provider only when one of its properties changes.
    push_credentials_revision: str = "1"


def example_context() -> dict[str, Any]:
    """The committed example context (used when cdk.context.json is absent)."""
    loaded: dict[str, Any] = json.loads(EXAMPLE_CONTEXT_FILE.read_text(encoding="utf-8"))
    return loaded


def resolve_settings(
    context: dict[str, Any], environ: dict[str, str] | None = None
) -> DeploymentSettings:
    """Build the settings from flat context values plus the ``{environment: {...}}`` block."""
    environ = environ or {}
    environment = str(context.get("environment") or environ.get("ENVIRONMENT") or "development")
    config = environment_config(environment)
    block = context.get(environment) or {}
    if not isinstance(block, dict):
        raise SettingsError(f"Context key {environment!r} must be an object")

    account = str(
        context.get("account") or block.get("account") or environ.get("CDK_DEFAULT_ACCOUNT") or ""
    )
    if not _ACCOUNT.match(account):
        raise SettingsError(
            "AWS account ID required (12 digits): set it in cdk.context.json, "
            "pass -c account=..., or set CDK_DEFAULT_ACCOUNT"
        )
    region = str(
        context.get("region")
        or block.get("region")
        or environ.get("CDK_DEFAULT_REGION")
        or "us-east-1"
    )

    domain_name = block.get("domain_name") or None
    alarm_email = block.get("alarm_email") or None
    email_from = block.get("email_from_address") or (
        f"no-reply@{domain_name}" if domain_name else alarm_email
    )
    if not email_from:
        raise SettingsError(
            f"{environment}: set email_from_address (the SES sender) or domain_name in the context"
        )

    image_tag = context.get("image_tag")
    if image_tag is None:
        if config.name == "production":
            raise SettingsError(
                "production needs an explicit image tag: -c image_tag=<git sha or release>"
            )
        image_tag = DEFAULT_NON_PRODUCTION_IMAGE_TAG
    image_tag = str(image_tag)
    if not _IMAGE_TAG.match(image_tag):
        raise SettingsError(f"image_tag {image_tag!r} is not a valid Docker tag")
    if config.name == "production" and image_tag == "latest":
        raise SettingsError("production never deploys the 'latest' tag")

    return DeploymentSettings(
        environment=config.name,
        account=account,
        region=region,
        domain_name=str(domain_name) if domain_name else None,
        alarm_email=str(alarm_email) if alarm_email else None,
        plaid_environment=str(block.get("plaid_environment") or "sandbox"),
        email_from_address=str(email_from),
        image_tag=image_tag,
        monitoring_ingress_cidr=str(block.get("monitoring_ingress_cidr") or "0.0.0.0/0"),
        push_credentials_revision=str(
            context.get("push_credentials_revision")
            or block.get("push_credentials_revision")
            or "1"
        ),
    )
