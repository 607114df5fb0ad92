"""Synthesize the whole app for one environment variant (helpers for the session fixtures).

Synthesis goes through jsii and takes 10-30 s per environment on two cores, so every variant
is built at most once per test session, with cdk-nag run over the same construct tree.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import cx_api
from aws_cdk.assertions import Template
from cdk_nag import AwsSolutionsChecks

from app import build_app
from stacks.settings import INFRASTRUCTURE_DIR, example_context, resolve_settings

DOMAIN = "familybudget.app"
IMAGE_TAG = "3f2c1ab"

# (environment, domain): the three environments as the example context sets them up, plus
# each one with the domain switched the other way.
VARIANTS: dict[str, tuple[str, str | None]] = {
    "development": ("development", None),
    "staging": ("staging", DOMAIN),
    "production": ("production", DOMAIN),
    "development+domain": ("development", DOMAIN),
    "staging-nodomain": ("staging", None),
    "production-nodomain": ("production", None),
}


def cli_context(environment: str, domain: str | None, **extra: Any) -> dict[str, Any]:
    """The context the CDK CLI would pass: cdk.json's "context" plus the example settings."""
    cdk_json = json.loads((INFRASTRUCTURE_DIR / "cdk.json").read_text(encoding="utf-8"))
    context: dict[str, Any] = dict(cdk_json["context"])
    context.update(example_context())
    context[environment] = dict(context[environment], domain_name=domain)
    context["environment"] = environment
    context["image_tag"] = IMAGE_TAG
    context.update(extra)
    return context


@dataclass
class Synthesized:
    environment: str
    domain: str | None
    assembly: cx_api.CloudAssembly
    outdir: Path
    seconds: float
    nag_findings: list[str]
    _templates: dict[str, Template] = field(default_factory=dict)

    def stack_names(self) -> list[str]:
        return sorted(stack.stack_name for stack in self.assembly.stacks)

    def raw(self, short: str) -> dict[str, Any]:
        stack = self.assembly.get_stack_by_name(f"{self.environment}-{short}Stack")
        template: dict[str, Any] = stack.template
        return template

    def template(self, short: str) -> Template:
        if short not in self._templates:
            self._templates[short] = Template.from_json(self.raw(short))
        return self._templates[short]

    def resources(self, short: str, resource_type: str) -> dict[str, dict[str, Any]]:
        found = self.template(short).find_resources(resource_type)
        return {logical: dict(resource) for logical, resource in found.items()}

    def outputs(self, short: str) -> dict[str, Any]:
        found: dict[str, Any] = self.raw(short).get("Outputs", {})
        return found

    def logical_id(self, short: str, resource_type: str, prefix: str) -> str:
        """The one resource of `resource_type` whose logical id starts with `prefix`."""
        (found,) = [
            logical
            for logical in self.resources(short, resource_type)
            if logical.startswith(prefix)
        ]
        return found

    def ref(self, short: str, resource_type: str, prefix: str) -> dict[str, Any]:
        return {"Ref": self.logical_id(short, resource_type, prefix)}

    def get_att(
        self, short: str, resource_type: str, prefix: str, attribute: str
    ) -> dict[str, Any]:
        return {"Fn::GetAtt": [self.logical_id(short, resource_type, prefix), attribute]}

    def assert_outputs(self, short: str, expected: dict[str, Any], export_prefix: str) -> None:
        """Each output's value is exactly the resource attribute it names, exported under
        `export_prefix` + its key (a key alone proves nothing about what a consumer gets)."""
        outputs = self.outputs(short)
        for key, value in expected.items():
            assert outputs[key] == {"Value": value, "Export": {"Name": export_prefix + key}}, key


def synthesize(environment: str, domain: str | None, outdir: Path) -> Synthesized:
    context = cli_context(environment, domain)
    started = time.monotonic()
    app = cdk.App(context=context, outdir=str(outdir))
    build_app(app, resolve_settings(context))
    assembly = app.synth()
    seconds = time.monotonic() - started
    report = AwsSolutionsChecks().validate_scope(app)
    findings = [
        f"{violation.rule_name} at {resource.construct_path}"
        for violation in report.violations
        for resource in violation.violating_resources
    ]
    return Synthesized(environment, domain, assembly, outdir, seconds, findings)
