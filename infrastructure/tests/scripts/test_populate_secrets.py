"""populate-secrets.py against Secrets Manager played by moto in server mode."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.stub import Stubber

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

REGION = "us-east-1"
ENV = "staging"
NAMES = {
    kind: f"{ENV}/family-budget/{kind}"
    for kind in ("database", "plaid", "jwt", "external-services")
}
PLAID = {"PLAID_CLIENT_ID": "plaid-client-5f2a9c", "PLAID_SECRET": "plaid-secret-8d41e7b0"}
APNS_KEY = (
    "-----BEGIN PRIVATE KEY-----\nMIGTAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBHkwdwIBAQQg\n"
    "-----END PRIVATE KEY-----\n"
)
FCM_ACCOUNT = {
    "type": "service_account",
    "project_id": "family-budget-test",
    "private_key": "-----BEGIN PRIVATE KEY-----\nfcm-private-key-body\n-----END PRIVATE KEY-----\n",
    "client_email": "push@family-budget-test.iam.gserviceaccount.com",
}


SecretWriter = Callable[[str, dict[str, Any]], None]


def assert_vapid_key(pem: str) -> None:
    """A P-256 private key the backend can load (cryptography, as pywebpush does)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.curve.name == "secp256r1"


def read_secret(client: SecretsManagerClient, name: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(client.get_secret_value(SecretId=name)["SecretString"])
    return value


def unexpected_prompt(label: str) -> str:
    raise AssertionError(f"unexpected prompt: {label}")


@pytest.fixture
def run(populate_secrets: ModuleType, moto_endpoint: str) -> Callable[..., int]:
    def _run(
        *args: str,
        environ: Mapping[str, str] | None = None,
        interactive: bool = False,
        prompt: Callable[[str], str] = unexpected_prompt,
        environment: str = ENV,
    ) -> int:
        argv = ["--environment", environment, "--endpoint-url", moto_endpoint, *args]
        code: int = populate_secrets.main(
            argv, environ=dict(environ or {}), interactive=interactive, prompt=prompt
        )
        return code

    return _run


SECRET_KEYS = (
    "password",
    "secret_key",
    "client_id",
    "secret",
    "sendgrid_api_key",
    "sentry_dsn",
    "stripe_api_key",
    "apns_signing_key",
    "fcm_service_account_json",
)


def assert_no_secret_printed(output: str, secrets: Mapping[str, dict[str, Any]]) -> None:
    """No stored secret value, nor any line of a multi-line one, appears in the output."""
    checked = 0
    for values in secrets.values():
        for key in SECRET_KEYS:
            value = values.get(key)
            if not isinstance(value, str) or not value:
                continue
            checked += 1
            assert value not in output, f"the value of {key} was printed"
            for line in value.splitlines():
                if len(line.strip()) >= 8 and "PRIVATE KEY" not in line:
                    assert line.strip() not in output, f"part of {key} was printed"
    assert checked >= 4


def stored(client: SecretsManagerClient) -> dict[str, dict[str, Any]]:
    return {kind: read_secret(client, name) for kind, name in NAMES.items()}


def version_ids(client: SecretsManagerClient) -> dict[str, list[str]]:
    return {
        name: sorted(client.describe_secret(SecretId=name)["VersionIdsToStages"])
        for name in NAMES.values()
    }


class TestCreatesMissingSecrets:
    def test_creates_all_four_with_design_shapes(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        assert run(environ=PLAID) == 0

        secrets = stored(secretsmanager)
        database = secrets["database"]
        assert database["username"] == "dbadmin"
        assert database["engine"] == "postgres"
        assert database["port"] == 5432
        assert database["dbname"] == "family_budget"
        assert len(database["password"]) == 32 and database["password"].isalnum()
        plaid = dict(secrets["plaid"])
        bank_token_key = plaid.pop("bank_token_encryption_key")
        assert len(base64.b64decode(bank_token_key, validate=True)) == 32  # AES-256
        assert plaid == {
            "client_id": PLAID["PLAID_CLIENT_ID"],
            "secret": PLAID["PLAID_SECRET"],
            "environment": "development",
        }
        jwt = secrets["jwt"]
        assert len(jwt["secret_key"]) >= 43  # at least 256 bits of url-safe base64
        assert (jwt["algorithm"], jwt["access_token_expire_minutes"]) == ("HS256", 15)
        assert jwt["refresh_token_expire_days"] == 7
        external = dict(secrets["external-services"])
        assert_vapid_key(external.pop("vapid_private_key"))
        assert external == {
            key: ""
            for key in (
                "sendgrid_api_key",
                "sentry_dsn",
                "stripe_api_key",
                "apns_signing_key",
                "apns_key_id",
                "apns_team_id",
                "apns_bundle_id",
                "fcm_service_account_json",
            )
        }
        tags = secretsmanager.describe_secret(SecretId=NAMES["jwt"])["Tags"]
        assert {"Key": "Environment", "Value": ENV} in tags

        out, err = capsys.readouterr()
        for name in NAMES.values():
            assert f"create {name}" in " ".join(out.split())
        assert "Done: 4 created, 0 updated, 0 unchanged." in out
        assert "Push credentials changed" not in out  # none were supplied
        assert "Running ECS tasks keep the old values" not in out  # nothing existed before
        assert_no_secret_printed(out + err, secrets)

    @pytest.mark.parametrize(
        ("environment", "plaid_environment"),
        [("development", "sandbox"), ("staging", "development"), ("production", "production")],
    )
    def test_plaid_environment_defaults_per_environment(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        environment: str,
        plaid_environment: str,
    ) -> None:
        assert run(environ=PLAID, environment=environment) == 0
        plaid = read_secret(secretsmanager, f"{environment}/family-budget/plaid")
        assert plaid["environment"] == plaid_environment

    def test_plaid_environment_flag_wins(
        self, run: Callable[..., int], secretsmanager: SecretsManagerClient
    ) -> None:
        assert run("--plaid-environment", "sandbox", environ=PLAID) == 0
        assert read_secret(secretsmanager, NAMES["plaid"])["environment"] == "sandbox"


class TestIdempotence:
    def test_second_run_with_same_inputs_changes_nothing(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        assert run("--sentry-dsn", "https://key@sentry.example/1", environ=PLAID) == 0
        before_values, before_versions = stored(secretsmanager), version_ids(secretsmanager)
        capsys.readouterr()

        assert run("--sentry-dsn", "https://key@sentry.example/1", environ=PLAID) == 0

        assert stored(secretsmanager) == before_values
        assert version_ids(secretsmanager) == before_versions
        out, _ = capsys.readouterr()
        assert "No changes: all 4 secrets are already up to date." in out

    def test_keeps_stored_values_it_is_not_given(
        self, run: Callable[..., int], secretsmanager: SecretsManagerClient
    ) -> None:
        assert run("--stripe-api-key", "sk_test_stored_value", environ=PLAID) == 0

        # No Plaid input this time: the stored credentials are kept, no prompt needed.
        assert run("--sentry-dsn", "https://key@sentry.example/2") == 0

        secrets = stored(secretsmanager)
        assert secrets["plaid"]["secret"] == PLAID["PLAID_SECRET"]
        assert secrets["external-services"]["stripe_api_key"] == "sk_test_stored_value"
        assert secrets["external-services"]["sentry_dsn"] == "https://key@sentry.example/2"

    def test_updates_only_the_changed_key(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        assert run(environ=PLAID) == 0
        before = stored(secretsmanager)
        capsys.readouterr()

        assert run(environ={**PLAID, "PLAID_SECRET": "plaid-secret-rotated-991"}) == 0

        after = stored(secretsmanager)
        assert after["plaid"]["secret"] == "plaid-secret-rotated-991"
        # The bank token key is never replaced: stored access tokens need it to decrypt.
        assert (
            after["plaid"]["bank_token_encryption_key"]
            == before["plaid"]["bank_token_encryption_key"]
        )
        assert {k: v for k, v in after.items() if k != "plaid"} == {
            k: v for k, v in before.items() if k != "plaid"
        }
        out, err = capsys.readouterr()
        assert "keys changed: secret" in out
        assert "Done: 0 created, 1 updated, 3 unchanged." in out
        assert "Running ECS tasks keep the old values until they restart" in out
        assert "plaid-secret-rotated-991" not in out + err

    def test_flag_wins_over_environment_variable(
        self, run: Callable[..., int], secretsmanager: SecretsManagerClient
    ) -> None:
        assert run("--plaid-secret", "plaid-secret-from-flag", environ=PLAID) == 0
        assert read_secret(secretsmanager, NAMES["plaid"])["secret"] == "plaid-secret-from-flag"


class TestDatabasePassword:
    def test_never_overwrites_an_existing_password(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        capsys: pytest.CaptureFixture[str],
        put_secret: SecretWriter,
    ) -> None:
        # As CloudFormation and the RDS attachment leave it (the password rotated by RDS).
        existing = {
            "username": "dbadmin",
            "password": "rotated-by-rds-7Qz1",
            "host": "db.abc123.us-east-1.rds.amazonaws.com",
            "port": 5432,
            "engine": "postgres",
            "dbname": "family_budget",
        }
        put_secret(NAMES["database"], existing)

        assert run(environ=PLAID) == 0

        assert read_secret(secretsmanager, NAMES["database"]) == existing
        out, err = capsys.readouterr()
        assert "unchanged" in next(line for line in out.splitlines() if NAMES["database"] in line)
        assert "rotated-by-rds-7Qz1" not in out + err

    def test_fills_missing_keys_but_keeps_password(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        put_secret: SecretWriter,
    ) -> None:
        put_secret(NAMES["database"], {"username": "dbadmin", "password": "keep-me-9"})

        assert run(environ=PLAID) == 0

        database = read_secret(secretsmanager, NAMES["database"])
        assert database["password"] == "keep-me-9"
        assert (database["engine"], database["port"], database["dbname"]) == (
            "postgres",
            5432,
            "family_budget",
        )
        # The endpoint belongs to the RDS secret attachment; an existing secret is not given one.
        assert "host" not in database

    def test_generates_a_password_when_the_stored_one_is_empty(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        put_secret: SecretWriter,
    ) -> None:
        put_secret(NAMES["database"], {"username": "dbadmin", "password": ""})
        assert run(environ=PLAID) == 0
        assert len(read_secret(secretsmanager, NAMES["database"])["password"]) == 32


class TestCdkCreatedSecrets:
    def test_fills_empty_plaid_and_keeps_generated_jwt_key(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        put_secret: SecretWriter,
    ) -> None:
        jwt = {
            "secret_key": "cfn-generated-jwt-key-0123456789abcdef",
            "algorithm": "HS256",
            "access_token_expire_minutes": 15,
            "refresh_token_expire_days": 7,
        }
        put_secret(NAMES["jwt"], jwt)
        put_secret(NAMES["plaid"], {"client_id": "", "secret": "", "environment": ""})

        assert run(environ=PLAID) == 0

        assert read_secret(secretsmanager, NAMES["jwt"]) == jwt
        plaid = dict(read_secret(secretsmanager, NAMES["plaid"]))
        # A secret made before the bank token key existed gets one.
        assert len(base64.b64decode(plaid.pop("bank_token_encryption_key"), validate=True)) == 32
        assert plaid == {
            "client_id": PLAID["PLAID_CLIENT_ID"],
            "secret": PLAID["PLAID_SECRET"],
            "environment": "development",
        }

    def test_rotate_jwt_key_replaces_only_the_key(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        assert run(environ=PLAID) == 0
        before = read_secret(secretsmanager, NAMES["jwt"])
        capsys.readouterr()

        assert run("--rotate-jwt-key") == 0

        after = read_secret(secretsmanager, NAMES["jwt"])
        assert after["secret_key"] != before["secret_key"]
        assert {k: v for k, v in after.items() if k != "secret_key"} == {
            k: v for k, v in before.items() if k != "secret_key"
        }
        out, err = capsys.readouterr()
        assert "keys changed: secret_key" in out
        assert after["secret_key"] not in out + err
        assert before["secret_key"] not in out + err


class TestDryRun:
    def test_creates_nothing(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        assert run("--dry-run", environ=PLAID) == 0

        assert secretsmanager.list_secrets()["SecretList"] == []
        out, err = capsys.readouterr()
        assert "dry run: nothing is written" in out
        assert f"would create     {NAMES['jwt']}  keys: secret_key" in out
        assert "Dry run: 4 to create, 0 to update, 0 unchanged." in out
        for value in PLAID.values():
            assert value not in out + err

    def test_reports_update_without_writing(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        assert run(environ=PLAID) == 0
        before_values, before_versions = stored(secretsmanager), version_ids(secretsmanager)
        capsys.readouterr()

        assert run("--dry-run", "--plaid-secret", "plaid-secret-new-5521", "--rotate-jwt-key") == 0

        assert stored(secretsmanager) == before_values
        assert version_ids(secretsmanager) == before_versions
        out, err = capsys.readouterr()
        assert f"would update     {NAMES['plaid']}  keys changed: secret" in out
        assert f"would update     {NAMES['jwt']}  keys changed: secret_key" in out
        assert "plaid-secret-new-5521" not in out + err

    def test_does_not_prompt_for_missing_values(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        assert run("--dry-run", interactive=True) == 0
        assert secretsmanager.list_secrets()["SecretList"] == []
        out, _ = capsys.readouterr()
        assert "A real run still needs these values:" in out
        assert "Plaid secret: pass --plaid-secret or set PLAID_SECRET" in out


class TestSuppliedValues:
    def test_missing_plaid_without_terminal_fails_and_writes_nothing(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        assert run() == 1

        assert secretsmanager.list_secrets()["SecretList"] == []
        _, err = capsys.readouterr()
        assert "--plaid-client-id or set PLAID_CLIENT_ID" in err
        assert "--plaid-secret or set PLAID_SECRET" in err
        assert "Traceback" not in err

    def test_prompts_for_missing_plaid_values(
        self, run: Callable[..., int], secretsmanager: SecretsManagerClient
    ) -> None:
        asked: list[str] = []
        answers = {"Plaid client id: ": "prompted-client-id", "Plaid secret: ": "prompted-secret"}

        def prompt(label: str) -> str:
            asked.append(label)
            return answers[label]

        assert run(interactive=True, prompt=prompt) == 0

        assert asked == list(answers)
        plaid = read_secret(secretsmanager, NAMES["plaid"])
        assert (plaid["client_id"], plaid["secret"]) == ("prompted-client-id", "prompted-secret")

    def test_no_input_flag_never_prompts(
        self, run: Callable[..., int], secretsmanager: SecretsManagerClient
    ) -> None:
        assert run("--no-input", interactive=True) == 1
        assert secretsmanager.list_secrets()["SecretList"] == []

    def test_prompt_all_keeps_values_left_empty(
        self, run: Callable[..., int], secretsmanager: SecretsManagerClient
    ) -> None:
        assert run("--stripe-api-key", "sk_test_keep", environ=PLAID) == 0

        def prompt(label: str) -> str:
            return "https://new@sentry.example/3" if label.startswith("Sentry DSN") else ""

        assert run("--prompt-all", interactive=True, prompt=prompt) == 0

        secrets = stored(secretsmanager)
        assert secrets["external-services"]["sentry_dsn"] == "https://new@sentry.example/3"
        assert secrets["external-services"]["stripe_api_key"] == "sk_test_keep"
        assert secrets["plaid"]["secret"] == PLAID["PLAID_SECRET"]

    def test_push_credentials_from_files_are_stored_and_never_printed(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        tmp_path: Path,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        key_file = tmp_path / "AuthKey_ABCDE12345.p8"
        key_file.write_text(APNS_KEY)
        account_file = tmp_path / "service-account.json"
        account_file.write_text(json.dumps(FCM_ACCOUNT))
        environ = {
            **PLAID,
            "APNS_KEY_ID": "ABCDE12345",
            "APNS_TEAM_ID": "TEAM123456",
            "APNS_BUNDLE_ID": "app.familybudget.ios",
            "FCM_SERVICE_ACCOUNT_FILE": str(account_file),
        }

        assert run("--apns-signing-key-file", str(key_file), environ=environ) == 0

        external = read_secret(secretsmanager, NAMES["external-services"])
        assert external["apns_signing_key"] == APNS_KEY.strip()
        assert (external["apns_key_id"], external["apns_team_id"]) == ("ABCDE12345", "TEAM123456")
        assert external["apns_bundle_id"] == "app.familybudget.ios"
        assert json.loads(external["fcm_service_account_json"]) == FCM_ACCOUNT
        out, err = capsys.readouterr()
        assert "staging-NotificationStack's PlatformApplications resource" in out
        assert_no_secret_printed(out + err, stored(secretsmanager))
        assert "fcm-private-key-body" not in out + err
        assert "MIGTAgEAMBMGByqGSM49" not in out + err

    def test_incomplete_apns_credentials_warn(
        self,
        run: Callable[..., int],
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        assert run("--apns-key-id", "ABCDE12345", environ=PLAID) == 0
        _, err = capsys.readouterr()
        assert "APNs credentials are incomplete" in err
        assert "apns_signing_key, apns_team_id, apns_bundle_id" in err

    def test_invalid_service_account_json_is_rejected_without_echo(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        value = '{"type": "authorized_user", "refresh_token": "tok-do-not-print"}'
        assert run("--fcm-service-account-json", value, environ=PLAID) == 1

        assert secretsmanager.list_secrets()["SecretList"] == []
        _, err = capsys.readouterr()
        assert "fcm_service_account_json is not a Google service account JSON key" in err
        assert "tok-do-not-print" not in err

    def test_unreadable_file_is_a_clear_error(
        self, run: Callable[..., int], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        missing = tmp_path / "missing.p8"
        assert run("--apns-signing-key-file", str(missing), environ=PLAID) == 1
        _, err = capsys.readouterr()
        assert f"Cannot read APNs signing key (.p8 contents) file {missing}" in err


class TestSecretStates:
    def test_secret_scheduled_for_deletion_is_reported(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        capsys: pytest.CaptureFixture[str],
        put_secret: SecretWriter,
    ) -> None:
        put_secret(NAMES["jwt"], {"secret_key": "old"})
        secretsmanager.delete_secret(SecretId=NAMES["jwt"], RecoveryWindowInDays=7)

        assert run(environ=PLAID) == 1

        _, err = capsys.readouterr()
        assert f"Secret {NAMES['jwt']} is scheduled for deletion" in err
        assert "restore-secret" in err

    def test_non_json_value_is_reported(
        self,
        run: Callable[..., int],
        secretsmanager: SecretsManagerClient,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        secretsmanager.create_secret(Name=NAMES["plaid"], SecretString="not-json-value")
        assert run(environ=PLAID) == 1
        _, err = capsys.readouterr()
        assert f"Secret {NAMES['plaid']} does not hold a JSON object" in err
        assert "not-json-value" not in err


class TestAwsErrors:
    def test_no_credentials_is_a_clear_message(
        self,
        run: Callable[..., int],
        no_credentials: None,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        assert run(environ=PLAID) == 2
        _, err = capsys.readouterr()
        assert "No usable AWS credentials were found" in err
        assert "Traceback" not in err

    def test_access_denied_is_a_clear_message(
        self,
        populate_secrets: ModuleType,
        aws_module: ModuleType,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        client = boto3.client("secretsmanager", region_name=REGION)
        args = populate_secrets.parse_args(["--environment", ENV])
        with Stubber(client) as stubber:
            stubber.add_client_error(
                "describe_secret",
                service_error_code="AccessDeniedException",
                service_message="User is not authorized to perform secretsmanager:DescribeSecret",
                http_status_code=400,
            )

            code = aws_module.run_cli(
                lambda: populate_secrets.populate(
                    client,
                    ENV,
                    args,
                    PLAID,
                    interactive=False,
                    prompt=unexpected_prompt,
                    region=REGION,
                )
            )

        assert code == 2
        _, err = capsys.readouterr()
        assert "AWS denied DescribeSecret (AccessDeniedException)" in err
        assert "Traceback" not in err

    def test_unknown_profile_is_a_clear_message(
        self, run: Callable[..., int], capsys: pytest.CaptureFixture[str]
    ) -> None:
        assert run("--profile", "no-such-profile", environ=PLAID) == 2
        _, err = capsys.readouterr()
        assert "no-such-profile" in err
        assert "Traceback" not in err
