#!/usr/bin/env python3
"""Create or update the four Secrets Manager secrets of one Family Budget environment.

Run from `infrastructure/` after `{env}-SecurityStack` is deployed:

    python scripts/populate-secrets.py --environment development

Generated values (database password, JWT key, bank token encryption key) are made only when
missing; values a human must supply (Plaid credentials, optional external-service keys) come
from flags, environment variables or a hidden prompt. Values already stored are kept unless you
supply a new one. Nothing secret is ever printed: output names secrets and key names only.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import json
import os
import re
import secrets
import string
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import _aws
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient
    from mypy_boto3_secretsmanager.type_defs import TagTypeDef

PLAID_ENVIRONMENTS = ("sandbox", "development", "production")
DEFAULT_PLAID_ENVIRONMENT = {
    "development": "sandbox",
    "staging": "development",
    "production": "production",
}

DATABASE_DEFAULTS: dict[str, Any] = {
    "username": "dbadmin",
    "engine": "postgres",
    "port": 5432,
    "dbname": "family_budget",
}
JWT_DEFAULTS: dict[str, Any] = {
    "algorithm": "HS256",
    "access_token_expire_minutes": 15,
    "refresh_token_expire_days": 7,
}
PUSH_KEYS = (
    "apns_signing_key",
    "apns_key_id",
    "apns_team_id",
    "apns_bundle_id",
    "fcm_service_account_json",
)
APNS_KEYS = PUSH_KEYS[:4]
EXTERNAL_KEYS = ("sendgrid_api_key", "sentry_dsn", "stripe_api_key", *PUSH_KEYS)

# RDS rejects '/', '@', '"' and spaces in master passwords; letters and digits are always safe.
_PASSWORD_ALPHABET = string.ascii_letters + string.digits
_PASSWORD_LENGTH = 32
_APPLE_ID = re.compile(r"^[A-Z0-9]{10}$")
_BUNDLE_ID = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


@dataclass(frozen=True)
class Input:
    """One value a human supplies: its secret key, flag, environment variable and prompt."""

    secret: str
    key: str
    flag: str
    env_var: str
    label: str
    required: bool = False
    file_flag: str | None = None
    file_env_var: str | None = None


INPUTS = (
    Input("plaid", "client_id", "--plaid-client-id", "PLAID_CLIENT_ID", "Plaid client id", True),
    Input("plaid", "secret", "--plaid-secret", "PLAID_SECRET", "Plaid secret", True),
    Input(
        "external-services",
        "sendgrid_api_key",
        "--sendgrid-api-key",
        "SENDGRID_API_KEY",
        "SendGrid API key",
    ),
    Input("external-services", "sentry_dsn", "--sentry-dsn", "SENTRY_DSN", "Sentry DSN"),
    Input(
        "external-services",
        "stripe_api_key",
        "--stripe-api-key",
        "STRIPE_API_KEY",
        "Stripe API key",
    ),
    Input(
        "external-services",
        "apns_signing_key",
        "--apns-signing-key",
        "APNS_SIGNING_KEY",
        "APNs signing key (.p8 contents)",
        file_flag="--apns-signing-key-file",
        file_env_var="APNS_SIGNING_KEY_FILE",
    ),
    Input("external-services", "apns_key_id", "--apns-key-id", "APNS_KEY_ID", "APNs key id"),
    Input("external-services", "apns_team_id", "--apns-team-id", "APNS_TEAM_ID", "APNs team id"),
    Input(
        "external-services", "apns_bundle_id", "--apns-bundle-id", "APNS_BUNDLE_ID", "iOS bundle id"
    ),
    Input(
        "external-services",
        "fcm_service_account_json",
        "--fcm-service-account-json",
        "FCM_SERVICE_ACCOUNT_JSON",
        "FCM v1 service account JSON",
        file_flag="--fcm-service-account-file",
        file_env_var="FCM_SERVICE_ACCOUNT_FILE",
    ),
)


def _dest(flag: str) -> str:
    return flag.lstrip("-").replace("-", "_")


@dataclass
class SecretPlan:
    """What one secret holds now and what it should hold after this run."""

    name: str
    exists: bool
    has_value: bool
    current: dict[str, Any]
    desired: dict[str, Any] = field(default_factory=dict)

    @property
    def changed_keys(self) -> list[str]:
        return [key for key, value in self.desired.items() if self.current.get(key) != value]

    @property
    def action(self) -> str:
        if not self.exists:
            return "create"
        if not self.has_value or self.changed_keys:
            return "update"
        return "unchanged"


def generate_password() -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(_PASSWORD_LENGTH))


def generate_jwt_key() -> str:
    # 48 random bytes (384 bits) encoded url-safe: comfortably above the 256 bits HS256 needs.
    return secrets.token_urlsafe(48)


def read_secret(client: SecretsManagerClient, name: str) -> SecretPlan:
    """Load a secret's current JSON value; a missing secret or value yields an empty plan."""
    try:
        description = client.describe_secret(SecretId=name)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return SecretPlan(name=name, exists=False, has_value=False, current={})
        raise
    if description.get("DeletedDate"):
        raise _aws.ScriptError(
            f"Secret {name} is scheduled for deletion. Restore it first: "
            f"aws secretsmanager restore-secret --secret-id {name}"
        )
    try:
        raw = client.get_secret_value(SecretId=name).get("SecretString")
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return SecretPlan(name=name, exists=True, has_value=False, current={})
        raise
    if not raw:
        return SecretPlan(name=name, exists=True, has_value=False, current={})
    try:
        current = json.loads(raw)
    except json.JSONDecodeError:
        current = None
    if not isinstance(current, dict):
        raise _aws.ScriptError(
            f"Secret {name} does not hold a JSON object; fix or delete its value and run again."
        )
    return SecretPlan(name=name, exists=True, has_value=True, current=current)


