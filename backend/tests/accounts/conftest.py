from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from family_budget.config import Settings
from tests.accounts.family import Family, arrange_family


@pytest.fixture
async def family(session: AsyncSession, settings: Settings) -> Family:
    return await arrange_family(session, settings)
