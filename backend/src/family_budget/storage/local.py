"""A bucket as a folder under DATA_DIR, with download links the API serves itself.

A download URL is `{PUBLIC_APP_URL}/api/v1/files/{token}`: the token is a JWT (HS256 under
FILE_URL_SECRET, a key of its own, so no access or refresh token can pass for one) naming the
bucket, the key, the file name, the content type and when it stops working. The route
(family_budget.storage.router) needs nothing else: whoever holds the link may fetch the file
until it expires, like an S3 presigned URL. Links are short-lived for that reason.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import jwt

from family_budget.config import Settings
from family_budget.storage import (
    DEFAULT_URL_LIFETIME,
    Bucket,
    Disposition,
    ObjectNotFound,
    Storage,
    StoredObject,
    check_key,
)

FILE_URL_PREFIX = "/api/v1/files/"
_AUDIENCE = "family-budget:file"


@dataclass(frozen=True, slots=True)
class FileGrant:
    """What a download token allows: one object, served under one name and type."""

    bucket: Bucket
    key: str
    filename: str
    content_type: str
    disposition: Disposition


class InvalidFileToken(Exception):
    """Tampered, expired, or not a download token at all."""


def sign_file_token(settings: Settings, grant: FileGrant, expires_at: datetime) -> str:
    claims = {
        "aud": _AUDIENCE,
        "bkt": grant.bucket.value,
        "key": grant.key,
        "fn": grant.filename,
        "ct": grant.content_type,
        "disp": grant.disposition,
        "exp": int(expires_at.timestamp()),
    }
    return jwt.encode(claims, settings.file_url_key, algorithm="HS256")


def read_file_token(settings: Settings, token: str) -> FileGrant:
    try:
        claims = jwt.decode(
            token,
            settings.file_url_key,
            algorithms=["HS256"],
            audience=_AUDIENCE,
            options={"require": ["exp", "aud"]},
        )
        disposition = claims["disp"]
        if disposition not in ("attachment", "inline"):
            raise InvalidFileToken("unknown disposition")
        return FileGrant(
            bucket=Bucket(claims["bkt"]),
            key=check_key(str(claims["key"])),
            filename=str(claims["fn"]),
            content_type=str(claims["ct"]),
            disposition=cast(Disposition, disposition),
        )
    except (jwt.InvalidTokenError, KeyError, ValueError) as exc:
        raise InvalidFileToken(str(exc)) from None


class LocalStorage(Storage):
    def __init__(self, bucket: Bucket, settings: Settings) -> None:
        self.bucket = bucket
        self.settings = settings
        self.root = settings.data_dir / bucket.value

    def path_of(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        path = self.path_of(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed over it: a reader never sees half a file.
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        target = self.path_of(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        os.close(descriptor)
        try:
            shutil.copyfile(path, temporary)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self.path_of(key).read_bytes()
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    def download_to(self, key: str, path: Path) -> None:
        source = self.path_of(key)
        if not source.is_file():
            raise ObjectNotFound(key)
        shutil.copyfile(source, path)

    def delete(self, key: str) -> None:
        path = self.path_of(key)
        path.unlink(missing_ok=True)
        # Empty folders left behind (one per export or receipt) are removed up to the root.
        parent = path.parent
        while parent != self.root and parent.is_relative_to(self.root):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def list(self, prefix: str = "") -> list[StoredObject]:
        if not self.root.is_dir():
            return []
        found = []
        for path in self.root.rglob("*"):
            if not path.is_file() or path.name.startswith(".partial-"):
                continue
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix):
                stat = path.stat()
                found.append(
                    StoredObject(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))
                )
        return sorted(found, key=lambda item: item.key)

    def download_url(
        self,
        key: str,
        *,
        filename: str,
        content_type: str,
        disposition: Disposition = "attachment",
        expires_in: timedelta = DEFAULT_URL_LIFETIME,
    ) -> str:
        grant = FileGrant(self.bucket, check_key(key), filename, content_type, disposition)
        token = sign_file_token(self.settings, grant, datetime.now(UTC) + expires_in)
        return f"{self.settings.public_app_url.rstrip('/')}{FILE_URL_PREFIX}{token}"
