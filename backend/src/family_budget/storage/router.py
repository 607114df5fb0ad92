"""GET /api/v1/files/{token}: the download links of files kept in DATA_DIR (see storage.local)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse

from family_budget.deps import SettingsDep
from family_budget.errors import NotFound
from family_budget.storage import content_disposition, storages_for
from family_budget.storage.local import InvalidFileToken, LocalStorage, read_file_token

router = APIRouter(prefix="/files", tags=["files"])

# The file is the user's own data: no shared cache may keep it, no browser may guess another
# type than ours, and a document opened inline cannot run scripts with this origin's rights.
FILE_RESPONSE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    ),
}


@router.get(
    "/{token}",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The file"},
        404: {"description": "The link is invalid or expired, or the file is gone"},
    },
)
async def download_file(
    token: Annotated[str, Path(max_length=4096, description="The signed part of a download URL")],
    settings: SettingsDep,
) -> FileResponse:
    """Download a file through a signed, expiring link (files kept on the server's disk)."""
    try:
        grant = read_file_token(settings, token)
    except InvalidFileToken:
        raise NotFound("The link is invalid or has expired", code="file_link_invalid") from None
    storage = storages_for(settings)[grant.bucket]
    if not isinstance(storage, LocalStorage):
        raise NotFound("The link is invalid or has expired", code="file_link_invalid")
    path = storage.path_of(grant.key)
    if not path.is_file():
        raise NotFound("The file is gone", code="file_gone")
    return FileResponse(
        path,
        media_type=grant.content_type,
        headers={
            **FILE_RESPONSE_HEADERS,
            "Content-Disposition": content_disposition(grant.disposition, grant.filename),
        },
    )
