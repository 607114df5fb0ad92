"""DatabaseStack: RDS PostgreSQL 15 in the isolated subnets."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from stacks.base import FamilyBudgetStack
from stacks.config import POSTGRES_MINOR_VERSION, EnvironmentConfig
from stacks.iam_policies import (
    NO_CUSTOMER_KEY_REASON,
    acknowledge,
    acknowledge_checkov,
    secret_reference,
)
from stacks.refs import DatabaseRefs

DATABASE_NAME = "family_budget"
DATABASE_PORT = 5432
LOG_EXPORTS = ("postgresql", "upgrade")


class DatabaseStack(FamilyBudgetStack):
    """PostgreSQL with TLS required, log exports, backups and (production) Multi-AZ + rotation."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc,
        database_secret: secretsmanager.ISecret,
        encryption_key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config

        self.security_group = ec2.SecurityGroup(
            self,
            "DatabaseSecurityGroup",
            vpc=vpc,
            description="PostgreSQL: 5432 from the application tasks only",
            allow_all_outbound=False,
        )
        engine = rds.DatabaseInstanceEngine.postgres(
            version=rds.PostgresEngineVersion.of(POSTGRES_MINOR_VERSION, "15")
        )
        parameter_group = rds.ParameterGroup(
            self,
            "ParameterGroup",
            engine=engine,
            description="Family Budget PostgreSQL 15: TLS required",
            parameters={"rds.force_ssl": "1", "log_min_duration_statement": "1000"},
        )
        # The secret lives in SecurityStack; a local reference keeps the RDS attachment (which
        # writes host/port into the secret) in this stack and avoids a dependency cycle.
        secret = secret_reference(self, "DatabaseSecretRef", database_secret)
        # Log groups made here (not by RDS) so their retention needs no custom resource.
        instance_identifier = f"{config.prefix}-db"
        log_groups = [
            logs.LogGroup(
                self,
                f"{log_type.capitalize()}Logs",
                log_group_name=f"/aws/rds/instance/{instance_identifier}/{log_type}",
                retention=logs.RetentionDays.ONE_WEEK,
                removal_policy=RemovalPolicy.DESTROY,
                encryption_key=encryption_key,
            )
            for log_type in LOG_EXPORTS
        ]
        if encryption_key is None:
            for log_group in log_groups:
                acknowledge_checkov(log_group, "CKV_AWS_158", NO_CUSTOMER_KEY_REASON)
        self.database = rds.DatabaseInstance(
            self,
            "Database",
            instance_identifier=instance_identifier,
            engine=engine,
            instance_type=ec2.InstanceType(config.db_instance_type),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            security_groups=[self.security_group],
            credentials=rds.Credentials.from_secret(secret),
            database_name=DATABASE_NAME,
            port=DATABASE_PORT,
            parameter_group=parameter_group,
            allocated_storage=20,
            max_allocated_storage=100,
            storage_type=rds.StorageType.GP3,
            storage_encrypted=True,
            storage_encryption_key=encryption_key,
            multi_az=config.db_multi_az,
            backup_retention=Duration.days(config.db_backup_retention_days),
            deletion_protection=config.db_deletion_protection,
            removal_policy=(
                RemovalPolicy.SNAPSHOT if config.retain_data else RemovalPolicy.DESTROY
            ),
            delete_automated_backups=not config.retain_data,
            iam_authentication=True,
            auto_minor_version_upgrade=False,
            cloudwatch_logs_exports=list(LOG_EXPORTS),
            monitoring_interval=(
                Duration.seconds(config.db_enhanced_monitoring_seconds)
                if config.db_enhanced_monitoring_seconds
                else None
            ),
            enable_performance_insights=config.db_performance_insights,
            performance_insight_retention=(
                rds.PerformanceInsightRetention.DEFAULT if config.db_performance_insights else None
            ),
            performance_insight_encryption_key=(
                encryption_key if config.db_performance_insights else None
            ),
        )
        if config.db_enhanced_monitoring_seconds:
            acknowledge(
                self.database.node.find_child("MonitoringRole"),
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AmazonRDSEnhancedMonitoringRole]",
                "The AWS managed Enhanced Monitoring policy only lets RDS write OS metrics to "
                "its RDSOSMetrics log group; it is maintained by AWS.",
            )
        else:
            acknowledge_checkov(
                self.database,
                "CKV_AWS_118",
                "Enhanced Monitoring (OS metrics into CloudWatch Logs) is on in production; "
                "elsewhere postgres-exporter and the free RDS metrics are enough (design: "
                "minimal CloudWatch).",
            )
        for log_group in log_groups:
            self.database.node.add_dependency(log_group)
        assert self.database.secret is not None
        self.database_secret: secretsmanager.ISecret = self.database.secret
        self.refs = DatabaseRefs(
            secret=self.database_secret,
            endpoint=self.database.db_instance_endpoint_address,
            security_group=self.security_group,
        )

        if config.db_rotation_days is not None:
            self.database.add_rotation_single_user(
                automatically_after=Duration.days(config.db_rotation_days),
                vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            )
        if not config.db_multi_az:
            acknowledge(
                self.database,
                "AwsSolutions-RDS3",
                "The design runs Multi-AZ in production only (cost; acceptable risk).",
            )
            acknowledge_checkov(
                self.database,
                "CKV_AWS_157",
                "The design runs Multi-AZ in production only (cost; acceptable risk).",
            )
        if not config.db_deletion_protection:
            acknowledge(
                self.database,
                "AwsSolutions-RDS10",
                "Development and staging databases are disposable; production is protected.",
            )
        acknowledge(
            self.database,
            "AwsSolutions-RDS11",
            "The default port is kept: the database is in isolated subnets and its security "
            "group admits the application tasks only; a non-default port adds no protection.",
        )

        outputs = {
            "DatabaseEndpoint": self.database.db_instance_endpoint_address,
            "DatabasePort": self.database.db_instance_endpoint_port,
            "DatabaseSecretArn": self.database_secret.secret_arn,
            "DatabaseSecurityGroupId": self.security_group.security_group_id,
        }
        for key, value in outputs.items():
            CfnOutput(self, key, value=value, export_name=f"{config.name}-Database-{key}")
