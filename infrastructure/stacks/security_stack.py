"""SecurityStack: the VPC, its endpoints and flow logs, the KMS key and the four secrets."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import ArnFormat, Aspects, CfnOutput, Duration, RemovalPolicy, SecretValue
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from stacks.base import FamilyBudgetStack
from stacks.config import NAT_INSTANCE_TYPE, VPC_CIDR, EnvironmentConfig, availability_zones
from stacks.iam_policies import (
    NO_CUSTOMER_KEY_REASON,
    acknowledge,
    acknowledge_checkov,
    acknowledge_deploy_time_functions,
    secrets_manager_decrypt_statement,
)
from stacks.refs import AppSecretRefs, NetworkRefs


class SecurityStack(FamilyBudgetStack):
    """Foundation resources every other stack builds on."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        plaid_environment: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        removal = config.removal_policy

        self.encryption_key: kms.IKey | None = None
        if config.kms_encryption:
            key = kms.Key(
                self,
                "EncryptionKey",
                alias=f"alias/{config.prefix}",
                description=f"Encryption key for {config.name} Family Budget data",
                enable_key_rotation=True,
                removal_policy=RemovalPolicy.RETAIN,
            )
            # CloudWatch alarms and SES events publish to topics encrypted with this key, and
            # SNS delivers the SES events into a queue encrypted with it.
            key.add_to_resource_policy(
                iam.PolicyStatement(
                    actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                    principals=[
                        iam.ServicePrincipal("cloudwatch.amazonaws.com"),
                        iam.ServicePrincipal("ses.amazonaws.com"),
                        iam.ServicePrincipal("sns.amazonaws.com"),
                    ],
                    resources=["*"],
                )
            )
            key.add_to_resource_policy(secrets_manager_decrypt_statement(self.region, self.account))
            key.add_to_resource_policy(log_groups_statement(self))
            acknowledge_checkov(
                key,
                "CKV_AWS_33",
                "The '*' principal is bound by kms:CallerAccount (this account) and "
                "kms:ViaService (Secrets Manager here), as in AWS's own aws/secretsmanager key "
                "policy; it lets task roles of later stacks read secrets without a key grant.",
            )
            self.encryption_key = key

        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR),
            availability_zones=availability_zones(self.region),
            nat_gateways=config.nat_count,
            nat_gateway_provider=self._nat_instances()
            if config.cost_profile.nat_instances
            else None,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="Public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                ),
                ec2.SubnetConfiguration(
                    name="Private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22
                ),
                ec2.SubnetConfiguration(
                    name="Isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                ),
            ],
        )
        if config.cost_profile.nat_instances:
            self._harden_nat_instances()
        acknowledge_deploy_time_functions(
            self.node.find_child("Custom::VpcRestrictDefaultSGCustomResourceProvider"),
            "CKV_AWS_115",
            "CKV_AWS_116",
            "CKV_AWS_117",
        )
        if config.flow_logs:
            self._add_flow_logs(removal)
        else:
            acknowledge(
                self.vpc,
                "AwsSolutions-VPC7",
                "The design enables VPC flow logs in staging and production only (cost).",
            )

        self.endpoint_security_group = ec2.SecurityGroup(
            self,
            "EndpointSecurityGroup",
            vpc=self.vpc,
            description="Interface VPC endpoints: HTTPS from inside the VPC",
            allow_all_outbound=False,
        )
        self.endpoint_security_group.add_ingress_rule(
            ec2.Peer.ipv4(VPC_CIDR), ec2.Port.tcp(443), "HTTPS from the VPC"
        )
        self.vpc.add_gateway_endpoint("S3Endpoint", service=ec2.GatewayVpcEndpointAwsService.S3)
        # Lean: the S3 gateway endpoint only (free); ECR, Secrets Manager and SES are reached
        # through the NAT instance, whose traffic costs less than eight endpoint-AZs ($58/month).
        interface_endpoints = (
            (
                ("EcrApiEndpoint", ec2.InterfaceVpcEndpointAwsService.ECR),
                ("EcrDockerEndpoint", ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER),
                ("SecretsManagerEndpoint", ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER),
                ("SesEndpoint", ec2.InterfaceVpcEndpointAwsService.EMAIL),
            )
            if config.cost_profile.interface_endpoints
            else ()
        )
        endpoint_subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        for endpoint_id, service in interface_endpoints:
            self.vpc.add_interface_endpoint(
                endpoint_id,
                service=service,
                subnets=endpoint_subnets,
                security_groups=[self.endpoint_security_group],
                private_dns_enabled=True,
                open=False,
            )

        self.database_secret = secretsmanager.Secret(
            self,
            "DatabaseSecret",
            secret_name=config.secret_name("database"),
            description="PostgreSQL master credentials (host/port filled in by RDS)",
            encryption_key=self.encryption_key,
            removal_policy=removal,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps(
                    {
                        "username": "dbadmin",
                        "engine": "postgres",
                        "port": 5432,
                        "dbname": "family_budget",
                    }
                ),
                generate_string_key="password",
                password_length=32,
                exclude_punctuation=True,
            ),
        )
        acknowledge(
            self.database_secret,
            "AwsSolutions-SMG4",
            "The design rotates the database password in production only; there its "
            "rotation schedule lives in DatabaseStack, on the RDS secret attachment, which "
            "cdk-nag cannot see from this template."
            if config.db_rotation_days is not None
            else "The design rotates the database password in production only.",
        )
        self.plaid_secret = secretsmanager.Secret(
            self,
            "PlaidSecret",
            secret_name=config.secret_name("plaid"),
            description="Plaid API keys (filled in by scripts/populate-secrets.py)",
            encryption_key=self.encryption_key,
            removal_policy=removal,
            secret_object_value={
                "client_id": SecretValue.unsafe_plain_text(""),
                "secret": SecretValue.unsafe_plain_text(""),
                "environment": SecretValue.unsafe_plain_text(plaid_environment),
            },
        )
        acknowledge(
            self.plaid_secret,
            "AwsSolutions-SMG4",
            "Plaid keys are issued by Plaid and rotated in the Plaid dashboard, then stored "
            "with scripts/populate-secrets.py; Secrets Manager cannot rotate them.",
        )
        self.jwt_secret = secretsmanager.Secret(
            self,
            "JwtSecret",
            secret_name=config.secret_name("jwt"),
            description="JWT signing key and token lifetimes",
            encryption_key=self.encryption_key,
            removal_policy=removal,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps(
                    {
                        "algorithm": "HS256",
                        "access_token_expire_minutes": 15,
                        "refresh_token_expire_days": 7,
                    }
                ),
                generate_string_key="secret_key",
                password_length=64,
                exclude_punctuation=True,
            ),
        )
        acknowledge(
            self.jwt_secret,
            "AwsSolutions-SMG4",
            "The JWT key is rotated quarterly by hand (design: Security Best Practices); an "
            "automatic rotation would sign every user out without a key-overlap window.",
        )
        self.external_services_secret = secretsmanager.Secret(
            self,
            "ExternalServicesSecret",
            secret_name=config.secret_name("external-services"),
            description="Third-party API keys and push credentials (populate-secrets.py)",
            encryption_key=self.encryption_key,
            removal_policy=removal,
            secret_object_value={
                "sendgrid_api_key": SecretValue.unsafe_plain_text(""),
                "sentry_dsn": SecretValue.unsafe_plain_text(""),
                "stripe_api_key": SecretValue.unsafe_plain_text(""),
            },
        )
        acknowledge(
            self.external_services_secret,
            "AwsSolutions-SMG4",
            "Keys issued by third parties (SendGrid, Sentry, Stripe, Apple, Google) are rotated "
            "at their issuer and stored with scripts/populate-secrets.py.",
        )

        if self.encryption_key is None:
            for secret in (
                self.database_secret,
                self.plaid_secret,
                self.jwt_secret,
                self.external_services_secret,
            ):
                acknowledge_checkov(secret, "CKV_AWS_149", NO_CUSTOMER_KEY_REASON)

        self.trail: cloudtrail.Trail | None = None
        if config.cloudtrail:
            self.trail = self._add_trail()

        self.network = NetworkRefs(vpc=self.vpc)
        self.app_secrets = AppSecretRefs(
            plaid_secret=self.plaid_secret,
            jwt_secret=self.jwt_secret,
            external_services_secret=self.external_services_secret,
        )
        self._outputs()

    def _nat_instances(self) -> ec2.NatInstanceProviderV2:
        """NAT instances instead of gateways (lean profile): Amazon Linux 2023 on Graviton.

        Tasks stay in the private subnets with no public address, so every security group is
        what it is under the standard profile; only the NAT instance has a public address, and
        its own group accepts traffic from inside the VPC and nothing from the internet. EC2
        recovers the instance by itself after a host failure (simplified automatic recovery);
        a terminated one comes back with the next deploy.
        """
        provider = ec2.NatProvider.instance_v2(
            instance_type=ec2.InstanceType(NAT_INSTANCE_TYPE),
            machine_image=ec2.MachineImage.latest_amazon_linux2023(
                cpu_type=ec2.AmazonLinuxCpuType.ARM_64
            ),
            # Standard credits: a busy week throttles the instance instead of billing surplus.
            credit_specification=ec2.CpuCredits.STANDARD,
            default_allowed_traffic=ec2.NatTrafficDirection.OUTBOUND_ONLY,
            associate_public_ip_address=True,
        )
        self._nat_provider = provider
        return provider

    def _harden_nat_instances(self) -> None:
        provider = self._nat_provider
        provider.connections.allow_from(
            ec2.Peer.ipv4(VPC_CIDR), ec2.Port.all_traffic(), "Traffic out of the VPC"
        )
        for instance in provider.gateway_instances:
            Aspects.of(instance).add(ec2.InstanceRequireImdsv2Aspect())
            # The Amazon Linux 2023 image's own root size, encrypted with the aws/ebs key.
            instance.instance.block_device_mappings = [
                ec2.CfnInstance.BlockDeviceMappingProperty(
                    device_name="/dev/xvda",
                    ebs=ec2.CfnInstance.EbsProperty(
                        encrypted=True, volume_type="gp3", volume_size=8
                    ),
                )
            ]
            acknowledge_checkov(
                instance,
                "CKV_AWS_88",
                "A NAT instance needs a public address to reach the internet for the private "
                "subnets; its security group admits traffic from inside the VPC only.",
            )
            acknowledge(
                instance,
                "AwsSolutions-EC28",
                "Basic five-minute EC2 metrics are enough for a development NAT instance; "
                "detailed monitoring would add seven paid CloudWatch metrics.",
            )
            acknowledge(
                instance,
                "AwsSolutions-EC29",
                "The NAT instance holds no data: EC2 recovers it after a host failure and the "
                "next deploy recreates it; an Auto Scaling group would need a route-updating "
                "hook that a development environment does not warrant.",
            )

    def _add_flow_logs(self, removal: RemovalPolicy) -> None:
        if self.config.flow_logs_to_s3:
            bucket = s3.Bucket(
                self,
                "FlowLogsBucket",
                block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
                encryption=s3.BucketEncryption.S3_MANAGED,
                enforce_ssl=True,
                removal_policy=removal,
                lifecycle_rules=[
                    s3.LifecycleRule(
                        id="expire-flow-logs",
                        expiration=Duration.days(self.config.log_retention_days),
                    )
                ],
            )
            acknowledge(
                bucket,
                "AwsSolutions-S1",
                "This bucket is itself a log sink for VPC flow logs; logging its access "
                "would only log the log delivery service.",
            )
            acknowledge_checkov(
                bucket,
                "CKV_AWS_18",
                "This bucket is itself a log sink for VPC flow logs; logging its access "
                "would only log the log delivery service.",
            )
            acknowledge_checkov(
                bucket,
                "CKV_AWS_21",
                "Written only by the flow-log delivery service and expired after the "
                "retention period; versions would only keep deleted logs longer.",
            )
            destination = ec2.FlowLogDestination.to_s3(bucket)
        else:
            group = logs.LogGroup(
                self,
                "FlowLogsGroup",
                retention=self.config.log_retention,
                removal_policy=removal,
                encryption_key=self.encryption_key,
            )
            if self.encryption_key is None:
                acknowledge_checkov(group, "CKV_AWS_158", NO_CUSTOMER_KEY_REASON)
            destination = ec2.FlowLogDestination.to_cloud_watch_logs(group)
        self.vpc.add_flow_log(
            "FlowLog", destination=destination, traffic_type=ec2.FlowLogTrafficType.ALL
        )

    def _add_trail(self) -> cloudtrail.Trail:
        """A multi-region trail of the account's management events, validated and encrypted,
        into a bucket of its own that keeps the logs for ``trail_retention_days``."""
        config = self.config
        bucket = s3.Bucket(
            self,
            "TrailBucket",
            bucket_name=f"{config.prefix}-cloudtrail",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # A deleted or overwritten log file stays recoverable as a noncurrent version.
            versioned=True,
            removal_policy=config.removal_policy,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="expire-trail-logs",
                    expiration=Duration.days(config.trail_retention_days),
                    noncurrent_version_expiration=Duration.days(30),
                )
            ],
        )
        no_access_logs = (
            "The audit trail's own bucket: CloudTrail is its only writer (bucket policy) and "
            "SecurityStack deploys before the access-logs bucket exists (StorageStack)."
        )
        acknowledge(bucket, "AwsSolutions-S1", no_access_logs)
        acknowledge_checkov(bucket, "CKV_AWS_18", no_access_logs)
        trail = cloudtrail.Trail(
            self,
            "Trail",
            trail_name=config.prefix,
            bucket=bucket,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_file_validation=True,
            encryption_key=self.encryption_key,
            send_to_cloud_watch_logs=False,
        )
        if self.encryption_key is None:
            acknowledge_checkov(trail, "CKV_AWS_35", NO_CUSTOMER_KEY_REASON)
        else:
            # CloudTrail checks at creation that the key policy lets this trail use the key.
            for statement in cloudtrail_key_statements(self, config.prefix):
                self.encryption_key.add_to_resource_policy(statement)
        acknowledge_checkov(
            trail,
            "CKV_AWS_252",
            "Nobody subscribes to per-file delivery notices; the trail is read when "
            "investigating, and log file validation proves it was not altered.",
        )
        return trail

    def _outputs(self) -> None:
        prefix = self.config.name
        values: dict[str, tuple[str, str]] = {
            "VpcId": (self.vpc.vpc_id, "VPC id"),
            "PublicSubnetIds": (
                ",".join(s.subnet_id for s in self.vpc.public_subnets),
                "Public subnet ids",
            ),
            "PrivateSubnetIds": (
                ",".join(s.subnet_id for s in self.vpc.private_subnets),
                "Private (egress) subnet ids",
            ),
            "IsolatedSubnetIds": (
                ",".join(s.subnet_id for s in self.vpc.isolated_subnets),
                "Isolated subnet ids",
            ),
            "EndpointSecurityGroupId": (
                self.endpoint_security_group.security_group_id,
                "Security group of the interface endpoints",
            ),
            "DatabaseSecretArn": (self.database_secret.secret_arn, "Database secret"),
            "PlaidSecretArn": (self.plaid_secret.secret_arn, "Plaid secret"),
            "JwtSecretArn": (self.jwt_secret.secret_arn, "JWT secret"),
            "ExternalServicesSecretArn": (
                self.external_services_secret.secret_arn,
                "External services secret",
            ),
        }
        if self.trail is not None:
            values["TrailArn"] = (self.trail.trail_arn, "CloudTrail trail")
        if self.encryption_key is not None:
            values["EncryptionKeyArn"] = (self.encryption_key.key_arn, "KMS key")
        for key, (value, description) in values.items():
            CfnOutput(
                self, key, value=value, description=description, export_name=f"{prefix}-{key}"
            )


