"""One interface over the files the app keeps: exports, receipts and backups.

Each of the design's three buckets is a `Storage`: an S3 bucket when its setting names one
(EXPORTS_BUCKET, RECEIPTS_BUCKET, BACKUPS_BUCKET), otherwise a folder of the same name under
DATA_DIR (the embedded default: data/exports, data/receipts, data/backups). Both answer the same
calls: put, get, delete, list by prefix, and a short-lived download URL — S3 presigns its own;
a folder's URL points at the API's /api/v1/files/{token} route, with a signed, expiring token
(family_budget.storage.local). Only S3 offers a presigned POST, which lets a browser upload
straight into the bucket under size and content-type conditions.

The calls are blocking (boto3 is); async code runs them with `asyncio.to_thread`.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from family_budget.config import Settings

DEFAULT_URL_LIFETIME = timedelta(minutes=15)
Disposition = Literal["attachment", "inline"]

# Keys are ours (ids, dates, a sanitized file name): a narrow alphabet keeps them safe as S3 keys
# and as relative paths under a folder alike.
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


class Bucket(StrEnum):
    EXPORTS = "exports"
    RECEIPTS = "receipts"
    BACKUPS = "backups"


class ObjectNotFound(LookupError):
    """No object is stored under the key."""


class InvalidKey(ValueError):
    """A key outside the safe alphabet, or one that climbs out of its folder ("..")."""


def check_key(key: str) -> str:
    if not _KEY.match(key) or any(part in (".", "..") for part in key.split("/")):
        raise InvalidKey(f"not a storage key: {key!r}")
    return key


def content_disposition(disposition: Disposition, filename: str) -> str:
    """RFC 6266: an ASCII fallback name, and the real one percent-encoded (RFC 8187)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@dataclass(frozen=True, slots=True)
class StoredObject:
    key: str
    size_bytes: int
    modified_at: datetime


@dataclass(frozen=True, slots=True)
class PresignedPost:
    """What a browser posts (multipart/form-data): `fields` first, then the file as `file`."""

    url: str
    fields: dict[str, str]
    expires_at: datetime


class Storage(ABC):
    bucket: Bucket

    @abstractmethod
    def put(self, key: str, data: bytes, *, content_type: str) -> None: ...

    @abstractmethod
    def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        """Store a file from disk (backups are too large to hold in memory)."""

    @abstractmethod
    def get(self, key: str) -> bytes:
        """The object's bytes; ObjectNotFound when there is none."""

    @abstractmethod
    def download_to(self, key: str, path: Path) -> None:
        """Write the object into `path`; ObjectNotFound when there is none."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; a missing one is not an error (deleting is idempotent)."""

    @abstractmethod
    def list(self, prefix: str = "") -> list[StoredObject]:
        """Every object whose key starts with `prefix`, in key order."""

    @abstractmethod
    def download_url(
        self,
        key: str,
        *,
        filename: str,
        content_type: str,
        disposition: Disposition = "attachment",
        expires_in: timedelta = DEFAULT_URL_LIFETIME,
    ) -> str:
        """A URL anyone holding it may GET the object from until it expires."""

    def presigned_post(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> PresignedPost | None:
        """A browser upload straight into the bucket, or None where the storage has none."""
        return None


class Storages:
    """The three buckets of one configuration, built on first use."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._built: dict[Bucket, Storage] = {}

    def __getitem__(self, bucket: Bucket) -> Storage:
        if bucket not in self._built:
            self._built[bucket] = _build(self.settings, bucket)
        return self._built[bucket]

    @property
    def exports(self) -> Storage:
        return self[Bucket.EXPORTS]

    @property
    def receipts(self) -> Storage:
        return self[Bucket.RECEIPTS]

    @property
    def backups(self) -> Storage:
        return self[Bucket.BACKUPS]


def bucket_name(settings: Settings, bucket: Bucket) -> str | None:
    return {
        Bucket.EXPORTS: settings.exports_bucket,
        Bucket.RECEIPTS: settings.receipts_bucket,
        Bucket.BACKUPS: settings.backups_bucket,
    }[bucket]


def _build(settings: Settings, bucket: Bucket) -> Storage:
    name = bucket_name(settings, bucket)
    if name:
        from family_budget.storage.s3 import S3Storage

        return S3Storage(bucket, name, region=settings.aws_region)
    from family_budget.storage.local import LocalStorage

    return LocalStorage(bucket, settings)


_by_settings: dict[int, tuple[Settings, Storages]] = {}


def storages_for(settings: Settings) -> Storages:
    """The storages of these settings, shared by everything that runs with them (one boto3
    client per bucket and process)."""
    cached = _by_settings.get(id(settings))
    if cached is None or cached[0] is not settings:
        cached = (settings, Storages(settings))
        _by_settings[id(settings)] = cached
    return cached[1]
