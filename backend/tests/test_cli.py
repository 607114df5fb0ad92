from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import create_async_engine
from typer.testing import CliRunner

from family_budget.cli import cli
from tests.conftest import _postgres_test_database, _run_admin

runner = CliRunner()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {"DATA_DIR": str(tmp_path), "ENVIRONMENT": "development", "DATABASE_URL": ""}
    env.update(extra)
    return env


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


class TestMigrate:
    def test_creates_the_schema_in_the_embedded_database(self, tmp_path: Path) -> None:
        result = runner.invoke(cli, ["migrate"], env=_env(tmp_path))
        assert result.exit_code == 0, result.output
        tables = asyncio.run(_tables(f"sqlite+aiosqlite:///{tmp_path}/family_budget.db"))
        assert {
            "users",
            "households",
            "transactions",
            "budget_assignments",
            "alembic_version",
        } <= tables

    def test_running_twice_is_a_no_op(self, tmp_path: Path) -> None:
        assert runner.invoke(cli, ["migrate"], env=_env(tmp_path)).exit_code == 0
        assert runner.invoke(cli, ["migrate"], env=_env(tmp_path)).exit_code == 0

    def test_failure_exits_non_zero(self, tmp_path: Path) -> None:
        unreachable = "postgresql://nobody@127.0.0.1:1/nowhere"
        result = runner.invoke(cli, ["migrate"], env=_env(tmp_path, DATABASE_URL=unreachable))
        assert result.exit_code == 1
        assert "Migration failed" in result.output

    def test_production_refuses_unsafe_settings(self, tmp_path: Path) -> None:
        result = runner.invoke(cli, ["migrate"], env=_env(tmp_path, ENVIRONMENT="production"))
        assert result.exit_code == 2
        assert "JWT_SECRET" in result.output


class TestSeedDemoArguments:
    @pytest.mark.parametrize("arguments", [["--months", "0"], ["--transactions", "-5"]])
    def test_nonsense_is_refused_before_touching_the_database(
        self, tmp_path: Path, arguments: list[str]
    ) -> None:
        result = runner.invoke(cli, ["seed-demo", *arguments], env=_env(tmp_path))
        assert result.exit_code == 2
        assert "--months must be at least 1" in result.output
        assert not (tmp_path / "family_budget.db").exists()


@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="the advisory lock exists on PostgreSQL only"
)
class TestConcurrentMigrations:
    def test_three_simultaneous_runs_migrate_once(self) -> None:
        # Separate processes, as separate ECS tasks would be.
        url, admin = _postgres_test_database(os.environ["TEST_DATABASE_URL"])
        name = url.rsplit("/", 1)[-1]
        asyncio.run(_run_admin(admin, f'CREATE DATABASE "{name}"'))
        command = [str(Path(sys.executable).parent / "family-budget"), "migrate"]
        env = {**os.environ, "DATABASE_URL": url, "ENVIRONMENT": "development"}
        try:
            processes = [
                subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                for _ in range(3)
            ]
            outputs = [process.communicate(timeout=180)[0].decode() for process in processes]
            assert [process.returncode for process in processes] == [0, 0, 0], outputs

            async def versions() -> list[str]:
                engine = create_async_engine(url)
                try:
                    async with engine.connect() as connection:
                        rows = await connection.execute(
                            text("SELECT version_num FROM alembic_version")
                        )
                        return [row[0] for row in rows]
                finally:
                    await engine.dispose()

            assert len(asyncio.run(versions())) == 1
        finally:
            asyncio.run(_run_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
