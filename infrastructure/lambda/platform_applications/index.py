"""Custom resource: the SNS mobile platform applications (APNs, APNs sandbox, FCM).

CloudFormation cannot create platform applications with token (.p8) credentials from a secret
without putting the credentials in the template, so this handler reads them from Secrets Manager
at run time. It is the `on_event` handler of a CDK custom-resource provider.

Resource properties:
  SecretId    ARN of `{env}/family-budget/external-services`
  NamePrefix  e.g. `production-family-budget`; applications are `{NamePrefix}-apns`,
              `{NamePrefix}-apns-sandbox` and `{NamePrefix}-fcm`

Secret keys (all optional; an application exists only while its credentials are present):
  apns_signing_key, apns_key_id, apns_team_id, apns_bundle_id   APNs token authentication
  fcm_service_account_json                                        FCM HTTP v1

Returned Data: ApnsPlatformApplicationArn, ApnsSandboxPlatformApplicationArn,
FcmPlatformApplicationArn ("" for an application that was not created).

Credential values are never logged, returned or put into an error message.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger("platform_applications")
logger.setLevel(logging.INFO)

APNS_KEYS = ("apns_signing_key", "apns_key_id", "apns_team_id", "apns_bundle_id")
FCM_KEY = "fcm_service_account_json"


@dataclass(frozen=True)
class Application:
    suffix: str  # appended to NamePrefix
    platform: str  # SNS platform type
    data_key: str  # key of the ARN in the returned Data


APPLICATIONS = (
    Application("apns", "APNS", "ApnsPlatformApplicationArn"),
    Application("apns-sandbox", "APNS_SANDBOX", "ApnsSandboxPlatformApplicationArn"),
    Application("fcm", "GCM", "FcmPlatformApplicationArn"),
)


class CredentialsError(Exception):
    """The secret holds an incomplete or malformed set of push credentials."""


def on_event(event: Mapping[str, Any], context: object) -> dict[str, Any]:
    request_type = event["RequestType"]
    props = event["ResourceProperties"]
    name_prefix = _name_prefix(props)
    physical_id = f"{name_prefix}-platform-applications"
    _quiet_sdk_logging()
    sns = _client("sns")
    logger.info(json.dumps({"message": "request", "type": request_type, "prefix": name_prefix}))

    existing = _existing_applications(sns)

    if request_type == "Delete":
        for app in APPLICATIONS:
            _delete(sns, existing.get((app.platform, f"{name_prefix}-{app.suffix}")))
        # Deleting a resource must return the id CloudFormation knows it by.
        return {"PhysicalResourceId": event.get("PhysicalResourceId", physical_id)}
    if request_type not in ("Create", "Update"):
        raise ValueError(f"unsupported RequestType {request_type!r}")

    secret = _read_secret(_client("secretsmanager"), str(props["SecretId"]))
    attributes = desired_attributes(secret)
    data: dict[str, str] = {}
    for app in APPLICATIONS:
        name = f"{name_prefix}-{app.suffix}"
        arn = existing.get((app.platform, name))
        wanted = attributes.get(app.platform)
        if wanted:
            data[app.data_key] = _apply(sns, name, app.platform, wanted, arn)
        else:
            _delete(sns, arn)
            data[app.data_key] = ""
    # When NamePrefix changes, the new physical id makes CloudFormation send a Delete with the
    # old properties afterwards, which removes the applications of the old prefix.
    return {"PhysicalResourceId": physical_id, "Data": data}


def desired_attributes(secret: Mapping[str, object]) -> dict[str, dict[str, str]]:
    """Platform type -> CreatePlatformApplication attributes, for the credentials present."""
    result: dict[str, dict[str, str]] = {}
    apns = {key: _secret_text(secret, key) for key in APNS_KEYS}
    present = sorted(key for key, value in apns.items() if value)
    if present and len(present) < len(APNS_KEYS):
        missing = sorted(set(APNS_KEYS) - set(present))
        raise CredentialsError(
            "APNs credentials are incomplete: set all of "
            f"{', '.join(APNS_KEYS)} or none (missing: {', '.join(missing)})"
        )
    if present:
        apns_attributes = {
            "PlatformCredential": apns["apns_signing_key"],
            "PlatformPrincipal": apns["apns_key_id"],
            "ApplePlatformTeamID": apns["apns_team_id"],
            "ApplePlatformBundleID": apns["apns_bundle_id"],
        }
        result["APNS"] = apns_attributes
        result["APNS_SANDBOX"] = dict(apns_attributes)
    fcm = _secret_text(secret, FCM_KEY)
    if fcm:
        try:
            account = json.loads(fcm)
        except json.JSONDecodeError:
            account = None
        if not isinstance(account, dict) or account.get("type") != "service_account":
            raise CredentialsError(f"{FCM_KEY} is not a Google service account JSON document")
        result["GCM"] = {"PlatformCredential": fcm}
    return result


def _apply(
    sns: Any, name: str, platform: str, attributes: dict[str, str], existing_arn: str | None
) -> str:
    if existing_arn is None:
        response = sns.create_platform_application(
            Name=name, Platform=platform, Attributes=attributes
        )
        arn = str(response["PlatformApplicationArn"])
        logger.info(json.dumps({"message": "created", "name": name, "arn": arn}))
        return arn
    # Credentials cannot be read back from SNS, so an update always writes them.
    sns.set_platform_application_attributes(
        PlatformApplicationArn=existing_arn, Attributes=attributes
    )
    logger.info(json.dumps({"message": "updated", "name": name, "arn": existing_arn}))
    return existing_arn


def _delete(sns: Any, arn: str | None) -> None:
    if arn is not None:
        sns.delete_platform_application(PlatformApplicationArn=arn)
        logger.info(json.dumps({"message": "deleted", "arn": arn}))


def _existing_applications(sns: Any) -> dict[tuple[str, str], str]:
    """(platform, name) -> ARN of every platform application in the account and region."""
    found: dict[tuple[str, str], str] = {}
    kwargs: dict[str, str] = {}
    while True:
        page = sns.list_platform_applications(**kwargs)
        for app in page.get("PlatformApplications", []):
            arn = str(app["PlatformApplicationArn"])
            # arn:aws:sns:{region}:{account}:app/{platform}/{name}
            _, _, resource = arn.partition(":app/")
            platform, _, name = resource.partition("/")
            found[(platform, name)] = arn
        token = page.get("NextToken")
        if not token:
            return found
        kwargs = {"NextToken": token}


def _read_secret(secretsmanager: Any, secret_id: str) -> Mapping[str, object]:
    value = secretsmanager.get_secret_value(SecretId=secret_id)
    try:
        secret = json.loads(value.get("SecretString") or "{}")
    except json.JSONDecodeError:
        raise CredentialsError("the external-services secret is not a JSON object") from None
    if not isinstance(secret, dict):
        raise CredentialsError("the external-services secret is not a JSON object")
    return secret


def _secret_text(secret: Mapping[str, object], key: str) -> str:
    value = secret.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CredentialsError(f"secret key {key} must be a string")
    return value.strip()


def _name_prefix(props: Mapping[str, Any]) -> str:
    prefix = str(props.get("NamePrefix", ""))
    if not prefix or not all(ch.isalnum() or ch in "-_." for ch in prefix):
        raise ValueError("NamePrefix must be letters, digits, '-', '_' or '.'")
    return prefix


def _quiet_sdk_logging() -> None:
    # botocore logs request parameters, credentials included, at DEBUG. Whatever level the
    # function's logging is configured with, the SDK must never log below INFO here.
    for name in ("boto3", "botocore", "urllib3"):
        sdk_logger = logging.getLogger(name)
        if sdk_logger.getEffectiveLevel() < logging.INFO:
            sdk_logger.setLevel(logging.INFO)


def _client(service_name: str) -> Any:
    # boto3 is in the Lambda runtime; loaded lazily so the module imports without it.
    boto3 = importlib.import_module("boto3")
    return boto3.client(service_name)