def log_groups_statement(stack: FamilyBudgetStack) -> iam.PolicyStatement:
    """Key-policy statement: CloudWatch Logs encrypts this account's log groups with the key."""
    return iam.PolicyStatement(
        sid="AllowCloudWatchLogsOfThisAccount",
        actions=[
            "kms:Encrypt*",
            "kms:Decrypt*",
            "kms:ReEncrypt*",
            "kms:GenerateDataKey*",
            "kms:Describe*",
        ],
        principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
        resources=["*"],
        conditions={
            "ArnLike": {
                "kms:EncryptionContext:aws:logs:arn": stack.format_arn(
                    service="logs",
                    resource="log-group",
                    resource_name="*",
                    arn_format=ArnFormat.COLON_RESOURCE_NAME,
                )
            }
        },
    )


def cloudtrail_key_statements(
    stack: FamilyBudgetStack, trail_name: str
) -> list[iam.PolicyStatement]:
    """Key-policy statements of AWS's CloudTrail default key policy, for this one trail."""
    principal = iam.ServicePrincipal("cloudtrail.amazonaws.com")
    # Built from the name, not the trail's attribute: the key must not depend on the trail.
    trail_arn = stack.format_arn(service="cloudtrail", resource="trail", resource_name=trail_name)
    return [
        iam.PolicyStatement(
            sid="AllowCloudTrailToEncryptLogs",
            actions=["kms:GenerateDataKey*"],
            principals=[principal],
            resources=["*"],
            conditions={
                "StringEquals": {"aws:SourceArn": trail_arn},
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": (
                        f"arn:{stack.partition}:cloudtrail:*:{stack.account}:trail/*"
                    )
                },
            },
        ),
        iam.PolicyStatement(
            sid="AllowCloudTrailToDescribeKey",
            actions=["kms:DescribeKey"],
            principals=[principal],
            resources=["*"],
            conditions={"StringEquals": {"aws:SourceArn": trail_arn}},
        ),
    ]