def desired_database(current: Mapping[str, Any], *, exists: bool) -> dict[str, Any]:
    desired: dict[str, Any] = {
        "username": DATABASE_DEFAULTS["username"],
        "password": "",
        "engine": DATABASE_DEFAULTS["engine"],
        # RDS's secret attachment sets the endpoint when DatabaseStack is deployed; a secret
        # that already exists is left for it to complete.
        **({} if exists else {"host": ""}),
        "port": DATABASE_DEFAULTS["port"],
        "dbname": DATABASE_DEFAULTS["dbname"],
        **current,
    }
    # Never replace a stored password: in production RDS rotation owns it.
    if not desired["password"]:
        desired["password"] = generate_password()
    return desired


def generate_bank_token_key() -> str:
    """BANK_TOKEN_ENCRYPTION_KEY: base64 of 32 random bytes (AES-256-GCM for access tokens)."""
    return base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def desired_plaid(
    current: Mapping[str, Any], supplied: Mapping[str, str], environment: str
) -> dict[str, Any]:
    desired: dict[str, Any] = {
        "client_id": "",
        "secret": "",
        "environment": "",
        "bank_token_encryption_key": "",
        **current,
    }
    for key in ("client_id", "secret"):
        desired[key] = supplied.get(key, desired[key] or "")
    # Generated once and then kept: a new key could not decrypt the stored access tokens
    # (rotating means moving the old key to BANK_TOKEN_ENCRYPTION_OLD_KEYS first).
    if not desired["bank_token_encryption_key"]:
        desired["bank_token_encryption_key"] = generate_bank_token_key()
    desired["environment"] = (
        supplied.get("environment")
        or desired["environment"]
        or DEFAULT_PLAID_ENVIRONMENT[environment]
    )
    return desired


def desired_jwt(current: Mapping[str, Any], *, rotate: bool) -> dict[str, Any]:
    desired: dict[str, Any] = {"secret_key": "", **JWT_DEFAULTS, **current}
    if rotate or not desired["secret_key"]:
        desired["secret_key"] = generate_jwt_key()
    return desired


# NIST P-256's group order, and the DER pieces of an SEC 1 ECPrivateKey on that curve.
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_SEC1_HEAD = bytes.fromhex("30310201010420")
_SEC1_CURVE = bytes.fromhex("a00a06082a8648ce3d030107")  # [0] prime256v1


