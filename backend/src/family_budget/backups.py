"""`family-budget backup` and `family-budget restore`: consistent snapshots with a checksum.

A backup is two objects in the backups storage (the BACKUPS_BUCKET, or data/backups):
`family-budget-<UTC time>.<dump|sqlite3>` and its manifest `<that name>.json` (SHA-256, size,
engine, server version, time). The manifest is written last, so a backup without one is
unfinished and never restored.

- PostgreSQL: `pg_dump --format=custom` from a client of the server's major version (a
  mismatched pg_dump either refuses or writes a dump the server's pg_restore may not read). It
  is looked for in /usr/lib/postgresql/<major>/bin (Debian's layout), `pg_config --bindir`
  and PATH; without one the backup stops and says which to install. The password reaches it
  through PGPASSWORD, never the command line (visible to every user in `ps`).
- SQLite: the online backup API, a consistent copy even while the app writes (WAL).

After a backup, older ones are pruned: the newest BACKUP_RETENTION_COUNT are kept, and none older
than BACKUP_RETENTION_DAYS (the newest always stays).

Restoring verifies the checksum, refuses a database that holds any rows unless forced, and
loads the snapshot: `pg_restore --clean --if-exists --single-transaction` (all or nothing) or
the backup API again, file to file.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from sqlalchemy import URL, func, inspect, make_url, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine

from family_budget.config import Settings
from family_budget.models import Base
from family_budget.storage import ObjectNotFound, Storage, storages_for

PREFIX = "family-budget-"
MANIFEST_SUFFIX = ".json"
Engine = Literal["postgresql", "sqlite"]
_EXTENSIONS: dict[Engine, str] = {"postgresql": "dump", "sqlite": "sqlite3"}
_CHUNK = 1024 * 1024
_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)")


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Manifest:
    file: str
    sha256: str
    size_bytes: int
    engine: Engine
    server_version: str
    created_at: str  # ISO 8601, UTC

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            fields = json.loads(data)
            manifest = cls(**fields)
        except (ValueError, TypeError) as exc:
            raise BackupError(f"the manifest is not a backup manifest: {exc}") from None
        if manifest.engine not in _EXTENSIONS:
            raise BackupError(f"unknown database engine {manifest.engine!r} in the manifest")
        return manifest


@dataclass(frozen=True, slots=True)
class BackupResult:
    manifest: Manifest
    pruned: list[str]
    where: str


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _engine_of(settings: Settings) -> Engine:
    return "sqlite" if settings.is_sqlite else "postgresql"


def _sqlite_path(settings: Settings) -> Path:
    database = make_url(settings.resolved_database_url).database
    if not database:
        raise BackupError("the SQLite database has no file (an in-memory database)")
    return Path(database)


# --- PostgreSQL clients -------------------------------------------------------------------------


def client_major_version(tool: Path) -> int | None:
    try:
        output = subprocess.run(  # noqa: S603 (a path we found, no shell)
            [str(tool), "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION.search(output)
    return int(match[1]) if match else None


def _candidates(tool: str, server_major: int) -> Iterator[Path]:
    yield Path(f"/usr/lib/postgresql/{server_major}/bin/{tool}")
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            bindir = subprocess.run(  # noqa: S603
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
            yield Path(bindir) / tool
        except (OSError, subprocess.SubprocessError):
            pass
    found = shutil.which(tool)
    if found:
        yield Path(found)


def find_client(tool: str, server_major: int) -> Path:
    """The `tool` (pg_dump, pg_restore) of the server's major version, or BackupError."""
    seen: list[str] = []
    for candidate in _candidates(tool, server_major):
        if not candidate.is_file():
            continue
        major = client_major_version(candidate)
        if major == server_major:
            return candidate
        seen.append(f"{candidate} is version {major}")
    found = "; ".join(seen) if seen else "none was found"
    raise BackupError(
        f"the database server is PostgreSQL {server_major}, and {tool} must be of the same major "
        f"version ({found}). Install it, e.g. `apt-get install postgresql-client-{server_major}`"
    )


