"""Imports of bank files (CSV, OFX, QFX, QIF): preview, fix, commit, undo, history."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from family_budget.deps import AdultHouseholdDep, HouseholdDep, SessionDep
from family_budget.errors import PayloadTooLarge
from family_budget.imports import service
from family_budget.imports.parsing.limits import MAX_FILE_BYTES
from family_budget.imports.schemas import (
    CommitCounts,
    CommitResult,
    DuplicateMatch,
    ImportCounts,
    ImportOptions,
    ImportPage,
    ImportRead,
    ImportRowPage,
    ImportRowRead,
    ImportUpdate,
    KeptTransaction,
    PayeePage,
    PayeeRead,
    UndoResult,
)
from family_budget.models import Import

router = APIRouter(prefix="/imports", tags=["imports"])
payees_router = APIRouter(prefix="/payees", tags=["payees"])


async def _import_from_path(
    import_id: Annotated[uuid.UUID, Path(description="The import's id")],
    household: AdultHouseholdDep,
    session: SessionDep,
) -> Import:
    return await service.get_import(session, household, import_id)


ImportDep = Annotated[Import, Depends(_import_from_path)]


def read(imported: Import) -> ImportRead:
    return ImportRead(
        id=imported.id,
        status=imported.status,
        format=imported.format,
        account_id=imported.account_id,
        filename=imported.filename,
        mapping=imported.mapping,
        columns=imported.columns or [],
        counts=ImportCounts(
            total=imported.total_count,
            new=imported.new_count,
            duplicates=imported.duplicate_count,
            errors=imported.error_count,
            imported=imported.imported_count,
            skipped=imported.skipped_count,
        ),
        progress=imported.progress,
        date_order_ambiguous=bool(imported.date_format_candidates),
        date_format_candidates=imported.date_format_candidates or [],
        error=imported.error,
        created_at=imported.created_at,
        committed_at=imported.committed_at,
        undone_at=imported.undone_at,
    )


_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "account_id"],
                    "additionalProperties": False,
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "A CSV, OFX, QFX or QIF file of at most "
                            f"{MAX_FILE_BYTES} bytes",
                        },
                        "account_id": {
                            "type": "string",
                            "format": "uuid",
                            "description": "The account the transactions go into",
                        },
                        "options": {
                            "type": "string",
                            "description": "JSON: the CSV mapping (ImportOptions); what is left "
                            "out is detected",
                        },
                    },
                }
            }
        },
    }
}


def _invalid(field: str, message: str, kind: str = "value_error") -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", field), "msg": message, "type": kind}])


_FORM_FIELDS = frozenset({"file", "account_id", "options"})


async def _read_form(request: Request) -> tuple[bytes, str, uuid.UUID, dict[str, Any] | None]:
    form = await request.form(max_files=1, max_fields=4)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise _invalid("file", "Field required: the bank file", "missing")
        # Unknown fields are refused, as in every JSON body (Schema forbids extra fields).
        for name in form:
            if name not in _FORM_FIELDS:
                raise _invalid(name, "Extra inputs are not permitted", "extra_forbidden")
        data = await upload.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise PayloadTooLarge(
                f"An import file may be at most {MAX_FILE_BYTES} bytes (20 MB)",
                code="import_too_large",
                extra={"limit": "max_file_bytes"},
            )
        raw_account = form.get("account_id")
        if not isinstance(raw_account, str):
            raise _invalid("account_id", "Field required: the account's id", "missing")
        try:
            account_id = uuid.UUID(raw_account)
        except ValueError:
            raise _invalid("account_id", "Input should be a valid UUID", "uuid_parsing") from None
        raw_options = form.get("options")
        options = None
        if isinstance(raw_options, str) and raw_options.strip():
            try:
                options = ImportOptions.model_validate(json.loads(raw_options)).model_dump(
                    exclude_none=True
                )
            except (ValueError, ValidationError) as exc:
                errors = exc.errors() if isinstance(exc, ValidationError) else None
                if errors:
                    raise RequestValidationError(
                        [{**e, "loc": ("body", "options", *e["loc"])} for e in errors]
                    ) from None
                raise _invalid("options", "options must be a JSON object") from None
        return data, upload.filename or "", account_id, options
    finally:
        await form.close()


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_UPLOAD_BODY,
    responses={
        400: {"description": "The multipart body is malformed, or has more than 4 other fields"},
        409: {"description": "The account is archived"},
        413: {"description": "The file is larger than 20 MB"},
        422: {
            "description": "The file cannot be read (the problem names the line or the limit), "
            "its currency is not the account's, or the account is not this household's"
        },
    },
)
async def create_import(
    household: AdultHouseholdDep, session: SessionDep, request: Request
) -> ImportRead:
    """Upload a bank file (multipart: `file`, `account_id`, optional `options`) and get its
    preview: nothing is imported until commit."""
    data, filename, account_id, options = await _read_form(request)
    imported = await service.create_import(
        session, household, account_id=account_id, data=data, filename=filename, options=options
    )
    return read(imported)


@router.get("")
async def list_imports(household: AdultHouseholdDep, session: SessionDep) -> ImportPage:
    """The household's imports, newest first."""
    return ImportPage(items=[read(i) for i in await service.list_imports(session, household)])


