"""The Celery app: broker choice, and every job registered as a task beat and the relay can send."""

from __future__ import annotations

import logging
import ssl
from pathlib import Path

import pytest
from kombu import Connection

from family_budget.config import Settings
from family_budget.worker.celery_app import broker_settings, create_celery
from family_budget.worker.jobs import registered_jobs


def _settings(data_dir: Path, **values: object) -> Settings:
    return Settings(_env_file=None, data_dir=data_dir, **values)  # type: ignore[call-arg, arg-type]


class TestBroker:
    def test_without_redis_the_queue_is_a_folder_of_the_data_dir(
        self, tmp_path: Path, caplog: pytest.LogCaptureFixture
    ) -> None:
        options = broker_settings(_settings(tmp_path))
        assert options["broker_url"].startswith("filesystem://")
        # Sending a job describes the connection; that must not log a warning each start.
        with (
            caplog.at_level(logging.WARNING, logger="kombu"),
            Connection(
                options["broker_url"], transport_options=options["broker_transport_options"]
            ) as connection,
        ):
            connection.info()
        assert caplog.records == []
        transport = options["broker_transport_options"]
        messages = tmp_path / "queue" / "messages"
        assert transport["data_folder_in"] == transport["data_folder_out"] == str(messages)
        assert transport["control_folder"] == str(tmp_path / "queue" / "control")
        assert messages.is_dir()
        # A password-reset email is four hops through this folder; at kombu's default of one
        # poll a second it took ~4 s to arrive (and an end-to-end test waiting 10 s failed on a
        # loaded machine). A tenth of a second brings it to ~0.4 s.
        assert transport["polling_interval"] <= 0.1

    def test_redis_when_configured(self, tmp_path: Path) -> None:
        options = broker_settings(_settings(tmp_path, redis_url="redis://cache:6379/0"))
        assert options == {"broker_url": "redis://cache:6379/0"}

    def test_tls_to_redis_checks_the_certificate(self, tmp_path: Path) -> None:
        options = broker_settings(
            _settings(tmp_path, redis_url="rediss://cache:6379/0", redis_auth_token="s3cret")
        )
        assert options["broker_url"] == "rediss://:s3cret@cache:6379/0"
        assert options["broker_use_ssl"] == {"ssl_cert_reqs": ssl.CERT_REQUIRED}


class TestApp:
    def test_every_job_is_a_task_and_beat_ticks(self, tmp_path: Path) -> None:
        app = create_celery(_settings(tmp_path, worker_tick_seconds=15))
        assert set(registered_jobs()) <= set(app.tasks)
        assert {"jobs.tick", "jobs.relay", "maintenance.purge_expired"} <= set(app.tasks)
        assert app.conf.beat_schedule == {"jobs.tick": {"task": "jobs.tick", "schedule": 15.0}}
        assert (app.conf.task_acks_late, app.conf.worker_prefetch_multiplier) == (True, 1)
