"""`family-budget create-user` (admin.create_verified_user) on a freshly migrated SQLite file."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from typer.testing import CliRunner

from family_budget.cli import cli
from family_budget.models import Household, Membership, Role, User
from family_budget.security import verify_password
from tests.auth.helpers import STRONG_PASSWORD

runner = CliRunner()


@pytest.fixture(scope="module")
def admin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("admin")
    result = runner.invoke(cli, ["migrate"], env=_env(path))
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def typed_password(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the operator types at the two password prompts."""
    answers: list[str] = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": answers.pop(0))
    return answers


def _env(admin_dir: Path) -> dict[str, str]:
    return {"DATA_DIR": str(admin_dir), "ENVIRONMENT": "development", "DATABASE_URL": ""}


def _create_user(admin_dir: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["create-user", *args], env=_env(admin_dir))
    return result.exit_code, result.output


@dataclass(frozen=True)
class Created:
    name: str
    verified: bool
    password_hash: str
    households: list[tuple[str, str, Role]]


async def _load(admin_dir: Path, email: str) -> Created | None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{admin_dir / 'family_budget.db'}")
    try:
        async with AsyncSession(engine) as session:
            user = await session.scalar(select(User).where(User.email == email))
            if user is None:
                return None
            rows = await session.execute(
                select(Household.name, Household.currency, Membership.role)
                .join(Membership, Membership.household_id == Household.id)
                .where(Membership.user_id == user.id)
            )
            return Created(
                name=user.name,
                verified=user.email_verified_at is not None,
                password_hash=user.password_hash,
                households=[(name, currency, role) for name, currency, role in rows.all()],
            )
    finally:
        await engine.dispose()


class TestCreateUserCommand:
    def test_creates_a_verified_user_with_a_household(
        self, admin_dir: Path, typed_password: list[str]
    ) -> None:
        typed_password.extend([STRONG_PASSWORD, STRONG_PASSWORD])

        code, output = _create_user(
            admin_dir,
            "--email", " Admin@Example.com ", "--name", "Ada",
            "--household", "Lovelace home", "--currency", "GBP",
        )  # fmt: skip

        assert code == 0, output
        assert "Created user" in output
        created = asyncio.run(_load(admin_dir, "admin@example.com"))
        assert created is not None
        assert created.name == "Ada"
        assert created.verified
        assert verify_password(created.password_hash, STRONG_PASSWORD)
        assert created.households == [("Lovelace home", "GBP", Role.OWNER)]

    def test_default_household_name(self, admin_dir: Path, typed_password: list[str]) -> None:
        typed_password.extend([STRONG_PASSWORD, STRONG_PASSWORD])
        code, output = _create_user(admin_dir, "--email", "bo@example.com", "--name", "Bo")
        assert code == 0, output
        created = asyncio.run(_load(admin_dir, "bo@example.com"))
        assert created is not None
        assert created.households == [("Bo's household", "USD", Role.OWNER)]

    @pytest.mark.parametrize(
        ("args", "password", "message"),
        [
            (["--email", "weak@example.com"], "1234567890", "too common"),
            (["--email", "short@example.com"], "short", "at least 10 characters"),
            (["--email", "not an email"], STRONG_PASSWORD, "email"),
            (["--email", "cur@example.com", "--currency", "XYZ"], STRONG_PASSWORD, "currency"),
        ],
    )
    def test_refuses_invalid_input(
        self,
        admin_dir: Path,
        typed_password: list[str],
        args: list[str],
        password: str,
        message: str,
    ) -> None:
        typed_password.extend([password, password])
        code, output = _create_user(admin_dir, *args, "--name", "Cy")
        assert code == 2
        assert "Not created" in output
        assert message in output
        email = args[1]
        assert asyncio.run(_load(admin_dir, email.strip().lower())) is None

    def test_refuses_a_taken_email(self, admin_dir: Path, typed_password: list[str]) -> None:
        typed_password.extend([STRONG_PASSWORD] * 4)
        assert _create_user(admin_dir, "--email", "dup@example.com", "--name", "Di")[0] == 0
        code, output = _create_user(admin_dir, "--email", "DUP@example.com", "--name", "Di")
        assert code == 2
        assert "already exists" in output

    def test_differing_passwords_create_nothing(
        self, admin_dir: Path, typed_password: list[str]
    ) -> None:
        typed_password.extend([STRONG_PASSWORD, STRONG_PASSWORD + "!"])
        code, _ = _create_user(admin_dir, "--email", "typo@example.com", "--name", "Ty")
        assert code == 2
        assert asyncio.run(_load(admin_dir, "typo@example.com")) is None
