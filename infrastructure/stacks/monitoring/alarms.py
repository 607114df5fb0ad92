"""The critical CloudWatch alarms (at most five, design: MonitoringStack) and their topic."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_kms as kms
from aws_cdk import aws_rds as rds
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions

from stacks.config import EnvironmentConfig
from stacks.iam_policies import acknowledge, acknowledge_checkov
from stacks.load_balancers import PublicService

GIB = 1024**3


def alarm_topic_name(config: EnvironmentConfig) -> str:
    """The design's alarm topic: CloudWatch alarms and the Prometheus alerts publish to it."""
    return f"{config.name}-critical-alarms"


class CriticalAlarms:
    """Services down, database storage and CPU everywhere; 5xx rate and connections in
    production. Every alarm notifies ``{env}-critical-alarms`` when it fires and recovers."""

    def __init__(
        self,
        stack: Stack,
        *,
        config: EnvironmentConfig,
        cluster: ecs.ICluster,
        backend_service: PublicService,
        frontend_service: PublicService,
        worker_service: ecs.FargateService,
        database: rds.DatabaseInstance,
        alarm_email: str | None,
        encryption_key: kms.IKey | None,
    ) -> None:
        self.topic = sns.Topic(
            stack,
            "AlarmTopic",
            topic_name=alarm_topic_name(config),
            display_name=f"Family Budget {config.name} critical alarms",
            master_key=encryption_key,
            enforce_ssl=True,
        )
        if encryption_key is None:
            unencrypted = (
                "CloudWatch can only publish to a topic encrypted with a customer managed key, "
                "which the design creates in production only; alarm messages hold no user data."
            )
            acknowledge(self.topic, "AwsSolutions-SNS2", unencrypted)
            acknowledge_checkov(self.topic, "CKV_AWS_26", unencrypted)
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        action = cloudwatch_actions.SnsAction(self.topic)

        def running(service: ecs.IBaseService) -> cloudwatch.Metric:
            return cloudwatch.Metric(
                namespace="ECS/ContainerInsights",
                metric_name="RunningTaskCount",
                dimensions_map={
                    "ClusterName": cluster.cluster_name,
                    "ServiceName": service.service_name,
                },
                statistic="Minimum",
                period=Duration.minutes(1),
            )

        services_metrics: dict[str, cloudwatch.IMetric] = {
            "backend": running(backend_service.service),
            "frontend": running(frontend_service.service),
            "worker": running(worker_service),
        }
        down = "MIN([backend, frontend, worker]) < 1"
        description = "A service (backend, frontend or worker) has no running task"
        if config.production_alarms:
            # Folded into one alarm to stay within five: a service with no running task, or
            # an ALB with an unhealthy target, for five minutes.
            services_metrics["backendUnhealthy"] = (
                backend_service.target_group.metrics.unhealthy_host_count(
                    period=Duration.minutes(1), statistic="Maximum"
                )
            )
            services_metrics["frontendUnhealthy"] = (
                frontend_service.target_group.metrics.unhealthy_host_count(
                    period=Duration.minutes(1), statistic="Maximum"
                )
            )
            down = f"{down} OR MAX([backendUnhealthy, frontendUnhealthy]) > 0"
            description += ", or an ALB target is unhealthy"
        alarms = [
            cloudwatch.Alarm(
                stack,
                "ServicesDownAlarm",
                alarm_name=f"{config.prefix}-services-down",
                alarm_description=f"CRITICAL: {description} for 5 minutes",
                metric=cloudwatch.MathExpression(
                    expression=f"IF({down}, 1, 0)",
                    using_metrics=services_metrics,
                    period=Duration.minutes(1),
                    label="services down",
                ),
                threshold=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                evaluation_periods=5,
                treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
            ),
            cloudwatch.Alarm(
                stack,
                "DatabaseStorageAlarm",
                alarm_name=f"{config.prefix}-database-storage-low",
                alarm_description="CRITICAL: database free storage below 5 GB",
                metric=database.metric_free_storage_space(
                    period=Duration.minutes(5), statistic="Minimum"
                ),
                threshold=5 * GIB,
                comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cloudwatch.TreatMissingData.MISSING,
            ),
            cloudwatch.Alarm(
                stack,
                "DatabaseCpuAlarm",
                alarm_name=f"{config.prefix}-database-cpu-high",
                alarm_description="CRITICAL: database CPU above 95% for 15 minutes",
                metric=database.metric_cpu_utilization(
                    period=Duration.minutes(5), statistic="Average"
                ),
                threshold=95,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=3,
                treat_missing_data=cloudwatch.TreatMissingData.MISSING,
            ),
        ]
        if config.production_alarms:
            lb_metrics = backend_service.load_balancer.metrics
            alarms.append(
                cloudwatch.Alarm(
                    stack,
                    "ErrorRateAlarm",
                    alarm_name=f"{config.prefix}-backend-5xx-rate",
                    alarm_description="CRITICAL: over 50% of backend responses are 5xx for 10 "
                    "minutes",
                    metric=cloudwatch.MathExpression(
                        expression="IF(requests > 0, errors / requests, 0)",
                        using_metrics={
                            "errors": lb_metrics.http_code_target(
                                elbv2.HttpCodeTarget.TARGET_5XX_COUNT,
                                period=Duration.minutes(5),
                                statistic="Sum",
                            ),
                            "requests": lb_metrics.request_count(
                                period=Duration.minutes(5), statistic="Sum"
                            ),
                        },
                        period=Duration.minutes(5),
                        label="5xx ratio",
                    ),
                    threshold=0.5,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    evaluation_periods=2,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            )
            alarms.append(
                cloudwatch.Alarm(
                    stack,
                    "DatabaseConnectionsAlarm",
                    alarm_name=f"{config.prefix}-database-connections-high",
                    alarm_description="CRITICAL: database connections above 90% of "
                    f"max_connections ({config.db_max_connections}) for 5 minutes",
                    metric=database.metric_database_connections(
                        period=Duration.minutes(1), statistic="Maximum"
                    ),
                    threshold=int(config.db_max_connections * 0.9),
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    evaluation_periods=5,
                    treat_missing_data=cloudwatch.TreatMissingData.MISSING,
                )
            )
        for alarm in alarms:
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)
        self.alarms = alarms


