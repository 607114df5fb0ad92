"""Shared IAM policy statements and the cdk-nag and checkov acknowledgement helpers."""

from __future__ import annotations

import re
from typing import Any

from aws_cdk import Acknowledgment, Annotations, Aws, CfnElement, CfnResource, Stack, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct, IConstruct


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge exactly one cdk-nag finding on ``scope`` (and its children) with a reason."""
    if not rule_id.startswith("AwsSolutions-") or len(reason) < 20:
        raise ValueError("An acknowledgement names one AwsSolutions rule and gives a real reason")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))


_CHECKOV_ID = re.compile(r"CKV2?_AWS_\d+")


def acknowledge_checkov(scope: IConstruct, check_id: str, reason: str) -> None:
    """Acknowledge one checkov check on the CloudFormation resource of ``scope`` with a reason.

    checkov reads ``Metadata.checkov.skip`` (a list of ``{id, comment}``) of each resource;
    ``scope`` is that resource or a construct whose default child it is.
    """
    if not _CHECKOV_ID.fullmatch(check_id) or len(reason) < 20:
        raise ValueError("An acknowledgement names one checkov check and gives a real reason")
    resource = scope if isinstance(scope, CfnResource) else scope.node.default_child
    if not isinstance(resource, CfnResource):
        raise ValueError(f"{scope.node.path} has no CloudFormation resource to acknowledge on")
    existing: dict[str, Any] = resource.get_metadata("checkov") or {}
    skips: list[dict[str, str]] = list(existing.get("skip", []))
    if any(skip["id"] == check_id for skip in skips):
        raise ValueError(f"{check_id} is already acknowledged on {resource.node.path}")
    skips.append({"id": check_id, "comment": reason})
    resource.add_metadata("checkov", {"skip": skips})


def open_egress(group: ec2.SecurityGroup) -> ec2.SecurityGroup:
    """Mark a security group whose tasks call the internet (Plaid, AWS APIs, image pulls).

    Its egress is "all outbound", so the explicit egress rules that ``connections.allow_to``
    adds are redundant; aws-cdk-lib warns about that, which is expected here.
    """
    Annotations.of(group).acknowledge_warning(
        "@aws-cdk/aws-ec2:ipv4IgnoreEgressRule",
        "All outbound traffic is allowed on purpose; the explicit rule only documents intent.",
    )
    return group


def nag_ref(construct: IConstruct, attribute: str) -> str:
    """How cdk-nag prints ``Fn::GetAtt`` of a resource in a finding id: ``<LogicalId.Arn>``."""
    element = construct.node.default_child if not isinstance(construct, CfnElement) else construct
    assert isinstance(element, CfnElement)
    stack = Stack.of(element)
    return f"<{stack.resolve(stack.get_logical_id(element))}.{attribute}>"


def bucket_objects_arn(bucket_name: str, pattern: str = "*") -> str:
    """ARN of objects in a bucket whose name is fixed by the design (no cross-stack token)."""
    return f"arn:{Aws.PARTITION}:s3:::{bucket_name}/{pattern}"


def ses_send_statement(
    stack: Stack, identity_name: str, configuration_set: str
) -> iam.PolicyStatement:
    """Send mail from the SES identity through the configuration set."""
    return iam.PolicyStatement(
        actions=["ses:SendEmail", "ses:SendRawEmail"],
        resources=[
            stack.format_arn(service="ses", resource="identity", resource_name=identity_name),
            stack.format_arn(
                service="ses", resource="configuration-set", resource_name=configuration_set
            ),
        ],
    )


def push_endpoint_publish_statement(stack: Stack) -> iam.PolicyStatement:
    """Publish to mobile push endpoints (their ARNs arrive in each event)."""
    return iam.PolicyStatement(
        actions=["sns:Publish"],
        resources=[stack.format_arn(service="sns", resource="endpoint", resource_name="*")],
    )


def platform_application_statements(stack: Stack) -> list[iam.PolicyStatement]:
    """Manage the SNS mobile platform applications of this environment."""
    return [
        # CreatePlatformApplication and ListPlatformApplications support no resource-level
        # permissions: IAM only accepts "*" for them.
        iam.PolicyStatement(
            actions=["sns:CreatePlatformApplication", "sns:ListPlatformApplications"],
            resources=["*"],
        ),
        iam.PolicyStatement(
            actions=["sns:DeletePlatformApplication", "sns:SetPlatformApplicationAttributes"],
            resources=[stack.format_arn(service="sns", resource="app", resource_name="*")],
        ),
    ]


def secret_reference(
    scope: Construct, construct_id: str, secret: secretsmanager.ISecret
) -> secretsmanager.ISecret:
    """A reference to ``secret`` for granting, without its KMS key.

    A grant on a secret with a customer managed key would also write the grantee into the
    key policy (SecurityStack), a dependency cycle for any later stack. The production key
    policy instead lets principals of the account decrypt through Secrets Manager, so an IAM
    grant on the secret alone is enough.
    """
    return secretsmanager.Secret.from_secret_complete_arn(scope, construct_id, secret.secret_arn)


def secrets_manager_decrypt_statement(region: str, account: str) -> iam.PolicyStatement:
    """Key-policy statement: decrypt through Secrets Manager for callers of this account."""
    return iam.PolicyStatement(
        sid="AllowSecretsManagerUseInThisAccount",
        actions=["kms:Decrypt", "kms:DescribeKey"],
        principals=[iam.AnyPrincipal()],
        resources=["*"],
        conditions={
            "StringEquals": {
                "kms:CallerAccount": account,
                "kms:ViaService": f"secretsmanager.{region}.amazonaws.com",
            }
        },
    )


# Reasons shared by several checkov acknowledgements (one rule each, one home per reason).
NO_CUSTOMER_KEY_REASON = (
    "The design keeps customer managed KMS keys to production (a key costs $1/month); here "
    "the data is encrypted at rest with keys AWS manages."
)
_DEPLOY_TIME_FUNCTION_REASONS = {
    "CKV_AWS_115": "Runs only while CloudFormation deploys the stack, once per resource event; "
    "reserving concurrency for it would only shrink the account's pool.",
    "CKV_AWS_116": "A deploy-time custom-resource handler: CloudFormation waits for its answer "
    "and rolls back without one, so a dead-letter queue would hold nothing anyone acts on.",
    "CKV_AWS_117": "Calls only AWS APIs (TLS, IAM-signed) at deploy time; in the VPC it would "
    "need ENIs and the NAT path for nothing it protects.",
    "CKV_AWS_173": "Its environment holds only resource names set by aws-cdk-lib, no secrets; "
    "Lambda encrypts it at rest with its AWS managed key.",
}


def acknowledge_deploy_time_functions(scope: IConstruct, *check_ids: str) -> None:
    """Acknowledge Lambda checks on every function under ``scope`` that only runs at deploy
    time (custom-resource handlers of aws-cdk-lib and of this app)."""
    functions = [
        child
        for child in scope.node.find_all()
        if isinstance(child, CfnResource) and child.cfn_resource_type == "AWS::Lambda::Function"
    ]
    if not functions:
        raise ValueError(f"No Lambda function under {scope.node.path}")
    for function in functions:
        for check_id in check_ids:
            acknowledge_checkov(function, check_id, _DEPLOY_TIME_FUNCTION_REASONS[check_id])
