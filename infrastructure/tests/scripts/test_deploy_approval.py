"""`make deploy-prod` shows the diff and deploys only after the environment's name is typed.

The Makefile runs with a stand-in for the CDK CLI (a script that records its arguments), so
what is tested is the Makefile's own logic: what it asks, and what it would run.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

INFRASTRUCTURE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_cdk(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "cdk-calls.log"
    script = tmp_path / "cdk"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n', encoding="utf-8")
    script.chmod(0o755)
    return script, log


def run_make(fake: tuple[Path, Path], *args: str, answer: str | None) -> tuple[int, list[str]]:
    script, log = fake
    # Fresh stamps stand for the installed virtualenvs and CLI: installing is not this test's
    # business (variables given to make reach its recursive calls too).
    stamps = []
    for name in ("STAMP", "CHECKOV_STAMP", "CLI_STAMP"):
        stamp = log.parent / f"{name}.stamp"
        stamp.touch()
        stamps.append(f"{name}={stamp}")
    completed = subprocess.run(
        ["make", "-s", *args, *stamps, f"CDK={script}", "IMAGE_TAG=3f2c1ab"],
        cwd=INFRASTRUCTURE_DIR,
        input=answer if answer is not None else "",
        capture_output=True,
        text=True,
        env={**os.environ, "MAKEFLAGS": ""},
        check=False,
    )
    calls = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return completed.returncode, calls


def test_production_deploys_after_the_name_is_typed(fake_cdk: tuple[Path, Path]) -> None:
    code, calls = run_make(fake_cdk, "deploy-prod", answer="production\n")
    assert code == 0
    assert calls == [
        "diff --all -c environment=production -c image_tag=3f2c1ab --no-notices",
        "deploy --all -c environment=production -c image_tag=3f2c1ab "
        "--require-approval broadening --no-notices",
    ]


@pytest.mark.parametrize("answer", ["y\n", "yes\n", "Production\n", "\n", None])
def test_anything_else_deploys_nothing(fake_cdk: tuple[Path, Path], answer: str | None) -> None:
    code, calls = run_make(fake_cdk, "deploy-prod", answer=answer)
    assert code != 0
    assert [call.split()[0] for call in calls] == ["diff"]


def test_one_production_stack_asks_too(fake_cdk: tuple[Path, Path]) -> None:
    code, calls = run_make(
        fake_cdk, "deploy-stack", "ENV=production", "STACK=Compute", answer="no\n"
    )
    assert code != 0
    assert calls == [
        "diff production-ComputeStack -c environment=production -c image_tag=3f2c1ab --no-notices"
    ]


def test_other_environments_deploy_without_asking(fake_cdk: tuple[Path, Path]) -> None:
    code, calls = run_make(fake_cdk, "deploy-staging", answer=None)
    assert code == 0
    assert calls == [
        "deploy --all -c environment=staging -c image_tag=3f2c1ab "
        "--require-approval never --no-notices"
    ]
