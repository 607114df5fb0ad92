"""The platform-applications custom resource against moto (Secrets Manager + SNS)."""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

REGION = "us-east-1"  # the region conftest's aws_environment sets
PREFIX = "test-family-budget"
EXTERNAL_SERVICES = "test/family-budget/external-services"

# Distinctive markers inside each credential: if any of them shows up in a log line, the
# handler (or the SDK underneath it) leaked a credential.
SIGNING_KEY = (
    "-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49SIGNINGKEYMARKER\n"
    "-----END PRIVATE KEY-----"
)
SIGNING_KEY_2 = SIGNING_KEY.replace("SIGNINGKEYMARKER", "ROTATEDKEYMARKER")
FCM_JSON = json.dumps(
    {
        "type": "service_account",
        "project_id": "family-budget-test",
        "private_key": (
            "-----BEGIN PRIVATE KEY-----\nFCMPRIVATEKEYMARKER\n-----END PRIVATE KEY-----"
        ),
        "client_email": "push@family-budget-test.iam.gserviceaccount.com",
    }
)
APNS = {
    "apns_signing_key": SIGNING_KEY,
    "apns_key_id": "KEYIDMARKER",
    "apns_team_id": "TEAMID1234",
    "apns_bundle_id": "app.familybudget.ios",
}
BASE = {"sendgrid_api_key": "", "sentry_dsn": "", "stripe_api_key": ""}
MARKERS = ("SIGNINGKEYMARKER", "ROTATEDKEYMARKER", "FCMPRIVATEKEYMARKER", "KEYIDMARKER")


@pytest.fixture(scope="module")
def handler(load_handler: Callable[[str], ModuleType]) -> ModuleType:
    return load_handler("platform_applications")


def client(service: str) -> Any:
    return importlib.import_module("boto3").client(service, region_name=REGION)


@pytest.fixture
def secret_arn(moto_endpoint: str) -> str:
    return str(
        client("secretsmanager").create_secret(
            Name=EXTERNAL_SERVICES, SecretString=json.dumps(BASE)
        )["ARN"]
    )


def set_secret(values: dict[str, str]) -> None:
    client("secretsmanager").put_secret_value(
        SecretId=EXTERNAL_SERVICES, SecretString=json.dumps({**BASE, **values})
    )


def request(
    request_type: str, secret_arn: str, physical_id: str | None = None, prefix: str = PREFIX
) -> dict[str, Any]:
    event: dict[str, Any] = {
        "RequestType": request_type,
        "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:provider",
        "ResourceType": "Custom::PlatformApplications",
        "LogicalResourceId": "PlatformApplications",
        "ResourceProperties": {"SecretId": secret_arn, "NamePrefix": prefix},
    }
    if physical_id is not None:
        event["PhysicalResourceId"] = physical_id
    return event


def applications() -> dict[str, str]:
    """Name -> ARN of the platform applications in moto."""
    apps = client("sns").list_platform_applications()["PlatformApplications"]
    return {
        a["PlatformApplicationArn"].rsplit("/", 1)[1]: a["PlatformApplicationArn"] for a in apps
    }


def attributes(arn: str) -> dict[str, str]:
    response = client("sns").get_platform_application_attributes(PlatformApplicationArn=arn)
    return dict(response["Attributes"])


EMPTY_DATA = {
    "ApnsPlatformApplicationArn": "",
    "ApnsSandboxPlatformApplicationArn": "",
    "FcmPlatformApplicationArn": "",
}


class TestCreate:
    def test_without_push_keys_creates_nothing(self, handler: ModuleType, secret_arn: str) -> None:
        result = handler.on_event(request("Create", secret_arn), None)
        assert result == {
            "PhysicalResourceId": f"{PREFIX}-platform-applications",
            "Data": EMPTY_DATA,
        }
        assert applications() == {}

    def test_apns_only(self, handler: ModuleType, secret_arn: str) -> None:
        set_secret(APNS)

        result = handler.on_event(request("Create", secret_arn), None)

        apps = applications()
        assert set(apps) == {f"{PREFIX}-apns", f"{PREFIX}-apns-sandbox"}
        assert result["Data"] == {
            "ApnsPlatformApplicationArn": apps[f"{PREFIX}-apns"],
            "ApnsSandboxPlatformApplicationArn": apps[f"{PREFIX}-apns-sandbox"],
            "FcmPlatformApplicationArn": "",
        }
        assert ":app/APNS/" in apps[f"{PREFIX}-apns"]
        assert ":app/APNS_SANDBOX/" in apps[f"{PREFIX}-apns-sandbox"]
        for arn in apps.values():
            assert attributes(arn) == {
                "PlatformCredential": SIGNING_KEY,
                "PlatformPrincipal": "KEYIDMARKER",
                "ApplePlatformTeamID": "TEAMID1234",
                "ApplePlatformBundleID": "app.familybudget.ios",
            }

    def test_apns_and_fcm(self, handler: ModuleType, secret_arn: str) -> None:
        set_secret({**APNS, "fcm_service_account_json": FCM_JSON})

        result = handler.on_event(request("Create", secret_arn), None)

        apps = applications()
        assert len(apps) == 3
        assert result["Data"]["FcmPlatformApplicationArn"] == apps[f"{PREFIX}-fcm"]
        assert ":app/GCM/" in apps[f"{PREFIX}-fcm"]
        assert attributes(apps[f"{PREFIX}-fcm"]) == {"PlatformCredential": FCM_JSON}

    def test_leaves_other_applications_alone(self, handler: ModuleType, secret_arn: str) -> None:
        other = client("sns").create_platform_application(
            Name="someone-else", Platform="GCM", Attributes={}
        )["PlatformApplicationArn"]
        set_secret({"fcm_service_account_json": FCM_JSON})
        handler.on_event(request("Create", secret_arn), None)
        handler.on_event(request("Delete", secret_arn, f"{PREFIX}-platform-applications"), None)
        assert applications() == {"someone-else": other}

    def test_incomplete_apns_credentials_fail_clearly(
        self, handler: ModuleType, secret_arn: str
    ) -> None:
        set_secret({"apns_signing_key": SIGNING_KEY, "apns_key_id": "KEYIDMARKER"})
        with pytest.raises(handler.CredentialsError, match="missing: apns_bundle_id, apns_team_id"):
            handler.on_event(request("Create", secret_arn), None)
        assert applications() == {}

    def test_fcm_value_must_be_a_service_account(
        self, handler: ModuleType, secret_arn: str
    ) -> None:
        set_secret({"fcm_service_account_json": "FCMPRIVATEKEYMARKER"})
        with pytest.raises(handler.CredentialsError, match="not a Google service account"):
            handler.on_event(request("Create", secret_arn), None)


