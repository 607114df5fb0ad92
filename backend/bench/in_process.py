"""The parts of `make bench` that run the app inside the bench's own process (bench/run.py):

- the garbage collector's pauses over a long run of the measured requests, timed with
  gc.callbacks on an app built and started as a served worker is (family_budget.main);
- reference cycles each request leaves behind (what gc.collect() finds after it);
- the SQL floor: the statements one request runs, captured as the app sends them and replayed
  as prepared statements on the raw driver (asyncpg) in one transaction.

The requests are ASGI calls straight into the app (no HTTP), with the bench's access token.
"""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy import event, make_url


@dataclass
class GcPauses:
    collections: dict[int, int] = field(default_factory=lambda: {0: 0, 1: 0, 2: 0})
    longest_ms: dict[int, float] = field(default_factory=lambda: {0: 0.0, 1: 0.0, 2: 0.0})
    total_ms: float = 0.0

    @property
    def longest_overall_ms(self) -> float:
        return max(self.longest_ms.values())


@contextmanager
def timed_collections() -> Iterator[GcPauses]:
    pauses = GcPauses()
    started: list[float] = []

    def callback(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
            return
        elapsed_ms = (time.perf_counter() - started.pop()) * 1000
        generation = info["generation"]
        pauses.collections[generation] += 1
        pauses.longest_ms[generation] = max(pauses.longest_ms[generation], elapsed_ms)
        pauses.total_ms += elapsed_ms

    gc.callbacks.append(callback)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(callback)


async def asgi_get(app: Any, path_and_query: str, token: str) -> int:
    path, _, query = path_and_query.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


@dataclass
class InProcessFigures:
    gc_pauses: GcPauses
    gc_requests: int
    cycles_per_request: dict[str, float]
    statements_per_request: dict[str, int]
    sql_floor_ms: dict[str, float]


async def measure(
    endpoints: dict[str, list[str]], token: str, *, gc_requests: int, floor_rounds: int
) -> InProcessFigures:
    # Imported here: the settings come from the environment run.py sets up first.
    from family_budget.main import app

    async with app.router.lifespan_context(app):
        for name, paths in endpoints.items():
            for path in paths[:30]:
                status = await asgi_get(app, path, token)
                if status != 200:
                    raise RuntimeError(f"{name}: {path} answered {status}")
        cycles = {
            name: await _cycles_per_request(app, paths, token) for name, paths in endpoints.items()
        }
        pauses = await _gc_pauses(app, endpoints, token, gc_requests)
        captured = {
            name: await _capture_statements(app, paths[0], token)
            for name, paths in endpoints.items()
        }
    floor = await _sql_floor(app.state.settings.resolved_database_url, captured, floor_rounds)
    return InProcessFigures(
        gc_pauses=pauses,
        gc_requests=gc_requests,
        cycles_per_request=cycles,
        statements_per_request={name: len(statements) for name, statements in captured.items()},
        sql_floor_ms=floor,
    )


async def _cycles_per_request(app: Any, paths: list[str], token: str, rounds: int = 20) -> float:
    gc.collect()
    gc.disable()
    try:
        for index in range(rounds):
            await asgi_get(app, paths[index % len(paths)], token)
        return gc.collect() / rounds
    finally:
        gc.enable()


async def _gc_pauses(
    app: Any, endpoints: dict[str, list[str]], token: str, requests: int
) -> GcPauses:
    chooser = random.Random(16)
    names = list(endpoints)
    with timed_collections() as pauses:
        for index in range(requests):
            paths = endpoints[names[index % len(names)]]
            await asgi_get(app, chooser.choice(paths), token)
    return pauses


async def _capture_statements(app: Any, path: str, token: str) -> list[tuple[str, tuple[Any, ...]]]:
    statements: list[tuple[str, tuple[Any, ...]]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, tuple(parameters or ())))

    sync_engine = app.state.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        await asgi_get(app, path, token)
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)
    return statements


async def _sql_floor(
    database_url: str, captured: dict[str, list[tuple[str, tuple[Any, ...]]]], rounds: int
) -> dict[str, float]:
    """Median milliseconds to run one request's statements, prepared, on a raw connection."""
    url = make_url(database_url)
    # With the session settings the app's connections have (family_budget.db.create_engine).
    connection = await asyncpg.connect(
        host=url.host,
        port=url.port,
        user=url.username,
        password=url.password,
        database=url.database,
        server_settings={"jit": "off"},
    )
    try:
        floor = {}
        for name, statements in captured.items():
            prepared = [(await connection.prepare(sql), params) for sql, params in statements]
            timings = []
            for _ in range(rounds):
                started = time.perf_counter()
                async with connection.transaction(readonly=True):
                    for statement, params in prepared:
                        await statement.fetch(*params)
                timings.append((time.perf_counter() - started) * 1000)
            floor[name] = statistics.median(timings)
        return floor
    finally:
        await connection.close()
