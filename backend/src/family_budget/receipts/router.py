"""Receipts: upload (multipart here, or presigned straight to S3 then confirm), list, read,
attach to a transaction, delete."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import UploadFile

from family_budget.deps import HouseholdDep, SessionDep, SettingsDep
from family_budget.errors import AppError, PayloadTooLarge
from family_budget.households.context import HouseholdContext
from family_budget.models import Receipt, ReceiptStatus
from family_budget.receipts import service
from family_budget.receipts.content import JPEG, MAX_RECEIPT_BYTES, PNG
from family_budget.receipts.ocr import ocr_available
from family_budget.receipts.schemas import (
    NewTransactionDraft,
    PresignedUpload,
    ReceiptPage,
    ReceiptRead,
    ReceiptUpdate,
    ReceiptUploadRead,
    ReceiptUploadStart,
    SuggestedTransaction,
)
from family_budget.storage import Storage, storages_for
from family_budget.storage.local import LocalStorage

router = APIRouter(prefix="/receipts", tags=["receipts"])


class UnsupportedMediaType(AppError):
    status, code = 415, "unsupported_media_type"


async def _storage(settings: SettingsDep) -> Storage:
    return storages_for(settings).receipts


ReceiptStorage = Annotated[Storage, Depends(_storage)]


async def _receipt_from_path(
    receipt_id: Annotated[uuid.UUID, Path(description="The receipt's id")],
    household: HouseholdDep,
    session: SessionDep,
) -> Receipt:
    return await service.get_receipt(session, household, receipt_id)


ReceiptDep = Annotated[Receipt, Depends(_receipt_from_path)]


async def _read(
    session: AsyncSession,
    storage: Storage,
    household: HouseholdContext,
    receipt: Receipt,
    *,
    with_text: bool = False,
) -> ReceiptRead:
    uploaded = receipt.status is not ReceiptStatus.AWAITING_UPLOAD
    download_url = thumbnail_url = None
    if uploaded:
        # Photos open in the browser; a PDF is downloaded rather than shown in our origin.
        inline = receipt.content_type in (JPEG, PNG)
        download_url = storage.download_url(
            receipt.object_key,
            filename=service.download_name(receipt),
            content_type=receipt.content_type,
            disposition="inline" if inline else "attachment",
        )
        if receipt.thumbnail_key:
            thumbnail_url = storage.download_url(
                receipt.thumbnail_key,
                filename="thumbnail.jpg",
                content_type="image/jpeg",
                disposition="inline",
            )
    suggestion = await service.suggest_transaction(session, household, receipt)
    draft = None
    if receipt.transaction_id is None and (receipt.total_minor is not None or receipt.merchant):
        draft = NewTransactionDraft(
            posted_on=receipt.purchased_on or receipt.created_at.date(),
            amount_minor=-receipt.total_minor if receipt.total_minor is not None else None,
            payee=receipt.merchant or "",
        )
    return ReceiptRead(
        id=receipt.id,
        status=receipt.status,
        content_type=receipt.content_type,
        size_bytes=receipt.size_bytes,
        filename=receipt.filename,
        uploaded_by_id=receipt.uploaded_by_id,
        transaction_id=receipt.transaction_id,
        merchant=receipt.merchant,
        purchased_on=receipt.purchased_on,
        total_minor=receipt.total_minor,
        currency=household.currency,
        text=receipt.text if with_text else None,
        download_url=download_url,
        thumbnail_url=thumbnail_url,
        suggested_transaction=SuggestedTransaction(
            id=suggestion.transaction.id,
            account_id=suggestion.transaction.account_id,
            posted_on=suggestion.transaction.posted_on,
            amount_minor=suggestion.transaction.amount_minor,
            payee=suggestion.transaction.payee,
            days_apart=suggestion.days_apart,
        )
        if suggestion
        else None,
        new_transaction=draft,
        created_at=receipt.created_at,
        updated_at=receipt.updated_at,
    )


_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "additionalProperties": False,
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": f"JPEG, PNG, HEIC or PDF, at most {MAX_RECEIPT_BYTES}"
                            " bytes (checked by content)",
                        }
                    },
                }
            },
            # Inline: the model is parsed by hand (two bodies on one route), so FastAPI does not
            # list it among the schema's components.
            "application/json": {"schema": ReceiptUploadStart.model_json_schema()},
        },
    }
}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    openapi_extra=_UPLOAD_BODY,
    response_model=ReceiptRead | ReceiptUploadRead,
    responses={
        400: {"description": "The body is malformed, or has more than 4 fields beside the file"},
        413: {"description": "The body is larger than a receipt may be"},
        415: {"description": "Neither multipart/form-data nor JSON"},
        409: {"description": "JSON (presigned upload) asked of a server that keeps files itself"},
        422: {"description": "Not a JPEG, PNG, HEIC or PDF (by content), or invalid fields"},
    },
)
async def create_receipt(
    household: HouseholdDep,
    session: SessionDep,
    storage: ReceiptStorage,
    request: Request,
) -> ReceiptRead | ReceiptUploadRead:
    """Upload a receipt: the file as multipart/form-data (`file`), or JSON for a presigned POST
    straight to storage (where `presigned_upload` is true), then confirm it."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        data, filename = await _read_upload(request)
        receipt = await service.create_from_upload(session, storage, household, data, filename)
        return await _read(session, storage, household, receipt)
    if content_type == "application/json":
        try:
            body = ReceiptUploadStart.model_validate_json(await request.body())
        except ValidationError as exc:
            raise RequestValidationError(
                [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
            ) from None
        receipt, post = await service.start_presigned_upload(
            session,
            storage,
            household,
            content_type=body.content_type,
            size_bytes=body.size_bytes,
            filename=body.filename,
        )
        return ReceiptUploadRead(
            receipt=await _read(session, storage, household, receipt),
            upload=PresignedUpload.model_validate(post),
        )
    raise UnsupportedMediaType(
        "Send the file as multipart/form-data, or JSON to ask for a presigned upload"
    )


async def _read_upload(request: Request) -> tuple[bytes, str]:
    form = await request.form(max_files=1, max_fields=4)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise RequestValidationError(
                [
                    {
                        "loc": ("body", "file"),
                        "msg": "Field required: the receipt file",
                        "type": "missing",
                    }
                ]
            )
        # Unknown fields are refused, as in every JSON body (Schema forbids extra fields).
        for name in form:
            if name != "file":
                raise RequestValidationError(
                    [
                        {
                            "loc": ("body", name),
                            "msg": "Extra inputs are not permitted",
                            "type": "extra_forbidden",
                        }
                    ]
                )
        data = await upload.read(MAX_RECEIPT_BYTES + 1)
        if len(data) > MAX_RECEIPT_BYTES:
            raise PayloadTooLarge(
                f"A receipt may be at most {MAX_RECEIPT_BYTES} bytes", code="receipt_too_large"
            )
        return data, upload.filename or ""
    finally:
        await form.close()


@router.post("/{receipt_id}/confirm")
async def confirm_receipt(
    household: HouseholdDep,
    session: SessionDep,
    storage: ReceiptStorage,
    receipt: ReceiptDep,
) -> ReceiptRead:
    """Confirm a presigned upload: the file is checked by content and its metadata stripped."""
    await service.confirm_upload(session, storage, household, receipt)
    return await _read(session, storage, household, receipt)


@router.get("")
async def list_receipts(
    household: HouseholdDep,
    session: SessionDep,
    storage: ReceiptStorage,
    unmatched: Annotated[
        bool, Query(description="true: only receipts not attached to a transaction")
    ] = False,
    transaction_id: Annotated[
        uuid.UUID | None, Query(description="Only the receipts of this transaction")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
) -> ReceiptPage:
    """List receipts, newest first, with each unmatched one's suggested transaction."""
    receipts, next_cursor = await service.list_receipts(
        session,
        household,
        unmatched=unmatched,
        transaction_id=transaction_id,
        limit=limit,
        cursor=cursor,
    )
    return ReceiptPage(
        items=[await _read(session, storage, household, receipt) for receipt in receipts],
        next_cursor=next_cursor,
        ocr_available=ocr_available(),
        presigned_upload=not isinstance(storage, LocalStorage),
        max_bytes=MAX_RECEIPT_BYTES,
    )


@router.get("/{receipt_id}")
async def get_receipt(
    household: HouseholdDep, session: SessionDep, storage: ReceiptStorage, receipt: ReceiptDep
) -> ReceiptRead:
    """Get one receipt with its text, a short-lived download URL and its suggested match."""
    return await _read(session, storage, household, receipt, with_text=True)


@router.patch("/{receipt_id}")
async def update_receipt(
    household: HouseholdDep,
    session: SessionDep,
    storage: ReceiptStorage,
    receipt: ReceiptDep,
    body: ReceiptUpdate,
) -> ReceiptRead:
    """Attach the receipt to a transaction, or detach it (transaction_id null)."""
    await service.attach(session, household, receipt, body.transaction_id)
    return await _read(session, storage, household, receipt)


@router.delete("/{receipt_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_receipt(
    household: HouseholdDep, session: SessionDep, storage: ReceiptStorage, receipt: ReceiptDep
) -> None:
    """Delete a receipt and its file (adults, and the member who uploaded it)."""
    await service.delete_receipt(session, storage, household, receipt)
