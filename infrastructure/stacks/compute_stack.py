"""ComputeStack: the ECS cluster, backend/frontend/worker/beat services and the migration task."""

from __future__ import annotations

from email.utils import parseaddr
from typing import Any, cast

from aws_cdk import CfnElement, CfnOutput, Duration, Fn
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_ecs_patterns as ecs_patterns
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_servicediscovery as servicediscovery
from constructs import Construct

from stacks.base import FamilyBudgetStack
from stacks.config import (
    POSTGRES_EXPORTER_IMAGE,
    REDIS_EXPORTER_IMAGE,
    EnvironmentConfig,
    ScaledService,
    ServiceName,
    TaskSize,
)
from stacks.database_stack import DATABASE_NAME, DATABASE_PORT
from stacks.iam_policies import (
    NO_CUSTOMER_KEY_REASON,
    acknowledge,
    acknowledge_checkov,
    bucket_objects_arn,
    open_egress,
    secret_reference,
    ses_send_statement,
)
from stacks.load_balancers import (
    PublicService,
    acknowledge_plain_http_listener,
    acknowledge_port_80,
    harden_load_balancer,
    refuse_metrics,
)
from stacks.refs import (
    AppSecretRefs,
    CacheRefs,
    DatabaseRefs,
    DnsRefs,
    NetworkRefs,
    NotificationRefs,
    RepositoryRefs,
    StorageRefs,
)
from stacks.shared_load_balancer import API_PORT, APP_PORT, SharedLoadBalancer
from stacks.storage_stack import bucket_name

BACKEND_PORT = 8000
FRONTEND_PORT = 3000
POSTGRES_EXPORTER_PORT = 9187
REDIS_EXPORTER_PORT = 9121
REDIS_PORT = 6379
# Beat sends one small message a minute: the smallest Fargate size in every environment.
BEAT_SIZE = TaskSize(256, 512)
PLAID_WEBHOOK_PATH = "/api/v1/webhooks/plaid"
# `family-budget backup` runs nightly at 03:17 UTC, away from the hour marks everyone else uses.
BACKUP_SCHEDULE = events.Schedule.cron(minute="17", hour="3")
# The design's backups bucket keeps 30 days; the command prunes to the same (and 30 at most).
BACKUP_RETENTION_DAYS = 30
# What `family-budget backup` needs of the backend's secrets: the database, and what the app's
# settings demand before any command starts in production.
BACKUP_SECRETS = ("DATABASE_", "JWT_SECRET", "BANK_TOKEN_ENCRYPTION_KEY")
# The backend's settings (family_budget.config) naming NotificationStack's four topics and its
# mobile platform applications.
TOPIC_SETTINGS = {
    "bill-reminders": "BILL_REMINDERS_TOPIC_ARN",
    "budget-alerts": "BUDGET_ALERTS_TOPIC_ARN",
    "account-sync-failures": "ACCOUNT_SYNC_FAILURES_TOPIC_ARN",
    "security-alerts": "SECURITY_ALERTS_TOPIC_ARN",
}
PLATFORM_APPLICATION_SETTINGS = {
    "apns": "APNS_PLATFORM_APPLICATION_ARN",
    "apns_sandbox": "APNS_SANDBOX_PLATFORM_APPLICATION_ARN",
    "fcm": "FCM_PLATFORM_APPLICATION_ARN",
}