def alarm_on_failed_backup(
    stack: Stack,
    *,
    config: EnvironmentConfig,
    cluster: ecs.ICluster,
    family: str,
    topic: sns.ITopic,
) -> events.Rule:
    """A nightly backup task that stops with a non-zero exit code, or never starts, publishes
    to the alarm topic. An EventBridge rule, not a CloudWatch alarm: the design allows fewer
    than five of those, and they are taken."""
    rule = events.Rule(
        stack,
        "BackupFailed",
        rule_name=f"{config.prefix}-backup-failed",
        description="The nightly family-budget backup task failed",
        event_pattern=events.EventPattern(
            source=["aws.ecs"],
            detail_type=["ECS Task State Change"],
            detail={
                "clusterArn": [cluster.cluster_arn],
                "group": [f"family:{family}"],
                "lastStatus": ["STOPPED"],
                "$or": [
                    {"containers": {"exitCode": [{"anything-but": 0}]}},
                    {"stopCode": ["TaskFailedToStart"]},
                ],
            },
        ),
    )
    rule.add_target(
        targets.SnsTopic(
            topic,
            message=events.RuleTargetInput.from_text(
                f"Family Budget {config.name}: the nightly backup failed "
                f"(task {events.EventField.from_path('$.detail.taskArn')}, "
                f"stopped: {events.EventField.from_path('$.detail.stoppedReason')}). "
                "Its log stream is under the backup/ prefix of the ECS log group."
            ),
        )
    )
    return rule
