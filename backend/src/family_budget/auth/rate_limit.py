"""Rate limits for the sensitive auth endpoints, on the `limits` library.

Counters live in Redis when REDIS_URL is set (shared by every API task) and in process memory
otherwise (the embedded default, a single process).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from family_budget.config import Settings
from family_budget.errors import TooManyRequests
from family_budget.redis_client import reconnecting_options


class RateLimiter:
    def __init__(self, storage: Storage, namespace: str = "family-budget") -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._storage = storage
        self._namespace = namespace
        self._parsed: dict[str, RateLimitItem] = {}

    def _item(self, rule: str) -> RateLimitItem:
        if rule not in self._parsed:
            self._parsed[rule] = parse(rule)
        return self._parsed[rule]

    async def hit(self, rule: str, scope: str, key: str) -> None:
        """Count one attempt for (scope, key); raise 429 with Retry-After once over the rule."""
        item = self._item(rule)
        if await self._limiter.hit(item, self._namespace, scope, key):
            return
        stats = await self._limiter.get_window_stats(item, self._namespace, scope, key)
        raise TooManyRequests(math.ceil(stats.reset_time - time.time()))

    async def reset(self) -> None:
        await self._storage.reset()


def build_rate_limiter(settings: Settings) -> RateLimiter:
    redis_url = settings.resolved_redis_url
    if redis_url is None:
        return RateLimiter(MemoryStorage())
    return RateLimiter(
        RedisStorage(
            f"async+{redis_url}",
            implementation="redispy",
            key_prefix="ratelimit",
            **reconnecting_options(),
        )
    )
