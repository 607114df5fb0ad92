"""Backups: a database full of demo data is backed up, restored into a fresh database, and every
table's row count and content checksum compared — on SQLite, and on PostgreSQL when the suite
runs there (TEST_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import inspect, make_url, select, table, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from typer.testing import CliRunner

from family_budget.backups import (
    MANIFEST_SUFFIX,
    BackupError,
    Manifest,
    create_backup,
    find_client,
    list_backups,
    observe_last_backup,
    restore_backup,
)
from family_budget.cli import cli
from family_budget.config import Settings
from family_budget.demo import seed_demo_household
from family_budget.migrations import upgrade_to_head
from family_budget.models import Base, Job
from family_budget.storage import storages_for
from tests.conftest import TEST_JWT_SECRET

DEMO_MONTHS = 3


def fingerprint(settings: Settings) -> dict[str, tuple[int, str]]:
    """Every table (the schema's and Alembic's): its row count and a SHA-256 of its rows."""

    async def read() -> dict[str, tuple[int, str]]:
        engine = create_async_engine(settings.resolved_database_url)
        try:
            async with engine.connect() as connection:
                names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
                found: dict[str, tuple[int, str]] = {}
                for name in sorted(names):
                    everything = select(text("*")).select_from(table(name))
                    rows = (await connection.execute(everything)).all()
                    digest = hashlib.sha256()
                    for row in sorted(repr(tuple(row)) for row in rows):
                        digest.update(row.encode())
                    found[name] = (len(rows), digest.hexdigest())
                return found
        finally:
            await engine.dispose()

    return asyncio.run(read())


def _sqlite_settings(folder: Path, **overrides: object) -> Settings:
    return Settings(data_dir=folder, jwt_secret=TEST_JWT_SECRET, **overrides)  # type: ignore[arg-type]


@pytest.fixture
def postgres_databases() -> Iterator[tuple[str, str]]:
    """Two fresh PostgreSQL databases (source, target) on the test server."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("PostgreSQL round trip: set TEST_DATABASE_URL (CI does)")
    admin = make_url(server).set(drivername="postgresql+asyncpg", database="postgres")
    names = [f"family_budget_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]

    async def run(statement: str) -> None:
        engine = create_async_engine(admin, isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as connection:
                await connection.execute(text(statement))
        finally:
            await engine.dispose()

    for name in names:
        asyncio.run(run(f'CREATE DATABASE "{name}"'))
    try:
        yield tuple(  # type: ignore[misc]
            admin.set(database=name).render_as_string(hide_password=False) for name in names
        )
    finally:
        for name in names:
            asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _seeded(settings: Settings) -> dict[str, tuple[int, str]]:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_to_head(settings.resolved_database_url)
    asyncio.run(seed_demo_household(settings, months=DEMO_MONTHS))
    before = fingerprint(settings)
    assert before["transactions"][0] > 50, "the demo data is missing"
    assert before["alembic_version"][0] == 1
    return before


class TestSqlite:
    def test_round_trip_through_the_command(self, tmp_path: Path) -> None:
        source = _sqlite_settings(tmp_path / "source")
        before = _seeded(source)
        runner = CliRunner()

        backed_up = runner.invoke(cli, ["backup"], env={"DATA_DIR": str(source.data_dir)})

        assert backed_up.exit_code == 0, backed_up.output
        [manifest] = list_backups(storages_for(source).backups)
        backup_file = source.data_dir / "backups" / manifest.file
        assert manifest.file in backed_up.output
        assert manifest.engine == "sqlite"
        assert manifest.sha256 == hashlib.sha256(backup_file.read_bytes()).hexdigest()
        assert json.loads(Path(f"{backup_file}{MANIFEST_SUFFIX}").read_text())["sha256"] == (
            manifest.sha256
        )

        target_dir = tmp_path / "fresh"
        restored = runner.invoke(
            cli, ["restore", str(backup_file), "--yes"], env={"DATA_DIR": str(target_dir)}
        )

        assert restored.exit_code == 0, restored.output
        assert fingerprint(_sqlite_settings(target_dir)) == before

    def test_restore_by_name_from_storage_and_refusals(self, tmp_path: Path) -> None:
        source = _sqlite_settings(tmp_path / "source")
        before = _seeded(source)
        result = create_backup(source)
        name = result.manifest.file

        # By name, out of the backups storage (here the folder; S3 in AWS).
        target = _sqlite_settings(tmp_path / "target", backups_bucket=None)
        target.data_dir.mkdir()
        (target.data_dir / "backups").symlink_to(source.data_dir / "backups")
        restore_backup(target, name)
        assert fingerprint(target) == before

        # Not empty any more: refused, unless forced.
        with pytest.raises(BackupError, match="not empty"):
            restore_backup(target, name)
        restore_backup(target, name, force=True)
        assert fingerprint(target) == before

    def test_a_corrupted_backup_is_refused(self, tmp_path: Path) -> None:
        source = _sqlite_settings(tmp_path / "source")
        _seeded(source)
        backup_file = source.data_dir / "backups" / create_backup(source).manifest.file
        data = bytearray(backup_file.read_bytes())
        data[len(data) // 2] ^= 0xFF
        backup_file.write_bytes(bytes(data))
        target = _sqlite_settings(tmp_path / "target")

        with pytest.raises(BackupError, match="checksum"):
            restore_backup(target, str(backup_file))
        assert not (target.data_dir / "family_budget.db").exists()

    def test_without_manifest_or_yes(self, tmp_path: Path) -> None:
        stray = tmp_path / "stray.sqlite3"
        stray.write_bytes(b"SQLite format 3\x00")
        with pytest.raises(BackupError, match="manifest"):
            restore_backup(_sqlite_settings(tmp_path / "t"), str(stray))
        refused = CliRunner().invoke(cli, ["restore", str(stray)])
        assert refused.exit_code == 2
        assert "--yes" in refused.output

    def test_retention_prunes_oldest_keeps_newest(self, tmp_path: Path) -> None:
        settings = _sqlite_settings(
            tmp_path / "d", backup_retention_count=2, backup_retention_days=30
        )
        settings.data_dir.mkdir()
        upgrade_to_head(settings.resolved_database_url)
        start = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
        names = [
            create_backup(settings, now=start + timedelta(days=d)).manifest.file for d in range(3)
        ]
        assert [m.file for m in list_backups(storages_for(settings).backups)] == names[:0:-1]
        assert not (settings.data_dir / "backups" / names[0]).exists()

        # Sixty days of silence, then one more backup: everything older than 30 days goes.
        late = create_backup(settings, now=start + timedelta(days=62))
        assert late.pruned == [names[2], names[1]]
        assert [m.file for m in list_backups(storages_for(settings).backups)] == [
            late.manifest.file
        ]

    def test_a_stored_backup_is_recorded_for_the_worker(self, tmp_path: Path) -> None:
        """`family-budget backup` notes each stored backup in the jobs table; the worker's gauge
        reads the newest at every tick (BackupsNotRunIn26Hours alerts on it)."""
        settings = _sqlite_settings(tmp_path / "d")
        settings.data_dir.mkdir()
        upgrade_to_head(settings.resolved_database_url)
        before = datetime.now(UTC)
        backed_up = CliRunner().invoke(cli, ["backup"], env={"DATA_DIR": str(settings.data_dir)})
        after = datetime.now(UTC)
        assert backed_up.exit_code == 0, backed_up.output
        files = sorted(m.file for m in list_backups(storages_for(settings).backups))

        async def recorded() -> tuple[list[tuple[str, datetime]], datetime | None]:
            engine = create_async_engine(settings.resolved_database_url)
            try:
                async with AsyncSession(engine) as session:
                    rows = (
                        await session.execute(
                            select(Job.key, Job.created_at)
                            .where(Job.name == "backups.recorded")
                            .order_by(Job.created_at)
                        )
                    ).all()
                    newest = await observe_last_backup(session)
                return [(key, at.replace(tzinfo=UTC)) for key, at in rows], newest
            finally:
                await engine.dispose()

        rows, newest = asyncio.run(recorded())
        [(key, at)] = rows
        assert key == f"backups.recorded:{files[0]}"
        assert before <= at <= after
        assert newest == at
        gauge = REGISTRY.get_sample_value("family_budget_backup_last_success_timestamp_seconds")
        assert gauge == at.timestamp()

    def test_a_backup_that_cannot_be_recorded_fails_the_command(self, tmp_path: Path) -> None:
        # A database without the jobs table (never migrated): the backup is stored, the
        # command says it was not recorded and exits non-zero (the failed-backup alarm).
        folder = tmp_path / "d"
        folder.mkdir()
        with sqlite3.connect(folder / "family_budget.db") as database:
            database.execute("CREATE TABLE notes (body TEXT)")
        backed_up = CliRunner().invoke(cli, ["backup"], env={"DATA_DIR": str(folder)})
        assert backed_up.exit_code == 1, backed_up.output
        assert "could not be recorded" in backed_up.output
        assert len(list_backups(storages_for(_sqlite_settings(folder)).backups)) == 1


class TestPostgres:
    def test_round_trip(self, tmp_path: Path, postgres_databases: tuple[str, str]) -> None:
        source_url, target_url = postgres_databases
        source = _sqlite_settings(tmp_path / "d", database_url=source_url)
        before = _seeded(source)

        result = create_backup(source)

        assert result.manifest.engine == "postgresql"
        backup_file = source.data_dir / "backups" / result.manifest.file
        assert backup_file.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
        target = _sqlite_settings(tmp_path / "d", database_url=target_url)
        restore_backup(target, str(backup_file))
        assert fingerprint(target) == before

        # Into a migrated, empty database too (pg_restore --clean replaces the schema).
        refused_before = fingerprint(target)
        with pytest.raises(BackupError, match="not empty"):
            restore_backup(target, str(backup_file))
        assert fingerprint(target) == refused_before
        restore_backup(target, str(backup_file), force=True)
        assert fingerprint(target) == before

    def test_restore_into_a_migrated_empty_database(
        self, tmp_path: Path, postgres_databases: tuple[str, str]
    ) -> None:
        source_url, target_url = postgres_databases
        source = _sqlite_settings(tmp_path / "d", database_url=source_url)
        before = _seeded(source)
        backup_file = source.data_dir / "backups" / create_backup(source).manifest.file
        target = _sqlite_settings(tmp_path / "d", database_url=target_url)
        upgrade_to_head(target.resolved_database_url)

        restore_backup(target, str(backup_file))

        assert fingerprint(target) == before

    def test_a_sqlite_backup_does_not_go_into_postgres(
        self, tmp_path: Path, postgres_databases: tuple[str, str]
    ) -> None:
        sqlite_source = _sqlite_settings(tmp_path / "s")
        _seeded(sqlite_source)
        backup_file = (
            sqlite_source.data_dir / "backups" / create_backup(sqlite_source).manifest.file
        )
        target = _sqlite_settings(tmp_path / "p", database_url=postgres_databases[1])
        with pytest.raises(BackupError, match="is a sqlite backup"):
            restore_backup(target, str(backup_file))


def test_refuses_a_client_of_another_major_version() -> None:
    with pytest.raises(BackupError, match=r"PostgreSQL 99\b.*postgresql-client-99"):
        find_client("pg_dump", 99)


def test_manifest_round_trip() -> None:
    manifest = Manifest("f.dump", "ab" * 32, 10, "postgresql", "15.4", "2026-11-01T00:00:00+00:00")
    assert Manifest.from_json(manifest.to_json()) == manifest
    with pytest.raises(BackupError):
        Manifest.from_json(b'{"file": "x"}')


def test_fingerprint_covers_every_table_of_the_schema(tmp_path: Path) -> None:
    settings = _sqlite_settings(tmp_path)
    upgrade_to_head(settings.resolved_database_url)
    assert set(fingerprint(settings)) == {*Base.metadata.tables, "alembic_version"}
