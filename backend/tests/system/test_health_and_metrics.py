from __future__ import annotations

import httpx
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_household


class _BrokenConnection:
    async def __aenter__(self) -> None:
        raise ConnectionRefusedError("database is down")

    async def __aexit__(self, *args: object) -> None:
        return None


class _BrokenEngine:
    def connect(self) -> _BrokenConnection:
        return _BrokenConnection()


class TestHealth:
    async def test_ok_lists_each_dependency(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        response = await client.get("/health")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["checks"]["database"] == "ok"
        if app.state.redis is not None:
            assert body["checks"]["redis"] == "ok"
        else:
            assert "redis" not in body["checks"]

    async def test_database_down_is_503(self, client: httpx.AsyncClient, app: FastAPI) -> None:
        real_engine = app.state.engine
        app.state.engine = _BrokenEngine()
        try:
            response = await client.get("/health")
        finally:
            app.state.engine = real_engine
        assert response.status_code == 503
        assert response.json()["checks"]["database"] == "unavailable: ConnectionRefusedError"


class TestMetrics:
    async def test_requests_are_labelled_by_route_template(self, client: httpx.AsyncClient) -> None:
        await client.get("/api/v1/households/00000000-0000-0000-0000-000000000001/accounts")
        await client.get("/no/such/page")
        text = (await client.get("/metrics")).text
        counted = {line for line in text.splitlines() if line.startswith("http_requests_total{")}
        assert (
            'http_requests_total{method="GET",route="/api/v1/households/{household_id}/accounts",'
            'status="401"} 1.0' in counted
        ), counted
        assert 'http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in counted
        assert "http_request_duration_seconds_bucket{" in text
        # The raw id never becomes a label value (that would explode cardinality).
        assert "00000000-0000-0000-0000-000000000001" not in text

    async def test_households_gauge_counts_rows(
        self, client: httpx.AsyncClient, session: AsyncSession
    ) -> None:
        before = _gauge((await client.get("/metrics")).text, "family_budget_households")
        await create_household(session)
        await create_household(session)
        await session.commit()
        after = _gauge((await client.get("/metrics")).text, "family_budget_households")
        assert after == before + 2

    async def test_signups_counter_is_exposed(self, client: httpx.AsyncClient) -> None:
        text = (await client.get("/metrics")).text
        assert "family_budget_signups_total 0.0" in text


def _gauge(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not exposed")
