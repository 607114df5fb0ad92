"""The DATA_DIR storage and the download route that serves its signed links."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from family_budget.config import Settings
from family_budget.security import create_access_token
from family_budget.storage import Bucket, InvalidKey, ObjectNotFound, storages_for
from family_budget.storage.local import FileGrant, LocalStorage, sign_file_token
from tests.conftest import TEST_JWT_SECRET


@pytest.fixture
def local_settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, jwt_secret=TEST_JWT_SECRET)


@pytest.fixture
def storage(local_settings: Settings) -> LocalStorage:
    storage = storages_for(local_settings).exports
    assert isinstance(storage, LocalStorage)
    return storage


def test_put_get_list_delete(storage: LocalStorage, local_settings: Settings) -> None:
    storage.put("h1/e1/a.csv", b"one", content_type="text/csv")
    storage.put("h1/e2/b.csv", b"three", content_type="text/csv")
    storage.put("h2/e3/c.csv", b"22", content_type="text/csv")

    assert (local_settings.data_dir / "exports" / "h1" / "e1" / "a.csv").read_bytes() == b"one"
    assert storage.get("h1/e2/b.csv") == b"three"
    assert [(o.key, o.size_bytes) for o in storage.list("h1/")] == [
        ("h1/e1/a.csv", 3),
        ("h1/e2/b.csv", 5),
    ]
    assert [o.key for o in storage.list()] == ["h1/e1/a.csv", "h1/e2/b.csv", "h2/e3/c.csv"]

    storage.delete("h1/e1/a.csv")
    storage.delete("h1/e1/a.csv")  # idempotent
    with pytest.raises(ObjectNotFound):
        storage.get("h1/e1/a.csv")
    # The emptied folder went with it; the bucket's root stays.
    assert not (local_settings.data_dir / "exports" / "h1" / "e1").exists()
    assert (local_settings.data_dir / "exports").is_dir()


def test_put_replaces_whole_files(storage: LocalStorage) -> None:
    storage.put("k/file.bin", b"a" * 100, content_type="application/octet-stream")
    storage.put("k/file.bin", b"b", content_type="application/octet-stream")
    assert storage.get("k/file.bin") == b"b"
    assert [o.key for o in storage.list()] == ["k/file.bin"]  # no partial files left


def test_put_file_and_download_to(storage: LocalStorage, tmp_path: Path) -> None:
    source = tmp_path / "big.bin"
    source.write_bytes(bytes(range(256)) * 1000)
    storage.put_file("backups/big.bin", source, content_type="application/octet-stream")
    target = tmp_path / "copy.bin"
    storage.download_to("backups/big.bin", target)
    assert target.read_bytes() == source.read_bytes()
    with pytest.raises(ObjectNotFound):
        storage.download_to("backups/missing.bin", target)


@pytest.mark.parametrize(
    "key", ["../escape", "a/../../b", "/absolute", "a//b", "", "a/./b", "spaces in key", "a\\b"]
)
def test_keys_cannot_leave_the_folder(storage: LocalStorage, key: str) -> None:
    with pytest.raises(InvalidKey):
        storage.put(key, b"x", content_type="text/plain")


def test_each_bucket_is_its_own_folder(local_settings: Settings) -> None:
    storages = storages_for(local_settings)
    storages.receipts.put("same/key", b"receipt", content_type="image/jpeg")
    storages.backups.put("same/key", b"backup", content_type="application/octet-stream")
    assert storages.receipts.get("same/key") == b"receipt"
    assert storages.backups.get("same/key") == b"backup"
    with pytest.raises(ObjectNotFound):
        storages.exports.get("same/key")


# --- The download route -------------------------------------------------------------------------


def _path(url: str) -> str:
    return urlsplit(url).path


async def test_download_link_serves_the_file_privately(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    storage = storages_for(settings).exports
    storage.put("h/e/report.csv", b"\xef\xbb\xbfa,b\r\n", content_type="text/csv")
    url = storage.download_url(
        "h/e/report.csv", filename="Café report.csv", content_type="text/csv; charset=utf-8"
    )
    assert url.startswith(settings.public_app_url.rstrip("/") + "/api/v1/files/")

    response = await client.get(_path(url))

    assert response.status_code == 200
    assert response.content == b"\xef\xbb\xbfa,b\r\n"
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"Caf_ report.csv\"; filename*=UTF-8''Caf%C3%A9%20report.csv"
    )
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]


async def test_inline_links_say_inline(client: httpx.AsyncClient, settings: Settings) -> None:
    storage = storages_for(settings).receipts
    storage.put("h/r/receipt.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    url = storage.download_url(
        "h/r/receipt.jpg", filename="r.jpg", content_type="image/jpeg", disposition="inline"
    )
    response = await client.get(_path(url))
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("inline;")


async def test_expired_link_is_404(client: httpx.AsyncClient, settings: Settings) -> None:
    storages_for(settings).exports.put("h/e/old.csv", b"x", content_type="text/csv")
    grant = FileGrant(Bucket.EXPORTS, "h/e/old.csv", "old.csv", "text/csv", "attachment")
    token = sign_file_token(settings, grant, datetime.now(UTC) - timedelta(seconds=1))

    response = await client.get(f"/api/v1/files/{token}")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "file_link_invalid"


async def test_tampered_link_is_404(client: httpx.AsyncClient, settings: Settings) -> None:
    storages_for(settings).exports.put("h/e/mine.csv", b"mine", content_type="text/csv")
    storages_for(settings).exports.put("h/e/theirs.csv", b"theirs", content_type="text/csv")
    url = storages_for(settings).exports.download_url(
        "h/e/mine.csv", filename="mine.csv", content_type="text/csv"
    )
    token = _path(url).rsplit("/", 1)[1]
    header, claims, signature = token.split(".")
    # Another key under the same signature, and a token signed with another secret.
    decoded = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    decoded["key"] = "h/e/theirs.csv"
    forged_claims = base64.urlsafe_b64encode(json.dumps(decoded).encode()).rstrip(b"=").decode()
    other = Settings(data_dir=settings.data_dir, file_url_secret="another-secret-" + "y" * 40)
    foreign = storages_for(other).exports.download_url(
        "h/e/theirs.csv", filename="theirs.csv", content_type="text/csv"
    )

    for path in (
        f"/api/v1/files/{header}.{forged_claims}.{signature}",
        _path(foreign),
        "/api/v1/files/not-a-token",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "file_link_invalid"


async def test_access_token_is_not_a_download_token(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    token = create_access_token(settings, uuid.uuid4())
    response = await client.get(f"/api/v1/files/{token}")
    assert response.status_code == 404


async def test_link_to_a_deleted_file_is_404(client: httpx.AsyncClient, settings: Settings) -> None:
    storage = storages_for(settings).exports
    storage.put("h/e/gone.csv", b"x", content_type="text/csv")
    url = storage.download_url("h/e/gone.csv", filename="gone.csv", content_type="text/csv")
    storage.delete("h/e/gone.csv")
    response = await client.get(_path(url))
    assert response.status_code == 404
    assert response.json()["code"] == "file_gone"
