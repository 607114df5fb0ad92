"""The whole app: stack names and order, the optional DNS stack, cdk-nag, cfn-lint, settings."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from cdk_synth import DOMAIN, Synthesized, cli_context
from stacks.settings import SettingsError, resolve_settings

STACKS = [
    "Cache",
    "Compute",
    "Database",
    "Ecr",
    "Monitoring",
    "Notification",
    "Security",
    "Storage",
]


def dependencies(env: Synthesized, short: str) -> set[str]:
    stack = env.assembly.get_stack_by_name(f"{env.environment}-{short}Stack")
    return {d.id for d in stack.dependencies if d.id.endswith("Stack")}


class TestStacks:
    def test_names(self, variant: Synthesized) -> None:
        expected = STACKS + (["Dns"] if variant.domain else [])
        assert variant.stack_names() == sorted(
            f"{variant.environment}-{short}Stack" for short in expected
        )

    def test_deployment_order(self, variant: Synthesized) -> None:
        e = variant.environment
        assert dependencies(variant, "Security") == set()
        assert dependencies(variant, "Ecr") == set()
        assert dependencies(variant, "Storage") == set()
        assert dependencies(variant, "Database") == {f"{e}-SecurityStack"}
        assert dependencies(variant, "Cache") == {f"{e}-SecurityStack"}
        compute = dependencies(variant, "Compute")
        for short in ("Security", "Database", "Cache", "Ecr", "Storage", "Notification"):
            assert f"{e}-{short}Stack" in compute
        assert (f"{e}-DnsStack" in compute) is bool(variant.domain)
        assert {f"{e}-ComputeStack", f"{e}-DatabaseStack", f"{e}-CacheStack"} <= dependencies(
            variant, "Monitoring"
        )

    def test_every_stack_is_tagged(self, env: Synthesized) -> None:
        for stack in env.assembly.stacks:
            assert stack.tags == {
                "Environment": env.environment,
                "ManagedBy": "CDK",
                "Project": "FamilyBudget",
            }


def test_no_context_lookup(variant: Synthesized) -> None:
    """Nothing asks AWS at synth time (no missing context, no dummy availability zones)."""
    manifest = json.loads((variant.outdir / "manifest.json").read_text())
    assert manifest.get("missing", []) == []
    subnets = variant.resources("Security", "AWS::EC2::Subnet").values()
    assert {s["Properties"]["AvailabilityZone"] for s in subnets} == {"us-east-1a", "us-east-1b"}


class TestDns:
    @pytest.mark.parametrize("name", ["development+domain", "staging", "production"])
    def test_zone_certificate_and_records(self, synthesized: Any, name: str) -> None:
        env: Synthesized = synthesized(name)
        suffix = {"development": "-dev", "staging": "-staging", "production": ""}[env.environment]
        dns = env.template("Dns")
        dns.has_resource_properties("AWS::Route53::HostedZone", {"Name": f"{DOMAIN}."})
        dns.has_resource_properties(
            "AWS::CertificateManager::Certificate",
            {"DomainName": f"*.{DOMAIN}", "ValidationMethod": "DNS"},
        )
        records = {
            r["Properties"]["Name"]
            for short in ("Compute", "Monitoring")
            for r in env.resources(short, "AWS::Route53::RecordSet").values()
        }
        assert records == {
            f"{host}{suffix}.{DOMAIN}." for host in ("api", "app", "grafana", "prometheus")
        }

    @pytest.mark.parametrize("name", ["development", "staging-nodomain", "production-nodomain"])
    def test_no_domain_no_dns(self, synthesized: Any, name: str) -> None:
        env: Synthesized = synthesized(name)
        for short in ("Compute", "Monitoring", "Notification"):
            assert env.resources(short, "AWS::Route53::RecordSet") == {}
            assert "Certificate" not in json.dumps(env.raw(short))


def test_cdk_nag_has_no_unacknowledged_finding(variant: Synthesized) -> None:
    assert variant.nag_findings == []


def test_cfn_lint_reports_no_error(variant: Synthesized) -> None:
    templates = sorted(str(p) for p in variant.outdir.glob("*.template.json"))
    assert len(templates) == len(variant.stack_names())
    result = subprocess.run(
        [sys.executable, "-m", "cfnlint", "--format", "parseable", *templates],
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ":E" in line.split(" ")[0]]
    # cfn-lint's exit code is a bit mask: 2 = error, 4 = warning, 8 = informational.
    assert result.returncode & 2 == 0 and errors == [], result.stdout


class TestSettings:
    def test_push_credentials_revision_comes_from_context(self) -> None:
        context = cli_context("staging", None, image_tag="abc123")
        assert resolve_settings(context).push_credentials_revision == "1"
        context["push_credentials_revision"] = "2026-11-25"
        assert resolve_settings(context).push_credentials_revision == "2026-11-25"

    def test_production_requires_an_image_tag(self) -> None:
        context = cli_context("production", DOMAIN)
        del context["image_tag"]
        with pytest.raises(SettingsError, match="explicit image tag"):
            resolve_settings(context)

    def test_production_refuses_latest(self) -> None:
        with pytest.raises(SettingsError, match="latest"):
            resolve_settings(cli_context("production", DOMAIN, image_tag="latest"))

    @pytest.mark.parametrize("environment", ["development", "staging"])
    def test_default_tag_outside_production(self, environment: str) -> None:
        context = cli_context(environment, None)
        del context["image_tag"]
        assert resolve_settings(context).image_tag == "dev"

    def test_invalid_tag(self) -> None:
        with pytest.raises(SettingsError, match="not a valid Docker tag"):
            resolve_settings(cli_context("staging", None, image_tag="bad tag"))

    def test_account_is_required(self) -> None:
        context = cli_context("development", None)
        context["development"] = dict(context["development"], account=None)
        with pytest.raises(SettingsError, match="account"):
            resolve_settings(context, {})
        settings = resolve_settings(context, {"CDK_DEFAULT_ACCOUNT": "111122223333"})
        assert settings.account == "111122223333"

    def test_unknown_environment(self) -> None:
        with pytest.raises(ValueError, match="Unknown environment"):
            resolve_settings({"environment": "qa"})

    def test_sender_defaults_to_the_domain(self) -> None:
        settings = resolve_settings(cli_context("production", DOMAIN))
        assert settings.email_from_address == f"no-reply@{DOMAIN}"
