"""A database or Redis that is down answers 503 with Retry-After, never 500, and the clients
recover by themselves once it is back (hardening audit item 4). Real servers: a closed port is a
database or Redis that is down; a local TCP relay that drops every connection is a restart."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import make_url

from family_budget.app import create_app
from family_budget.config import Settings
from tests.outage import closed_port, with_servers

LOGIN = "/api/v1/auth/login"
CREDENTIALS = {"email": "parent@example.com", "password": "not the real one"}


@asynccontextmanager
async def _client(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    app = create_app(settings, configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            yield app, client


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    body = response.json()
    assert body["code"] == "dependency_unavailable"
    assert "Traceback" not in response.text


async def test_database_down_is_503(settings: Settings) -> None:
    down = with_servers(settings, database_url=f"postgresql://postgres@127.0.0.1:{closed_port()}/x")
    async with _client(down) as (_, client):
        _assert_unavailable(await client.post(LOGIN, json=CREDENTIALS))
        register = {"email": "new@example.com", "password": "a long family passphrase", "name": "N"}
        _assert_unavailable(await client.post("/api/v1/auth/register", json=register))


async def test_redis_down_is_503(settings: Settings) -> None:
    down = with_servers(settings, redis_url=f"redis://127.0.0.1:{closed_port()}/0")
    async with _client(down) as (_, client):
        _assert_unavailable(await client.post(LOGIN, json=CREDENTIALS))


class _DroppingRelay:
    """Forwards TCP to a real server; `drop()` cuts every open connection, as a restart would."""

    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    async def __aenter__(self) -> _DroppingRelay:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *_: object) -> None:
        self.drop()
        self._server.close()
        await self._server.wait_closed()

    def drop(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        self._writers |= {writer, upstream_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.transport.abort()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="needs TEST_REDIS_URL")
async def test_the_first_request_after_a_redis_restart_succeeds(settings: Settings) -> None:
    redis_url = urlsplit(os.environ["TEST_REDIS_URL"])
    async with _DroppingRelay(redis_url.hostname or "127.0.0.1", redis_url.port or 6379) as relay:
        through_relay = with_servers(
            settings, redis_url=f"redis://127.0.0.1:{relay.port}{redis_url.path}"
        )
        async with _client(through_relay) as (_, client):
            # A pooled connection exists, then Redis "restarts" under it.
            assert (await client.post(LOGIN, json=CREDENTIALS)).status_code == 401
            relay.drop()
            assert (await client.post(LOGIN, json=CREDENTIALS)).status_code == 401


async def test_the_first_request_after_a_database_restart_succeeds(settings: Settings) -> None:
    # Pooled connections are not pinged before use (three round trips each time); one that the
    # server closed is replaced when it is checked out instead.
    if settings.is_sqlite:
        pytest.skip("SQLite has no server to restart")
    database_url = make_url(settings.database_url)
    async with _DroppingRelay(database_url.host or "127.0.0.1", database_url.port or 5432) as relay:
        through_relay = with_servers(
            settings,
            database_url=database_url.set(host="127.0.0.1", port=relay.port).render_as_string(
                hide_password=False
            ),
        )
        async with _client(through_relay) as (_, client):
            # A pooled connection exists, then PostgreSQL "restarts" under it.
            assert (await client.post(LOGIN, json=CREDENTIALS)).status_code == 401
            relay.drop()
            await asyncio.sleep(0.05)  # the driver hears of the closed socket
            assert (await client.post(LOGIN, json=CREDENTIALS)).status_code == 401
