"""Dependencies that are down, for the outage tests: a closed port is a database or Redis that
does not answer, and the test settings can point at one."""

from __future__ import annotations

import socket

from family_budget.config import Settings


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def with_servers(settings: Settings, **changes: str) -> Settings:
    """The test settings with other servers (a fresh object: the resolved URLs are cached)."""
    fields = {name: getattr(settings, name) for name in ("database_url", "redis_url", "data_dir")}
    return Settings(environment="development", jwt_secret=settings.jwt_secret, **(fields | changes))
