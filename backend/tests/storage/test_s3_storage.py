"""The S3 storage against moto's server: the same calls as the folder, presigned GET and POST.

What moto checks and what it does not: it stores and serves objects, honours presigned GET
URLs with their response overrides, and accepts presigned POSTs — but moto 5.2 does not
evaluate a POST policy's conditions (size, content type) nor its signature. So the policy
document and its SigV4 signature are checked here against S3's published rules, and the app
never trusts an upload anyway: the confirm step checks the stored bytes (tests/receipts).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest

from family_budget.config import Settings
from family_budget.storage import Bucket, ObjectNotFound, storages_for
from family_budget.storage.s3 import S3Storage
from tests.conftest import TEST_JWT_SECRET
from tests.notifications.conftest import REGION

BUCKET = "test-family-budget-receipts"


@pytest.fixture
def s3_settings(moto_endpoint: str, tmp_path: Path) -> Settings:
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=BUCKET)
    return Settings(
        data_dir=tmp_path,
        jwt_secret=TEST_JWT_SECRET,
        receipts_bucket=BUCKET,
        aws_region=REGION,
    )


@pytest.fixture
def storage(s3_settings: Settings) -> S3Storage:
    storage = storages_for(s3_settings)[Bucket.RECEIPTS]
    assert isinstance(storage, S3Storage)
    return storage


def test_put_get_list_delete(storage: S3Storage) -> None:
    storage.put("h1/r1/receipt.jpg", b"one", content_type="image/jpeg")
    storage.put("h1/r2/receipt.png", b"three", content_type="image/png")
    storage.put("h2/r3/receipt.pdf", b"22", content_type="application/pdf")

    head = boto3.client("s3", region_name=REGION).head_object(
        Bucket=BUCKET, Key="h1/r2/receipt.png"
    )
    assert head["ContentType"] == "image/png"
    assert storage.get("h1/r2/receipt.png") == b"three"
    assert [(o.key, o.size_bytes) for o in storage.list("h1/")] == [
        ("h1/r1/receipt.jpg", 3),
        ("h1/r2/receipt.png", 5),
    ]
    storage.delete("h1/r1/receipt.jpg")
    storage.delete("h1/r1/receipt.jpg")  # idempotent, as in S3
    with pytest.raises(ObjectNotFound):
        storage.get("h1/r1/receipt.jpg")
    assert [o.key for o in storage.list()] == ["h1/r2/receipt.png", "h2/r3/receipt.pdf"]


def test_list_reads_every_page(storage: S3Storage) -> None:
    client = boto3.client("s3", region_name=REGION)
    for index in range(1005):  # S3 pages hold 1000 keys
        client.put_object(Bucket=BUCKET, Key=f"many/{index:05d}", Body=b"")
    assert len(storage.list("many/")) == 1005


def test_put_file_and_download_to(storage: S3Storage, tmp_path: Path) -> None:
    source = tmp_path / "backup.bin"
    source.write_bytes(bytes(range(256)) * 4000)
    storage.put_file("b/backup.bin", source, content_type="application/octet-stream")
    target = tmp_path / "restored.bin"
    storage.download_to("b/backup.bin", target)
    assert target.read_bytes() == source.read_bytes()
    with pytest.raises(ObjectNotFound):
        storage.download_to("b/missing.bin", target)


def test_presigned_download_url(storage: S3Storage) -> None:
    storage.put("h/r/receipt.jpg", b"\xff\xd8\xffjpeg", content_type="image/jpeg")
    url = storage.download_url(
        "h/r/receipt.jpg", filename="Café.jpg", content_type="image/jpeg", disposition="inline"
    )
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=900" in url

    response = httpx.get(url)

    assert response.status_code == 200
    assert response.content == b"\xff\xd8\xffjpeg"
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["content-disposition"] == (
        "inline; filename=\"Caf_.jpg\"; filename*=UTF-8''Caf%C3%A9.jpg"
    )
    assert response.headers["cache-control"] == "private, no-store"
    # The signature covers the key: another key under the same query string is refused.
    forged = url.replace("h/r/receipt.jpg", "h/r/other.jpg")
    assert httpx.get(forged).status_code in (403, 404)


# --- Presigned POST -----------------------------------------------------------------------------

MAX_BYTES = 1000


def _policy(fields: dict[str, str]) -> dict[str, Any]:
    policy: dict[str, Any] = json.loads(base64.b64decode(fields["policy"]))
    return policy


def _satisfies(policy: dict[str, Any], form: dict[str, str], size: int, now: datetime) -> bool:
    """S3's evaluation of a POST policy (its documented condition kinds that we use): every
    condition must hold, and the policy must not have expired."""
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    if now >= expiration:
        return False
    for condition in policy["conditions"]:
        if isinstance(condition, dict):
            (name, value), *_ = condition.items()
            if form.get(name) != value and not (name == "bucket" and value == BUCKET):
                return False
        elif condition[0] == "content-length-range":
            if not condition[1] <= size <= condition[2]:
                return False
        elif condition[0] == "eq" and form.get(condition[1].lstrip("$")) != condition[2]:
            return False
    return True


SECRET_ACCESS_KEY = "testing"  # the fake credential of the moto fixtures


def _signature(policy_b64: str, date_stamp: str) -> str:
    """SigV4 for browser POSTs: the policy signed with the derived key of the credential."""
    secret = SECRET_ACCESS_KEY

    def sign(key: bytes, message: str) -> bytes:
        return hmac.new(key, message.encode(), hashlib.sha256).digest()

    key = sign(f"AWS4{secret}".encode(), date_stamp)
    for part in (REGION, "s3", "aws4_request"):
        key = sign(key, part)
    return hmac.new(key, policy_b64.encode(), hashlib.sha256).hexdigest()


def test_presigned_post_carries_size_and_type_conditions(storage: S3Storage) -> None:
    post = storage.presigned_post(
        "uploads/h/r1",
        content_type="image/png",
        max_bytes=MAX_BYTES,
        expires_in=timedelta(minutes=10),
    )
    policy = _policy(post.fields)

    assert ["content-length-range", 1, MAX_BYTES] in policy["conditions"]
    assert {"Content-Type": "image/png"} in policy["conditions"]
    assert {"key": "uploads/h/r1"} in policy["conditions"]
    assert {"bucket": BUCKET} in policy["conditions"]
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert timedelta(minutes=9) < expiration - datetime.now(UTC) <= timedelta(minutes=10)
    # The signature is what S3 recomputes with the credential's secret.
    date_stamp = post.fields["x-amz-credential"].split("/")[1]
    assert post.fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    assert post.fields["x-amz-signature"] == _signature(post.fields["policy"], date_stamp)

    now = datetime.now(UTC)
    good = {**post.fields}
    assert _satisfies(policy, good, 500, now)
    assert not _satisfies(policy, good, MAX_BYTES + 1, now)  # too large
    assert not _satisfies(policy, good, 0, now)  # empty
    assert not _satisfies(policy, {**good, "Content-Type": "text/html"}, 500, now)
    assert not _satisfies(policy, {**good, "key": "uploads/h/other"}, 500, now)
    assert not _satisfies(policy, good, 500, now + timedelta(minutes=11))  # expired


def test_browser_upload_through_a_presigned_post(storage: S3Storage) -> None:
    post = storage.presigned_post(
        "uploads/h/r2",
        content_type="image/png",
        max_bytes=MAX_BYTES,
        expires_in=timedelta(minutes=10),
    )
    # As a browser sends it: every field, then the file, as multipart/form-data.
    response = httpx.post(
        post.url, data=post.fields, files={"file": ("photo.png", b"\x89PNG\r\n\x1a\n" + b"x" * 20)}
    )
    assert response.status_code == 204, response.text
    assert storage.get("uploads/h/r2") == b"\x89PNG\r\n\x1a\n" + b"x" * 20
    head = boto3.client("s3", region_name=REGION).head_object(Bucket=BUCKET, Key="uploads/h/r2")
    assert head["ContentType"] == "image/png"


def test_moto_does_not_enforce_post_conditions(storage: S3Storage) -> None:
    """Documents the stand-in's limit: the too-large upload below would be refused by S3
    (EntityTooLarge; test above), moto stores it. The app's confirm step re-checks."""
    post = storage.presigned_post(
        "uploads/h/r3",
        content_type="image/png",
        max_bytes=MAX_BYTES,
        expires_in=timedelta(minutes=10),
    )
    response = httpx.post(
        post.url, data=post.fields, files={"file": ("big.png", b"x" * (MAX_BYTES + 1))}
    )
    assert response.status_code == 204
    assert not _satisfies(_policy(post.fields), post.fields, MAX_BYTES + 1, datetime.now(UTC))