class ComputeStack(FamilyBudgetStack):
    """Fargate services built from this repository's two images."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        network: NetworkRefs,
        repositories: RepositoryRefs,
        image_tag: str,
        app_secrets: AppSecretRefs,
        database: DatabaseRefs,
        cache: CacheRefs,
        storage: StorageRefs,
        notification: NotificationRefs,
        plaid_environment: str,
        dns: DnsRefs | None = None,
        encryption_key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        self.vpc = vpc = network.vpc
        database_secret = secret_reference(self, "DatabaseSecretRef", database.secret)
        plaid_secret = secret_reference(self, "PlaidSecretRef", app_secrets.plaid_secret)
        jwt_secret = secret_reference(self, "JwtSecretRef", app_secrets.jwt_secret)
        redis_auth_secret = secret_reference(self, "RedisAuthSecretRef", cache.auth_secret)
        external_services_secret = secret_reference(
            self, "ExternalServicesSecretRef", app_secrets.external_services_secret
        )
        exports_bucket = storage.exports_bucket
        receipts_bucket = storage.receipts_bucket
        self._access_logs_bucket = storage.access_logs_bucket
        self._dns = dns
        private_subnets = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        self._private_subnets = private_subnets

        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            vpc=vpc,
            cluster_name=config.prefix,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
            enable_fargate_capacity_providers=bool(config.cost_profile.spot_services) or None,
        )
        self.namespace = cast(
            servicediscovery.PrivateDnsNamespace,
            self.cluster.add_default_cloud_map_namespace(
                name=config.namespace,
                type=servicediscovery.NamespaceType.DNS_PRIVATE,
                vpc=vpc,
            ),
        )

        self.backend_image = ecs.ContainerImage.from_ecr_repository(repositories.backend, image_tag)
        frontend_image = ecs.ContainerImage.from_ecr_repository(repositories.frontend, image_tag)

        self.log_group = logs.LogGroup(
            self,
            "ServiceLogs",
            log_group_name=f"/ecs/{config.prefix}",
            retention=config.log_retention,
            removal_policy=config.removal_policy,
            encryption_key=encryption_key,
        )
        if encryption_key is None:
            acknowledge_checkov(self.log_group, "CKV_AWS_158", NO_CUSTOMER_KEY_REASON)

        # --- What the backend image needs, shared by backend, worker and migrate --------
        self.redis_url = f"rediss://{cache.endpoint}:{cache.port}/0"
        self.app_environment: dict[str, str] = {
            "ENVIRONMENT": config.name,
            "REDIS_URL": self.redis_url,
            "PLAID_ENV": plaid_environment,
            "EXPORTS_BUCKET": exports_bucket.bucket_name,
            "RECEIPTS_BUCKET": receipts_bucket.bucket_name,
            "AWS_REGION": self.region,
            "SES_CONFIGURATION_SET": notification.ses_configuration_set_name,
            "EMAIL_FROM_ADDRESS": notification.email_from_address,
            "SES_EVENTS_QUEUE_URL": notification.ses_events_queue.queue_url,
            "LOG_LEVEL": "DEBUG" if config.name == "development" else "INFO",
            # Only the load balancers (in the VPC; the tasks accept nothing else) may say who
            # the client is: a forwarded address from anyone else is ignored.
            "TRUSTED_PROXIES": vpc.vpc_cidr_block,
            # Web Push identifies the sender to push services by this contact.
            "VAPID_SUBJECT": f"mailto:{parseaddr(notification.email_from_address)[1]}",
            **{
                setting: notification.topics_by_name[name].topic_arn
                for name, setting in TOPIC_SETTINGS.items()
            },
            **{
                setting: notification.platform_application_arns[platform]
                for platform, setting in PLATFORM_APPLICATION_SETTINGS.items()
            },
        }
        self.app_secrets: dict[str, ecs.Secret] = {
            "DATABASE_HOST": ecs.Secret.from_secrets_manager(database_secret, "host"),
            "DATABASE_PORT": ecs.Secret.from_secrets_manager(database_secret, "port"),
            "DATABASE_NAME": ecs.Secret.from_secrets_manager(database_secret, "dbname"),
            "DATABASE_USER": ecs.Secret.from_secrets_manager(database_secret, "username"),
            "DATABASE_PASSWORD": ecs.Secret.from_secrets_manager(database_secret, "password"),
            "REDIS_AUTH_TOKEN": ecs.Secret.from_secrets_manager(redis_auth_secret, "token"),
            "JWT_SECRET": ecs.Secret.from_secrets_manager(jwt_secret, "secret_key"),
            "PLAID_CLIENT_ID": ecs.Secret.from_secrets_manager(plaid_secret, "client_id"),
            "PLAID_SECRET": ecs.Secret.from_secrets_manager(plaid_secret, "secret"),
            # Encrypts Plaid access tokens at rest (scripts/populate-secrets.py generates it).
            "BANK_TOKEN_ENCRYPTION_KEY": ecs.Secret.from_secrets_manager(
                plaid_secret, "bank_token_encryption_key"
            ),
            # Signs Web Push requests; one key for every task, or subscriptions break
            # (scripts/populate-secrets.py generates it).
            "VAPID_PRIVATE_KEY": ecs.Secret.from_secrets_manager(
                external_services_secret, "vapid_private_key"
            ),
        }

        # The backend image runs as two roles: backend and migrations share one; the worker's
        # may also consume the SES events queue, which nothing reachable from the internet may.
        self.app_task_role = self._app_task_role(
            "AppTaskRole", "Family Budget backend and migration tasks", storage, notification
        )
        self.worker_task_role = self._app_task_role(
            "WorkerTaskRole", "Family Budget worker tasks", storage, notification
        )
        notification.ses_events_queue.grant_consume_messages(self.worker_task_role)
        self._push_endpoint_permissions(notification)

        # --- Security groups --------------------------------------------------------------
        self.backend_security_group = self._app_security_group(
            "BackendSecurityGroup", "Backend tasks", database, cache
        )
        self.worker_security_group = self._app_security_group(
            "WorkerSecurityGroup", "Worker tasks", database, cache
        )
        # Beat only sends the worker its tick through Redis: no database, no AWS API.
        self.beat_security_group = open_egress(
            ec2.SecurityGroup(self, "BeatSecurityGroup", vpc=vpc, description="Beat task")
        )
        self.beat_security_group.connections.allow_to(
            cache.security_group, ec2.Port.tcp(REDIS_PORT), "Redis"
        )
        self.migration_security_group = self._app_security_group(
            "MigrationSecurityGroup", "One-off migration tasks", database, cache
        )
        self.frontend_security_group = ec2.SecurityGroup(
            self, "FrontendSecurityGroup", vpc=vpc, description="Frontend tasks"
        )

        # Lean profile: one ALB for every entry point (stacks/shared_load_balancer.py).
        self.shared_load_balancer: SharedLoadBalancer | None = None
        if config.cost_profile.shared_load_balancer:
            self.shared_load_balancer = SharedLoadBalancer(
                self, config=config, vpc=vpc, dns=dns, access_logs_bucket=self._access_logs_bucket
            )

        # --- Backend --------------------------------------------------------------------
        backend_task = self._task_definition("BackendTask", config.backend.size, self.app_task_role)
        migrate = self._backend_container(backend_task, "migrate", "migrate", essential=False)
        backend = self._backend_container(backend_task, "backend", "serve", essential=True)
        backend.add_port_mappings(ecs.PortMapping(container_port=BACKEND_PORT, name="http"))
        backend.add_container_dependencies(
            ecs.ContainerDependency(
                container=migrate, condition=ecs.ContainerDependencyCondition.SUCCESS
            )
        )
        exporter = backend_task.add_container(
            "postgres-exporter",
            image=ecs.ContainerImage.from_registry(POSTGRES_EXPORTER_IMAGE),
            essential=False,
            logging=self._logging("postgres-exporter"),
            environment={
                "DATA_SOURCE_URI": (
                    f"{database.endpoint}:{DATABASE_PORT}/{DATABASE_NAME}?sslmode=require"
                )
            },
            secrets={
                "DATA_SOURCE_USER": ecs.Secret.from_secrets_manager(database_secret, "username"),
                "DATA_SOURCE_PASS": ecs.Secret.from_secrets_manager(database_secret, "password"),
            },
            port_mappings=[ecs.PortMapping(container_port=POSTGRES_EXPORTER_PORT)],
        )
        exporter.add_container_dependencies(
            ecs.ContainerDependency(
                container=migrate, condition=ecs.ContainerDependencyCondition.SUCCESS
            )
        )
        self.backend_service = self._public_service(
            "Backend",
            backend_task,
            config.backend,
            self.backend_security_group,
            "backend",
            "/health",
            "api",
        )
        self.backend_url = self.backend_service.url
        # Plaid posts webhooks to the API's public URL, which the API sends with every link
        # token; every container of the backend image gets the same settings.
        self.plaid_webhook_url = f"{self.backend_url}{PLAID_WEBHOOK_PATH}"
        self.app_environment["PLAID_WEBHOOK_URL"] = self.plaid_webhook_url
        for created in (migrate, backend):
            created.add_environment("PLAID_WEBHOOK_URL", self.plaid_webhook_url)

        # --- Frontend -------------------------------------------------------------------
        frontend_task = self._task_definition("FrontendTask", config.frontend.size, None)
        frontend_task.add_container(
            "frontend",
            image=frontend_image,
            essential=True,
            logging=self._logging("frontend"),
            environment={"NEXT_PUBLIC_API_URL": self.backend_url, "PORT": str(FRONTEND_PORT)},
            port_mappings=[ecs.PortMapping(container_port=FRONTEND_PORT, name="http")],
        )
        self.frontend_service = self._public_service(
            "Frontend",
            frontend_task,
            config.frontend,
            self.frontend_security_group,
            "frontend",
            "/api/health",
            "app",
        )
        self.frontend_url = self.frontend_service.url
        # Links in emails and alerts open the web app.
        self.app_environment["PUBLIC_APP_URL"] = self.frontend_url
        for created in (migrate, backend):
            created.add_environment("PUBLIC_APP_URL", self.frontend_url)

        # --- Worker ---------------------------------------------------------------------
        worker_task = self._task_definition("WorkerTask", config.worker_size, self.worker_task_role)
        worker = self._backend_container(worker_task, "worker", "worker", essential=True)
        worker.add_port_mappings(ecs.PortMapping(container_port=BACKEND_PORT, name="metrics"))
        worker_task.add_container(
            "redis-exporter",
            image=ecs.ContainerImage.from_registry(REDIS_EXPORTER_IMAGE),
            essential=False,
            logging=self._logging("redis-exporter"),
            environment={"REDIS_ADDR": f"rediss://{cache.endpoint}:{cache.port}"},
            secrets={"REDIS_PASSWORD": ecs.Secret.from_secrets_manager(redis_auth_secret, "token")},
            port_mappings=[ecs.PortMapping(container_port=REDIS_EXPORTER_PORT)],
        )
        self.worker_service = ecs.FargateService(
            self,
            "WorkerService",
            cluster=self.cluster,
            task_definition=worker_task,
            desired_count=config.worker_tasks,
            security_groups=[self.worker_security_group],
            vpc_subnets=private_subnets,
            assign_public_ip=False,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            min_healthy_percent=50,
            max_healthy_percent=200,
            cloud_map_options=ecs.CloudMapOptions(
                name="worker", dns_record_type=servicediscovery.DnsRecordType.A
            ),
            capacity_provider_strategies=capacity(config, "worker"),
        )

        # --- Beat: the worker's clock --------------------------------------------------
        # Exactly one task sends `jobs.tick` every minute (periodic jobs, and relaying jobs whose
        # message was lost). Never two at once: a deployment stops the old task before starting
        # the new one (a missed tick is caught up by the next; periodic jobs are idempotent).
        # No task role: beat calls no AWS API.
        beat_task = self._task_definition("BeatTask", BEAT_SIZE, None)
        self._backend_container(beat_task, "beat", "beat", essential=True)
        self.beat_service = ecs.FargateService(
            self,
            "BeatService",
            cluster=self.cluster,
            task_definition=beat_task,
            desired_count=1,
            security_groups=[self.beat_security_group],
            vpc_subnets=private_subnets,
            assign_public_ip=False,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            min_healthy_percent=0,
            max_healthy_percent=100,
            capacity_provider_strategies=capacity(config, "beat"),
        )

        # Prometheus reaches the exporters under their own names (CNAMEs to the sidecars' tasks).
        self._exporter_alias("PostgresExporter", "postgres-exporter", "backend")
        self._exporter_alias("RedisExporter", "redis-exporter", "worker")

        # --- Migration task (make migrate runs it as a one-off task) ---------------------
        self.migration_task = self._task_definition(
            "MigrationTask", config.backend.size, self.app_task_role
        )
        self._backend_container(self.migration_task, "migrate", "migrate", essential=True)

        # --- Nightly backup (a scheduled task of the backend image) ----------------------
        self.backup_task = self._nightly_backup(storage, database, cache)

        acknowledge(
            self,
            "AwsSolutions-ECS2",
            "Only non-secret settings are plain environment variables; every credential is "
            "injected from Secrets Manager (see the task definitions' Secrets).",
        )
        self._outputs()

    # ------------------------------------------------------------------------------------
    def _app_security_group(
        self,
        construct_id: str,
        description: str,
        database: DatabaseRefs,
        cache: CacheRefs | None,
    ) -> ec2.SecurityGroup:
        group = open_egress(
            ec2.SecurityGroup(self, construct_id, vpc=self.vpc, description=description)
        )
        group.connections.allow_to(
            database.security_group, ec2.Port.tcp(DATABASE_PORT), "PostgreSQL"
        )
        if cache is not None:
            group.connections.allow_to(cache.security_group, ec2.Port.tcp(REDIS_PORT), "Redis")
        return group

    def _nightly_backup(
        self, storage: StorageRefs, database: DatabaseRefs, cache: CacheRefs
    ) -> ecs.FargateTaskDefinition:
        """`family-budget backup` every night: EventBridge runs the backend image as a one-off
        task. Its role reaches the backups bucket and nothing else (the API's and worker's
        roles never see backups); a failed run raises the alarm topic (MonitoringStack)."""
        config = self.config
        backups = bucket_name(config, "backups")
        role = iam.Role(
            self,
            "BackupTaskRole",
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
            description="Family Budget nightly backup task",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"], resources=[storage.backups_bucket.bucket_arn]
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                # Put the dump and its manifest (multipart for large dumps, aborted on
                # failure), read manifests when pruning, delete what retention drops.
                actions=[
                    "s3:PutObject",
                    "s3:GetObject",
                    "s3:DeleteObject",
                    "s3:AbortMultipartUpload",
                ],
                resources=[bucket_objects_arn(backups)],
            )
        )
        acknowledge(
            role,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::{backups}/*]",
            "Each night's dump has a new name (its time), so the backup task reaches the "
            "objects of the backups bucket (and of no other bucket).",
        )
        task = self._task_definition(
            "BackupTask", config.worker_size, role, family=f"{config.prefix}-backup"
        )
        task.add_container(
            "backup",
            image=self.backend_image,
            command=["backup"],
            essential=True,
            logging=self._logging("backup"),
            environment={
                "ENVIRONMENT": config.name,
                "AWS_REGION": self.region,
                "BACKUPS_BUCKET": storage.backups_bucket.bucket_name,
                "BACKUP_RETENTION_COUNT": str(BACKUP_RETENTION_DAYS),
                "BACKUP_RETENTION_DAYS": str(BACKUP_RETENTION_DAYS),
                "LOG_LEVEL": "INFO",
            },
            secrets={
                name: secret
                for name, secret in self.app_secrets.items()
                if name.startswith(BACKUP_SECRETS)
            },
        )
        security_group = self._app_security_group(
            "BackupSecurityGroup", "Nightly backup tasks", database, None
        )
        rule = events.Rule(
            self,
            "NightlyBackup",
            rule_name=f"{config.prefix}-nightly-backup",
            description="family-budget backup into the backups bucket, every night",
            schedule=BACKUP_SCHEDULE,
        )
        rule.add_target(
            targets.EcsTask(
                cluster=self.cluster,
                task_definition=task,
                launch_type=ecs.LaunchType.FARGATE,
                platform_version=ecs.FargatePlatformVersion.LATEST,
                subnet_selection=self._private_subnets,
                security_groups=[security_group],
                assign_public_ip=False,
                retry_attempts=2,
                max_event_age=Duration.hours(2),
            )
        )
        cluster = self.cluster.node.default_child
        assert isinstance(cluster, CfnElement)
        cluster_id = self.resolve(self.get_logical_id(cluster))
        acknowledge(
            task.node.find_child("EventsRole"),
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:{self.region}:*:task/"
            f"<{cluster_id}>/*]",
            "EventBridge tags the backup tasks it starts in this cluster (aws-cdk-lib's EcsTask "
            "target); a task's id is not known before it starts.",
        )
        return task

    def _app_task_role(
        self,
        construct_id: str,
        description: str,
        storage: StorageRefs,
        notification: NotificationRefs,
    ) -> iam.Role:
        """A task role of the backend image: application buckets, topics, SES sending."""
        config = self.config
        role = iam.Role(
            self,
            construct_id,
            assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"),
            description=description,
        )
        # Listing: the daily purge sweeps the exports bucket for files no row names, and with
        # it a missing receipt answers 404 (NoSuchKey) instead of 403.
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket"],
                resources=[storage.exports_bucket.bucket_arn, storage.receipts_bucket.bucket_arn],
            )
        )
        for short_name in ("exports", "receipts"):
            objects = bucket_objects_arn(bucket_name(config, short_name))
            # Exports: the worker writes, links are presigned GETs, the purge deletes.
            # Receipts: presigned POSTs (signed with this role: PutObject) and GETs, the
            # confirm step reads, rewrites and deletes; OCR reads. Backups: never.
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    resources=[objects],
                )
            )
            acknowledge(
                role,
                f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::"
                f"{bucket_name(config, short_name)}/*]",
                "Object keys are per household and per upload, so the task role reaches the "
                "objects of this one application bucket (and no other).",
            )
        for topic in notification.topics:
            topic.grant_publish(role)
        if config.kms_encryption:
            acknowledge(
                role,
                "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                "Publishing to the KMS-encrypted notification topics needs the "
                "GenerateDataKey family on the environment's single key (aws-cdk-lib grant).",
            )
        role.add_to_policy(
            ses_send_statement(
                self, notification.ses_identity_name, notification.ses_configuration_set_name
            )
        )
        return role

    def _push_endpoint_permissions(self, notification: NotificationRefs) -> None:
        """Push devices: the API registers a device as an endpoint of its platform application
        and keeps or drops it; the worker checks endpoints and drops dead ones."""
        endpoints = self.format_arn(service="sns", resource="endpoint", resource_name="*")
        self.app_task_role.add_to_policy(
            iam.PolicyStatement(
                actions=["sns:CreatePlatformEndpoint"],
                resources=list(notification.platform_application_arns.values()),
            )
        )
        self.app_task_role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "sns:GetEndpointAttributes",
                    "sns:SetEndpointAttributes",
                    "sns:DeleteEndpoint",
                ],
                resources=[endpoints],
            )
        )
        self.worker_task_role.add_to_policy(
            iam.PolicyStatement(
                actions=["sns:GetEndpointAttributes", "sns:DeleteEndpoint"],
                resources=[endpoints],
            )
        )
        for role in (self.app_task_role, self.worker_task_role):
            acknowledge(
                role,
                f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sns:{self.region}:"
                f"{self.account}:endpoint/*]",
                "Push endpoints are created per device at run time, so their ARNs are not "
                "known in advance; the scope is this account's endpoint/* namespace.",
            )

    def _task_definition(
        self,
        construct_id: str,
        size: TaskSize,
        task_role: iam.IRole | None,
        *,
        family: str | None = None,
    ) -> ecs.FargateTaskDefinition:
        task = ecs.FargateTaskDefinition(
            self,
            construct_id,
            family=family,
            cpu=size.cpu,
            memory_limit_mib=size.memory_mib,
            task_role=task_role,
            runtime_platform=runtime_platform(self.config),
        )
        acknowledge_execution_role(task)
        return task

    def _logging(self, stream_prefix: str) -> ecs.LogDriver:
        return ecs.LogDrivers.aws_logs(stream_prefix=stream_prefix, log_group=self.log_group)

    def _backend_container(
        self, task: ecs.FargateTaskDefinition, name: str, command: str, *, essential: bool
    ) -> ecs.ContainerDefinition:
        """A container of the backend image running ``family-budget <command>``."""
        return task.add_container(
            name,
            image=self.backend_image,
            command=[command],
            essential=essential,
            logging=self._logging(name),
            environment=self.app_environment,
            secrets=self.app_secrets,
        )

    def _public_service(
        self,
        name: str,
        task: ecs.FargateTaskDefinition,
        sizing: ScaledService,
        security_group: ec2.SecurityGroup,
        discovery_name: ServiceName,
        health_path: str,
        host_name: str,
    ) -> PublicService:
        """The service behind its own ALB (standard) or the shared one (lean)."""
        if self.shared_load_balancer is None:
            service, url = self._load_balanced_service(
                name, task, sizing, security_group, discovery_name, health_path, host_name
            )
            return PublicService(service.service, service.target_group, service.load_balancer, url)
        return self._shared_entry_service(
            name, task, sizing, security_group, discovery_name, health_path, host_name
        )

    def _shared_entry_service(
        self,
        name: str,
        task: ecs.FargateTaskDefinition,
        sizing: ScaledService,
        security_group: ec2.SecurityGroup,
        discovery_name: ServiceName,
        health_path: str,
        host_name: str,
    ) -> PublicService:
        """Lean: the same service, health check and scaling, behind the shared ALB."""
        shared = self.shared_load_balancer
        assert shared is not None
        container = task.default_container
        assert container is not None
        port = container.container_port
        service = ecs.FargateService(
            self,
            f"{name}FargateService",
            cluster=self.cluster,
            task_definition=task,
            desired_count=sizing.min_tasks,
            security_groups=[security_group],
            vpc_subnets=self._private_subnets,
            assign_public_ip=False,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            min_healthy_percent=100,
            max_healthy_percent=200,
            health_check_grace_period=Duration.seconds(120),
            cloud_map_options=ecs.CloudMapOptions(
                name=discovery_name, dns_record_type=servicediscovery.DnsRecordType.A
            ),
            capacity_provider_strategies=capacity(self.config, discovery_name),
        )
        target_group = elbv2.ApplicationTargetGroup(
            self,
            f"{name}TargetGroup",
            vpc=self.vpc,
            port=port,
            protocol=elbv2.ApplicationProtocol.HTTP,
            target_type=elbv2.TargetType.IP,
            targets=[
                service.load_balancer_target(
                    container_name=container.container_name, container_port=port
                )
            ],
        )
        self._configure_entry_point(service, target_group, sizing, health_path)
        url = shared.add_entry_point(
            name,
            host_name=host_name,
            plain_port=API_PORT if host_name == "api" else APP_PORT,
            target_group=target_group,
        )
        return PublicService(service, target_group, shared.load_balancer, url)

    def _configure_entry_point(
        self,
        service: ecs.FargateService,
        target_group: elbv2.ApplicationTargetGroup,
        sizing: ScaledService,
        health_path: str,
    ) -> None:
        """Health check, deregistration delay and CPU-target autoscaling (both profiles)."""
        target_group.configure_health_check(
            path=health_path,
            healthy_http_codes="200",
            interval=Duration.seconds(30),
            timeout=Duration.seconds(5),
            healthy_threshold_count=2,
            unhealthy_threshold_count=3,
        )
        target_group.set_attribute("deregistration_delay.timeout_seconds", "30")
        scaling = service.auto_scale_task_count(
            min_capacity=sizing.min_tasks, max_capacity=sizing.max_tasks
        )
        scaling.scale_on_cpu_utilization(
            "CpuScaling",
            target_utilization_percent=sizing.cpu_target_percent,
            scale_in_cooldown=Duration.seconds(300),
            scale_out_cooldown=Duration.seconds(60),
        )

    def _load_balanced_service(
        self,
        name: str,
        task: ecs.FargateTaskDefinition,
        sizing: ScaledService,
        security_group: ec2.SecurityGroup,
        discovery_name: str,
        health_path: str,
        host_name: str,
    ) -> tuple[ecs_patterns.ApplicationLoadBalancedFargateService, str]:
        """The service behind its own ALB, and its public URL.

        With a domain: HTTPS on ``{host_name}{suffix}.{domain}``, HTTP redirected to it.
        Without one: plain HTTP on the ALB's DNS name.
        """
        dns = self._dns
        https = dns is not None
        certificate = dns.certificate if dns else None
        host = self.config.host(host_name, dns.domain_name) if dns else None
        service = ecs_patterns.ApplicationLoadBalancedFargateService(
            self,
            f"{name}Service",
            cluster=self.cluster,
            task_definition=task,
            desired_count=sizing.min_tasks,
            public_load_balancer=True,
            load_balancer_name=f"{self.config.name}-{discovery_name}"[:32],
            security_groups=[security_group],
            task_subnets=self._private_subnets,
            assign_public_ip=False,
            protocol=elbv2.ApplicationProtocol.HTTPS if https else elbv2.ApplicationProtocol.HTTP,
            certificate=certificate,
            redirect_http=https,
            ssl_policy=elbv2.SslPolicy.RECOMMENDED_TLS if https else None,
            domain_name=host if https else None,
            domain_zone=dns.hosted_zone if dns else None,
            circuit_breaker=ecs.DeploymentCircuitBreaker(enable=True, rollback=True),
            min_healthy_percent=100,
            max_healthy_percent=200,
            health_check_grace_period=Duration.seconds(120),
            cloud_map_options=ecs.CloudMapOptions(
                name=discovery_name, dns_record_type=servicediscovery.DnsRecordType.A
            ),
        )
        self._configure_entry_point(service.service, service.target_group, sizing, health_path)
        refuse_metrics(service.listener, f"{name}NoMetrics")
        harden_load_balancer(
            service.load_balancer,
            access_logs_bucket=self._access_logs_bucket,
            access_logs_prefix=f"alb/{discovery_name}",
        )
        acknowledge(
            service.load_balancer,
            "AwsSolutions-EC23",
            "This is the public entry point of the application; it must accept HTTP(S) from "
            "the internet (HTTP only redirects to HTTPS when a certificate exists).",
        )
        acknowledge_port_80(
            service.load_balancer.connections.security_groups[0], https=https, what=name.lower()
        )
        if not https:
            acknowledge_plain_http_listener(service.listener, name.lower())
        url = (
            f"https://{host}" if host else f"http://{service.load_balancer.load_balancer_dns_name}"
        )
        return service, url

    def _exporter_alias(self, construct_id: str, name: str, target: str) -> None:
        alias = self.namespace.create_service(
            f"{construct_id}Discovery",
            name=name,
            dns_record_type=servicediscovery.DnsRecordType.CNAME,
            dns_ttl=Duration.seconds(30),
        )
        alias.register_cname_instance(
            f"{construct_id}Alias", instance_cname=f"{target}.{self.config.namespace}"
        )

    def _outputs(self) -> None:
        private_subnet_ids = self.vpc.select_subnets(
            subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS
        ).subnet_ids
        outputs: dict[str, str] = {
            "ClusterName": self.cluster.cluster_name,
            "ClusterArn": self.cluster.cluster_arn,
            "BackendServiceName": self.backend_service.service.service_name,
            "FrontendServiceName": self.frontend_service.service.service_name,
            "WorkerServiceName": self.worker_service.service_name,
            "BackendServiceArn": self.backend_service.service.service_arn,
            "FrontendServiceArn": self.frontend_service.service.service_arn,
            "WorkerServiceArn": self.worker_service.service_arn,
            "BeatServiceName": self.beat_service.service_name,
            "BackendLoadBalancerDns": self.backend_service.load_balancer.load_balancer_dns_name,
            "FrontendLoadBalancerDns": self.frontend_service.load_balancer.load_balancer_dns_name,
            "BackendTargetGroupArn": self.backend_service.target_group.target_group_arn,
            "FrontendTargetGroupArn": self.frontend_service.target_group.target_group_arn,
            "BackendUrl": self.backend_url,
            "FrontendUrl": self.frontend_url,
            "MigrationTaskDefinitionArn": self.migration_task.task_definition_arn,
            "MigrationSubnetIds": Fn.join(",", private_subnet_ids),
            "MigrationSecurityGroupId": self.migration_security_group.security_group_id,
        }
        for key, value in outputs.items():
            CfnOutput(self, key, value=value, export_name=f"{self.config.name}-Compute-{key}")


def runtime_platform(config: EnvironmentConfig) -> ecs.RuntimePlatform:
    """ARM64 (Graviton, about 20 % cheaper) in the lean profile, x86 in the standard one; the
    images are built for both (DEVELOPERS.md, "Images")."""
    return ecs.RuntimePlatform(
        cpu_architecture=(
            ecs.CpuArchitecture.ARM64 if config.cost_profile.arm64 else ecs.CpuArchitecture.X86_64
        ),
        operating_system_family=ecs.OperatingSystemFamily.LINUX,
    )


def capacity(
    config: EnvironmentConfig, service: ServiceName
) -> list[ecs.CapacityProviderStrategy] | None:
    """Fargate Spot for the services the cost profile puts there (None: plain on-demand
    Fargate, as the standard profile's templates have always had it)."""
    if not config.cost_profile.on_spot(service):
        return None
    return [ecs.CapacityProviderStrategy(capacity_provider="FARGATE_SPOT", weight=1)]


def acknowledge_execution_role(task: ecs.TaskDefinition) -> None:
    """The ECS execution role's only wildcard is ecr:GetAuthorizationToken."""
    acknowledge(
        task.obtain_execution_role(),
        "AwsSolutions-IAM5[Resource::*]",
        "ecr:GetAuthorizationToken (added by aws-cdk-lib to pull from ECR) supports no "
        "resource-level permissions; image pulls themselves are scoped to the repository.",
    )
