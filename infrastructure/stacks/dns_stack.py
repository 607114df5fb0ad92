"""DnsStack (optional): the hosted zone and the wildcard certificate of ``domain_name``."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_route53 as route53
from constructs import Construct

from stacks.base import FamilyBudgetStack
from stacks.config import EnvironmentConfig
from stacks.iam_policies import acknowledge_checkov
from stacks.refs import DnsRefs

SERVICE_HOSTS = ("api", "app", "grafana", "prometheus")


class DnsStack(FamilyBudgetStack):
    """Only synthesized when a domain is configured; records live beside their load balancers."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        domain_name: str,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.domain_name = domain_name
        self.hosted_zone = route53.PublicHostedZone(self, "HostedZone", zone_name=domain_name)
        self.certificate = acm.Certificate(
            self,
            "WildcardCertificate",
            domain_name=f"*.{domain_name}",
            subject_alternative_names=[domain_name],
            validation=acm.CertificateValidation.from_dns(self.hosted_zone),
        )
        acknowledge_checkov(
            self.certificate,
            "CKV2_AWS_71",
            "The design asks for one wildcard certificate for api, app, grafana and prometheus; "
            "its key never leaves ACM and only this app's load balancers present it.",
        )
        self.refs = DnsRefs(
            domain_name=domain_name, hosted_zone=self.hosted_zone, certificate=self.certificate
        )
        self.hosts = {service: config.host(service, domain_name) for service in SERVICE_HOSTS}

        CfnOutput(
            self,
            "HostedZoneId",
            value=self.hosted_zone.hosted_zone_id,
            export_name=f"{config.name}-HostedZoneId",
        )
        CfnOutput(
            self,
            "CertificateArn",
            value=self.certificate.certificate_arn,
            export_name=f"{config.name}-CertificateArn",
        )
        for service, host in self.hosts.items():
            CfnOutput(self, f"{service.capitalize()}Host", value=host)
