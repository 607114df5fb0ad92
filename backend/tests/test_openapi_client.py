"""The web app's typed client is generated from frontend/openapi.json: it must be today's schema."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from family_budget.cli import cli
from family_budget.config import Settings
from family_budget.models import Role
from tests.factories import add_member, auth_headers, create_household, create_user

COMMITTED_SCHEMA = Path(__file__).resolve().parents[2] / "frontend" / "openapi.json"
API = "/api/v1"

runner = CliRunner()


def _openapi_cli(tmp_path: Path, *arguments: str) -> str:
    # DATA_DIR points away from the checkout's data/ so nothing is created there.
    result = runner.invoke(
        cli, ["openapi", *arguments], env={"DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    )
    assert result.exit_code == 0, result.output
    return result.stdout


class TestCommittedSchema:
    def test_frontend_openapi_json_is_what_the_api_produces(self, tmp_path: Path) -> None:
        generated = _openapi_cli(tmp_path)
        committed = COMMITTED_SCHEMA.read_text(encoding="utf-8")
        # Comparing the parsed documents first gives a readable diff of what changed.
        assert json.loads(committed) == json.loads(generated), (
            "frontend/openapi.json is stale: run `make api-client` and commit the result"
        )
        assert committed == generated, (
            "frontend/openapi.json is not formatted as `family-budget openapi` writes it: "
            "run `make api-client`"
        )


class TestOpenapiCommand:
    def test_writes_the_schema_to_a_file(self, tmp_path: Path) -> None:
        output = tmp_path / "schema" / "openapi.json"
        output.parent.mkdir()

        assert _openapi_cli(tmp_path, "--output", str(output)) == ""

        text = output.read_text(encoding="utf-8")
        assert text.endswith("}\n")
        schema = json.loads(text)
        assert schema["openapi"].startswith("3.")
        assert "/api/v1/households" in schema["paths"]
        assert text == _openapi_cli(tmp_path)

    def test_prints_stable_output(self, tmp_path: Path) -> None:
        assert _openapi_cli(tmp_path) == _openapi_cli(tmp_path)

    def test_schemas_carry_the_currency_exponent(self, tmp_path: Path) -> None:
        schemas = json.loads(_openapi_cli(tmp_path))["components"]["schemas"]
        for name in ("HouseholdRead", "MembershipRead"):
            assert schemas[name]["properties"]["currency_exponent"]["type"] == "integer"
            assert "currency_exponent" in schemas[name]["required"], name


CURRENCY_EXPONENTS = [("USD", 2), ("JPY", 0), ("KWD", 3)]


class TestCurrencyExponent:
    @pytest.mark.parametrize(("currency", "exponent"), CURRENCY_EXPONENTS)
    async def test_household_list_and_detail(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        currency: str,
        exponent: int,
    ) -> None:
        user = await create_user(session)
        household = await create_household(session, owner=user, currency=currency)
        await session.commit()
        headers = auth_headers(settings, user)

        listed = await client.get(f"{API}/households", headers=headers)
        detail = await client.get(f"{API}/households/{household.id}", headers=headers)

        assert listed.status_code == 200, listed.text
        assert [(h["currency"], h["currency_exponent"]) for h in listed.json()] == [
            (currency, exponent)
        ]
        assert detail.status_code == 200, detail.text
        assert detail.json()["currency_exponent"] == exponent

    @pytest.mark.parametrize(("currency", "exponent"), CURRENCY_EXPONENTS)
    async def test_created_household(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        currency: str,
        exponent: int,
    ) -> None:
        user = await create_user(session)
        await session.commit()

        response = await client.post(
            f"{API}/households",
            json={"name": "Home", "currency": currency},
            headers=auth_headers(settings, user),
        )

        assert response.status_code == 201, response.text
        assert response.json()["currency_exponent"] == exponent

    async def test_me_memberships(
        self, client: httpx.AsyncClient, session: AsyncSession, settings: Settings
    ) -> None:
        user = await create_user(session)
        for currency, _ in CURRENCY_EXPONENTS:
            household = await create_household(session, name=f"{currency} home", currency=currency)
            await add_member(session, household, user, Role.TEEN)
        await session.commit()

        response = await client.get(f"{API}/me", headers=auth_headers(settings, user))

        assert response.status_code == 200, response.text
        memberships = {m["currency"]: m["currency_exponent"] for m in response.json()["households"]}
        assert memberships == dict(CURRENCY_EXPONENTS)
