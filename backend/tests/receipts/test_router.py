"""Receipts through the API: upload, reading, the suggested match, attaching, visibility."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.models import Receipt, ReceiptStatus, User
from family_budget.receipts.content import MAX_RECEIPT_BYTES
from family_budget.receipts.ocr import ocr_available
from family_budget.storage import storages_for
from family_budget.worker.jobs import JobContext, Outcome, drain
from family_budget.worker.schedule import schedule_due
from tests.arrange import Family
from tests.factories import create_transaction
from tests.receipts.conftest import RunJobs
from tests.receipts.images import GROCERY_LINES, photo_with_gps, receipt_pdf

PDF = "application/pdf"


async def upload(
    client: httpx.AsyncClient,
    family: Family,
    data: bytes,
    *,
    user: User | None = None,
    filename: str = "receipt.pdf",
    content_type: str = PDF,
) -> httpx.Response:
    return await client.post(
        f"{family.base}/receipts",
        headers=family.headers(user),
        files={"file": (filename, data, content_type)},
    )


async def fetch(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """A download link is self-contained: no session is sent with it."""
    return await client.get(urlsplit(url).path)


async def receipt_rows(session: AsyncSession, family: Family) -> int:
    """Our household's receipts (the neighbour has one of its own)."""
    count = await session.scalar(
        select(func.count()).where(Receipt.household_id == family.household.id)
    )
    return int(count or 0)


