"""Running Alembic from code: the `migrate` command and the test suite use the same path."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config


def find_migrations_dir() -> Path:
    candidates = [
        Path(os.environ["MIGRATIONS_DIR"]) if os.environ.get("MIGRATIONS_DIR") else None,
        Path(__file__).resolve().parents[2] / "migrations",  # source checkout (src layout)
        Path.cwd() / "migrations",  # container image: WORKDIR holds migrations/
    ]
    for candidate in candidates:
        if candidate is not None and (candidate / "env.py").exists():
            return candidate
    raise FileNotFoundError("Alembic migrations folder not found; set MIGRATIONS_DIR")


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(find_migrations_dir()))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def upgrade_to_head(database_url: str | None = None) -> None:
    command.upgrade(alembic_config(database_url), "head")
