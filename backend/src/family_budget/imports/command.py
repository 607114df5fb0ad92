"""`family-budget import FILE --household ID --account ID [--commit]`: the API's import, from a
shell. The same service code runs; the file size limit is lifted (the file is on the operator's
disk, not an upload), the other parse limits stay."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.db import expect_writes, unit_of_work
from family_budget.errors import AppError
from family_budget.households.context import HouseholdContext
from family_budget.imports import service
from family_budget.imports.parsing.limits import DEFAULT_LIMITS
from family_budget.models import Household

CLI_LIMITS = dataclasses.replace(DEFAULT_LIMITS, max_file_bytes=None)


@dataclasses.dataclass(frozen=True, slots=True)
class ImportSummary:
    import_id: uuid.UUID
    format: str
    total: int
    new: int
    duplicates: int
    errors: int
    imported: int | None
    skipped: int | None

    def describe(self) -> str:
        lines = [
            f"Import {self.import_id} ({self.format}): {self.total} rows, {self.new} new, "
            f"{self.duplicates} duplicates, {self.errors} errors"
        ]
        if self.imported is None:
            lines.append("Preview only: run again with --commit to import the new rows.")
        else:
            lines.append(f"Committed: {self.imported} imported, {self.skipped} skipped")
        return "\n".join(lines)


class ImportCommandError(Exception):
    pass


async def import_file(
    session_factory: async_sessionmaker[AsyncSession],
    *,
    path: Path,
    household_id: uuid.UUID,
    account_id: uuid.UUID,
    commit: bool,
    options: dict[str, Any] | None = None,
) -> ImportSummary:
    """Preview (and with `commit`, commit) in one transaction: a failure leaves nothing."""
    data = await asyncio.to_thread(path.read_bytes)
    expect_writes()
    async with unit_of_work(session_factory) as session:
        household = await session.get(Household, household_id)
        if household is None:
            raise ImportCommandError(f"No household {household_id}")
        context = HouseholdContext.for_system(household)
        try:
            imported = await service.create_import(
                session,
                context,
                account_id=account_id,
                data=data,
                filename=path.name,
                options=options,
                limits=CLI_LIMITS,
                inline=True,
            )
            added = skipped = None
            if commit:
                result = await service.commit_import(session, context, imported, inline=True)
                assert result is not None  # inline: never handed to the worker
                added, skipped = result
        except AppError as exc:
            raise ImportCommandError(exc.detail) from None
        return ImportSummary(
            import_id=imported.id,
            format=imported.format,
            total=imported.total_count,
            new=imported.new_count,
            duplicates=imported.duplicate_count,
            errors=imported.error_count,
            imported=added,
            skipped=skipped,
        )
