"""Issue 11 in AWS: receipts uploaded from browsers, the task roles' reach into the buckets,
and the nightly backup (a scheduled task that alone may touch the backups bucket, and whose
failure raises the alarm topic)."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match
from test_compute import container, role_statements, task_definitions

from cdk_synth import IMAGE_TAG, Synthesized

ORIGINS = {
    "development": "*",
    "staging": "https://app-staging.familybudget.app",
    "production": "https://app.familybudget.app",
}


def bucket(env: Synthesized, short: str) -> dict[str, Any]:
    name = f"{env.environment}-family-budget-{short}"
    (found,) = [
        b["Properties"]
        for b in env.resources("Storage", "AWS::S3::Bucket").values()
        if b["Properties"].get("BucketName") == name
    ]
    properties: dict[str, Any] = found
    return properties


def objects_arn(env: Synthesized, short: str) -> dict[str, Any]:
    return {
        "Fn::Join": [
            "",
            ["arn:", {"Ref": "AWS::Partition"}, f":s3:::{env.environment}-family-budget-{short}/*"],
        ]
    }


def s3_statements(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for statement in statements:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        if any(action.startswith("s3:") for action in actions):
            found.append(statement)
    return found


class TestReceiptsBucket:
    def test_browsers_may_post_uploads_from_the_app_only(self, env: Synthesized) -> None:
        assert bucket(env, "receipts")["CorsConfiguration"] == {
            "CorsRules": [
                {
                    "AllowedHeaders": ["*"],
                    "AllowedMethods": ["POST"],
                    "AllowedOrigins": [ORIGINS[env.environment]],
                    "MaxAge": 3000,
                }
            ]
        }

    def test_unconfirmed_uploads_expire_after_a_day(self, env: Synthesized) -> None:
        rules = bucket(env, "receipts")["LifecycleConfiguration"]["Rules"]
        assert {
            "Id": "expire-unconfirmed-uploads",
            "Prefix": "uploads/",
            "ExpirationInDays": 1,
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
            "Status": "Enabled",
        } in rules
        # The Glacier transition of the design is still the first rule.
        assert rules[0]["Transitions"] == [{"StorageClass": "GLACIER", "TransitionInDays": 90}]


class TestApplicationRoles:
    def test_exports_and_receipts_objects_only(self, env: Synthesized) -> None:
        tasks = task_definitions(env)
        for task in ("backend", "worker"):
            role = tasks[task]["TaskRoleArn"]["Fn::GetAtt"][0]
            statements = s3_statements(role_statements(env, role))
            object_statements = [s for s in statements if s["Action"] != "s3:ListBucket"]
            assert sorted(json.dumps(s["Resource"]) for s in object_statements) == sorted(
                json.dumps(objects_arn(env, short)) for short in ("exports", "receipts")
            ), task
            for statement in object_statements:
                assert sorted(statement["Action"]) == [
                    "s3:DeleteObject",
                    "s3:GetObject",
                    "s3:PutObject",
                ]
            (listing,) = [s for s in statements if s["Action"] == "s3:ListBucket"]
            assert "Backups" not in json.dumps(listing["Resource"])
            assert len(listing["Resource"]) == 2
            assert "backups" not in json.dumps(statements)

    def test_containers_know_their_buckets(self, env: Synthesized) -> None:
        tasks = task_definitions(env)
        for task, name in (("backend", "backend"), ("worker", "worker")):
            environment = {
                e["Name"]: e["Value"] for e in container(tasks[task], name)["Environment"]
            }
            assert "BACKUPS_BUCKET" not in environment
            for variable, short in (("EXPORTS_BUCKET", "Exports"), ("RECEIPTS_BUCKET", "Receipts")):
                reference = json.dumps(environment[variable])
                assert f"StorageStack:ExportsOutputRef{short}Bucket" in reference, variable


class TestNightlyBackup:
    def test_task_runs_backup_with_the_backend_image(self, env: Synthesized) -> None:
        task = task_definitions(env)["backup"]
        assert task["Family"] == f"{env.environment}-family-budget-backup"
        (backup,) = task["ContainerDefinitions"]
        assert backup["Command"] == ["backup"]
        assert backup["Essential"] is True
        image = backup["Image"]["Fn::Join"][1]
        assert image[-1] == f":{IMAGE_TAG}"
        assert "EcrStack:ExportsOutputFnGetAttBackendRepository" in json.dumps(image[0])
        environment = {e["Name"]: e["Value"] for e in backup["Environment"]}
        assert set(environment) == {
            "ENVIRONMENT",
            "AWS_REGION",
            "BACKUPS_BUCKET",
            "BACKUP_RETENTION_COUNT",
            "BACKUP_RETENTION_DAYS",
            "LOG_LEVEL",
        }
        assert environment["ENVIRONMENT"] == env.environment
        assert environment["BACKUP_RETENTION_DAYS"] == "30"
        assert "StorageStack:ExportsOutputRefBackupsBucket" in json.dumps(
            environment["BACKUPS_BUCKET"]
        )
        secrets = {s["Name"] for s in backup["Secrets"]}
        assert secrets == {
            "DATABASE_HOST",
            "DATABASE_PORT",
            "DATABASE_NAME",
            "DATABASE_USER",
            "DATABASE_PASSWORD",
            "JWT_SECRET",
            # The app's settings refuse to start without it in production, commands included.
            "BANK_TOKEN_ENCRYPTION_KEY",
        }

    def test_role_reaches_the_backups_bucket_only(self, env: Synthesized) -> None:
        role = task_definitions(env)["backup"]["TaskRoleArn"]["Fn::GetAtt"][0]
        assert role.startswith("BackupTaskRole")
        listing, objects = role_statements(env, role)
        assert (listing["Action"], listing["Effect"]) == ("s3:ListBucket", "Allow")
        assert listing["Resource"]["Fn::ImportValue"].startswith(
            f"{env.environment}-StorageStack:ExportsOutputFnGetAttBackupsBucket"
        )
        assert objects == {
            "Action": [
                "s3:PutObject",
                "s3:GetObject",
                "s3:DeleteObject",
                "s3:AbortMultipartUpload",
            ],
            "Effect": "Allow",
            "Resource": objects_arn(env, "backups"),
        }

    def test_scheduled_nightly_in_private_subnets(self, env: Synthesized) -> None:
        rules = env.resources("Compute", "AWS::Events::Rule")
        (rule,) = [r["Properties"] for r in rules.values()]
        assert rule["Name"] == f"{env.environment}-family-budget-nightly-backup"
        assert rule["ScheduleExpression"] == "cron(17 3 * * ? *)"
        (target,) = rule["Targets"]
        cluster = target["Arn"]["Fn::GetAtt"]
        assert cluster[0].startswith("Cluster")
        assert cluster[1] == "Arn"
        parameters = target["EcsParameters"]
        assert parameters["LaunchType"] == "FARGATE"
        assert parameters["TaskDefinitionArn"]["Ref"].startswith("BackupTask")
        network = parameters["NetworkConfiguration"]["AwsVpcConfiguration"]
        assert network["AssignPublicIp"] == "DISABLED"
        assert json.dumps(network["Subnets"]).count("PrivateSubnet") == 2
        (group,) = network["SecurityGroups"]
        assert group["Fn::GetAtt"][0].startswith("BackupSecurityGroup")
        assert target["RetryPolicy"] == {
            "MaximumEventAgeInSeconds": 7200,
            "MaximumRetryAttempts": 2,
        }

    def test_reaches_the_database_and_not_redis(self, env: Synthesized) -> None:
        ingress = env.resources("Compute", "AWS::EC2::SecurityGroupIngress").values()
        from_backup = [
            rule["Properties"]
            for rule in ingress
            if json.dumps(rule["Properties"].get("SourceSecurityGroupId", "")).count(
                "BackupSecurityGroup"
            )
        ]
        assert [(rule["FromPort"], rule["ToPort"]) for rule in from_backup] == [(5432, 5432)]

    def test_a_failed_backup_raises_the_alarm_topic(self, env: Synthesized) -> None:
        env.template("Monitoring").has_resource_properties(
            "AWS::Events::Rule",
            {
                "Name": f"{env.environment}-family-budget-backup-failed",
                "EventPattern": {
                    "source": ["aws.ecs"],
                    "detail-type": ["ECS Task State Change"],
                    "detail": {
                        "clusterArn": [Match.any_value()],
                        "group": [f"family:{env.environment}-family-budget-backup"],
                        "lastStatus": ["STOPPED"],
                        "$or": [
                            {"containers": {"exitCode": [{"anything-but": 0}]}},
                            {"stopCode": ["TaskFailedToStart"]},
                        ],
                    },
                },
                "Targets": [
                    Match.object_like({"Arn": {"Ref": Match.string_like_regexp("^AlarmTopic")}})
                ],
            },
        )
        # EventBridge may publish to the alarm topic (and decrypt with its key in production).
        env.template("Monitoring").has_resource_properties(
            "AWS::SNS::TopicPolicy",
            {
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Action": "sns:Publish",
                                    "Principal": {"Service": "events.amazonaws.com"},
                                }
                            )
                        ]
                    )
                }
            },
        )
        if env.environment == "production":
            # ... and use the environment's key, which encrypts the topic (aws-cdk-lib's SnsTopic
            # target adds the key policy statement).
            (key,) = env.resources("Security", "AWS::KMS::Key").values()
            assert {
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Resource": "*",
            } in key["Properties"]["KeyPolicy"]["Statement"]

    def test_still_at_most_five_cloudwatch_alarms(self, env: Synthesized) -> None:
        assert len(env.resources("Monitoring", "AWS::CloudWatch::Alarm")) <= 5
