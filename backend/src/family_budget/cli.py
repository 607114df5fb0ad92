"""The `family-budget` command: serve, migrate, worker, beat, tick, create-user, seed-demo,
import, openapi, demo-bank, backup, restore."""

from __future__ import annotations

import asyncio
import getpass
import sys
from pathlib import Path
from typing import Annotated

import typer

from family_budget.config import Settings

cli = typer.Typer(
    help="Family Budget: API server, migrations, worker and admin tasks.", no_args_is_help=True
)


def _settings() -> Settings:
    try:
        return Settings()
    except ValueError as exc:
        typer.echo(f"Refusing to start: {exc}", err=True)
        raise typer.Exit(2) from None


@cli.command()
def serve(
    host: Annotated[str, typer.Option(envvar="HOST", help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(envvar="PORT", help="Port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(envvar="WEB_CONCURRENCY", help="Worker processes")] = 1,
    migrate_first: Annotated[
        bool, typer.Option("--migrate/--no-migrate", help="Run migrations before serving")
    ] = False,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    settings = _settings()
    if migrate_first:
        _migrate(settings)
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104
    typer.echo(f"Family Budget API on http://{shown_host}:{port}  (API docs: /docs)")
    uvicorn.run(
        "family_budget.main:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
        server_header=False,
        access_log=False,
        log_config=None,
        # The API has no WebSocket route: without this, uvicorn loads the websockets library into
        # every worker to answer upgrade requests with a 404.
        ws="none",
    )


def _migrate(settings: Settings) -> None:
    from family_budget.migrations import upgrade_to_head

    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade_to_head(settings.resolved_database_url)


@cli.command()
def migrate() -> None:
    """Upgrade the database schema to the latest revision (alembic upgrade head)."""
    settings = _settings()
    try:
        _migrate(settings)
    except Exception as exc:
        typer.echo(f"Migration failed: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo("Database schema is up to date.")


def _worker_metrics_dir(settings: Settings) -> Path:
    """A fresh folder for the samples of every worker process (Prometheus multiprocess mode)."""
    import shutil

    folder = settings.data_dir / "worker-metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@cli.command()
def worker(
    concurrency: Annotated[int, typer.Option(help="Jobs run at once")] = 2,
    metrics_port: Annotated[
        int, typer.Option(envvar="WORKER_METRICS_PORT", help="Port of /metrics (0: none)")
    ] = 8000,
) -> None:
    """Run the worker: jobs from Redis (REDIS_URL) or, without it, from a folder under DATA_DIR."""
    import os

    settings = _settings()
    # Before prometheus_client is first imported: every pool process then writes its samples
    # where the parent's /metrics endpoint reads them.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_worker_metrics_dir(settings))
    from family_budget.observability.logging import configure_logging
    from family_budget.worker.celery_app import create_celery, install_metrics_server

    configure_logging(settings.log_level)
    app = create_celery(settings)
    if metrics_port:
        install_metrics_server(metrics_port)
    # Without Redis (a laptop) one process with threads is plenty; in AWS, a pool of processes.
    pool = "prefork" if settings.resolved_redis_url else "threads"
    app.worker_main(
        [
            "worker",
            f"--loglevel={settings.log_level}",
            f"--pool={pool}",
            f"--concurrency={concurrency}",
        ]
    )


@cli.command()
def beat() -> None:
    """Run beat, which sends the worker a tick every minute (the schedule of periodic jobs)."""
    from family_budget.observability.logging import configure_logging
    from family_budget.worker.celery_app import create_celery

    settings = _settings()
    configure_logging(settings.log_level)
    schedule_file = settings.data_dir / "celerybeat-schedule"
    schedule_file.parent.mkdir(parents=True, exist_ok=True)
    create_celery(settings).start(
        ["beat", f"--loglevel={settings.log_level}", f"--schedule={schedule_file}"]
    )


@cli.command()
def tick(
    at: Annotated[
        str | None,
        typer.Option(help="The instant to run for, ISO 8601 with an offset (default: now)"),
    ] = None,
) -> None:
    """Run, once, every scheduled job due at an instant, and the jobs waiting; idempotent."""
    from datetime import UTC, datetime

    from family_budget.worker.jobs import Outcome
    from family_budget.worker.schedule import tick as run_tick

    try:
        instant = datetime.fromisoformat(at) if at else datetime.now(UTC)
    except ValueError:
        typer.echo(f"--at {at!r} is not an ISO 8601 date-time", err=True)
        raise typer.Exit(2) from None
    if instant.tzinfo is None:
        typer.echo("--at needs an offset, e.g. 2026-12-02T08:00:00+00:00", err=True)
        raise typer.Exit(2)
    report = asyncio.run(run_tick(_settings(), instant))
    ran = ", ".join(f"{count} {outcome.value}" for outcome, count in report.outcomes.items())
    typer.echo(f"Tick at {instant.isoformat()}: scheduled {len(report.scheduled)}; jobs: {ran}.")
    if report.outcomes[Outcome.FAILED]:
        raise typer.Exit(1)


@cli.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(prompt=True, help="Login email")],
    name: Annotated[str, typer.Option(prompt=True, help="Display name")],
    household: Annotated[
        str | None, typer.Option(help="Name of the user's first household")
    ] = None,
    currency: Annotated[str, typer.Option(help="ISO 4217 currency of the household")] = "USD",
) -> None:
    """Create a verified user with their first household (asks for the password)."""
    from family_budget.admin import create_verified_user

    password = getpass.getpass("Password: ")
    if password != getpass.getpass("Password again: "):
        typer.echo("The passwords differ.", err=True)
        raise typer.Exit(2)
    settings = _settings()
    try:
        user_id = asyncio.run(
            create_verified_user(
                settings,
                email=email,
                name=name,
                password=password,
                household_name=household,
                currency=currency,
            )
        )
    except ValueError as exc:
        typer.echo(f"Not created: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Created user {email} ({user_id}).")


@cli.command("seed-demo")
def seed_demo(
    transactions: Annotated[
        int | None,
        typer.Option(help="Scale up to about this many transactions (for load tests)"),
    ] = None,
    months: Annotated[int, typer.Option(help="Months of history")] = 18,
) -> None:
    """Create a realistic demo household and print how to log in."""
    from family_budget.demo import seed_demo_household

    if months < 1 or (transactions is not None and transactions < 0):
        typer.echo("--months must be at least 1 and --transactions not negative.", err=True)
        raise typer.Exit(2)
    settings = _settings()
    _migrate(settings)
    summary = asyncio.run(seed_demo_household(settings, months=months, transactions=transactions))
    typer.echo(summary.describe())


@cli.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="A CSV, OFX, QFX or QIF file")
    ],
    household: Annotated[str, typer.Option(help="The household's id")],
    account: Annotated[str, typer.Option(help="The account's id")],
    commit: Annotated[
        bool, typer.Option("--commit", help="Import the new rows (default: preview only)")
    ] = False,
    options: Annotated[
        str | None, typer.Option(help='CSV mapping as JSON, e.g. \'{"delimiter": ";"}\'')
    ] = None,
) -> None:
    """Import a bank file into an account, as the web app does, and print the counts."""
    import json
    import uuid

    from pydantic import ValidationError

    from family_budget.db import create_engine, create_session_factory
    from family_budget.imports.command import ImportCommandError, import_file
    from family_budget.imports.schemas import ImportOptions

    try:
        household_id, account_id = uuid.UUID(household), uuid.UUID(account)
        mapping = (
            ImportOptions.model_validate(json.loads(options)).model_dump(exclude_none=True)
            if options
            else None
        )
    except (ValueError, ValidationError) as exc:
        typer.echo(f"Invalid arguments: {exc}", err=True)
        raise typer.Exit(2) from None
    settings = _settings()

    async def run() -> str:
        engine = create_engine(settings, pooled=False)
        try:
            summary = await import_file(
                create_session_factory(engine),
                path=file,
                household_id=household_id,
                account_id=account_id,
                commit=commit,
                options=mapping,
            )
        finally:
            await engine.dispose()
        return summary.describe()

    try:
        typer.echo(asyncio.run(run()))
    except ImportCommandError as exc:
        typer.echo(f"Not imported: {exc}", err=True)
        raise typer.Exit(1) from None


