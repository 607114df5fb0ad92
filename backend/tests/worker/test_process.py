"""The worker and beat as real processes on the embedded default (SQLite, the filesystem queue
under DATA_DIR, no Redis), as `make run` starts them."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory, unit_of_work
from family_budget.models import Job, RefreshToken, User
from family_budget.security import hash_token
from family_budget.worker.dispatch import Dispatcher
from family_budget.worker.jobs import enqueue, registered_jobs

CLI = str(Path(sys.executable).parent / "family-budget")
DEADLINE_SECONDS = 60
TICKS = "family_budget_worker_ticks_total"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def _metric(url: str, name: str) -> float:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (local worker)
            text = response.read().decode()
    except (urllib.error.URLError, OSError):
        return -1.0
    total = 0.0
    for line in text.splitlines():
        if re.match(re.escape(name) + r"(\{|\s)", line):
            total += float(line.rsplit(" ", 1)[1])
    return total


class Embedded:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.metrics_port = _free_port()
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DATABASE_", "REDIS_", "JWT_", "TEST_", "PROMETHEUS_"))
        }
        self.env.update(
            {
                "DATA_DIR": str(data_dir),
                "WORKER_METRICS_PORT": str(self.metrics_port),
                "WORKER_TICK_SECONDS": "0.5",
                "LOG_LEVEL": "WARNING",
            }
        )
        self.settings = Settings(_env_file=None, data_dir=data_dir)  # type: ignore[call-arg]
        self.processes: list[subprocess.Popen[bytes]] = []

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    def start(self, command: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [CLI, command],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)

    def run(self, coroutine_factory: Callable[..., object]) -> object:
        return asyncio.run(coroutine_factory())  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated once for the module; each test starts from a copy of it."""
    system = Embedded(tmp_path_factory.mktemp("template"))
    migrated = subprocess.run(
        [CLI, "migrate"], env=system.env, capture_output=True, text=True, timeout=120, check=False
    )
    assert migrated.returncode == 0, migrated.stderr
    return system.data_dir / "family_budget.db"


@pytest.fixture
def embedded(tmp_path: Path, migrated_database: Path) -> Iterator[Embedded]:
    system = Embedded(tmp_path / "data")
    system.data_dir.mkdir()
    shutil.copyfile(migrated_database, system.data_dir / "family_budget.db")
    yield system
    system.stop_all()


async def _arrange_expired_token_and_enqueue_purge(settings: Settings, nudge: bool) -> None:
    engine = create_engine(settings, pooled=False)
    try:
        factory = create_session_factory(
            engine, job_nudge=Dispatcher(settings).nudge if nudge else None
        )
        async with unit_of_work(factory) as session:
            user = User(email="worker@example.com", name="Worker", password_hash="x")
            session.add(user)
            await session.flush()
            session.add(
                RefreshToken(
                    user_id=user.id,
                    family_id=user.id,
                    token_hash=hash_token("expired long ago"),
                    expires_at=datetime.now(UTC) - timedelta(days=30),
                )
            )
            at = datetime.now(UTC).isoformat()
            await enqueue(session, "maintenance.purge_expired", {"at": at}, key="purge-now")
    finally:
        await engine.dispose()


async def _counts(settings: Settings) -> tuple[int, int]:
    engine = create_engine(settings, pooled=False)
    try:
        async with create_session_factory(engine)() as session:
            tokens = await session.scalar(select(func.count()).select_from(RefreshToken))
            done = await session.scalar(
                select(func.count()).select_from(Job).where(Job.done_at.is_not(None))
            )
    finally:
        await engine.dispose()
    return int(tokens or 0), int(done or 0)


def test_a_committed_job_runs_in_the_worker_and_is_counted(embedded: Embedded) -> None:
    embedded.start("worker")
    _wait_for(
        lambda: _metric(embedded.metrics_url, "family_budget_worker_ticks_total") >= 0, "metrics"
    )

    asyncio.run(_arrange_expired_token_and_enqueue_purge(embedded.settings, nudge=True))

    _wait_for(lambda: asyncio.run(_counts(embedded.settings)) == (0, 1), "the purge to run")
    done = 'family_budget_worker_jobs_total{job="maintenance.purge_expired",outcome="done"}'
    _wait_for(lambda: _metric(embedded.metrics_url, done) == 1.0, "the job in /metrics")


def test_jobs_committed_while_the_worker_is_down_run_when_it_is_back(
    embedded: Embedded,
) -> None:
    worker = embedded.start("worker")
    _wait_for(
        lambda: _metric(embedded.metrics_url, "family_budget_worker_ticks_total") >= 0, "metrics"
    )
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)

    asyncio.run(_arrange_expired_token_and_enqueue_purge(embedded.settings, nudge=True))
    assert asyncio.run(_counts(embedded.settings)) == (1, 0)

    embedded.start("worker")
    _wait_for(lambda: asyncio.run(_counts(embedded.settings)) == (0, 1), "the purge to run")


def test_beat_ticks_the_worker(embedded: Embedded) -> None:
    embedded.start("worker")
    embedded.start("beat")
    _wait_for(
        lambda: _metric(embedded.metrics_url, TICKS) >= 2,
        "two ticks from beat",
    )


def test_tick_runs_what_is_due_without_a_worker(embedded: Embedded) -> None:
    asyncio.run(_arrange_expired_token_and_enqueue_purge(embedded.settings, nudge=False))
    ticked = subprocess.run(
        [CLI, "tick", "--at", "2026-12-02T09:00:00+00:00"],
        env=embedded.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ticked.returncode == 0, ticked.stderr
    # The job committed earlier, and the day's jobs (the purge among them) scheduled by this tick.
    daily = sum(1 for spec in registered_jobs().values() if spec.every == "day")
    assert f"scheduled {daily}; jobs: {daily + 1} done, 0 retry, 0 failed, 0 skipped" in (
        ticked.stdout
    )
    assert asyncio.run(_counts(embedded.settings)) == (0, daily + 1)

    again = subprocess.run(
        [CLI, "tick", "--at", "2026-12-02T09:00:00+00:00"],
        env=embedded.env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "scheduled 0; jobs: 0 done" in again.stdout


def test_tick_refuses_an_instant_without_an_offset(embedded: Embedded) -> None:
    ticked = subprocess.run(
        [CLI, "tick", "--at", "2026-12-02T09:00:00"],
        env=embedded.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (ticked.returncode, "needs an offset" in ticked.stderr) == (2, True)
