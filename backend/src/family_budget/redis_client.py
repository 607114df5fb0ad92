"""One way to connect to Redis: clients that outlive a Redis restart or failover.

A pooled connection that Redis (or ElastiCache's failover) closed is only found out when it is
used; without a retry, the first request after Redis comes back fails. Every client retries a
dropped or timed-out call twice on a fresh connection, with a short backoff, and checks idle
connections before reusing them.

redis-py is imported only here, and only when a client is made: a process without Redis (the
embedded default) never loads it: ~60 modules and 6-7 MiB of resident memory less per API
worker.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import redis.asyncio as redis_async


def reconnecting_options() -> dict[str, Any]:
    """Connection options for redis-py clients (also what the rate limiter's storage takes)."""
    from redis.asyncio.retry import Retry
    from redis.backoff import ExponentialBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return {
        "retry": Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
        "retry_on_error": [RedisConnectionError, RedisTimeoutError],
        "health_check_interval": 15,
    }


def connect(url: str) -> redis_async.Redis:
    import redis.asyncio as redis_async

    return redis_async.from_url(url, decode_responses=True, **reconnecting_options())


def client_failures() -> tuple[type[Exception], ...]:
    """What a call on a client raises when Redis failed it: for an `except` clause, which is
    evaluated only once something was raised (a client exists by then, so redis-py is loaded)."""
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def is_unavailable(exc: BaseException) -> bool:
    """Redis refused, dropped or timed out the connection. Without redis-py loaded no client
    exists, so nothing raised can be one of its errors."""
    exceptions = sys.modules.get("redis.exceptions")
    return exceptions is not None and isinstance(
        exc, (exceptions.ConnectionError, exceptions.TimeoutError)
    )