def generate_vapid_key() -> str:
    """VAPID_PRIVATE_KEY: a P-256 private key (SEC 1 PEM) that signs Web Push requests; the
    public key is derived from it by whoever loads it. Written out by hand, so that the script
    needs no cryptography library."""
    scalar = secrets.randbelow(_P256_ORDER - 1) + 1
    der = _SEC1_HEAD + scalar.to_bytes(32, "big") + _SEC1_CURVE
    body = base64.b64encode(der).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN EC PRIVATE KEY-----", *lines, "-----END EC PRIVATE KEY-----", ""])


def desired_external(current: Mapping[str, Any], supplied: Mapping[str, str]) -> dict[str, Any]:
    desired = {**dict.fromkeys((*EXTERNAL_KEYS, "vapid_private_key"), ""), **current, **supplied}
    # Generated once and then kept: browsers' push subscriptions are tied to its public key.
    if not desired["vapid_private_key"]:
        desired["vapid_private_key"] = generate_vapid_key()
    return desired


def validate_external(values: Mapping[str, Any]) -> None:
    """Reject malformed push credentials early, naming the key but never its value."""
    signing_key = values.get("apns_signing_key") or ""
    if signing_key and "BEGIN PRIVATE KEY" not in signing_key:
        raise _aws.ScriptError(
            "apns_signing_key is not a PEM private key (expected the contents of the .p8 file)."
        )
    for key in ("apns_key_id", "apns_team_id"):
        value = values.get(key) or ""
        if value and not _APPLE_ID.match(value):
            raise _aws.ScriptError(f"{key} must be the 10-character id shown by Apple.")
    bundle_id = values.get("apns_bundle_id") or ""
    if bundle_id and not _BUNDLE_ID.match(bundle_id):
        raise _aws.ScriptError("apns_bundle_id must look like com.example.app.")
    fcm = values.get("fcm_service_account_json") or ""
    if fcm:
        try:
            account = json.loads(fcm)
        except json.JSONDecodeError:
            account = None
        if not isinstance(account, dict) or account.get("type") != "service_account":
            raise _aws.ScriptError(
                "fcm_service_account_json is not a Google service account JSON key "
                '(expected an object with "type": "service_account").'
            )
        missing = [k for k in ("project_id", "private_key", "client_email") if not account.get(k)]
        if missing:
            raise _aws.ScriptError(
                f"fcm_service_account_json lacks {', '.join(missing)}: download a new key file."
            )


def apns_warning(values: Mapping[str, Any]) -> str | None:
    present = [key for key in APNS_KEYS if values.get(key)]
    if present and len(present) < len(APNS_KEYS):
        missing = [key for key in APNS_KEYS if not values.get(key)]
        return (
            f"APNs credentials are incomplete (missing {', '.join(missing)}); "
            "no APNs platform application will be created until all four are set."
        )
    return None


def collect_supplied(
    args: argparse.Namespace, environ: Mapping[str, str]
) -> dict[str, dict[str, str]]:
    """Values given by flag (wins, may be empty to clear) or environment variable (non-empty)."""
    supplied: dict[str, dict[str, str]] = {"plaid": {}, "external-services": {}}
    for item in INPUTS:
        value: str | None = getattr(args, _dest(item.flag))
        if value is None and item.file_flag:
            path = getattr(args, _dest(item.file_flag))
            if path is not None:
                value = _read_file(path, item.label)
        if value is None:
            value = environ.get(item.env_var) or None
        if value is None and item.file_env_var and environ.get(item.file_env_var):
            value = _read_file(environ[item.file_env_var], item.label)
        if value is not None:
            supplied[item.secret][item.key] = value.strip()
    plaid_environment = args.plaid_environment or environ.get("PLAID_ENVIRONMENT") or None
    if plaid_environment is not None:
        if plaid_environment not in PLAID_ENVIRONMENTS:
            raise _aws.ScriptError(
                f"PLAID_ENVIRONMENT must be one of {', '.join(PLAID_ENVIRONMENTS)}."
            )
        supplied["plaid"]["environment"] = plaid_environment
    return supplied


def _read_file(path: str, label: str) -> str:
    try:
        return Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as error:
        raise _aws.ScriptError(f"Cannot read {label} file {path}: {error.strerror}.") from None


