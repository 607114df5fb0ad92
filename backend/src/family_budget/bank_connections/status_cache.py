"""The "Plaid sync status cache": a connection's sync state (running, last success, last error)
in Redis, written by the worker as a sync starts and ends, read by the API.

The database holds the same facts and stays the truth: without Redis, with Redis down, or with
the key gone, readers use the database's columns. A running flag expires with the sync job's
lease, so a worker killed mid-sync does not leave a connection "running" forever in the cache.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from family_budget.redis_client import client_failures

if TYPE_CHECKING:
    import redis.asyncio as redis_async

logger = logging.getLogger(__name__)

KEY_PREFIX: Final = "plaid-sync-status:"
KEPT: Final = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class SyncStatus:
    running_until: datetime | None  # running while this lies in the future
    last_synced_at: datetime | None
    last_error_code: str | None
    last_error_message: str | None

    def running(self, now: datetime) -> bool:
        return self.running_until is not None and self.running_until > now

    def as_json(self) -> str:
        return json.dumps(
            {
                "running_until": _iso(self.running_until),
                "last_synced_at": _iso(self.last_synced_at),
                "last_error_code": self.last_error_code,
                "last_error_message": self.last_error_message,
            }
        )

    @classmethod
    def from_json(cls, raw: str) -> SyncStatus:
        data: dict[str, Any] = json.loads(raw)
        return cls(
            running_until=_datetime(data.get("running_until")),
            last_synced_at=_datetime(data.get("last_synced_at")),
            last_error_code=data.get("last_error_code"),
            last_error_message=data.get("last_error_message"),
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _datetime(value: object) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


class SyncStatusCache:
    """Best effort in both directions: a Redis failure is logged and treated as a cache miss."""

    def __init__(self, client: redis_async.Redis | None) -> None:
        self._client = client

    async def put(self, connection_id: uuid.UUID, status: SyncStatus) -> None:
        if self._client is None:
            return
        try:
            await self._client.set(
                KEY_PREFIX + str(connection_id), status.as_json(), ex=int(KEPT.total_seconds())
            )
        except client_failures() as exc:
            logger.warning("sync status cache write failed: %s", type(exc).__name__)

    async def get_many(self, connection_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, SyncStatus]:
        if self._client is None or not connection_ids:
            return {}
        try:
            values = await self._client.mget([KEY_PREFIX + str(i) for i in connection_ids])
        except client_failures() as exc:
            logger.warning("sync status cache read failed: %s", type(exc).__name__)
            return {}
        found: dict[uuid.UUID, SyncStatus] = {}
        for connection_id, raw in zip(connection_ids, values, strict=True):
            if raw is None:
                continue
            try:
                found[connection_id] = SyncStatus.from_json(
                    raw.decode() if isinstance(raw, bytes) else raw
                )
            except (ValueError, TypeError):
                continue
        return found

    async def forget(self, connection_id: uuid.UUID) -> None:
        if self._client is None:
            return
        try:
            await self._client.delete(KEY_PREFIX + str(connection_id))
        except client_failures() as exc:
            logger.warning("sync status cache delete failed: %s", type(exc).__name__)
