"""Shared IAM policy statements and the cdk-nag acknowledgement helper."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Annotations, Aws, CfnElement, Stack, Validations
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct, IConstruct


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge exactly one cdk-nag finding on ``scope`` (and its children) with a reason."""
    if not rule_id.startswith("AwsSolutions-") or len(reason) < 20:
        raise ValueError("An acknowledgement names one AwsSolutions rule and gives a real reason")
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))


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