def prompt_for_missing(
    plans: Mapping[str, SecretPlan],
    supplied: dict[str, dict[str, str]],
    *,
    interactive: bool,
    prompt_all: bool,
    prompt: Callable[[str], str],
) -> list[Input]:
    """Ask (hidden input) for required values nobody supplied; with prompt_all, for every one.

    Returns the required values still missing afterwards.
    """
    missing: list[Input] = []
    for item in INPUTS:
        if item.key in supplied[item.secret]:
            continue
        stored = plans[item.secret].current.get(item.key)
        # Multi-line values (the .p8 key, the service account JSON) cannot be typed at a prompt.
        wanted = (item.required and not stored) or (prompt_all and item.file_flag is None)
        if not wanted:
            continue
        if not interactive:
            if item.required:
                missing.append(item)
            continue
        hint = " (leave empty to keep the stored value)" if stored else ""
        answer = prompt(f"{item.label}{hint}: ").strip()
        if answer:
            supplied[item.secret][item.key] = answer
        elif item.required and not stored:
            missing.append(item)
    return missing


def describe_missing(missing: Sequence[Input]) -> str:
    return "\n".join(f"  {item.label}: pass {item.flag} or set {item.env_var}" for item in missing)


def plan_secrets(
    client: SecretsManagerClient,
    environment: str,
    args: argparse.Namespace,
    environ: Mapping[str, str],
    *,
    interactive: bool,
    prompt: Callable[[str], str],
) -> tuple[dict[str, SecretPlan], list[Input]]:
    """Current and desired content of every secret, and the required inputs still missing."""
    plans = {
        kind: read_secret(client, _aws.secret_name(environment, kind)) for kind in _aws.SECRET_KINDS
    }
    supplied = collect_supplied(args, environ)
    missing = prompt_for_missing(
        plans,
        supplied,
        interactive=interactive and not args.dry_run,
        prompt_all=args.prompt_all,
        prompt=prompt,
    )
    database = plans["database"]
    database.desired = desired_database(database.current, exists=database.exists)
    plans["plaid"].desired = desired_plaid(plans["plaid"].current, supplied["plaid"], environment)
    plans["jwt"].desired = desired_jwt(plans["jwt"].current, rotate=args.rotate_jwt_key)
    external = plans["external-services"]
    external.desired = desired_external(external.current, supplied["external-services"])
    validate_external(external.desired)
    return plans, missing


def apply_plan(
    client: SecretsManagerClient,
    environment: str,
    plan: SecretPlan,
    kind: str,
    kms_key_id: str | None,
) -> None:
    value = json.dumps(plan.desired)
    if plan.exists:
        client.put_secret_value(SecretId=plan.name, SecretString=value)
        return
    tags: list[TagTypeDef] = [
        {"Key": "Project", "Value": "FamilyBudget"},
        {"Key": "Environment", "Value": environment},
        {"Key": "ManagedBy", "Value": "populate-secrets"},
    ]
    description = f"Family Budget {kind} secret ({environment})"
    if kms_key_id:
        client.create_secret(
            Name=plan.name,
            SecretString=value,
            Description=description,
            Tags=tags,
            KmsKeyId=kms_key_id,
        )
    else:
        client.create_secret(Name=plan.name, SecretString=value, Description=description, Tags=tags)


def describe_plan(plan: SecretPlan, *, dry_run: bool) -> str:
    verb = {"create": "create", "update": "update", "unchanged": "unchanged"}[plan.action]
    if dry_run and plan.action != "unchanged":
        verb = f"would {verb}"
    line = f"  {verb:<16} {plan.name}"
    if plan.action == "create":
        return f"{line}  keys: {', '.join(plan.desired)}"
    if plan.action == "update":
        return f"{line}  keys changed: {', '.join(plan.changed_keys) or '(value was empty)'}"
    return line


