"""One way to connect to Redis: clients that outlive a Redis restart or failover.

A pooled connection that Redis (or ElastiCache's failover) closed is only found out when it is
used; without a retry, the first request after Redis comes back fails. Every client retries a
dropped or timed-out call twice on a fresh connection, with a short backoff, and checks idle
connections before reusing them.
"""

from __future__ import annotations

from typing import Any

import redis.asyncio as redis_async
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError


def reconnecting_options() -> dict[str, Any]:
    """Connection options for redis-py clients (also what the rate limiter's storage takes)."""
    return {
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        "health_check_interval": 15,
    }


def connect(url: str) -> redis_async.Redis:
    return redis_async.from_url(url, decode_responses=True, **reconnecting_options())
