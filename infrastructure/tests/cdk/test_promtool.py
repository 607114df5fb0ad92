"""promtool and amtool over what Prometheus and Alertmanager really load.

Prometheus: the configuration as the MonitoringStack renders it into SSM for every environment
variant (with a domain it carries the certificates job), next to the rule files the init
container copies beside it; the local-run configuration; the rules, and their unit tests
(monitoring/prometheus/tests/). Alertmanager: its configuration as rendered for the stack.

promtool is in Debian's `prometheus` package, amtool in `prometheus-alertmanager`. Without them
these tests are skipped (and say so); under CI=true they fail instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from cdk_synth import Synthesized
from stacks.monitoring.configuration import (
    MONITORING_DIR,
    PROMETHEUS_RULES_DIR,
    render_alertmanager_config,
)

RULE_TESTS_DIR = MONITORING_DIR / "prometheus" / "tests"


def tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} not found: install Debian's {package} package"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message} (CI must run these checks)")
    pytest.skip(f"{message}; Prometheus configuration checks SKIPPED")


@pytest.fixture(scope="module")
def promtool() -> str:
    return tool("promtool", "prometheus")


@pytest.fixture(scope="module")
def amtool() -> str:
    return tool("amtool", "prometheus-alertmanager")


def run(*command: str, cwd: Path | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def rendered_prometheus_config(variant: Synthesized) -> str:
    name = f"/{variant.environment}/monitoring/prometheus-config"
    for resource in variant.resources("Monitoring", "AWS::SSM::Parameter").values():
        if resource["Properties"]["Name"] == name:
            value: str = resource["Properties"]["Value"]
            return value
    raise AssertionError(name)


def test_the_rendered_configuration_with_its_rules(
    promtool: str, variant: Synthesized, tmp_path: Path
) -> None:
    (tmp_path / "prometheus.yml").write_text(rendered_prometheus_config(variant))
    shutil.copytree(PROMETHEUS_RULES_DIR, tmp_path / "rules")
    output = run(promtool, "check", "config", "prometheus.yml", cwd=tmp_path)
    rule_files = sorted(PROMETHEUS_RULES_DIR.glob("*.yml"))
    assert rule_files
    for rule_file in rule_files:
        assert f"Checking rules/{rule_file.name}" in output


def test_the_local_configuration(promtool: str, tmp_path: Path) -> None:
    shutil.copy(MONITORING_DIR / "prometheus" / "prometheus.local.yml", tmp_path)
    shutil.copytree(PROMETHEUS_RULES_DIR, tmp_path / "rules")
    run(promtool, "check", "config", "prometheus.local.yml", cwd=tmp_path)


def test_the_rules(promtool: str) -> None:
    run(promtool, "check", "rules", *map(str, sorted(PROMETHEUS_RULES_DIR.glob("*.yml"))))


def test_the_rules_fire_when_they_should(promtool: str) -> None:
    tests = sorted(RULE_TESTS_DIR.glob("*.test.yml"))
    assert tests
    output = run(promtool, "test", "rules", *(t.name for t in tests), cwd=RULE_TESTS_DIR)
    assert "SUCCESS" in output


def test_the_alertmanager_configuration(amtool: str, tmp_path: Path) -> None:
    config = tmp_path / "alertmanager.yml"
    config.write_text(
        render_alertmanager_config(
            "production",
            alarm_topic_arn="arn:aws:sns:us-east-1:987654321098:production-critical-alarms",
            region="us-east-1",
        )
    )
    output = run(amtool, "check-config", str(config))
    assert "1 receivers" in output
