"""SecurityStack, EcrStack, StorageStack, DatabaseStack and CacheStack against the design's rows.

Expected values are written out here from the design document, not read from stacks.config,
so a wrong row in the config table fails these tests.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match

from cdk_synth import Synthesized

DESIGN: dict[str, dict[str, Any]] = {
    "development": {
        # Lean cost profile: a NAT instance instead of a gateway, the S3 gateway endpoint only.
        "nat": 0,
        "nat_instances": 1,
        "interface_endpoints": [],
        "flow_logs": None,
        "kms_keys": 0,
        "db_class": "db.t4g.micro",
        "backup_days": 7,
        "multi_az": False,
        "rotation": False,
        "node_type": "cache.t4g.micro",
        "failover": False,
        "at_rest": False,
        "tag_mutability": "MUTABLE",
        "backups_versioned": False,
        "access_logs": False,
    },
    "staging": {
        "nat": 1,
        "nat_instances": 0,
        "interface_endpoints": ["ecr.api", "ecr.dkr", "secretsmanager", "email"],
        "flow_logs": "cloud-watch-logs",
        "kms_keys": 0,
        "db_class": "db.t4g.small",
        "backup_days": 14,
        "multi_az": False,
        "rotation": False,
        "node_type": "cache.t4g.small",
        "failover": False,
        "at_rest": False,
        "tag_mutability": "MUTABLE",
        "backups_versioned": False,
        "access_logs": False,
    },
    "production": {
        "nat": 2,
        "nat_instances": 0,
        "interface_endpoints": ["ecr.api", "ecr.dkr", "secretsmanager", "email"],
        "flow_logs": "s3",
        "kms_keys": 1,
        "db_class": "db.t4g.medium",
        "backup_days": 30,
        "multi_az": True,
        "rotation": True,
        "node_type": "cache.t4g.medium",
        "failover": True,
        "at_rest": True,
        "tag_mutability": "IMMUTABLE",
        "backups_versioned": True,
        "access_logs": True,
    },
}


def row(env: Synthesized) -> dict[str, Any]:
    return DESIGN[env.environment]


class TestSecurityStack:
    def test_nat_gateways(self, env: Synthesized) -> None:
        env.template("Security").resource_count_is("AWS::EC2::NatGateway", row(env)["nat"])
        env.template("Security").resource_count_is("AWS::EC2::EIP", row(env)["nat"])
        env.template("Security").resource_count_is("AWS::EC2::Instance", row(env)["nat_instances"])

    def test_three_tier_subnets_in_two_explicit_zones(self, env: Synthesized) -> None:
        subnets = env.resources("Security", "AWS::EC2::Subnet")
        assert len(subnets) == 6
        tiers = sorted(
            next(t["Value"] for t in s["Properties"]["Tags"] if t["Key"] == "aws-cdk:subnet-name")
            for s in subnets.values()
        )
        assert tiers == ["Isolated", "Isolated", "Private", "Private", "Public", "Public"]
        zones = {s["Properties"]["AvailabilityZone"] for s in subnets.values()}
        assert zones == {"us-east-1a", "us-east-1b"}

    def test_vpc_endpoints(self, env: Synthesized) -> None:
        endpoints = env.resources("Security", "AWS::EC2::VPCEndpoint")
        services = sorted(json.dumps(e["Properties"]["ServiceName"]) for e in endpoints.values())
        interface = row(env)["interface_endpoints"]
        assert len(endpoints) == 1 + len(interface)
        for fragment in (".s3", *interface):
            assert sum(fragment in s for s in services) == 1, (fragment, services)
        gateway = [e for e in endpoints.values() if ".s3" in json.dumps(e)]
        assert [e["Properties"]["VpcEndpointType"] for e in gateway] == ["Gateway"]

    def test_flow_logs(self, env: Synthesized) -> None:
        expected = row(env)["flow_logs"]
        template = env.template("Security")
        if expected is None:
            template.resource_count_is("AWS::EC2::FlowLog", 0)
        else:
            template.has_resource_properties(
                "AWS::EC2::FlowLog",
                {"LogDestinationType": expected, "TrafficType": "ALL", "ResourceType": "VPC"},
            )

    def test_kms_key_only_in_production(self, env: Synthesized) -> None:
        env.template("Security").resource_count_is("AWS::KMS::Key", row(env)["kms_keys"])
        if row(env)["kms_keys"]:
            env.template("Security").has_resource_properties(
                "AWS::KMS::Key", {"EnableKeyRotation": True}
            )

    def test_four_design_secrets(self, env: Synthesized) -> None:
        secrets = env.resources("Security", "AWS::SecretsManager::Secret")
        names = sorted(s["Properties"]["Name"] for s in secrets.values())
        e = env.environment
        assert names == [
            f"{e}/family-budget/database",
            f"{e}/family-budget/external-services",
            f"{e}/family-budget/jwt",
            f"{e}/family-budget/plaid",
        ]
        template = env.template("Security")
        template.has_resource_properties(
            "AWS::SecretsManager::Secret",
            {
                "Name": f"{e}/family-budget/database",
                "GenerateSecretString": {
                    "GenerateStringKey": "password",
                    "SecretStringTemplate": Match.serialized_json(
                        {
                            "username": "dbadmin",
                            "engine": "postgres",
                            "port": 5432,
                            "dbname": "family_budget",
                        }
                    ),
                },
            },
        )
        template.has_resource_properties(
            "AWS::SecretsManager::Secret",
            {
                "Name": f"{e}/family-budget/jwt",
                "GenerateSecretString": Match.object_like({"GenerateStringKey": "secret_key"}),
            },
        )
        plaid = next(s for s in secrets.values() if s["Properties"]["Name"].endswith("/plaid"))
        assert set(json.loads(plaid["Properties"]["SecretString"])) == {
            "client_id",
            "secret",
            "environment",
        }

    def test_exports(self, env: Synthesized) -> None:
        outputs = env.outputs("Security")
        for key in ("VpcId", "PrivateSubnetIds", "DatabaseSecretArn", "PlaidSecretArn"):
            assert outputs[key]["Export"]["Name"] == f"{env.environment}-{key}"


class TestEcrStack:
    def test_repositories(self, env: Synthesized) -> None:
        repositories = env.resources("Ecr", "AWS::ECR::Repository")
        names = sorted(r["Properties"]["RepositoryName"] for r in repositories.values())
        e = env.environment
        assert names == [
            f"{e}/family-budget/{n}" for n in ("backend", "frontend", "migrations", "worker")
        ]
        for repository in repositories.values():
            props = repository["Properties"]
            assert props["ImageScanningConfiguration"] == {"ScanOnPush": True}
            assert props["ImageTagMutability"] == row(env)["tag_mutability"]
            # ECR encrypts at rest with AES-256 unless KMS is asked for (aws-cdk-lib omits it).
            assert props.get("EncryptionConfiguration") in (None, {"EncryptionType": "AES256"})
            policy = json.loads(props["LifecyclePolicy"]["LifecyclePolicyText"])
            assert policy["rules"][0]["selection"]["countType"] == "imageCountMoreThan"
            assert policy["rules"][0]["selection"]["countNumber"] == 10


class TestStorageStack:
    def bucket(self, env: Synthesized, short: str) -> dict[str, Any]:
        name = f"{env.environment}-family-budget-{short}"
        buckets = env.resources("Storage", "AWS::S3::Bucket")
        found = [b for b in buckets.values() if b["Properties"].get("BucketName") == name]
        assert len(found) == 1, name
        properties: dict[str, Any] = found[0]["Properties"]
        return properties

    def test_all_buckets_private_and_encrypted(self, env: Synthesized) -> None:
        for bucket in env.resources("Storage", "AWS::S3::Bucket").values():
            props = bucket["Properties"]
            assert props["PublicAccessBlockConfiguration"] == {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            }
            encryption = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
            assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"

    def test_exports_bucket(self, env: Synthesized) -> None:
        props = self.bucket(env, "exports")
        assert props["LifecycleConfiguration"] == {
            "Rules": [{"Id": "expire-exports", "ExpirationInDays": 30, "Status": "Enabled"}]
        }
        cors = props["CorsConfiguration"]["CorsRules"][0]
        assert set(cors["AllowedMethods"]) == {"GET", "PUT", "POST"}
        expected_origin = {
            "development": "*",
            "staging": "https://app-staging.familybudget.app",
            "production": "https://app.familybudget.app",
        }[env.environment]
        assert cors["AllowedOrigins"] == [expected_origin]

    def test_receipts_bucket(self, env: Synthesized) -> None:
        props = self.bucket(env, "receipts")
        rule = props["LifecycleConfiguration"]["Rules"][0]
        assert rule["Transitions"] == [{"StorageClass": "GLACIER", "TransitionInDays": 90}]

    def test_backups_bucket(self, env: Synthesized) -> None:
        props = self.bucket(env, "backups")
        rules = props["LifecycleConfiguration"]["Rules"]
        assert {"Id": "expire-backups", "ExpirationInDays": 30, "Status": "Enabled"} in rules
        versioned = props.get("VersioningConfiguration") == {"Status": "Enabled"}
        assert versioned is row(env)["backups_versioned"]

    def test_access_logging_in_production_only(self, env: Synthesized) -> None:
        for short in ("exports", "receipts", "backups"):
            logged = "LoggingConfiguration" in self.bucket(env, short)
            assert logged is row(env)["access_logs"], short
        env.template("Storage").resource_count_is(
            "AWS::S3::Bucket", 4 if row(env)["access_logs"] else 3
        )


class TestDatabaseStack:
    def test_instance(self, env: Synthesized) -> None:
        env.template("Database").has_resource_properties(
            "AWS::RDS::DBInstance",
            {
                "Engine": "postgres",
                "EngineVersion": "15.17",
                "DBInstanceClass": row(env)["db_class"],
                "BackupRetentionPeriod": row(env)["backup_days"],
                "MultiAZ": row(env)["multi_az"],
                "AllocatedStorage": "20",
                "MaxAllocatedStorage": 100,
                "StorageEncrypted": True,
                "DBName": "family_budget",
                "EnableCloudwatchLogsExports": ["postgresql", "upgrade"],
                "DBSubnetGroupName": Match.any_value(),
                "PubliclyAccessible": False,
            },
        )

    def test_tls_required(self, env: Synthesized) -> None:
        env.template("Database").has_resource_properties(
            "AWS::RDS::DBParameterGroup",
            {"Family": "postgres15", "Parameters": Match.object_like({"rds.force_ssl": "1"})},
        )

    def test_uses_the_security_stack_secret(self, env: Synthesized) -> None:
        instance = next(iter(env.resources("Database", "AWS::RDS::DBInstance").values()))
        password = json.dumps(instance["Properties"]["MasterUserPassword"])
        assert "SecurityStack" in password and "SecretString:password" in password

    def test_rotation_every_30_days_in_production_only(self, env: Synthesized) -> None:
        schedules = env.resources("Database", "AWS::SecretsManager::RotationSchedule")
        if row(env)["rotation"]:
            assert len(schedules) == 1
            rules = next(iter(schedules.values()))["Properties"]["RotationRules"]
            assert rules == {"ScheduleExpression": "rate(30 days)"}
        else:
            assert schedules == {}

    def test_log_groups_one_week(self, env: Synthesized) -> None:
        groups = env.resources("Database", "AWS::Logs::LogGroup")
        assert {g["Properties"]["RetentionInDays"] for g in groups.values()} == {7}
        assert len(groups) == 2


class TestCacheStack:
    def test_replication_group(self, env: Synthesized) -> None:
        failover = row(env)["failover"]
        env.template("Cache").has_resource_properties(
            "AWS::ElastiCache::ReplicationGroup",
            {
                "Engine": "redis",
                "EngineVersion": "7.1",
                "CacheNodeType": row(env)["node_type"],
                "AutomaticFailoverEnabled": failover,
                "MultiAZEnabled": failover,
                "NumCacheClusters": 2 if failover else 1,
                "TransitEncryptionEnabled": True,
                "AtRestEncryptionEnabled": row(env)["at_rest"],
            },
        )

    def test_auth_token_from_secrets_manager(self, env: Synthesized) -> None:
        template = env.template("Cache")
        template.has_resource_properties(
            "AWS::SecretsManager::Secret",
            {
                "Name": f"{env.environment}/family-budget/redis-auth",
                "GenerateSecretString": Match.object_like({"GenerateStringKey": "token"}),
            },
        )
        group = next(iter(env.resources("Cache", "AWS::ElastiCache::ReplicationGroup").values()))
        token = json.dumps(group["Properties"]["AuthToken"])
        assert "resolve:secretsmanager:" in token and "SecretString:token" in token


@pytest.mark.parametrize("short", ["Database", "Cache"])
def test_data_stores_in_isolated_subnets(env: Synthesized, short: str) -> None:
    resource_type = {
        "Database": "AWS::RDS::DBSubnetGroup",
        "Cache": "AWS::ElastiCache::SubnetGroup",
    }[short]
    group = next(iter(env.resources(short, resource_type).values()))
    subnet_refs = json.dumps(group["Properties"]["SubnetIds"])
    assert subnet_refs.count("IsolatedSubnet") == 2


class TestNatInstance:
    """Development (lean): one Graviton NAT instance that only the VPC can send through."""

    def instance(self, env: Synthesized) -> dict[str, Any]:
        (instance,) = env.resources("Security", "AWS::EC2::Instance").values()
        properties: dict[str, Any] = instance["Properties"]
        return properties

    def test_small_graviton_instance_in_a_public_subnet(self, synthesized: Any) -> None:
        env: Synthesized = synthesized("development")
        props = self.instance(env)
        assert props["InstanceType"] == "t4g.nano"
        assert props["SourceDestCheck"] is False
        assert props["CreditSpecification"] == {"CPUCredits": "standard"}
        (interface,) = props["NetworkInterfaces"]
        assert interface["AssociatePublicIpAddress"] is True
        assert "PublicSubnet1" in json.dumps(interface["SubnetId"])
        # Amazon Linux 2023 for arm64, resolved from AWS's public SSM parameter at deploy time.
        parameter = env.raw("Security")["Parameters"][props["ImageId"]["Ref"]]
        assert parameter["Default"].endswith("al2023-ami-kernel-6.1-arm64")

    def test_encrypted_root_volume_and_imdsv2(self, synthesized: Any) -> None:
        env: Synthesized = synthesized("development")
        props = self.instance(env)
        assert props["BlockDeviceMappings"] == [
            {
                "DeviceName": "/dev/xvda",
                "Ebs": {"Encrypted": True, "VolumeType": "gp3", "VolumeSize": 8},
            }
        ]
        (launch,) = env.resources("Security", "AWS::EC2::LaunchTemplate").values()
        assert launch["Properties"]["LaunchTemplateData"]["MetadataOptions"] == {
            "HttpTokens": "required"
        }

    def test_only_the_vpc_sends_through_it(self, synthesized: Any) -> None:
        env: Synthesized = synthesized("development")
        props = self.instance(env)
        (group_ref,) = props["NetworkInterfaces"][0]["GroupSet"]
        group = env.raw("Security")["Resources"][group_ref["Fn::GetAtt"][0]]["Properties"]
        assert group["SecurityGroupIngress"] == [
            {
                "CidrIp": "10.0.0.0/16",
                "Description": "Traffic out of the VPC",
                "IpProtocol": "-1",
            }
        ]
        assert group["SecurityGroupEgress"] == [
            {
                "CidrIp": "0.0.0.0/0",
                "Description": "Allow all outbound traffic by default",
                "IpProtocol": "-1",
            }
        ]

    def test_private_subnets_route_through_it(self, synthesized: Any) -> None:
        env: Synthesized = synthesized("development")
        (instance_id,) = env.resources("Security", "AWS::EC2::Instance")
        routes = [
            r["Properties"]
            for r in env.resources("Security", "AWS::EC2::Route").values()
            if "InstanceId" in r["Properties"]
        ]
        assert len(routes) == 2
        for route in routes:
            assert route["DestinationCidrBlock"] == "0.0.0.0/0"
            assert route["InstanceId"] == {"Ref": instance_id}
            assert "PrivateSubnet" in json.dumps(route["RouteTableId"])