def _libpq_environment(url: URL) -> dict[str, str]:
    """Connection settings for pg_dump and pg_restore, as libpq reads them from the
    environment (the password in particular stays off the command line)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    sslmode = url.query.get("sslmode")
    values: dict[str, str | None] = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password if isinstance(url.password, str) else None,
        "PGDATABASE": url.database,
        "PGSSLMODE": sslmode if isinstance(sslmode, str) else None,
    }
    environment.update({key: value for key, value in values.items() if value})
    return environment


async def _server_version(connection: AsyncConnection) -> tuple[int, str]:
    number = int((await connection.execute(text("SHOW server_version_num"))).scalar_one())
    version = str((await connection.execute(text("SHOW server_version"))).scalar_one())
    return number // 10_000, version


async def _postgres_facts(settings: Settings) -> tuple[int, str, bool]:
    """(server major, server version, whether any table of the app holds a row)."""
    engine = create_async_engine(settings.resolved_database_url)
    try:
        async with engine.connect() as connection:
            major, version = await _server_version(connection)
            has_rows = await _has_rows(connection)
    finally:
        await engine.dispose()
    return major, version, has_rows


async def _has_rows(connection: AsyncConnection) -> bool:
    existing = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    for table in Base.metadata.sorted_tables:
        if table.name in existing:
            found = (
                await connection.execute(select(text("1")).select_from(table).limit(1))
            ).first()
            if found is not None:
                return True
    return False


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 (the client we found; arguments are ours)
        command, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{what} failed (exit {result.returncode}): {result.stderr.strip()}")


# --- Backing up ---------------------------------------------------------------------------------


def backup_name(engine: Engine, at: datetime) -> str:
    return f"{PREFIX}{at.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}.{_EXTENSIONS[engine]}"


def _snapshot(settings: Settings, target: Path) -> str:
    """Write a consistent snapshot of the database into `target`; returns the server version."""
    if settings.is_sqlite:
        source_path = _sqlite_path(settings)
        if not source_path.is_file():
            raise BackupError(f"there is no database at {source_path} to back up")
        source = sqlite3.connect(source_path)
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)
        finally:
            destination.close()
            source.close()
        return sqlite3.sqlite_version
    major, version, _ = asyncio.run(_postgres_facts(settings))
    pg_dump = find_client("pg_dump", major)
    url = make_url(settings.resolved_database_url)
    _run(
        [str(pg_dump), "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
        _libpq_environment(url),
        "pg_dump",
    )
    return version


def create_backup(settings: Settings, *, now: datetime | None = None) -> BackupResult:
    now = now or datetime.now(UTC)
    engine = _engine_of(settings)
    name = backup_name(engine, now)
    storage = storages_for(settings).backups
    with tempfile.TemporaryDirectory(prefix="family-budget-backup-") as folder:
        snapshot = Path(folder) / name
        server_version = _snapshot(settings, snapshot)
        manifest = Manifest(
            file=name,
            sha256=sha256_of(snapshot),
            size_bytes=snapshot.stat().st_size,
            engine=engine,
            server_version=server_version,
            created_at=now.astimezone(UTC).isoformat(),
        )
        storage.put_file(name, snapshot, content_type="application/octet-stream")
    storage.put(name + MANIFEST_SUFFIX, manifest.to_json(), content_type="application/json")
    pruned = prune(
        storage,
        now=now,
        keep_count=settings.backup_retention_count,
        keep_days=settings.backup_retention_days,
    )
    where = (
        f"S3 bucket {settings.backups_bucket}"
        if settings.backups_bucket
        else str(settings.data_dir / "backups")
    )
    return BackupResult(manifest, pruned, where)


def list_backups(storage: Storage) -> list[Manifest]:
    """The finished backups (those with a manifest), newest first."""
    manifests = []
    for stored in storage.list(PREFIX):
        if stored.key.endswith(MANIFEST_SUFFIX):
            try:
                manifests.append(Manifest.from_json(storage.get(stored.key)))
            except (BackupError, ObjectNotFound):
                continue
    return sorted(manifests, key=lambda m: m.created_at, reverse=True)


def prune(storage: Storage, *, now: datetime, keep_count: int, keep_days: int) -> list[str]:
    """Delete the backups retention no longer keeps; returns their names."""
    backups = list_backups(storage)
    doomed = []
    for index, manifest in enumerate(backups):
        if index == 0:
            continue  # the newest backup is never pruned
        too_many = keep_count > 0 and index >= keep_count
        too_old = keep_days > 0 and datetime.fromisoformat(manifest.created_at) < now - timedelta(
            days=keep_days
        )
        if too_many or too_old:
            doomed.append(manifest.file)
    for name in doomed:
        # Manifest first: a half-deleted backup must not look finished.
        storage.delete(name + MANIFEST_SUFFIX)
        storage.delete(name)
    return doomed


# --- Restoring ----------------------------------------------------------------------------------


@contextmanager
def _fetched(settings: Settings, source: str) -> Iterator[tuple[Path, Manifest]]:
    """The backup file and its manifest: a local file with `<file>.json` beside it, or the
    name of a backup in the backups storage."""
    local = Path(source)
    if local.is_file():
        manifest_path = local.with_name(local.name + MANIFEST_SUFFIX)
        if not manifest_path.is_file():
            raise BackupError(f"{manifest_path} is missing: a backup is verified by its manifest")
        yield local, Manifest.from_json(manifest_path.read_bytes())
        return
    storage = storages_for(settings).backups
    name = local.name
    with tempfile.TemporaryDirectory(prefix="family-budget-restore-") as folder:
        try:
            manifest = Manifest.from_json(storage.get(name + MANIFEST_SUFFIX))
            target = Path(folder) / name
            storage.download_to(name, target)
        except ObjectNotFound:
            raise BackupError(
                f"{source} is neither a file nor a finished backup in the backups storage"
            ) from None
        yield target, manifest


def database_has_rows(settings: Settings) -> bool:
    if settings.is_sqlite:
        path = _sqlite_path(settings)
        if not path.exists():
            return False

        async def check() -> bool:
            engine = create_async_engine(settings.resolved_database_url)
            try:
                async with engine.connect() as connection:
                    return await _has_rows(connection)
            finally:
                await engine.dispose()

        return asyncio.run(check())
    return asyncio.run(_postgres_facts(settings))[2]


def restore_backup(settings: Settings, source: str, *, force: bool = False) -> Manifest:
    with _fetched(settings, source) as (path, manifest):
        if sha256_of(path) != manifest.sha256 or path.stat().st_size != manifest.size_bytes:
            raise BackupError(f"{path.name} does not match its manifest's checksum: not restored")
        engine = _engine_of(settings)
        if manifest.engine != engine:
            raise BackupError(
                f"{path.name} is a {manifest.engine} backup; the database is {engine}"
            )
        if not force and database_has_rows(settings):
            raise BackupError(
                "the database is not empty; restore into an empty one, or pass --force to "
                "replace everything in it"
            )
        if engine == "sqlite":
            _restore_sqlite(settings, path)
        else:
            major, _, _ = asyncio.run(_postgres_facts(settings))
            pg_restore = find_client("pg_restore", major)
            url = make_url(settings.resolved_database_url)
            _run(
                [
                    str(pg_restore),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    f"--dbname={url.database}",
                    str(path),
                ],
                _libpq_environment(url),
                "pg_restore",
            )
        return manifest


def _restore_sqlite(settings: Settings, backup: Path) -> None:
    target = _sqlite_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(backup)
    destination = sqlite3.connect(target)
    try:
        # The backup API replaces the whole target database page by page, in one transaction.
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()


# --- The last backup, for monitoring --------------------------------------------------------

RECORDED_JOB = "backups.recorded"


async def record_backup(settings: Settings, manifest: Manifest) -> None:
    """Note a stored backup in the jobs table (a `backups.recorded` job, done by the worker at
    once), where the worker reads the time of the last one at every tick: the backup runs as a
    task of its own, which nobody scrapes."""
    from family_budget.db import create_engine, create_session_factory, unit_of_work
    from family_budget.worker.jobs import enqueue

    engine = create_engine(settings, pooled=False)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            await enqueue(
                session,
                RECORDED_JOB,
                {"file": manifest.file, "created_at": manifest.created_at},
                key=f"{RECORDED_JOB}:{manifest.file}",
            )
    finally:
        await engine.dispose()


async def observe_last_backup(session: AsyncSession) -> datetime | None:
    """Set the worker's last-backup gauge from the newest recorded backup (recorded rows are
    kept a week after the worker ran them); returns its time, None when there is none."""
    from family_budget.models import Job
    from family_budget.worker import metrics

    newest: datetime | None = await session.scalar(
        select(func.max(Job.created_at)).where(Job.name == RECORDED_JOB)
    )
    if newest is None:
        return None
    newest = newest if newest.tzinfo else newest.replace(tzinfo=UTC)
    metrics.last_backup_timestamp_seconds.set(newest.timestamp())
    return newest