class TestUpload:
    async def test_pdf_is_read_and_matched(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        run_jobs: RunJobs,
    ) -> None:
        match = await create_transaction(
            session,
            family.private,
            posted_on=date(2026, 11, 29),
            amount_minor=-647,
            payee="Corner Grocery Store",
        )
        # Near misses: another amount, too many days apart, a transfer, another household.
        await create_transaction(
            session, family.private, posted_on=date(2026, 11, 28), amount_minor=-648
        )
        await create_transaction(
            session, family.private, posted_on=date(2026, 12, 9), amount_minor=-647
        )
        await create_transaction(
            session,
            family.private,
            posted_on=date(2026, 11, 28),
            amount_minor=-647,
            transfer_id=uuid.uuid4(),
        )
        await create_transaction(
            session, family.other.checking, posted_on=date(2026, 11, 28), amount_minor=-647
        )
        await session.commit()

        created = await upload(client, family, receipt_pdf(GROCERY_LINES), filename="nov.pdf")

        assert created.status_code == 201, created.text
        body = created.json()
        assert body["status"] == "processing"
        assert body["content_type"] == PDF
        assert body["filename"] == "nov.pdf"
        assert body["transaction_id"] is None
        assert body["thumbnail_url"] is None
        stored = await fetch(client, body["download_url"])
        assert stored.status_code == 200
        assert stored.content == receipt_pdf(GROCERY_LINES)
        assert stored.headers["content-disposition"].startswith("attachment;")

        assert (await run_jobs())[Outcome.DONE] == 1
        read = (
            await client.get(f"{family.base}/receipts/{body['id']}", headers=family.headers())
        ).json()

        assert read["status"] == "ready"
        assert (read["merchant"], read["purchased_on"], read["total_minor"]) == (
            "CORNER GROCERY",
            "2026-11-28",
            647,
        )
        assert "TOTAL 6.47" in read["text"]
        assert read["currency"] == "USD"
        assert read["suggested_transaction"] == {
            "id": str(match.id),
            "account_id": str(family.private.id),
            "posted_on": "2026-11-29",
            "amount_minor": -647,
            "payee": "Corner Grocery Store",
            "days_apart": 1,
        }
        assert read["new_transaction"] == {
            "posted_on": "2026-11-28",
            "amount_minor": -647,
            "payee": "CORNER GROCERY",
        }

    @pytest.mark.skipif(not ocr_available(), reason="tesseract-ocr is not installed")
    async def test_photo_is_stored_without_gps_and_read(
        self, client: httpx.AsyncClient, family: Family, run_jobs: RunJobs
    ) -> None:
        photo = photo_with_gps(GROCERY_LINES)
        assert Image.open(io.BytesIO(photo)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

        created = await upload(
            client, family, photo, filename="IMG_0042.HEIC.jpg", content_type="image/jpeg"
        )

        assert created.status_code == 201, created.text
        body = created.json()
        stored = await fetch(client, body["download_url"])
        assert stored.headers["content-type"] == "image/jpeg"
        assert stored.headers["content-disposition"].startswith("inline;")
        with Image.open(io.BytesIO(stored.content)) as image:
            assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
            assert dict(image.getexif()) == {}
        thumbnail = await fetch(client, body["thumbnail_url"])
        assert thumbnail.status_code == 200
        assert max(Image.open(io.BytesIO(thumbnail.content)).size) == 480

        await run_jobs()
        read = (
            await client.get(f"{family.base}/receipts/{body['id']}", headers=family.headers())
        ).json()
        assert (read["merchant"], read["purchased_on"], read["total_minor"]) == (
            "CORNER GROCERY",
            "2026-11-28",
            647,
        )

    @pytest.mark.parametrize(
        ("data", "filename", "content_type"),
        [
            (b"<html><script>alert(1)</script></html>", "receipt.jpg", "image/jpeg"),
            (b"GIF89a" + b"\x00" * 50, "receipt.png", "image/png"),
            (b"", "empty.pdf", PDF),
        ],
        ids=["html-named-jpg", "gif-named-png", "empty"],
    )
    async def test_content_decides_not_the_name(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        family: Family,
        data: bytes,
        filename: str,
        content_type: str,
    ) -> None:
        before = storages_for(settings).receipts.list(str(family.household.id))

        response = await upload(client, family, data, filename=filename, content_type=content_type)

        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "unsupported_receipt"
        assert await receipt_rows(session, family) == 0
        assert storages_for(settings).receipts.list(str(family.household.id)) == before

    async def test_more_than_ten_megabytes_is_413(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        response = await upload(client, family, b"%PDF-" + b"0" * MAX_RECEIPT_BYTES)
        assert response.status_code == 413
        assert response.json()["code"] in ("payload_too_large", "receipt_too_large")
        assert await receipt_rows(session, family) == 0

    async def test_nine_megabytes_pass_the_body_limit(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        # Far above the API's usual 1 MB body limit: only this route takes files.
        padded = receipt_pdf(GROCERY_LINES) + b"\n%" + b"0" * (9 * 1024 * 1024)
        response = await upload(client, family, padded)
        assert response.status_code == 201, response.text

    async def test_missing_file_and_wrong_media_type(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        no_file = await client.post(
            f"{family.base}/receipts",
            headers=family.headers(),
            data={"note": "no file"},
            files={"other": ("x.txt", b"x", "text/plain")},
        )
        assert no_file.status_code == 422
        assert no_file.json()["errors"][0]["field"] == "file"
        plain = await client.post(
            f"{family.base}/receipts",
            headers={**family.headers(), "Content-Type": "text/plain"},
            content=b"hello",
        )
        assert plain.status_code == 415
        assert await receipt_rows(session, family) == 0

    async def test_presigned_upload_needs_s3(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        response = await client.post(
            f"{family.base}/receipts",
            headers=family.headers(),
            json={"content_type": "image/jpeg", "size_bytes": 1000},
        )
        assert response.status_code == 409
        assert response.json()["code"] == "presigned_upload_unavailable"
        assert await receipt_rows(session, family) == 0
        invalid = await client.post(
            f"{family.base}/receipts",
            headers=family.headers(),
            json={"content_type": "text/html", "size_bytes": 0},
        )
        assert invalid.status_code == 422
        assert {e["field"] for e in invalid.json()["errors"]} == {"content_type", "size_bytes"}


async def _uploaded(
    client: httpx.AsyncClient, family: Family, user: User | None = None
) -> dict[str, Any]:
    response = await upload(client, family, receipt_pdf(GROCERY_LINES), user=user)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


class TestAttach:
    async def test_attach_both_ways_and_detach(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(session, family.private, amount_minor=-647)
        await session.commit()
        receipt = await _uploaded(client, family)
        url = f"{family.base}/receipts/{receipt['id']}"

        attached = await client.patch(
            url, headers=family.headers(), json={"transaction_id": str(transaction.id)}
        )

        assert attached.status_code == 200, attached.text
        assert attached.json()["transaction_id"] == str(transaction.id)
        assert attached.json()["suggested_transaction"] is None
        read = await client.get(
            f"{family.base}/transactions/{transaction.id}", headers=family.headers()
        )
        assert read.json()["receipt_count"] == 1
        listed = await client.get(f"{family.base}/transactions", headers=family.headers())
        assert [t["receipt_count"] for t in listed.json()["items"]] == [1]
        of_transaction = await client.get(
            f"{family.base}/receipts",
            headers=family.headers(),
            params={"transaction_id": str(transaction.id)},
        )
        assert [r["id"] for r in of_transaction.json()["items"]] == [receipt["id"]]
        unmatched = await client.get(
            f"{family.base}/receipts", headers=family.headers(), params={"unmatched": "true"}
        )
        assert unmatched.json()["items"] == []

        detached = await client.patch(url, headers=family.headers(), json={"transaction_id": None})
        assert detached.json()["transaction_id"] is None
        read = await client.get(
            f"{family.base}/transactions/{transaction.id}", headers=family.headers()
        )
        assert read.json()["receipt_count"] == 0

    async def test_cannot_attach_to_another_households_transaction(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        theirs = await create_transaction(session, family.other.checking)
        await session.commit()
        receipt = await _uploaded(client, family)

        response = await client.patch(
            f"{family.base}/receipts/{receipt['id']}",
            headers=family.headers(),
            json={"transaction_id": str(theirs.id)},
        )

        assert response.status_code == 422
        assert response.json()["code"] == "unknown_transaction"
        session.expire_all()
        stored = await session.get(Receipt, uuid.UUID(receipt["id"]))
        assert stored is not None
        assert stored.transaction_id is None

    async def test_deleting_the_transaction_returns_the_receipt_to_the_inbox(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        transaction = await create_transaction(session, family.private)
        await session.commit()
        receipt = await _uploaded(client, family)
        await client.patch(
            f"{family.base}/receipts/{receipt['id']}",
            headers=family.headers(),
            json={"transaction_id": str(transaction.id)},
        )
        deleted = await client.delete(
            f"{family.base}/transactions/{transaction.id}",
            headers={**family.headers(), "If-Match": 'W/"1"'},
        )
        assert deleted.status_code == 204

        unmatched = await client.get(
            f"{family.base}/receipts", headers=family.headers(), params={"unmatched": "true"}
        )
        assert [r["id"] for r in unmatched.json()["items"]] == [receipt["id"]]


class TestVisibility:
    async def test_teen_sees_own_receipts_and_those_of_shared_transactions(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        shared = await create_transaction(session, family.shared, amount_minor=-647)
        private = await create_transaction(session, family.private, amount_minor=-647)
        await session.commit()
        own = await _uploaded(client, family, user=family.teen)
        owners_loose = await _uploaded(client, family)
        owners_shared = await _uploaded(client, family)
        owners_private = await _uploaded(client, family)
        for receipt, transaction in ((owners_shared, shared), (owners_private, private)):
            await client.patch(
                f"{family.base}/receipts/{receipt['id']}",
                headers=family.headers(),
                json={"transaction_id": str(transaction.id)},
            )

        teen_list = await client.get(f"{family.base}/receipts", headers=family.headers(family.teen))
        owner_list = await client.get(f"{family.base}/receipts", headers=family.headers())

        assert {r["id"] for r in teen_list.json()["items"]} == {own["id"], owners_shared["id"]}
        assert {r["id"] for r in owner_list.json()["items"]} == {
            own["id"],
            owners_loose["id"],
            owners_shared["id"],
            owners_private["id"],
        }
        for hidden in (owners_loose, owners_private):
            response = await client.get(
                f"{family.base}/receipts/{hidden['id']}", headers=family.headers(family.teen)
            )
            assert response.status_code == 404
            assert response.json()["code"] == "receipt_not_found"
        # The teen's own receipt may not be attached to an account they cannot see.
        refused = await client.patch(
            f"{family.base}/receipts/{own['id']}",
            headers=family.headers(family.teen),
            json={"transaction_id": str(private.id)},
        )
        assert refused.status_code == 422

    async def test_suggestions_only_name_transactions_the_caller_sees(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        family: Family,
        run_jobs: RunJobs,
    ) -> None:
        await create_transaction(
            session, family.private, posted_on=date(2026, 11, 28), amount_minor=-647
        )
        await session.commit()
        own = await _uploaded(client, family, user=family.teen)
        await run_jobs()

        as_teen = await client.get(
            f"{family.base}/receipts/{own['id']}", headers=family.headers(family.teen)
        )
        as_owner = await client.get(f"{family.base}/receipts/{own['id']}", headers=family.headers())

        assert as_teen.json()["suggested_transaction"] is None
        assert as_owner.json()["suggested_transaction"] is not None

    async def test_other_household_member_cannot_reach_a_receipt(
        self, client: httpx.AsyncClient, family: Family
    ) -> None:
        receipt = await _uploaded(client, family)
        other_base = f"/api/v1/households/{family.other.household.id}"
        response = await client.get(
            f"{other_base}/receipts/{receipt['id']}", headers=family.headers(family.other.owner)
        )
        assert response.status_code == 404
        listed = await client.get(
            f"{other_base}/receipts", headers=family.headers(family.other.owner)
        )
        assert [item["id"] for item in listed.json()["items"]] == [str(family.other.receipt.id)]


class TestDelete:
    async def test_delete_removes_row_and_files(
        self,
        client: httpx.AsyncClient,
        session: AsyncSession,
        settings: Settings,
        family: Family,
    ) -> None:
        receipt = await _uploaded(client, family)
        prefix = f"{family.household.id}/{receipt['id']}/"
        assert storages_for(settings).receipts.list(prefix)

        response = await client.delete(
            f"{family.base}/receipts/{receipt['id']}", headers=family.headers()
        )

        assert response.status_code == 204
        assert await receipt_rows(session, family) == 0
        assert storages_for(settings).receipts.list(prefix) == []
        assert (await fetch(client, receipt["download_url"])).status_code == 404

    async def test_teen_deletes_only_own(
        self, client: httpx.AsyncClient, session: AsyncSession, family: Family
    ) -> None:
        shared = await create_transaction(session, family.shared)
        await session.commit()
        owners = await _uploaded(client, family)
        await client.patch(
            f"{family.base}/receipts/{owners['id']}",
            headers=family.headers(),
            json={"transaction_id": str(shared.id)},
        )
        own = await _uploaded(client, family, user=family.teen)

        refused = await client.delete(
            f"{family.base}/receipts/{owners['id']}", headers=family.headers(family.teen)
        )
        allowed = await client.delete(
            f"{family.base}/receipts/{own['id']}", headers=family.headers(family.teen)
        )

        assert refused.status_code == 403
        assert allowed.status_code == 204
        assert await receipt_rows(session, family) == 1


async def test_list_says_whether_ocr_is_on(client: httpx.AsyncClient, family: Family) -> None:
    response = await client.get(f"{family.base}/receipts", headers=family.headers())
    body = response.json()
    assert body["ocr_available"] is ocr_available()
    assert body["presigned_upload"] is False
    assert body["max_bytes"] == MAX_RECEIPT_BYTES
    assert body["items"] == []
    assert ReceiptStatus.READY.value == "ready"


async def test_abandoned_presigned_uploads_are_purged_after_a_day(
    session: AsyncSession,
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    family: Family,
) -> None:
    storage = storages_for(settings).receipts
    now = datetime.now(UTC).replace(hour=12)
    rows = []
    for age in (timedelta(hours=30), timedelta(hours=2)):
        receipt = Receipt(
            household_id=family.household.id,
            status=ReceiptStatus.AWAITING_UPLOAD,
            content_type="image/jpeg",
            object_key=f"uploads/{family.household.id}/{uuid.uuid4()}",
            created_at=now - age,
        )
        storage.put(receipt.object_key, b"raw upload", content_type="image/jpeg")
        rows.append(receipt)
    session.add_all(rows)
    await session.commit()
    old, recent = rows
    old_id, old_key, recent_id, recent_key = old.id, old.object_key, recent.id, recent.object_key

    await schedule_due(session_factory, now)
    await drain(JobContext(settings, session_factory, now=now))

    session.expire_all()
    assert await session.get(Receipt, old_id) is None
    assert await session.get(Receipt, recent_id) is not None
    assert storage.list(old_key) == []
    assert [o.key for o in storage.list(recent_key)] == [recent_key]
