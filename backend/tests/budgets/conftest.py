from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.config import Settings
from tests.budgets.family import Family, make_family


@pytest.fixture
async def family(session: AsyncSession, settings: Settings) -> Family:
    family = await make_family(session, settings)
    await session.commit()
    return family
