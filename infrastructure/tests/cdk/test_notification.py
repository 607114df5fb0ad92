"""NotificationStack: SES, the four topics, the three Lambdas and the platform applications."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from aws_cdk.assertions import Match

from cdk_synth import Synthesized

TOPICS = ["account-sync-failures", "bill-reminders", "budget-alerts", "security-alerts"]
HANDLERS = {
    "filter_preferences": {"EMAIL_FUNCTION_NAME", "PUSH_FUNCTION_NAME"},
    "render_email": {"SES_CONFIGURATION_SET", "SES_FROM_ADDRESS"},
    "format_push": set(),
}
MODULE = "family_budget.notifications.handlers"


def functions(env: Synthesized) -> dict[str, tuple[str, dict[str, Any]]]:
    """Lambda functions keyed by handler string: (logical id, properties)."""
    return {
        f["Properties"]["Handler"]: (logical, f["Properties"])
        for logical, f in env.resources("Notification", "AWS::Lambda::Function").items()
    }


def role_statements(env: Synthesized, function_logical_id: str) -> list[dict[str, Any]]:
    function = env.raw("Notification")["Resources"][function_logical_id]
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    statements: list[dict[str, Any]] = []
    for policy in env.resources("Notification", "AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            statements.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return statements


def asset_directory(env: Synthesized, code: dict[str, Any]) -> Path:
    key = code["S3Key"]
    return env.outdir / f"asset.{key.removesuffix('.zip')}"


class TestSes:
    def test_configuration_set_and_identity(self, env: Synthesized) -> None:
        template = env.template("Notification")
        template.has_resource_properties(
            "AWS::SES::ConfigurationSet",
            {
                "Name": f"{env.environment}-family-budget",
                "SuppressionOptions": {"SuppressedReasons": ["BOUNCE", "COMPLAINT"]},
            },
        )
        template.has_resource_properties(
            "AWS::SES::ConfigurationSetEventDestination",
            {
                "EventDestination": Match.object_like(
                    {
                        "MatchingEventTypes": Match.array_with(["bounce", "complaint"]),
                        "SnsDestination": Match.any_value(),
                    }
                )
            },
        )
        identity = next(iter(env.resources("Notification", "AWS::SES::EmailIdentity").values()))
        expected = env.domain or "notifications@example.com"
        assert identity["Properties"]["EmailIdentity"] == expected


class TestTopics:
    def test_four_topics(self, env: Synthesized) -> None:
        names = sorted(
            t["Properties"]["TopicName"]
            for t in env.resources("Notification", "AWS::SNS::Topic").values()
        )
        expected = sorted(
            [f"{env.environment}-{t}" for t in TOPICS] + [f"{env.environment}-email-events"]
        )
        assert names == expected

    def test_filter_subscribed_to_the_four_topics(self, env: Synthesized) -> None:
        logical, _ = functions(env)[f"{MODULE}.filter_preferences"]
        subscriptions = env.resources("Notification", "AWS::SNS::Subscription")
        topics = env.resources("Notification", "AWS::SNS::Topic")
        subscribed = sorted(
            topics[s["Properties"]["TopicArn"]["Ref"]]["Properties"]["TopicName"]
            for s in subscriptions.values()
            if s["Properties"]["Endpoint"] == {"Fn::GetAtt": [logical, "Arn"]}
            and s["Properties"]["Protocol"] == "lambda"
        )
        assert subscribed == [f"{env.environment}-{t}" for t in TOPICS]


class TestFunctions:
    def test_handlers_runtime_and_environment(self, env: Synthesized) -> None:
        found = functions(env)
        for handler, variables in HANDLERS.items():
            _, props = found[f"{MODULE}.{handler}"]
            assert props["Runtime"] == "python3.12"
            assert set(props.get("Environment", {}).get("Variables", {})) == variables

    def test_filter_invokes_the_two_functions(self, env: Synthesized) -> None:
        found = functions(env)
        logical, props = found[f"{MODULE}.filter_preferences"]
        email_logical, _ = found[f"{MODULE}.render_email"]
        push_logical, _ = found[f"{MODULE}.format_push"]
        variables = props["Environment"]["Variables"]
        assert variables["EMAIL_FUNCTION_NAME"] == {"Ref": email_logical}
        assert variables["PUSH_FUNCTION_NAME"] == {"Ref": push_logical}
        invoke = [
            s for s in role_statements(env, logical) if s["Action"] == "lambda:InvokeFunction"
        ]
        assert invoke == [
            {
                "Action": "lambda:InvokeFunction",
                "Effect": "Allow",
                "Resource": [
                    {"Fn::GetAtt": [email_logical, "Arn"]},
                    {"Fn::GetAtt": [push_logical, "Arn"]},
                ],
            }
        ]

    def test_render_email_may_send_through_ses(self, env: Synthesized) -> None:
        logical, props = functions(env)[f"{MODULE}.render_email"]
        assert props["Environment"]["Variables"]["SES_CONFIGURATION_SET"] == (
            f"{env.environment}-family-budget"
        )
        (statement,) = [
            s
            for s in role_statements(env, logical)
            if s["Action"] == ["ses:SendEmail", "ses:SendRawEmail"]
        ]
        resources = json.dumps(statement["Resource"])
        assert (
            ":identity/" in resources
            and f":configuration-set/{env.environment}-family-budget" in resources
        )

    def test_format_push_may_publish_to_endpoints(self, env: Synthesized) -> None:
        logical, _ = functions(env)[f"{MODULE}.format_push"]
        (statement,) = [s for s in role_statements(env, logical) if s["Action"] == "sns:Publish"]
        assert json.dumps(statement["Resource"]).endswith(
            ":sns:us-east-1:"
            + ("987654321098" if env.environment == "production" else "123456789012")
            + ':endpoint/*"]]}'
        )

    def test_asset_holds_only_the_notifications_package(self, env: Synthesized) -> None:
        _, props = functions(env)[f"{MODULE}.render_email"]
        directory = asset_directory(env, props["Code"])
        files = sorted(
            p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file()
        )
        assert "family_budget/__init__.py" in files
        assert "family_budget/money.py" in files
        assert "family_budget/notifications/handlers.py" in files
        assert all(
            f in ("family_budget/__init__.py", "family_budget/money.py")
            or f.startswith("family_budget/notifications/")
            for f in files
        ), files
        assert not any("__pycache__" in f for f in files)

    def test_asset_imports_on_its_own(self, env: Synthesized) -> None:
        # What the Lambda runtime does: import the handlers with only the asset on the path
        # (-I: no user site-packages, no PYTHONPATH, no current directory).
        _, props = functions(env)[f"{MODULE}.render_email"]
        directory = asset_directory(env, props["Code"])
        result = subprocess.run(
            [
                sys.executable,
                "-I",
                "-c",
                f"import sys; sys.path.insert(0, {str(directory)!r}); "
                f"import {MODULE}; from family_budget.notifications.money import format_money; "
                "print(format_money(10000, 'CLF'))",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "CLF 1.0000"


class TestPlatformApplications:
    def test_custom_resource(self, env: Synthesized) -> None:
        resources = env.resources("Notification", "Custom::SnsPlatformApplications")
        (resource,) = resources.values()
        props = resource["Properties"]
        assert props["NamePrefix"] == f"{env.environment}-family-budget"
        assert "ExternalServicesSecret" in json.dumps(props["SecretId"])
        assert set(props) == {"ServiceToken", "SecretId", "NamePrefix", "CredentialsRevision"}
        assert props["CredentialsRevision"] == "1"

    def test_on_event_handler(self, env: Synthesized) -> None:
        logical, props = functions(env)["index.on_event"]
        files = {p.name for p in asset_directory(env, props["Code"]).iterdir()}
        assert "index.py" in files
        actions: set[str] = set()
        for statement in role_statements(env, logical):
            listed = statement["Action"]
            actions.update([listed] if isinstance(listed, str) else listed)
        assert {
            "secretsmanager:GetSecretValue",
            "sns:CreatePlatformApplication",
            "sns:DeletePlatformApplication",
            "sns:SetPlatformApplicationAttributes",
            "sns:ListPlatformApplications",
        } <= actions

    def test_no_credentials_in_the_template(self, env: Synthesized) -> None:
        template = json.dumps(env.raw("Notification"))
        for key in ("apns_signing_key", "fcm_service_account_json", "PlatformCredential"):
            assert key not in template

    def test_outputs(self, env: Synthesized) -> None:
        outputs = env.outputs("Notification")
        platform = env.logical_id(
            "Notification", "Custom::SnsPlatformApplications", "PlatformApplications"
        )
        for key in (
            "ApnsPlatformApplicationArn",
            "ApnsSandboxPlatformApplicationArn",
            "FcmPlatformApplicationArn",
        ):
            assert outputs[key]["Value"] == {"Fn::GetAtt": [platform, key]}
        (configuration_set,) = env.resources("Notification", "AWS::SES::ConfigurationSet").values()
        topic = "AWS::SNS::Topic"
        env.assert_outputs(
            "Notification",
            {
                "SesConfigurationSetName": configuration_set["Properties"]["Name"],
                "BillRemindersTopicArn": env.ref("Notification", topic, "BillRemindersTopic"),
                "BudgetAlertsTopicArn": env.ref("Notification", topic, "BudgetAlertsTopic"),
            },
            f"{env.environment}-",
        )


class TestEmailEvents:
    """The SES bounce/complaint path: topic -> SQS queue (raw delivery) -> worker."""

    def queues(self, env: Synthesized) -> dict[str, tuple[str, dict[str, Any]]]:
        return {
            q["Properties"]["QueueName"]: (logical, q["Properties"])
            for logical, q in env.resources("Notification", "AWS::SQS::Queue").items()
        }

    def test_queue_with_dead_letter_queue(self, env: Synthesized) -> None:
        queues = self.queues(env)
        e = env.environment
        _, queue = queues[f"{e}-email-events"]
        dlq_id, dlq = queues[f"{e}-email-events-dlq"]
        assert queue["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]},
            "maxReceiveCount": 5,
        }
        assert queue["ReceiveMessageWaitTimeSeconds"] == 20
        for properties in (queue, dlq):
            assert properties["MessageRetentionPeriod"] == 14 * 24 * 3600
            if e == "production":
                key = properties["KmsMasterKeyId"]["Fn::ImportValue"]
                assert key.startswith("production-SecurityStack:ExportsOutputFnGetAttEncryptionKey")
            else:
                assert properties["SqsManagedSseEnabled"] is True
                assert "KmsMasterKeyId" not in properties

    def test_raw_subscription_to_the_email_events_topic(self, env: Synthesized) -> None:
        queue_id, _ = self.queues(env)[f"{env.environment}-email-events"]
        topics = env.resources("Notification", "AWS::SNS::Topic")
        (topic_id,) = [
            k
            for k, t in topics.items()
            if t["Properties"]["TopicName"] == f"{env.environment}-email-events"
        ]
        env.template("Notification").has_resource_properties(
            "AWS::SNS::Subscription",
            {
                "Protocol": "sqs",
                "RawMessageDelivery": True,
                "TopicArn": {"Ref": topic_id},
                "Endpoint": {"Fn::GetAtt": [queue_id, "Arn"]},
            },
        )
        env.template("Notification").has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": [{"Ref": queue_id}],
                "PolicyDocument": Match.object_like(
                    {
                        "Statement": Match.array_with(
                            [
                                {
                                    "Action": "sqs:SendMessage",
                                    "Condition": {
                                        "ArnEquals": {"aws:SourceArn": {"Ref": topic_id}}
                                    },
                                    "Effect": "Allow",
                                    "Principal": {"Service": "sns.amazonaws.com"},
                                    "Resource": {"Fn::GetAtt": [queue_id, "Arn"]},
                                }
                            ]
                        )
                    }
                ),
            },
        )

    def test_sns_may_use_the_production_key(self, synthesized: Any) -> None:
        env: Synthesized = synthesized("production")
        (key,) = env.resources("Security", "AWS::KMS::Key").values()
        statements = key["Properties"]["KeyPolicy"]["Statement"]
        # (EventBridge, which publishes failed backups to the alarm topic, has a statement of
        # its own, added by aws-cdk-lib's SnsTopic target.)
        (services,) = [
            s
            for s in statements
            if "Service" in s["Principal"]
            and "Sid" not in s
            and s["Principal"]["Service"] != "events.amazonaws.com"
        ]
        assert "sns.amazonaws.com" in services["Principal"]["Service"]
        assert set(services["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey*"}

    def test_queue_url_output(self, env: Synthesized) -> None:
        output = env.outputs("Notification")["SesEventsQueueUrl"]
        queue_id, _ = self.queues(env)[f"{env.environment}-email-events"]
        assert output["Value"] == {"Ref": queue_id}
        assert output["Export"]["Name"] == f"{env.environment}-SesEventsQueueUrl"
