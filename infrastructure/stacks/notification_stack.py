"""NotificationStack: SES identity and configuration set, the four topics, three Lambdas and
the SNS mobile platform applications (a custom resource)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, CustomResource, Duration, IgnoreMode, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from aws_cdk import custom_resources as cr
from constructs import Construct

from stacks.base import FamilyBudgetStack
from stacks.config import EnvironmentConfig
from stacks.iam_policies import (
    NO_CUSTOMER_KEY_REASON,
    acknowledge,
    acknowledge_checkov,
    acknowledge_deploy_time_functions,
    nag_ref,
    platform_application_statements,
    push_endpoint_publish_statement,
    secret_reference,
    ses_send_statement,
)
from stacks.refs import DnsRefs, NotificationRefs

INFRASTRUCTURE_DIR = Path(__file__).resolve().parent.parent
BACKEND_SOURCE_DIR = INFRASTRUCTURE_DIR.parent / "backend" / "src"
PLATFORM_APPLICATIONS_DIR = INFRASTRUCTURE_DIR / "lambda" / "platform_applications"

# The notification package is deployed alone, with the currency table it formats money with:
# everything else in backend/src is excluded.
NOTIFICATIONS_ASSET_EXCLUDE = [
    "*",
    "!family_budget",
    "!family_budget/__init__.py",
    "!family_budget/money.py",
    "!family_budget/notifications",
    "!family_budget/notifications/**",
    "**/__pycache__",
    "**/*.pyc",
]

TOPIC_NAMES = ("bill-reminders", "budget-alerts", "account-sync-failures", "security-alerts")
# The custom resource's attribute holding each platform application's ARN.
PLATFORM_APPLICATION_ATTRIBUTES = {
    "apns": "ApnsPlatformApplicationArn",
    "apns_sandbox": "ApnsSandboxPlatformApplicationArn",
    "fcm": "FcmPlatformApplicationArn",
}
HANDLER_MODULE = "family_budget.notifications.handlers"
LAMBDA_RUNTIME = lambda_.Runtime.PYTHON_3_12
BASIC_EXECUTION_POLICY = (
    "arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
)
VPC_EXECUTION_POLICY = (
    "arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
)


class NotificationStack(FamilyBudgetStack):
    """E-mail through SES and push through SNS, driven by the four notification topics."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc,
        external_services_secret: secretsmanager.ISecret,
        email_from_address: str,
        push_credentials_revision: str = "1",
        dns: DnsRefs | None = None,
        encryption_key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        self.encryption_key = encryption_key
        removal = config.removal_policy
        topic_key = encryption_key or kms.Alias.from_alias_name(
            self, "SnsManagedKey", "alias/aws/sns"
        )
        # Queues name the key by ARN only: a subscription or grant on the key object itself
        # would write into SecurityStack's key policy (which already admits SNS).
        self._queue_key = (
            kms.Key.from_key_arn(self, "QueueKey", encryption_key.key_arn)
            if encryption_key is not None
            else None
        )

        # --- SES -------------------------------------------------------------------------
        if dns is not None:
            self.email_identity = ses.EmailIdentity(
                self,
                "EmailIdentity",
                identity=ses.Identity.public_hosted_zone(dns.hosted_zone),
                mail_from_domain=f"mail.{dns.domain_name}",
            )
            self.identity_name = dns.domain_name
        else:
            self.email_identity = ses.EmailIdentity(
                self, "EmailIdentity", identity=ses.Identity.email(email_from_address)
            )
            self.identity_name = email_from_address
        self.email_from_address = email_from_address
        self.email_events_topic = sns.Topic(
            self,
            "EmailEventsTopic",
            topic_name=f"{config.name}-email-events",
            display_name="SES bounces, complaints and rejects",
            # SES cannot publish to a topic encrypted with the AWS managed key.
            master_key=encryption_key,
            enforce_ssl=True,
        )
        if encryption_key is None:
            unencrypted = (
                "SES can only publish to a topic encrypted with a customer managed key, which "
                "the design creates in production only; the events carry no message content."
            )
            acknowledge(self.email_events_topic, "AwsSolutions-SNS2", unencrypted)
            acknowledge_checkov(self.email_events_topic, "CKV_AWS_26", unencrypted)
        self._email_events_queue()
        self.configuration_set = ses.ConfigurationSet(
            self,
            "ConfigurationSet",
            configuration_set_name=config.prefix,
            reputation_metrics=True,
            sending_enabled=True,
            suppression_reasons=ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
        )
        self.configuration_set.add_event_destination(
            "BounceComplaintEvents",
            destination=ses.EventDestination.sns_topic(self.email_events_topic),
            events=[
                ses.EmailSendingEvent.BOUNCE,
                ses.EmailSendingEvent.COMPLAINT,
                ses.EmailSendingEvent.REJECT,
                ses.EmailSendingEvent.DELIVERY_DELAY,
            ],
        )
        self.configuration_set_name = config.prefix

        # --- Topics ----------------------------------------------------------------------
        self.topics: dict[str, sns.Topic] = {}
        for name in TOPIC_NAMES:
            self.topics[name] = sns.Topic(
                self,
                "".join(part.capitalize() for part in name.split("-")) + "Topic",
                topic_name=f"{config.name}-{name}",
                master_key=topic_key,
                enforce_ssl=True,
            )

        # --- Lambda functions ------------------------------------------------------------
        self.lambda_security_group = ec2.SecurityGroup(
            self,
            "NotificationFunctionsSecurityGroup",
            vpc=vpc,
            description="Notification Lambda functions: outbound HTTPS only",
            allow_all_outbound=False,
        )
        self.lambda_security_group.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "AWS APIs over HTTPS"
        )
        code = lambda_.Code.from_asset(
            str(BACKEND_SOURCE_DIR),
            exclude=NOTIFICATIONS_ASSET_EXCLUDE,
            ignore_mode=IgnoreMode.GLOB,
        )
        self.render_email_function = self._function(
            "RenderEmailFunction",
            "render_email",
            code,
            vpc,
            removal,
            {
                "SES_CONFIGURATION_SET": self.configuration_set_name,
                "SES_FROM_ADDRESS": email_from_address,
            },
        )
        self.render_email_function.add_to_role_policy(
            ses_send_statement(self, self.identity_name, self.configuration_set_name)
        )
        self.format_push_function = self._function(
            "FormatPushFunction", "format_push", code, vpc, removal, {}
        )
        self.format_push_function.add_to_role_policy(push_endpoint_publish_statement(self))
        acknowledge(
            self.format_push_function,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sns:{self.region}:{self.account}"
            ":endpoint/*]",
            "Push endpoints are created per device at run time; their ARNs travel in each "
            "event, so the policy is scoped to this account's endpoint/* namespace.",
        )
        self.filter_preferences_function = self._function(
            "FilterPreferencesFunction",
            "filter_preferences",
            code,
            vpc,
            removal,
            {
                "EMAIL_FUNCTION_NAME": self.render_email_function.function_name,
                "PUSH_FUNCTION_NAME": self.format_push_function.function_name,
            },
        )
        # Exactly the two functions (grant_invoke would add "<arn>:*" for every version).
        self.filter_preferences_function.add_to_role_policy(
            iam.PolicyStatement(
                actions=["lambda:InvokeFunction"],
                resources=[
                    self.render_email_function.function_arn,
                    self.format_push_function.function_arn,
                ],
            )
        )
        for topic in self.topics.values():
            topic.add_subscription(
                subscriptions.LambdaSubscription(self.filter_preferences_function)
            )

        # --- Mobile platform applications --------------------------------------------------
        self._platform_applications(external_services_secret, removal, push_credentials_revision)

        self.refs = NotificationRefs(
            topics=tuple(self.topics.values()),
            ses_identity_name=self.identity_name,
            ses_configuration_set_name=self.configuration_set_name,
            email_from_address=email_from_address,
            ses_events_queue=self.ses_events_queue,
            topics_by_name=dict(self.topics),
            platform_application_arns={
                platform: self.platform_applications.get_att_string(attribute)
                for platform, attribute in PLATFORM_APPLICATION_ATTRIBUTES.items()
            },
        )

        # --- Outputs ---------------------------------------------------------------------
        CfnOutput(
            self,
            "SesConfigurationSetName",
            value=self.configuration_set_name,
            export_name=f"{config.name}-SesConfigurationSetName",
        )
        for name, topic in self.topics.items():
            key = "".join(part.capitalize() for part in name.split("-")) + "TopicArn"
            CfnOutput(self, key, value=topic.topic_arn, export_name=f"{config.name}-{key}")
        CfnOutput(
            self,
            "SesEventsQueueUrl",
            value=self.ses_events_queue.queue_url,
            export_name=f"{config.name}-SesEventsQueueUrl",
        )
        for key, function in (
            ("RenderEmailFunctionArn", self.render_email_function),
            ("FormatPushFunctionArn", self.format_push_function),
            ("FilterPreferencesFunctionArn", self.filter_preferences_function),
        ):
            CfnOutput(self, key, value=function.function_arn, export_name=f"{config.name}-{key}")

    def _function(
        self,
        construct_id: str,
        handler: str,
        code: lambda_.Code,
        vpc: ec2.IVpc,
        removal: RemovalPolicy,
        environment: dict[str, str],
    ) -> lambda_.Function:
        log_group = self._log_group(f"{construct_id}Logs", removal)
        # Events that still fail after Lambda's two asynchronous retries land here, for 14
        # days, instead of being dropped.
        dead_letter_queue = self._queue(
            f"{construct_id}DeadLetterQueue",
            f"{self.config.prefix}-{handler.replace('_', '-')}-dlq",
        )
        reserved = self.config.notification_reserved_concurrency
        function = lambda_.Function(
            self,
            construct_id,
            runtime=LAMBDA_RUNTIME,
            handler=f"{HANDLER_MODULE}.{handler}",
            code=code,
            environment=environment,
            timeout=Duration.seconds(30),
            memory_size=256,
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            security_groups=[self.lambda_security_group],
            log_group=log_group,
            dead_letter_queue=dead_letter_queue,
            reserved_concurrent_executions=reserved,
        )
        self._acknowledge_lambda(function, vpc=True)
        if self._queue_key is not None:
            # Lambda sends to the dead-letter queue as the function's role, which must be able
            # to encrypt with the queue's key (aws-cdk-lib grants sqs:SendMessage only).
            self._queue_key.grant(function, "kms:GenerateDataKey", "kms:Decrypt")
        if reserved is None:
            acknowledge_checkov(
                function,
                "CKV_AWS_115",
                "Reserved concurrency is taken out of the account's pool, and new accounts "
                "(quota 10) cannot reserve any; production reserves it, development and "
                "staging share the account's pool.",
            )
        if environment:
            acknowledge_checkov(
                function,
                "CKV_AWS_173",
                "The environment holds only names (functions, configuration set, sender "
                "address), no secrets; Lambda encrypts it at rest with its AWS managed key.",
            )
        return function

    def _log_group(self, construct_id: str, removal: RemovalPolicy) -> logs.LogGroup:
        group = logs.LogGroup(
            self,
            construct_id,
            retention=self.config.log_retention,
            removal_policy=removal,
            encryption_key=self.encryption_key,
        )
        if self.encryption_key is None:
            acknowledge_checkov(group, "CKV_AWS_158", NO_CUSTOMER_KEY_REASON)
        return group

    def _queue(
        self,
        construct_id: str,
        queue_name: str,
        *,
        dead_letter_queue: sqs.IQueue | None = None,
        receive_wait: Duration | None = None,
    ) -> sqs.Queue:
        """An SQS queue, TLS only, kept 14 days: the environment's key in production,
        SQS-managed encryption elsewhere."""
        queue = sqs.Queue(
            self,
            construct_id,
            queue_name=queue_name,
            retention_period=Duration.days(14),
            encryption=(
                sqs.QueueEncryption.KMS
                if self._queue_key is not None
                else sqs.QueueEncryption.SQS_MANAGED
            ),
            encryption_master_key=self._queue_key,
            enforce_ssl=True,
            receive_message_wait_time=receive_wait,
            dead_letter_queue=(
                sqs.DeadLetterQueue(max_receive_count=5, queue=dead_letter_queue)
                if dead_letter_queue is not None
                else None
            ),
        )
        if self._queue_key is None:
            acknowledge_checkov(
                queue,
                "CKV_AWS_27",
                "Encrypted at rest with SQS-managed keys (SqsManagedSseEnabled), which this "
                "check does not read; SNS cannot deliver into a queue under the AWS managed "
                "aws/sqs key, and customer managed keys are production's (design).",
            )
        return queue

    def _email_events_queue(self) -> None:
        """Bounces, complaints, rejects and delivery delays for the backend's worker.

        Raw message delivery: each message body is the SES event JSON itself (``eventType``,
        ``mail``, ``bounce``/``complaint``/...), not an SNS envelope around it. A message the
        worker fails to handle five times moves to the dead-letter queue.
        """
        name = f"{self.config.name}-email-events"
        self.ses_events_dead_letter_queue = self._queue("EmailEventsDeadLetterQueue", f"{name}-dlq")
        self.ses_events_queue = self._queue(
            "EmailEventsQueue",
            name,
            dead_letter_queue=self.ses_events_dead_letter_queue,
            receive_wait=Duration.seconds(20),
        )
        self.email_events_topic.add_subscription(
            subscriptions.SqsSubscription(self.ses_events_queue, raw_message_delivery=True)
        )

    def _acknowledge_lambda(self, function: lambda_.Function, *, vpc: bool) -> None:
        acknowledge(
            function,
            "AwsSolutions-L1",
            "The runtime is pinned to Python 3.12 by the cross-part contract (the backend "
            "package is tested on it); moving it is a deliberate change, not a drift.",
        )
        for policy in (
            (BASIC_EXECUTION_POLICY, VPC_EXECUTION_POLICY) if vpc else (BASIC_EXECUTION_POLICY,)
        ):
            acknowledge(
                function,
                f"AwsSolutions-IAM4[Policy::{policy}]",
                "The AWS managed Lambda execution policies grant only log delivery (and ENI "
                "management in a VPC); they are maintained by AWS.",
            )

    def _platform_applications(
        self,
        external_services_secret: secretsmanager.ISecret,
        removal: RemovalPolicy,
        credentials_revision: str,
    ) -> None:
        log_group = self._log_group("PlatformApplicationsLogs", removal)
        on_event = lambda_.Function(
            self,
            "PlatformApplicationsFunction",
            runtime=LAMBDA_RUNTIME,
            handler="index.on_event",
            code=lambda_.Code.from_asset(
                str(PLATFORM_APPLICATIONS_DIR),
                exclude=["**/__pycache__", "**/*.pyc"],
            ),
            timeout=Duration.minutes(2),
            log_group=log_group,
        )
        self._acknowledge_lambda(on_event, vpc=False)
        acknowledge_deploy_time_functions(on_event, "CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117")
        secret_reference(self, "ExternalServicesSecretRef", external_services_secret).grant_read(
            on_event
        )
        for statement in platform_application_statements(self):
            on_event.add_to_role_policy(statement)
        acknowledge(
            on_event,
            "AwsSolutions-IAM5[Resource::*]",
            "sns:CreatePlatformApplication and sns:ListPlatformApplications accept no "
            "resource-level permissions; IAM requires '*' for them.",
        )
        acknowledge(
            on_event,
            f"AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:sns:{self.region}:{self.account}"
            ":app/*]",
            "Platform application ARNs are created by this function at deploy time and are not "
            "known in advance; the scope is this account's app/* namespace.",
        )
        provider_logs = self._log_group("PlatformApplicationsProviderLogs", removal)
        provider = cr.Provider(
            self, "PlatformApplicationsProvider", on_event_handler=on_event, log_group=provider_logs
        )
        acknowledge_deploy_time_functions(
            provider, "CKV_AWS_115", "CKV_AWS_116", "CKV_AWS_117", "CKV_AWS_173"
        )
        acknowledge(
            provider,
            "AwsSolutions-L1",
            "The custom-resource framework function's runtime is chosen by aws-cdk-lib.",
        )
        acknowledge(
            provider,
            f"AwsSolutions-IAM4[Policy::{BASIC_EXECUTION_POLICY}]",
            "The custom-resource framework function uses the AWS managed log-delivery policy.",
        )
        acknowledge(
            provider,
            f"AwsSolutions-IAM5[Resource::{nag_ref(on_event, 'Arn')}:*]",
            "The framework invokes any version of its own on_event function (aws-cdk-lib).",
        )
        self.platform_applications = CustomResource(
            self,
            "PlatformApplications",
            service_token=provider.service_token,
            resource_type="Custom::SnsPlatformApplications",
            properties={
                "SecretId": external_services_secret.secret_arn,
                "NamePrefix": self.config.prefix,
                "CredentialsRevision": credentials_revision,
            },
        )
        for attribute in PLATFORM_APPLICATION_ATTRIBUTES.values():
            CfnOutput(self, attribute, value=self.platform_applications.get_att_string(attribute))
