"""Administrative operations used by the CLI."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import ValidationError

from family_budget.auth.schemas import Email
from family_budget.auth.service import create_account
from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory, unit_of_work
from family_budget.errors import AppError
from family_budget.schemas import CurrencyCode, LongName, Name, Schema


class NewUser(Schema):
    email: Email
    name: Name
    household_name: LongName | None
    currency: CurrencyCode


async def create_verified_user(
    settings: Settings,
    *,
    email: str,
    name: str,
    password: str,
    household_name: str | None,
    currency: str,
) -> uuid.UUID:
    """Create a user whose email counts as verified, with their first household, applying the same
    rules as registration (email, name, currency, password policy). Raises ValueError saying what
    is wrong."""
    try:
        values = NewUser(email=email, name=name, household_name=household_name, currency=currency)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
            for error in exc.errors()
        )
        raise ValueError(problems) from None
    engine = create_engine(settings)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            user = await create_account(
                session,
                email=values.email,
                password=password,
                name=values.name,
                household_name=values.household_name,
                currency=values.currency,
                verified_at=datetime.now(UTC),
            )
            user_id = user.id
    except AppError as exc:  # email_taken, weak_password
        raise ValueError(exc.detail) from None
    finally:
        await engine.dispose()
    return user_id