def populate(
    client: SecretsManagerClient,
    environment: str,
    args: argparse.Namespace,
    environ: Mapping[str, str],
    *,
    interactive: bool,
    prompt: Callable[[str], str],
    region: str,
) -> int:
    plans, missing = plan_secrets(
        client, environment, args, environ, interactive=interactive, prompt=prompt
    )
    if missing and not args.dry_run:
        raise _aws.ScriptError(
            "Required values are missing (run in a terminal to be prompted):\n"
            + describe_missing(missing)
        )
    header = f"Secrets for {environment} in {region}"
    print(f"{header} (dry run: nothing is written):" if args.dry_run else f"{header}:")
    for kind in _aws.SECRET_KINDS:
        plan = plans[kind]
        print(describe_plan(plan, dry_run=args.dry_run))
        if not args.dry_run and plan.action != "unchanged":
            apply_plan(client, environment, plan, kind, args.kms_key_id)
    warning = apns_warning(plans["external-services"].desired)
    if warning:
        print(f"WARNING: {warning}", file=sys.stderr)
    if missing:
        print("A real run still needs these values:\n" + describe_missing(missing))
    counts = Counter(plan.action for plan in plans.values())
    if counts["unchanged"] == len(plans):
        print(f"No changes: all {len(plans)} secrets are already up to date.")
        return _aws.EXIT_OK
    if args.dry_run:
        print(
            f"Dry run: {counts['create']} to create, {counts['update']} to update, "
            f"{counts['unchanged']} unchanged. Run again without --dry-run to apply."
        )
        return _aws.EXIT_OK
    print(
        f"Done: {counts['create']} created, {counts['update']} updated, "
        f"{counts['unchanged']} unchanged."
    )
    print_follow_ups(environment, plans)
    return _aws.EXIT_OK


def print_follow_ups(environment: str, plans: Mapping[str, SecretPlan]) -> None:
    """Tell what must happen for running services to see the new values."""
    external = plans["external-services"]
    if any(external.desired.get(key, "") != external.current.get(key, "") for key in PUSH_KEYS):
        notification_stack = _aws.stack_name(environment, "NotificationStack")
        print(
            "Push credentials changed: the SNS platform applications are made from them when "
            f"{notification_stack}'s PlatformApplications resource is next created or updated "
            "(see SECRETS_SETUP.md)."
        )
    # ECS injects secrets when a task starts, so tasks already running keep the old values.
    if any(plan.exists and plan.action == "update" for plan in plans.values()):
        print(
            "Running ECS tasks keep the old values until they restart: force a new deployment "
            f"of the backend and worker services of {environment} (see SECRETS_SETUP.md)."
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="populate-secrets.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _aws.add_aws_arguments(parser)
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="show which secrets and keys would change; write nothing, prompt for nothing",
    )
    parser.add_argument(
        "--no-input",
        action="store_true",
        help="never prompt; fail if a required value is missing (default when not on a terminal)",
    )
    parser.add_argument(
        "--prompt-all",
        action="store_true",
        help="prompt for every single-line value, also optional and already stored ones",
    )
    parser.add_argument(
        "--rotate-jwt-key",
        action="store_true",
        help="replace the stored JWT signing key with a new one (signs every user out)",
    )
    parser.add_argument(
        "--plaid-environment",
        choices=PLAID_ENVIRONMENTS,
        help="Plaid environment (default: kept, else sandbox/development/production per env)",
    )
    parser.add_argument(
        "--kms-key-id", help="KMS key for a secret this script has to create (default: AWS managed)"
    )
    values = parser.add_argument_group(
        "supplied values",
        "Each may instead come from the environment variable named in brackets. Prefer the "
        "variable or the prompt for secrets: flags end up in shell history.",
    )
    for item in INPUTS:
        values.add_argument(item.flag, metavar="VALUE", help=f"{item.label} [{item.env_var}]")
        if item.file_flag and item.file_env_var:
            values.add_argument(
                item.file_flag,
                metavar="PATH",
                help=f"read {item.label} from a file [{item.file_env_var}]",
            )
    return parser.parse_args(argv)


def main(
    argv: Sequence[str] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    interactive: bool | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
) -> int:
    args = parse_args(argv)
    env = os.environ if environ is None else environ
    is_interactive = sys.stdin.isatty() if interactive is None else interactive

    def body() -> int:
        aws = _aws.Aws.from_args(args)
        return populate(
            aws.secretsmanager(),
            args.environment,
            args,
            env,
            interactive=is_interactive and not args.no_input,
            prompt=prompt,
            region=aws.region,
        )

    return _aws.run_cli(body)


if __name__ == "__main__":
    sys.exit(main())
