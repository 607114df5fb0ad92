"""Exports: ask for a file (the worker makes it), follow its status, download it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, status

from family_budget.audit import service as audit
from family_budget.audit.service import Target
from family_budget.deps import AdultHouseholdDep, SessionDep, SettingsDep
from family_budget.exports import service
from family_budget.exports.schemas import ExportCreate, ExportList, ExportQueued, ExportRead
from family_budget.models import AuditAction, Export
from family_budget.models.base import utcnow
from family_budget.storage import Storage, storages_for

router = APIRouter(prefix="/exports", tags=["exports"])


async def _storage(settings: SettingsDep) -> Storage:
    return storages_for(settings).exports


ExportStorage = Annotated[Storage, Depends(_storage)]


def _read(storage: Storage, export: Export) -> ExportRead:
    return ExportRead(
        id=export.id,
        kind=export.kind,
        starts_on=export.starts_on,
        ends_on=export.ends_on,
        status=export.status,
        filename=export.filename,
        content_type=export.content_type,
        size_bytes=export.size_bytes,
        download_url=service.download_url(storage, export),
        error=export.error,
        created_at=export.created_at,
        finished_at=export.finished_at,
        expires_at=export.expires_at,
    )


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def create_export(
    household: AdultHouseholdDep, session: SessionDep, body: ExportCreate
) -> ExportQueued:
    """Ask for an export; the worker makes the file (follow it with GET …/exports/{export_id})."""
    export = await service.request_export(session, household, body, utcnow())
    await audit.record(
        session,
        household,
        AuditAction.EXPORT_REQUESTED,
        Target("export", export.id, export.filename),
        {
            "kind": export.kind.value,
            "from": export.starts_on.isoformat(),
            "to": export.ends_on.isoformat(),
        },
    )
    return ExportQueued(id=export.id, status=export.status)


@router.get("")
async def list_exports(
    household: AdultHouseholdDep, session: SessionDep, storage: ExportStorage
) -> ExportList:
    """List the exports of the last 30 days, newest first."""
    exports = await service.list_exports(session, household, utcnow())
    return ExportList(items=[_read(storage, export) for export in exports])


@router.get("/{export_id}")
async def get_export(
    export_id: Annotated[uuid.UUID, Path(description="The export's id")],
    household: AdultHouseholdDep,
    session: SessionDep,
    storage: ExportStorage,
) -> ExportRead:
    """Get an export's status and, when ready, a short-lived download URL."""
    return _read(storage, await service.get_export(session, household, export_id, utcnow()))
