"""StorageStack: the exports, receipts and backups buckets."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from stacks.base import FamilyBudgetStack
from stacks.config import EnvironmentConfig
from stacks.iam_policies import acknowledge, acknowledge_checkov
from stacks.refs import StorageRefs

# Where browsers' presigned uploads of receipts land before the app confirms them (the backend's
# family_budget.receipts.service keeps them under this prefix).
RECEIPT_UPLOADS_PREFIX = "uploads/"


def bucket_name(config: EnvironmentConfig, short_name: str) -> str:
    """Physical bucket name of the design, e.g. ``staging-family-budget-exports``."""
    return f"{config.prefix}-{short_name}"


class StorageStack(FamilyBudgetStack):
    """Private, encrypted buckets with the design's lifecycles."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        cors_allowed_origins: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        removal = config.removal_policy

        self.access_logs_bucket: s3.Bucket | None = None
        if config.bucket_access_logs:
            self.access_logs_bucket = s3.Bucket(
                self,
                "AccessLogsBucket",
                bucket_name=bucket_name(config, "access-logs"),
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                encryption=s3.BucketEncryption.S3_MANAGED,
                enforce_ssl=True,
                object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
                removal_policy=removal,
                lifecycle_rules=[
                    s3.LifecycleRule(id="expire-access-logs", expiration=Duration.days(90))
                ],
            )
            acknowledge(
                self.access_logs_bucket,
                "AwsSolutions-S1",
                "This is the access-log target bucket; logging it into itself would loop.",
            )
            acknowledge_checkov(
                self.access_logs_bucket,
                "CKV_AWS_18",
                "This is the access-log target bucket; logging it into itself would loop.",
            )
            acknowledge_checkov(
                self.access_logs_bucket,
                "CKV_AWS_21",
                "Written only by the S3 and ELB log delivery services and expired after 90 "
                "days; versions would only keep deleted logs longer.",
            )

        self.exports_bucket = self._bucket(
            "ExportsBucket",
            "exports",
            removal,
            lifecycle_rules=[s3.LifecycleRule(id="expire-exports", expiration=Duration.days(30))],
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.GET, s3.HttpMethods.PUT, s3.HttpMethods.POST],
                    allowed_origins=cors_allowed_origins,
                    allowed_headers=["*"],
                    exposed_headers=["ETag"],
                    max_age=3000,
                )
            ],
        )
        acknowledge_checkov(
            self.exports_bucket,
            "CKV_AWS_21",
            "Exports are made again on demand from the database and expire after 30 days; "
            "old versions would keep copies of family data past the promised expiry.",
        )
        receipts_rules = [
            s3.LifecycleRule(
                id="receipts-to-glacier",
                transitions=[
                    s3.Transition(
                        storage_class=s3.StorageClass.GLACIER,
                        transition_after=Duration.days(90),
                    )
                ],
            ),
            # Browser uploads wait under uploads/ until the app confirms them (checks their
            # content, strips their metadata and stores the clean copy elsewhere); one never
            # confirmed is gone after a day, with its GPS position.
            s3.LifecycleRule(
                id="expire-unconfirmed-uploads",
                prefix=RECEIPT_UPLOADS_PREFIX,
                expiration=Duration.days(1),
                abort_incomplete_multipart_upload_after=Duration.days(1),
            ),
        ]
        if config.receipts_versioned:
            # Receipts exist only here (a photo the family took): an overwritten or deleted
            # one can be restored for 30 days, then its old version goes.
            receipts_rules.append(
                s3.LifecycleRule(
                    id="expire-old-receipt-versions",
                    noncurrent_version_expiration=Duration.days(30),
                )
            )
        self.receipts_bucket = self._bucket(
            "ReceiptsBucket",
            "receipts",
            removal,
            lifecycle_rules=receipts_rules,
            versioned=config.receipts_versioned,
            # The web app's browsers POST photos straight here (presigned, size and type
            # conditions); nothing else is read or written cross-origin.
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.POST],
                    allowed_origins=cors_allowed_origins,
                    allowed_headers=["*"],
                    max_age=3000,
                )
            ],
        )
        backups_rules = [s3.LifecycleRule(id="expire-backups", expiration=Duration.days(30))]
        if config.backups_versioned:
            backups_rules.append(
                s3.LifecycleRule(
                    id="expire-old-backup-versions",
                    noncurrent_version_expiration=Duration.days(30),
                )
            )
        self.backups_bucket = self._bucket(
            "BackupsBucket",
            "backups",
            removal,
            lifecycle_rules=backups_rules,
            versioned=config.backups_versioned,
        )

        for bucket, versioned in (
            (self.receipts_bucket, config.receipts_versioned),
            (self.backups_bucket, config.backups_versioned),
        ):
            if not versioned:
                acknowledge_checkov(
                    bucket,
                    "CKV_AWS_21",
                    "Development and staging hold disposable test data; the family's data is "
                    "versioned in production.",
                )

        self.refs = StorageRefs(
            exports_bucket=self.exports_bucket,
            receipts_bucket=self.receipts_bucket,
            backups_bucket=self.backups_bucket,
            access_logs_bucket=self.access_logs_bucket,
        )

        for key, bucket in (
            ("Exports", self.exports_bucket),
            ("Receipts", self.receipts_bucket),
            ("Backups", self.backups_bucket),
        ):
            CfnOutput(
                self,
                f"{key}BucketName",
                value=bucket.bucket_name,
                export_name=f"{config.name}-{key}BucketName",
            )
            CfnOutput(
                self,
                f"{key}BucketArn",
                value=bucket.bucket_arn,
                export_name=f"{config.name}-{key}BucketArn",
            )

    def _bucket(
        self,
        construct_id: str,
        short_name: str,
        removal: RemovalPolicy,
        *,
        lifecycle_rules: list[s3.LifecycleRule],
        cors: list[s3.CorsRule] | None = None,
        versioned: bool = False,
    ) -> s3.Bucket:
        bucket = s3.Bucket(
            self,
            construct_id,
            bucket_name=bucket_name(self.config, short_name),
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=versioned,
            lifecycle_rules=lifecycle_rules,
            cors=cors,
            removal_policy=removal,
            server_access_logs_bucket=self.access_logs_bucket,
            server_access_logs_prefix=f"{short_name}/" if self.access_logs_bucket else None,
        )
        if self.access_logs_bucket is None:
            acknowledge(
                bucket,
                "AwsSolutions-S1",
                "The design turns on S3 access logging in production only (cost).",
            )
            acknowledge_checkov(
                bucket,
                "CKV_AWS_18",
                "The design turns on S3 access logging in production only (cost).",
            )
        return bucket
