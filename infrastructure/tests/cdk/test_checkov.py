"""checkov, a second rule suite beside cdk-nag, over the templates of every environment variant.

Every finding is either fixed or acknowledged on its resource (``Metadata.checkov.skip``) with
a reason; production must have fixed, not acknowledged, what the issue asked to fix there.
checkov runs twice per session, side by side, over all variants: over the templates as
synthesized, and over copies without acknowledgements, which shows any acknowledgement that no
longer covers a finding (it lives in .venv-checkov: its pinned dependencies conflict with the
CDK venv's).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cdk_synth import VARIANTS, Synthesized
from stacks.settings import INFRASTRUCTURE_DIR

CHECKOV = INFRASTRUCTURE_DIR / ".venv-checkov" / "bin" / "checkov"

Finding = tuple[str, str, str]  # (check id, stack, logical id)

# Fixed in production (issue 17), so never acknowledged there, on these resource types.
FIXED_IN_PRODUCTION = {
    "CKV_AWS_91": "AWS::ElasticLoadBalancingV2::LoadBalancer",  # ALB access logs
    "CKV_AWS_131": "AWS::ElasticLoadBalancingV2::LoadBalancer",  # drop invalid headers
    "CKV_AWS_118": "AWS::RDS::DBInstance",  # enhanced monitoring
    "CKV_AWS_158": "AWS::Logs::LogGroup",  # KMS for log groups
    "CKV_AWS_35": "AWS::CloudTrail::Trail",  # trail encrypted with the KMS key
    "CKV_AWS_27": "AWS::SQS::Queue",  # queues encrypted with the KMS key
}
NOTIFICATION_FUNCTIONS = ("RenderEmailFunction", "FormatPushFunction", "FilterPreferencesFunction")

# Every check acknowledged anywhere, and nothing else: a new acknowledgement is a decision
# that also goes into the README's table.
ACKNOWLEDGED_CHECKS = {
    "CKV2_AWS_71",  # wildcard certificate (design)
    "CKV_AWS_2",  # plain HTTP listener without a domain
    "CKV_AWS_103",  # no TLS on that listener
    "CKV_AWS_115",  # Lambda concurrency: deploy-time handlers; notifications outside production
    "CKV_AWS_116",  # Lambda DLQ: deploy-time handlers
    "CKV_AWS_117",  # Lambda outside the VPC: deploy-time handlers
    "CKV_AWS_118",  # RDS enhanced monitoring outside production
    "CKV_AWS_136",  # ECR without KMS
    "CKV_AWS_149",  # secrets without a customer managed key outside production
    "CKV_AWS_157",  # RDS Multi-AZ outside production
    "CKV_AWS_158",  # log groups without KMS outside production
    "CKV_AWS_173",  # Lambda environment without KMS (names only)
    "CKV_AWS_18",  # S3 access logging: log sinks, dashboards, outside production
    "CKV_AWS_21",  # S3 versioning: exports, log sinks, dashboards, outside production
    "CKV_AWS_252",  # CloudTrail without an SNS topic
    "CKV_AWS_26",  # SNS topics SES/CloudWatch publish to, outside production
    "CKV_AWS_260",  # port 80 open: redirect to 443, or plain HTTP without a domain
    "CKV_AWS_27",  # SQS-managed encryption outside production
    "CKV_AWS_29",  # ElastiCache at rest outside production
    "CKV_AWS_33",  # KMS key policy '*' bound to the account and Secrets Manager
    "CKV_AWS_35",  # trail without a customer managed key in staging
    "CKV_AWS_51",  # mutable ECR tags outside production
    "CKV_AWS_91",  # ALB access logs outside production
    "CKV_AWS_88",  # public address of the lean profile's NAT instance
}


def _finding(result: dict[str, Any]) -> Finding:
    stack = Path(result["file_path"]).name.removesuffix(".template.json")
    return (result["check_id"], stack, result["resource"].split(".", 1)[1])


def _start_checkov(templates: list[Path], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            str(CHECKOV),
            "--framework",
            "cloudformation",
            "--skip-download",
            "--compact",
            "--output",
            "json",
            "--file",
            *(str(path.relative_to(cwd)) for path in templates),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )


def _report(process: subprocess.Popen[str]) -> dict[str, Any]:
    stdout, stderr = process.communicate()
    # Exit code 1 means findings; anything else (or no JSON) means checkov itself failed.
    assert process.returncode in (0, 1), stderr[-3000:]
    report: dict[str, Any] = json.loads(stdout)
    assert report["summary"]["parsing_errors"] == 0, report["results"]["parsing_errors"]
    return report


def _without_acknowledgements(template: Path, copy: Path) -> None:
    body = json.loads(template.read_text(encoding="utf-8"))
    for resource in body.get("Resources", {}).values():
        resource.get("Metadata", {}).pop("checkov", None)
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_text(json.dumps(body), encoding="utf-8")


@pytest.fixture(scope="session")
def checkov_results(
    synthesized: Callable[[str], Synthesized],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Per variant: "failed" and "skipped" checks of the templates as synthesized, and
    "unacknowledged": what fails once every acknowledgement is taken out (two checkov runs
    side by side, each over all variants)."""
    if not CHECKOV.exists():
        pytest.fail("checkov is not installed: run `make install` (make test does it)")
    directories = {synthesized(name).outdir: name for name in VARIANTS}
    base = next(iter(directories)).parent
    bare = tmp_path_factory.mktemp("checkov-bare")
    templates = sorted(path for d in directories for path in d.glob("*.template.json"))
    for template in templates:
        _without_acknowledgements(template, bare / template.parent.name / template.name)
    runs = {
        "as synthesized": _start_checkov(templates, base),
        "bare": _start_checkov(sorted(bare.glob("*/*.template.json")), bare),
    }
    reports = {key: _report(process) for key, process in runs.items()}

    names = {directory.name: name for directory, name in directories.items()}
    by_variant: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {"failed": [], "skipped": [], "unacknowledged": []} for name in VARIANTS
    }
    for run, outcome, key in (
        ("as synthesized", "failed", "failed"),
        ("as synthesized", "skipped", "skipped"),
        ("bare", "failed", "unacknowledged"),
    ):
        for check in reports[run]["results"].get(f"{outcome}_checks", []):
            variant = names[Path(check["file_path"]).parts[1]]
            by_variant[variant][key].append(check)
    return by_variant


