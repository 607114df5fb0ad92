"""Administrative operations used by the CLI."""

from __future__ import annotations

import uuid

from family_budget.config import Settings


async def create_verified_user(
    settings: Settings,
    *,
    email: str,
    name: str,
    password: str,
    household_name: str | None,
    currency: str,
) -> uuid.UUID:
    raise NotImplementedError