class TestUpdate:
    def test_removing_fcm_deletes_it_and_keeps_apns(
        self, handler: ModuleType, secret_arn: str
    ) -> None:
        set_secret({**APNS, "fcm_service_account_json": FCM_JSON})
        created = handler.on_event(request("Create", secret_arn), None)
        set_secret(APNS)

        updated = handler.on_event(
            request("Update", secret_arn, created["PhysicalResourceId"]), None
        )

        assert updated["PhysicalResourceId"] == created["PhysicalResourceId"]
        assert set(applications()) == {f"{PREFIX}-apns", f"{PREFIX}-apns-sandbox"}
        assert updated["Data"] == {**created["Data"], "FcmPlatformApplicationArn": ""}

    def test_changed_credentials_are_applied(self, handler: ModuleType, secret_arn: str) -> None:
        set_secret(APNS)
        created = handler.on_event(request("Create", secret_arn), None)
        set_secret({**APNS, "apns_signing_key": SIGNING_KEY_2})

        updated = handler.on_event(
            request("Update", secret_arn, created["PhysicalResourceId"]), None
        )

        assert updated["Data"] == created["Data"]
        arn = created["Data"]["ApnsPlatformApplicationArn"]
        assert attributes(arn)["PlatformCredential"] == SIGNING_KEY_2

    def test_adding_fcm_creates_it(self, handler: ModuleType, secret_arn: str) -> None:
        created = handler.on_event(request("Create", secret_arn), None)
        set_secret({"fcm_service_account_json": FCM_JSON})
        updated = handler.on_event(
            request("Update", secret_arn, created["PhysicalResourceId"]), None
        )
        assert set(applications()) == {f"{PREFIX}-fcm"}
        assert updated["Data"]["FcmPlatformApplicationArn"] == applications()[f"{PREFIX}-fcm"]


class TestDelete:
    def test_removes_every_application(self, handler: ModuleType, secret_arn: str) -> None:
        set_secret({**APNS, "fcm_service_account_json": FCM_JSON})
        created = handler.on_event(request("Create", secret_arn), None)
        # The secret may already be gone when the stack is deleted: Delete must not need it.
        client("secretsmanager").delete_secret(
            SecretId=EXTERNAL_SERVICES, ForceDeleteWithoutRecovery=True
        )

        result = handler.on_event(
            request("Delete", secret_arn, created["PhysicalResourceId"]), None
        )

        assert result == {"PhysicalResourceId": created["PhysicalResourceId"]}
        assert applications() == {}

    def test_delete_of_nothing_succeeds(self, handler: ModuleType, secret_arn: str) -> None:
        result = handler.on_event(request("Delete", secret_arn, "some-earlier-id"), None)
        assert result == {"PhysicalResourceId": "some-earlier-id"}


@pytest.fixture
def verbose_sdk_logging() -> Iterator[None]:
    """The SDK's loggers back at their defaults (an earlier handler run may have raised them)."""
    loggers = [logging.getLogger(name) for name in ("boto3", "botocore", "urllib3")]
    levels = [sdk_logger.level for sdk_logger in loggers]
    for sdk_logger in loggers:
        sdk_logger.setLevel(logging.NOTSET)
    yield
    for sdk_logger, level in zip(loggers, levels, strict=True):
        sdk_logger.setLevel(level)


def test_no_credential_is_ever_logged_or_returned(
    handler: ModuleType,
    secret_arn: str,
    verbose_sdk_logging: None,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, the SDK's included, at its most verbose
    seen: list[str] = []

    def run(event: dict[str, Any]) -> Any:
        # Only what happens inside the handler counts: the test's own secret writes are logged
        # by the SDK at DEBUG too.
        caplog.clear()
        capsys.readouterr()
        try:
            result = handler.on_event(event, None)
            seen.append(json.dumps(result))
            return result
        except Exception as exc:
            seen.append(str(exc))
            raise
        finally:
            captured = capsys.readouterr()
            seen.extend([caplog.text, captured.out, captured.err])

    set_secret({**APNS, "fcm_service_account_json": FCM_JSON})
    created = run(request("Create", secret_arn))
    set_secret({**APNS, "apns_signing_key": SIGNING_KEY_2})
    run(request("Update", secret_arn, created["PhysicalResourceId"]))
    set_secret({"apns_signing_key": SIGNING_KEY, "fcm_service_account_json": FCM_JSON})
    with pytest.raises(handler.CredentialsError):
        run(request("Update", secret_arn, created["PhysicalResourceId"]))
    run(request("Delete", secret_arn, created["PhysicalResourceId"]))

    everything = "\n".join(seen)
    assert '"message": "created"' in everything  # the handler did log
    for marker in MARKERS:
        assert marker not in everything