@pytest.mark.parametrize("name", list(VARIANTS))
def test_no_unacknowledged_finding(
    checkov_results: dict[str, dict[str, list[dict[str, Any]]]], name: str
) -> None:
    failed = sorted(_finding(check) for check in checkov_results[name]["failed"])
    assert failed == []


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_acknowledgement_is_needed(
    checkov_results: dict[str, dict[str, list[dict[str, Any]]]], name: str
) -> None:
    """checkov reports an acknowledged check as skipped even where it would pass, so the
    acknowledgements must be exactly what fails without them."""
    acknowledged = {_finding(check) for check in checkov_results[name]["skipped"]}
    failing_without = {_finding(check) for check in checkov_results[name]["unacknowledged"]}
    assert sorted(acknowledged - failing_without) == []
    assert sorted(failing_without - acknowledged) == []


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_acknowledgement_is_a_known_check_with_a_reason(
    checkov_results: dict[str, dict[str, list[dict[str, Any]]]], name: str
) -> None:
    skipped = checkov_results[name]["skipped"]
    assert skipped, "checkov reported no acknowledged finding: did it read the metadata?"
    assert {check["check_id"] for check in skipped} <= ACKNOWLEDGED_CHECKS
    for check in skipped:
        assert len(check["check_result"]["suppress_comment"]) >= 40, _finding(check)


def test_what_production_fixed_is_not_acknowledged(
    checkov_results: dict[str, dict[str, list[dict[str, Any]]]],
) -> None:
    for variant in ("production", "production-nodomain"):
        acknowledged = {_finding(check) for check in checkov_results[variant]["skipped"]}
        for check_id, resource_type in FIXED_IN_PRODUCTION.items():
            assert not any(finding[0] == check_id for finding in acknowledged), (
                f"{check_id} ({resource_type}) is acknowledged in {variant}, not fixed"
            )
        # The notification Lambdas have a DLQ everywhere and reserved concurrency here.
        for check_id in ("CKV_AWS_115", "CKV_AWS_116"):
            assert not {
                logical
                for finding_id, _, logical in acknowledged
                if finding_id == check_id and logical.startswith(NOTIFICATION_FUNCTIONS)
            }
        # Receipts are the family's data: versioned in production, not acknowledged.
        assert not {
            logical
            for finding_id, _, logical in acknowledged
            if finding_id == "CKV_AWS_21" and logical.startswith("ReceiptsBucket")
        }


def test_acknowledgements_sit_on_their_resource(env: Synthesized) -> None:
    """The metadata checkov reads: a list of {id, comment} on the resource itself."""
    found = 0
    for stack in env.assembly.stacks:
        for logical, resource in stack.template["Resources"].items():
            skips = resource.get("Metadata", {}).get("checkov", {}).get("skip")
            if skips is None:
                continue
            ids = [skip["id"] for skip in skips]
            assert len(ids) == len(set(ids)), (stack.stack_name, logical)
            assert all(set(skip) == {"id", "comment"} for skip in skips)
            found += len(skips)
    assert found > 0
