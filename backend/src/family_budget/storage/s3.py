"""A bucket in S3 (boto3). Region, credentials and endpoint come from the environment, as for
every AWS client of the app (the ECS task role in AWS; moto's server in the tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from family_budget.storage import (
    DEFAULT_URL_LIFETIME,
    Bucket,
    Disposition,
    ObjectNotFound,
    PresignedPost,
    Storage,
    StoredObject,
    check_key,
    content_disposition,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3Storage(Storage):
    def __init__(self, bucket: Bucket, name: str, *, region: str) -> None:
        self.bucket = bucket
        self.name = name
        self.region = region
        self._client: S3Client | None = None

    @property
    def client(self) -> S3Client:
        # Made on first use, never at import; boto3 clients are thread-safe and reused.
        if self._client is None:
            self._client = boto3.client(
                "s3",
                region_name=self.region,
                config=Config(signature_version="s3v4", retries={"mode": "standard"}),
            )
        return self._client

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.name, Key=check_key(key), Body=data, ContentType=content_type
        )

    def put_file(self, key: str, path: Path, *, content_type: str) -> None:
        # upload_file switches to a multipart upload for large files.
        self.client.upload_file(
            str(path), self.name, check_key(key), ExtraArgs={"ContentType": content_type}
        )

    def get(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.name, Key=check_key(key))
        except ClientError as exc:
            if _error_code(exc) in _MISSING:
                raise ObjectNotFound(key) from None
            raise
        return response["Body"].read()

    def download_to(self, key: str, path: Path) -> None:
        try:
            self.client.download_file(self.name, check_key(key), str(path))
        except ClientError as exc:
            if _error_code(exc) in _MISSING:
                raise ObjectNotFound(key) from None
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.name, Key=check_key(key))

    def list(self, prefix: str = "") -> list[StoredObject]:
        found = []
        for page in self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix
        ):
            for item in page.get("Contents", []):
                found.append(
                    StoredObject(
                        item["Key"], int(item["Size"]), item["LastModified"].astimezone(UTC)
                    )
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
        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.name,
                "Key": check_key(key),
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition(disposition, filename),
                "ResponseCacheControl": "private, no-store",
            },
            ExpiresIn=int(expires_in.total_seconds()),
        )

    def presigned_post(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> PresignedPost:
        """S3 refuses the upload unless it is exactly this key, this content type and 1 to
        `max_bytes` bytes, before the expiry. The confirm step checks the stored bytes again
        (by content, not by the declared type)."""
        post: dict[str, Any] = self.client.generate_presigned_post(
            Bucket=self.name,
            Key=check_key(key),
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=int(expires_in.total_seconds()),
        )
        return PresignedPost(
            url=str(post["url"]),
            fields={str(name): str(value) for name, value in post["fields"].items()},
            expires_at=datetime.now(UTC) + expires_in,
        )


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))
