"""Receipts kept in S3 (moto's server): the browser uploads straight to the bucket with a
presigned POST, then confirms; the confirm step checks and cleans what arrived."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from typing import Any

import boto3
import httpx
import pytest
from fastapi import FastAPI
from PIL import ExifTags, Image
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.app import create_app
from family_budget.config import Settings
from family_budget.models import Receipt, ReceiptStatus
from family_budget.receipts.content import MAX_RECEIPT_BYTES
from tests.arrange import Family
from tests.notifications.conftest import REGION
from tests.receipts.images import GROCERY_LINES, photo_with_gps

BUCKET = "test-family-budget-receipts"


@pytest.fixture
async def s3_client(
    moto_endpoint: str,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
) -> AsyncIterator[httpx.AsyncClient]:
    """The API with RECEIPTS_BUCKET set, on the test's database transaction."""
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
    s3_settings = settings.model_copy(update={"receipts_bucket": BUCKET, "aws_region": REGION})
    app: FastAPI = create_app(s3_settings, configure_logs=False)
    async with app.router.lifespan_context(app):
        app.state.session_factory = session_factory
        app.state.read_session_factory = session_factory
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            yield client


def _objects() -> list[str]:
    listed = boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listed.get("Contents", []))


async def _start(client: httpx.AsyncClient, family: Family, size: int) -> dict[str, Any]:
    response = await client.post(
        f"{family.base}/receipts",
        headers=family.headers(),
        json={"content_type": "image/jpeg", "size_bytes": size, "filename": "IMG_1.jpg"},
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _browser_post(upload: dict[str, Any], data: bytes) -> httpx.Response:
    return httpx.post(
        upload["url"], data=upload["fields"], files={"file": ("IMG_1.jpg", data, "image/jpeg")}
    )


async def test_upload_confirm_and_read(
    s3_client: httpx.AsyncClient, session: AsyncSession, family: Family
) -> None:
    photo = photo_with_gps(GROCERY_LINES)
    started = await _start(s3_client, family, len(photo))
    receipt, upload = started["receipt"], started["upload"]
    assert receipt["status"] == "awaiting_upload"
    assert receipt["download_url"] is None
    assert upload["max_bytes"] == MAX_RECEIPT_BYTES
    assert upload["fields"]["key"] == f"uploads/{family.household.id}/{receipt['id']}"
    assert upload["fields"]["Content-Type"] == "image/jpeg"
    listed = await s3_client.get(f"{family.base}/receipts", headers=family.headers())
    assert listed.json()["presigned_upload"] is True
    assert listed.json()["items"] == []  # nothing to show before the upload is confirmed

    assert _browser_post(upload, photo).status_code == 204
    confirmed = await s3_client.post(
        f"{family.base}/receipts/{receipt['id']}/confirm", headers=family.headers()
    )

    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["status"] == "processing"
    final_key = f"{family.household.id}/{receipt['id']}/receipt.jpg"
    thumbnail_key = f"{family.household.id}/{receipt['id']}/thumbnail.jpg"
    # The raw upload (with its GPS) is gone; the cleaned copy replaced it.
    assert _objects() == [final_key, thumbnail_key]
    async with httpx.AsyncClient() as s3:
        stored = await s3.get(body["download_url"])
    assert stored.status_code == 200
    with Image.open(io.BytesIO(stored.content)) as image:
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    again = await s3_client.post(
        f"{family.base}/receipts/{receipt['id']}/confirm", headers=family.headers()
    )
    assert again.status_code == 409
    assert again.json()["code"] == "receipt_already_uploaded"


async def test_confirm_refuses_what_s3_let_through(
    s3_client: httpx.AsyncClient, session: AsyncSession, family: Family
) -> None:
    """A page that is not a photo, sent as image/jpeg: S3's policy checks only the declared
    type (and moto checks nothing), so the confirm step decides by content."""
    started = await _start(s3_client, family, 100)
    receipt, upload = started["receipt"], started["upload"]
    assert _browser_post(upload, b"<html><script>alert(1)</script></html>").status_code == 204

    refused = await s3_client.post(
        f"{family.base}/receipts/{receipt['id']}/confirm", headers=family.headers()
    )

    assert refused.status_code == 422
    assert refused.json()["code"] == "unsupported_receipt"
    assert _objects() == []
    session.expire_all()
    row = await session.get(Receipt, uuid.UUID(receipt["id"]))
    assert row is not None
    assert row.status is ReceiptStatus.AWAITING_UPLOAD


async def test_confirm_without_upload(s3_client: httpx.AsyncClient, family: Family) -> None:
    started = await _start(s3_client, family, 100)
    response = await s3_client.post(
        f"{family.base}/receipts/{started['receipt']['id']}/confirm", headers=family.headers()
    )
    assert response.status_code == 409
    assert response.json()["code"] == "receipt_upload_missing"


async def test_direct_upload_works_with_s3_too(
    s3_client: httpx.AsyncClient, family: Family
) -> None:
    response = await s3_client.post(
        f"{family.base}/receipts",
        headers=family.headers(),
        files={"file": ("r.jpg", photo_with_gps(GROCERY_LINES), "image/jpeg")},
    )
    assert response.status_code == 201, response.text
    assert _objects() == [
        f"{family.household.id}/{response.json()['id']}/receipt.jpg",
        f"{family.household.id}/{response.json()['id']}/thumbnail.jpg",
    ]