@router.get("/{import_id}")
async def get_import(household: AdultHouseholdDep, imported: ImportDep) -> ImportRead:
    """One import: status, detected mapping, counts and progress."""
    return read(imported)


@router.get("/{import_id}/rows")
async def list_import_rows(
    household: AdultHouseholdDep,
    session: SessionDep,
    imported: ImportDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    cursor: Annotated[
        str | None, Query(max_length=20, description="next_cursor of the previous page")
    ] = None,
) -> ImportRowPage:
    """The preview rows in file order, with verdicts and suggested categories."""
    after_line = None
    if cursor is not None:
        if not cursor.isdigit():
            raise RequestValidationError(
                [{"loc": ("query", "cursor"), "msg": "Invalid cursor", "type": "value_error"}]
            )
        after_line = int(cursor)
    rows, last = await service.list_rows(session, imported, limit=limit, after_line=after_line)
    return ImportRowPage(
        items=[
            ImportRowRead(
                line=row.line,
                posted_on=row.posted_on,
                amount_minor=row.amount_minor,
                payee=row.payee,
                payee_original=row.payee_original,
                memo=row.memo,
                external_id=row.external_id,
                status=row.status,
                duplicate_of=row.duplicate_of,
                duplicate=DuplicateMatch(
                    id=match.id,
                    posted_on=match.posted_on,
                    amount_minor=match.amount_minor,
                    payee=match.payee,
                )
                if match is not None
                else None,
                category_id=row.category_id,
                error=row.error,
                include=service.row_included(row),
            )
            for row, match in rows
        ],
        next_cursor=str(last) if last is not None else None,
    )


@router.patch(
    "/{import_id}",
    responses={
        409: {"description": "The import is not a preview any more"},
        422: {"description": "The new mapping does not fit the file, or a line is unknown"},
    },
)
async def update_import(
    household: AdultHouseholdDep, session: SessionDep, imported: ImportDep, body: ImportUpdate
) -> ImportRead:
    """Re-read the file with new `options`, and/or override rows' duplicate decisions."""
    if body.options is not None:
        await service.reread(
            session, household, imported, body.options.model_dump(exclude_none=True)
        )
    if body.rows:
        await service.override_rows(
            session, imported, [(row.line, row.include) for row in body.rows]
        )
    return read(imported)


@router.post(
    "/{import_id}/commit",
    responses={
        202: {
            "description": "A big import: the worker commits it (status committing, counts "
            "null); follow it with GET until it is committed",
            "model": CommitResult,
        },
        409: {"description": "The import was undone, or is still being read"},
    },
)
async def commit_import(
    household: AdultHouseholdDep, session: SessionDep, imported: ImportDep, response: Response
) -> CommitResult:
    """Add the preview's included rows to the account, in one transaction; committing again
    adds nothing."""
    result = await service.commit_import(session, household, imported)
    if result is None:
        response.status_code = status.HTTP_202_ACCEPTED
        return CommitResult(status="committing", counts=None)
    added, skipped = result
    return CommitResult(status="committed", counts=CommitCounts(imported=added, skipped=skipped))


@router.delete(
    "/{import_id}", responses={409: {"description": "The worker is still busy with the import"}}
)
async def delete_import(
    household: AdultHouseholdDep, session: SessionDep, imported: ImportDep
) -> UndoResult:
    """Discard a preview, or undo a committed import: the transactions it added go, except those
    edited since, which stay and are listed."""
    outcome = await service.undo_import(session, household, imported)
    return UndoResult(
        status=outcome.status,
        removed=outcome.removed,
        kept=[
            KeptTransaction(
                id=t.id, posted_on=t.posted_on, amount_minor=t.amount_minor, payee=t.payee
            )
            for t in outcome.kept
        ],
    )


@payees_router.get("")
async def list_payees(
    household: HouseholdDep,
    session: SessionDep,
    q: Annotated[str, Query(max_length=100, description="The payee's first letters")] = "",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> PayeePage:
    """Payee autocomplete: payees starting with `q`, most used first, with their usual
    category."""
    found = await service.search_payees(session, household, q, limit=limit)
    return PayeePage(
        items=[PayeeRead(payee=p.payee, uses=p.uses, category_id=p.category_id) for p in found]
    )
