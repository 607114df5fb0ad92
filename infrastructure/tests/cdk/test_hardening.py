"""Issue 17: CloudTrail, receipts versioning, RDS monitoring, KMS for production log groups,
the notification Lambdas' DLQs and concurrency, and the monitoring ALB.

Expected values are written out from the issue and the design, not read from stacks.config.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from cdk_synth import Synthesized

TRAIL_DAYS = {"staging": 90, "production": 365}
KEY_ARN_EXPORT = "production-SecurityStack:ExportsOutputFnGetAttEncryptionKey"
NOTIFICATION_HANDLERS = ("filter_preferences", "render_email", "format_push")


def key_statements(env: Synthesized) -> list[dict[str, Any]]:
    (key,) = env.resources("Security", "AWS::KMS::Key").values()
    statements: list[dict[str, Any]] = key["Properties"]["KeyPolicy"]["Statement"]
    return statements


def by_sid(env: Synthesized, sid: str) -> dict[str, Any]:
    (statement,) = [s for s in key_statements(env) if s.get("Sid") == sid]
    return statement


class TestCloudTrail:
    def test_staging_and_production_only(self, env: Synthesized) -> None:
        expected = 0 if env.environment == "development" else 1
        env.template("Security").resource_count_is("AWS::CloudTrail::Trail", expected)

    @pytest.mark.parametrize("name", ["staging", "production"])
    def test_multi_region_validated_trail_into_its_own_bucket(
        self, synthesized: Any, name: str
    ) -> None:
        env: Synthesized = synthesized(name)
        bucket_name = f"{env.environment}-family-budget-cloudtrail"
        buckets = env.resources("Security", "AWS::S3::Bucket")
        (bucket_id,) = [
            k for k, b in buckets.items() if b["Properties"].get("BucketName") == bucket_name
        ]
        env.template("Security").has_resource_properties(
            "AWS::CloudTrail::Trail",
            {
                "TrailName": f"{env.environment}-family-budget",
                "IsMultiRegionTrail": True,
                "IncludeGlobalServiceEvents": True,
                "EnableLogFileValidation": True,
                "IsLogging": True,
                "S3BucketName": {"Ref": bucket_id},
                "KMSKeyId": (
                    {"Fn::GetAtt": [Match.string_like_regexp("^EncryptionKey"), "Arn"]}
                    if env.environment == "production"
                    else Match.absent()
                ),
            },
        )
        properties = buckets[bucket_id]["Properties"]
        assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
        assert properties["LifecycleConfiguration"]["Rules"] == [
            {
                "Id": "expire-trail-logs",
                "ExpirationInDays": TRAIL_DAYS[env.environment],
                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                "Status": "Enabled",
            }
        ]
        assert properties["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"] is True

    def test_only_cloudtrail_writes_the_bucket(self, synthesized: Any) -> None:
        env: Synthesized = synthesized("production")
        policies = env.resources("Security", "AWS::S3::BucketPolicy")
        (policy,) = [p for p in policies.values() if "TrailBucket" in json.dumps(p["Properties"])]
        allows = [
            s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Effect"] == "Allow"
        ]
        assert {json.dumps(s["Principal"]) for s in allows} == {
            json.dumps({"Service": "cloudtrail.amazonaws.com"})
        }
        (put,) = [s for s in allows if s["Action"] == "s3:PutObject"]
        assert put["Condition"] == {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}
        assert put["Resource"]["Fn::Join"][1][-1] == "/AWSLogs/987654321098/*"

    def test_the_key_admits_this_trail_only(self, synthesized: Any) -> None:
        env: Synthesized = synthesized("production")
        encrypt = by_sid(env, "AllowCloudTrailToEncryptLogs")
        assert encrypt["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert encrypt["Action"] == "kms:GenerateDataKey*"
        source = json.dumps(encrypt["Condition"]["StringEquals"]["aws:SourceArn"])
        assert ":cloudtrail:us-east-1:987654321098:trail/production-family-budget" in source
        describe = by_sid(env, "AllowCloudTrailToDescribeKey")
        assert describe["Action"] == "kms:DescribeKey"
        assert describe["Condition"] == {"StringEquals": encrypt["Condition"]["StringEquals"]}


class TestLogGroupEncryption:
    STACKS = ("Compute", "Database", "Notification", "Monitoring")

    def test_production_log_groups_use_the_key(self, synthesized: Any) -> None:
        env: Synthesized = synthesized("production")
        groups = [
            g for short in self.STACKS for g in env.resources(short, "AWS::Logs::LogGroup").values()
        ]
        assert len(groups) == 9
        for group in groups:
            assert group["Properties"]["KmsKeyId"]["Fn::ImportValue"].startswith(KEY_ARN_EXPORT)
        statement = by_sid(env, "AllowCloudWatchLogsOfThisAccount")
        assert statement["Principal"] == {"Service": "logs.us-east-1.amazonaws.com"}
        assert "kms:GenerateDataKey*" in statement["Action"]
        context = json.dumps(statement["Condition"]["ArnLike"])
        assert "kms:EncryptionContext:aws:logs:arn" in context
        assert ":logs:us-east-1:987654321098:log-group:*" in context

    @pytest.mark.parametrize("name", ["development", "staging"])
    def test_no_key_outside_production(self, synthesized: Any, name: str) -> None:
        env: Synthesized = synthesized(name)
        for short in (*self.STACKS, "Security"):
            for group in env.resources(short, "AWS::Logs::LogGroup").values():
                assert "KmsKeyId" not in group["Properties"]


class TestReceipts:
    def receipts(self, env: Synthesized) -> dict[str, Any]:
        buckets = env.resources("Storage", "AWS::S3::Bucket").values()
        name = f"{env.environment}-family-budget-receipts"
        (bucket,) = [b for b in buckets if b["Properties"]["BucketName"] == name]
        properties: dict[str, Any] = bucket["Properties"]
        return properties

    def test_versioned_in_production(self, env: Synthesized) -> None:
        properties = self.receipts(env)
        rules = properties["LifecycleConfiguration"]["Rules"]
        if env.environment == "production":
            assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
            assert {
                "Id": "expire-old-receipt-versions",
                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                "Status": "Enabled",
            } in rules
        else:
            assert "VersioningConfiguration" not in properties
            assert [r["Id"] for r in rules] == ["receipts-to-glacier", "expire-unconfirmed-uploads"]

    def test_exports_are_never_versioned(self, env: Synthesized) -> None:
        buckets = env.resources("Storage", "AWS::S3::Bucket").values()
        name = f"{env.environment}-family-budget-exports"
        (bucket,) = [b for b in buckets if b["Properties"]["BucketName"] == name]
        assert "VersioningConfiguration" not in bucket["Properties"]


class TestDatabaseMonitoring:
    def test_enhanced_monitoring_and_performance_insights_in_production(
        self, env: Synthesized
    ) -> None:
        (instance,) = env.resources("Database", "AWS::RDS::DBInstance").values()
        properties = instance["Properties"]
        if env.environment == "production":
            assert properties["MonitoringInterval"] == 60
            role = properties["MonitoringRoleArn"]["Fn::GetAtt"][0]
            env.template("Database").has_resource_properties(
                "AWS::IAM::Role",
                {
                    "AssumeRolePolicyDocument": Match.object_like(
                        {
                            "Statement": [
                                Match.object_like(
                                    {"Principal": {"Service": "monitoring.rds.amazonaws.com"}}
                                )
                            ]
                        }
                    ),
                    "ManagedPolicyArns": [
                        Match.object_like(
                            {
                                "Fn::Join": [
                                    "",
                                    Match.array_with(
                                        [
                                            Match.string_like_regexp(
                                                "AmazonRDSEnhancedMonitoringRole"
                                            )
                                        ]
                                    ),
                                ]
                            }
                        )
                    ],
                },
            )
            assert role.startswith("DatabaseMonitoringRole")
            assert properties["EnablePerformanceInsights"] is True
            assert properties["PerformanceInsightsRetentionPeriod"] == 7
            assert properties["PerformanceInsightsKMSKeyId"]["Fn::ImportValue"].startswith(
                KEY_ARN_EXPORT
            )
        else:
            # db.t4g.micro/small offer no Performance Insights; no Enhanced Monitoring cost.
            assert "MonitoringInterval" not in properties
            assert properties["EnablePerformanceInsights"] is False


class TestNotificationFunctions:
    def functions(self, env: Synthesized) -> dict[str, dict[str, Any]]:
        found = {}
        for function in env.resources("Notification", "AWS::Lambda::Function").values():
            handler = function["Properties"]["Handler"].rsplit(".", 1)[-1]
            if handler in NOTIFICATION_HANDLERS:
                found[handler] = function["Properties"]
        assert set(found) == set(NOTIFICATION_HANDLERS)
        return found

    def test_each_has_a_dead_letter_queue(self, env: Synthesized) -> None:
        queues = env.resources("Notification", "AWS::SQS::Queue")
        for handler, properties in self.functions(env).items():
            queue_id = properties["DeadLetterConfig"]["TargetArn"]["Fn::GetAtt"][0]
            queue = queues[queue_id]["Properties"]
            expected = f"{env.environment}-family-budget-{handler.replace('_', '-')}-dlq"
            assert queue["QueueName"] == expected
            assert queue["MessageRetentionPeriod"] == 14 * 24 * 3600
            if env.environment == "production":
                assert queue["KmsMasterKeyId"]["Fn::ImportValue"].startswith(KEY_ARN_EXPORT)
            else:
                assert queue["SqsManagedSseEnabled"] is True

    def test_reserved_concurrency_in_production(self, env: Synthesized) -> None:
        for properties in self.functions(env).values():
            reserved = properties.get("ReservedConcurrentExecutions")
            assert reserved == (10 if env.environment == "production" else None)


class TestMonitoringLoadBalancer:
    def test_hardened(self, variant: Synthesized) -> None:
        albs = variant.resources("Monitoring", "AWS::ElasticLoadBalancingV2::LoadBalancer")
        if variant.environment == "development":
            # Lean: monitoring shares ComputeStack's ALB (TestSharedLoadBalancer, test_compute).
            assert albs == {}
            return
        (alb,) = albs.values()
        attributes = {a["Key"]: a["Value"] for a in alb["Properties"]["LoadBalancerAttributes"]}
        assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
        if variant.environment == "production":
            assert attributes["access_logs.s3.enabled"] == "true"
            assert attributes["access_logs.s3.prefix"] == "alb/monitoring"
        else:
            assert "access_logs.s3.enabled" not in attributes

    def test_functions_may_write_their_encrypted_dead_letter_queue(self, synthesized: Any) -> None:
        env: Synthesized = synthesized("production")
        resources = env.raw("Notification")["Resources"]
        for logical, function in resources.items():
            if function["Type"] != "AWS::Lambda::Function" or not function["Properties"].get(
                "DeadLetterConfig"
            ):
                continue
            role = function["Properties"]["Role"]["Fn::GetAtt"][0]
            statements = [
                statement
                for policy in resources.values()
                if policy["Type"] == "AWS::IAM::Policy"
                and {"Ref": role} in policy["Properties"]["Roles"]
                for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            ]
            (kms,) = [s for s in statements if "kms:GenerateDataKey" in s["Action"]]
            assert set(kms["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}, logical
            assert kms["Resource"]["Fn::ImportValue"].startswith(KEY_ARN_EXPORT)
