from __future__ import annotations

import json
import logging

import pytest

from family_budget.observability.logging import REDACTED, configure_logging


@pytest.fixture
def json_logs(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    # The handler binds the stream current at configuration time, so configure inside the test.
    capsys.readouterr()
    yield capsys
    logging.getLogger().handlers = []


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert lines, "nothing was logged"
    return lines


class TestJsonLogs:
    def test_records_are_json_with_level_and_time(
        self, json_logs: pytest.CaptureFixture[str]
    ) -> None:
        configure_logging("INFO")
        logging.getLogger("family_budget.test").info("hello", extra={"household": "h1"})
        (line,) = _lines(json_logs)
        assert line["event"] == "hello"
        assert line["level"] == "info"
        assert line["household"] == "h1"
        assert "timestamp" in line

    def test_sensitive_keys_are_redacted(self, json_logs: pytest.CaptureFixture[str]) -> None:
        configure_logging("INFO")
        logging.getLogger("family_budget.test").info(
            "login",
            extra={
                "password": "hunter2hunter2",
                "refresh_token": "abc",
                "api_key": "k",
                "user": "u1",
            },
        )
        (line,) = _lines(json_logs)
        assert line["password"] == REDACTED
        assert line["refresh_token"] == REDACTED
        assert line["api_key"] == REDACTED
        assert line["user"] == "u1"

    def test_tokens_in_free_text_are_masked(self, json_logs: pytest.CaptureFixture[str]) -> None:
        jwt_like = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
        configure_logging("INFO")
        logging.getLogger("family_budget.test").warning(
            "bad header Bearer abc.def.ghi and %s", jwt_like
        )
        raw = json.dumps(_lines(json_logs))
        assert "abc.def.ghi" not in raw
        assert jwt_like not in raw


def test_http_client_request_lines_stay_out_of_debug_logs(
    json_logs: pytest.CaptureFixture[str],
) -> None:
    """urllib3 logs request lines at DEBUG; a Web Push endpoint's path is a secret."""
    configure_logging("DEBUG")
    logging.getLogger("urllib3.connectionpool").debug(
        '%s://%s:%s "%s %s %s" %s', "https", "push.example", 443, "POST", "/send/SECRET", "1.1", 201
    )
    logging.getLogger("family_budget.test").debug("ours still shows")
    assert [line["event"] for line in _lines(json_logs)] == ["ours still shows"]
