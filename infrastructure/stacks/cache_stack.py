"""CacheStack: ElastiCache Redis 7 with TLS and an AUTH token from Secrets Manager."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_elasticache as elasticache
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from stacks.base import FamilyBudgetStack
from stacks.config import REDIS_ENGINE_VERSION, EnvironmentConfig
from stacks.iam_policies import NO_CUSTOMER_KEY_REASON, acknowledge, acknowledge_checkov
from stacks.refs import CacheRefs

REDIS_PORT = 6379


class CacheStack(FamilyBudgetStack):
    """A Redis replication group (two nodes with automatic failover in production)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc,
        encryption_key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config

        self.security_group = ec2.SecurityGroup(
            self,
            "CacheSecurityGroup",
            vpc=vpc,
            description="Redis: 6379 from the application tasks only",
            allow_all_outbound=False,
        )
        self.auth_secret = secretsmanager.Secret(
            self,
            "RedisAuthSecret",
            secret_name=config.secret_name("redis-auth"),
            description="ElastiCache AUTH token (key: token)",
            encryption_key=encryption_key,
            removal_policy=config.removal_policy,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template="{}",
                generate_string_key="token",
                password_length=64,
                exclude_punctuation=True,
            ),
        )
        acknowledge(
            self.auth_secret,
            "AwsSolutions-SMG4",
            "ElastiCache AUTH tokens rotate through ModifyReplicationGroup with a ROTATE/SET "
            "strategy; Secrets Manager has no rotation function for them.",
        )

        if encryption_key is None:
            acknowledge_checkov(self.auth_secret, "CKV_AWS_149", NO_CUSTOMER_KEY_REASON)

        isolated = vpc.select_subnets(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
        subnet_group = elasticache.CfnSubnetGroup(
            self,
            "SubnetGroup",
            description=f"Family Budget {config.name} Redis (isolated subnets)",
            subnet_ids=isolated.subnet_ids,
        )
        self.cache_cluster = elasticache.CfnReplicationGroup(
            self,
            "ReplicationGroup",
            replication_group_description=f"Family Budget {config.name} Redis",
            engine="redis",
            engine_version=REDIS_ENGINE_VERSION,
            cache_node_type=config.cache_node_type,
            num_cache_clusters=2 if config.cache_failover else 1,
            automatic_failover_enabled=config.cache_failover,
            multi_az_enabled=config.cache_failover,
            transit_encryption_enabled=True,
            at_rest_encryption_enabled=config.cache_at_rest_encryption,
            kms_key_id=(
                encryption_key.key_arn
                if encryption_key is not None and config.cache_at_rest_encryption
                else None
            ),
            auth_token=self.auth_secret.secret_value_from_json("token").unsafe_unwrap(),
            port=REDIS_PORT,
            cache_subnet_group_name=subnet_group.ref,
            security_group_ids=[self.security_group.security_group_id],
            snapshot_retention_limit=7 if config.retain_data else 1,
            auto_minor_version_upgrade=True,
        )
        self.cache_cluster.add_resource_dependency(subnet_group)
        if not config.cache_failover:
            acknowledge(
                self.cache_cluster,
                "AwsSolutions-AEC4",
                "The design runs a single Redis node outside production (cost).",
            )
        if not config.cache_at_rest_encryption:
            acknowledge(
                self.cache_cluster,
                "AwsSolutions-AEC3",
                "Transit encryption is on everywhere; the design adds at-rest encryption in "
                "production only, the cache holds no data that is not also in PostgreSQL.",
            )
            acknowledge_checkov(
                self.cache_cluster,
                "CKV_AWS_29",
                "Transit encryption is on everywhere; the design adds at-rest encryption in "
                "production only, the cache holds no data that is not also in PostgreSQL.",
            )
        acknowledge(
            self.cache_cluster,
            "AwsSolutions-AEC5",
            "The default port is kept: the cache is in isolated subnets and its security group "
            "admits the application tasks only.",
        )

        self.redis_endpoint: str = self.cache_cluster.attr_primary_end_point_address
        self.redis_port: str = self.cache_cluster.attr_primary_end_point_port
        self.refs = CacheRefs(
            endpoint=self.redis_endpoint,
            port=self.redis_port,
            auth_secret=self.auth_secret,
            security_group=self.security_group,
        )

        outputs = {
            "RedisEndpoint": self.redis_endpoint,
            "RedisPort": self.redis_port,
            "RedisSecurityGroupId": self.security_group.security_group_id,
            "RedisAuthSecretArn": self.auth_secret.secret_arn,
        }
        for key, value in outputs.items():
            CfnOutput(self, key, value=value, export_name=f"{config.name}-Cache-{key}")
