"""`family-budget import`: the API's import from a shell, on its own SQLite database (as
tests/test_cli.py runs the command), with a neighbouring household holding the same money."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from typer.testing import CliRunner

from family_budget.cli import cli
from family_budget.models import Account, AccountKind, Household, Transaction

runner = CliRunner()
STATEMENT = (
    "Date,Payee,Amount\n"
    "2024-03-01,POS 4312 AMAZON MKTP US*2K4,-25.99\n"
    "2024-03-05,ACME PAYROLL,2500.00\n"
    "2024-03-09,City Water,-61.20\n"
)


def _env(tmp_path: Path) -> dict[str, str]:
    return {"DATA_DIR": str(tmp_path), "ENVIRONMENT": "development", "DATABASE_URL": ""}


def _url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/family_budget.db"


async def _arrange(url: str) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    """Our household and account, and a neighbour whose account already holds the statement."""
    engine = create_async_engine(url)
    ours, neighbour = Household(name="Ours", currency="USD"), Household(name="Next", currency="USD")
    ours.id, neighbour.id = uuid.uuid4(), uuid.uuid4()
    account = Account(
        id=uuid.uuid4(),
        household_id=ours.id,
        name="Checking",
        kind=AccountKind.CHECKING,
        currency="USD",
        opened_on=date(2024, 1, 1),
    )
    theirs = Account(
        id=uuid.uuid4(),
        household_id=neighbour.id,
        name="Theirs",
        kind=AccountKind.CHECKING,
        currency="USD",
        opened_on=date(2024, 1, 1),
    )
    try:
        async with engine.begin() as connection, AsyncSession(connection) as session:
            session.add_all([ours, neighbour])
            await session.flush()
            session.add_all([account, theirs])
            await session.flush()
            for day, amount, payee in ((1, -2599, "Amazon"), (9, -6120, "City Water")):
                session.add(
                    Transaction(
                        household_id=neighbour.id,
                        account_id=theirs.id,
                        posted_on=date(2024, 3, day),
                        amount_minor=amount,
                        payee=payee,
                    )
                )
            await session.flush()
    finally:
        await engine.dispose()
    return ours.id, account.id, theirs.id


async def _amounts(url: str, account_id: uuid.UUID) -> list[int]:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(
                select(Transaction.amount_minor)
                .where(Transaction.account_id == account_id)
                .order_by(Transaction.amount_minor)
            )
            return list(result.scalars())
    finally:
        await engine.dispose()


async def _count(url: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return int(
                (await connection.execute(select(func.count()).select_from(Transaction))).scalar()
                or 0
            )
    finally:
        await engine.dispose()


class TestImportCommand:
    def test_preview_then_commit_then_again(self, tmp_path: Path) -> None:
        assert runner.invoke(cli, ["migrate"], env=_env(tmp_path)).exit_code == 0
        url = _url(tmp_path)
        household_id, account_id, their_account_id = asyncio.run(_arrange(url))
        statement = tmp_path / "march.csv"
        statement.write_text(STATEMENT)
        args = ["import", str(statement), "--household", str(household_id)]
        args += ["--account", str(account_id)]

        preview = runner.invoke(cli, args, env=_env(tmp_path))
        assert preview.exit_code == 0, preview.output
        assert "(csv): 3 rows, 3 new, 0 duplicates, 0 errors" in preview.output
        assert "Preview only" in preview.output
        assert asyncio.run(_amounts(url, account_id)) == []

        committed = runner.invoke(cli, [*args, "--commit"], env=_env(tmp_path))
        assert committed.exit_code == 0, committed.output
        assert "Committed: 3 imported, 0 skipped" in committed.output
        assert asyncio.run(_amounts(url, account_id)) == [-6120, -2599, 250000]

        again = runner.invoke(cli, [*args, "--commit"], env=_env(tmp_path))
        assert again.exit_code == 0, again.output
        assert "3 rows, 0 new, 3 duplicates" in again.output
        assert "Committed: 0 imported, 3 skipped" in again.output
        assert asyncio.run(_amounts(url, their_account_id)) == [-6120, -2599]
        assert asyncio.run(_count(url)) == 5

    def test_an_account_of_another_household_is_refused(self, tmp_path: Path) -> None:
        assert runner.invoke(cli, ["migrate"], env=_env(tmp_path)).exit_code == 0
        url = _url(tmp_path)
        household_id, _, their_account_id = asyncio.run(_arrange(url))
        statement = tmp_path / "march.csv"
        statement.write_text(STATEMENT)
        result = runner.invoke(
            cli,
            [
                "import",
                str(statement),
                "--household",
                str(household_id),
                "--account",
                str(their_account_id),
                "--commit",
            ],
            env=_env(tmp_path),
        )
        assert result.exit_code == 1
        assert "account" in result.output
        assert asyncio.run(_count(url)) == 2
