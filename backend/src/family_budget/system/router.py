"""Operational endpoints: health for load balancers, metrics for Prometheus."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text

from family_budget.models import Household
from family_budget.observability import activity
from family_budget.observability.metrics import Metrics

router = APIRouter(tags=["system"])
HEALTH_TIMEOUT_SECONDS = 2.0


async def _check_database(request: Request) -> str:
    async with request.app.state.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
    return "ok"


async def _check_redis(request: Request) -> str:
    await request.app.state.redis.ping()
    return "ok"


@router.get("/health", operation_id="get_health", response_model=None)
async def health(request: Request) -> JSONResponse:
    """Report whether the app and its dependencies answer (503 when any does not)."""
    checks: dict[str, Any] = {}
    probes = {"database": _check_database(request)}
    if request.app.state.redis is not None:
        probes["redis"] = _check_redis(request)
    for name, probe in probes.items():
        try:
            checks[name] = await asyncio.wait_for(probe, HEALTH_TIMEOUT_SECONDS)
        except Exception as exc:
            checks[name] = f"unavailable: {type(exc).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status_code=200 if healthy else 503,
    )


@router.get("/metrics", operation_id="get_metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    app_metrics: Metrics = request.app.state.metrics
    now = datetime.now(UTC)
    async with request.app.state.session_factory() as session:
        count = (await session.execute(select(func.count()).select_from(Household))).scalar_one()
        users = await activity.active_users(session, now)
        households = await activity.active_households(session, now)
    app_metrics.households.set(count)
    for window, value in users.items():
        app_metrics.active_users.labels(window).set(value)
    for window, value in households.items():
        app_metrics.active_households.labels(window).set(value)
    return Response(generate_latest(app_metrics.registry), media_type=CONTENT_TYPE_LATEST)
