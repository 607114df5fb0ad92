"""A cold start is only what a request needs: the served app imports no library that only a job, a
file format or an optional service uses (each costs tens of ms and MB in every API process; a new
task that Fargate starts waits for it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Imported on first use, by the code that needs them, never by creating the app.
LAZY = (
    "plaid",  # bank links: only with PLAID_CLIENT_ID/PLAID_SECRET, when the client is built
    "pywebpush",  # Web Push is sent by the worker
    "py_vapid",
    "aiohttp",  # pywebpush's
    "requests",
    "urllib3",
    "reportlab",  # the monthly statement PDF (an export job)
    "pypdf",  # receipt PDFs: checked on upload, read by a job
    "PIL",  # receipt photos, likewise
    "pillow_heif",
    "pytesseract",
    "icalendar",  # the bill calendar feed
    "ofxtools",  # bank file imports
    "charset_normalizer",
    "pyotp",  # two-step sign-in
    "segno",
    "boto3",  # S3, SES, SNS, SQS: only with their settings
    "botocore",
    "redis",  # only with REDIS_URL: the embedded default (and the bench) run without it
    "celery",  # the worker's
    "kombu",
    "pygments",  # structlog's console renderer would pull in rich; logs are JSON
    "rich",
)


def _modules_after_import(tmp_path: Path) -> set[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_", "REDIS_", "JWT_", "TEST_", "PLAID_"))
    }
    env["DATA_DIR"] = str(tmp_path / "data")
    code = "import json, sys; import family_budget.main; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


def test_creating_the_app_imports_no_library_a_request_does_not_need(tmp_path: Path) -> None:
    modules = _modules_after_import(tmp_path)
    assert "family_budget.app" in modules
    imported = sorted(name for name in LAZY if name in modules)
    assert imported == [], f"imported at start, should be imported where used: {imported}"