@cli.command("openapi")
def openapi(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: standard output)")
    ] = None,
) -> None:
    """Print the API's OpenAPI schema as JSON (the web app's typed client is generated from it)."""
    import json

    from family_budget.app import create_app

    # The development settings carry the stable operation ids; nothing is connected or migrated.
    app = create_app(Settings(environment="development"), configure_logs=False)
    text = json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@cli.command("demo-bank")
def demo_bank(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8100,
    live_seconds: Annotated[
        float, typer.Option(help="A new purchase per linked item about this often (0: none)")
    ] = 75,
    keep_state: Annotated[
        bool, typer.Option("--keep-state/--fresh", help="Keep linked items in DATA_DIR")
    ] = True,
) -> None:
    """Run the demo bank, a local stand-in for Plaid (point PLAID_API_URL at it)."""
    from datetime import timedelta

    from family_budget.demo_bank.server import run_demo_bank

    settings = _settings()
    state_path = settings.data_dir / "demo_bank.json" if keep_state else None
    typer.echo(f"Demo bank (a stand-in for Plaid) on http://{host}:{port}")
    run_demo_bank(
        host=host,
        port=port,
        state_path=state_path,
        live_interval=timedelta(seconds=live_seconds) if live_seconds > 0 else None,
        default_webhook=settings.plaid_webhook_url,
    )


@cli.command()
def backup() -> None:
    """Back the database up (pg_dump or SQLite's backup API) into the backups storage, with a
    SHA-256 manifest, then prune old backups (BACKUP_RETENTION_COUNT / _DAYS)."""
    from family_budget.backups import BackupError, create_backup, record_backup

    settings = _settings()
    try:
        result = create_backup(settings)
    except BackupError as exc:
        typer.echo(f"Backup failed: {exc}", err=True)
        raise typer.Exit(1) from None
    manifest = result.manifest
    typer.echo(
        f"Backed up to {manifest.file} in {result.where}: {manifest.size_bytes} bytes, "
        f"sha256 {manifest.sha256}."
    )
    if result.pruned:
        typer.echo(f"Pruned {len(result.pruned)} older backup(s): {', '.join(result.pruned)}.")
    try:
        asyncio.run(record_backup(settings, manifest))
    except Exception as exc:  # the backup is stored: say it was not recorded, and fail
        typer.echo(
            f"The backup is stored but could not be recorded for monitoring: {exc}", err=True
        )
        raise typer.Exit(1) from None


@cli.command()
def restore(
    source: Annotated[
        str,
        typer.Argument(
            metavar="FILE",
            help="A backup file (its .json manifest beside it) or a backup's name in storage",
        ),
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do it: restoring replaces data")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that is not empty")
    ] = False,
) -> None:
    """Load a backup into the database (empty unless --force), after checking its checksum."""
    from family_budget.backups import BackupError, restore_backup

    if not yes:
        typer.echo("Restoring writes into the database: pass --yes to go ahead.", err=True)
        raise typer.Exit(2)
    settings = _settings()
    try:
        manifest = restore_backup(settings, source, force=force)
    except BackupError as exc:
        typer.echo(f"Not restored: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Restored {manifest.file} (taken {manifest.created_at}, checksum verified).")


def main() -> None:
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)
