"""How the app's engine talks to PostgreSQL (family_budget.db.create_engine)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from family_budget.config import Settings
from family_budget.db import create_engine


@pytest.mark.parametrize("pooled", [True, False])
async def test_postgresql_connections_do_not_jit_compile(settings: Settings, pooled: bool) -> None:
    # The year report's plan crossed jit_above_cost: compiling took ~20 ms of a 2 ms query.
    if settings.is_sqlite:
        pytest.skip("SQLite has no JIT")
    engine = create_engine(settings, pooled=pooled)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("SHOW jit"))).scalar_one() == "off"
    finally:
        await engine.dispose()
