"""A household whose requests really commit, for concurrency tests: parallel requests need
connections of their own, outside the per-test transaction the other tests roll back. It is made
through the API on the suite's database (PostgreSQL in CI) and deleted at the end."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from sqlalchemy import delete, func, select

from family_budget.app import create_app
from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory
from family_budget.models import Job, User

PASSWORD = "a long family passphrase"


@dataclass
class CommittedHousehold:
    client: httpx.AsyncClient
    base: str
    headers: dict[str, str]


@asynccontextmanager
async def committed_household(settings: Settings) -> AsyncIterator[CommittedHousehold]:
    engine = create_engine(settings, pooled=False)
    async with create_session_factory(engine)() as session:
        # The jobs the household's requests queue (a verification email) go with it: tests of
        # the worker count the jobs table.
        last_job_before = await session.scalar(select(func.coalesce(func.max(Job.id), 0)))
    app = create_app(settings, configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            await app.state.rate_limiter.reset()  # other tests' sign-ups share the counters
            email = f"race-{uuid.uuid4().hex[:12]}@example.com"
            registered = await client.post(
                "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": "R"}
            )
            assert registered.status_code == 201, registered.text
            login = await client.post(
                "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
            )
            headers = {"authorization": f"Bearer {login.json()['access_token']}"}
            (home,) = (await client.get("/api/v1/households", headers=headers)).json()
            base = f"/api/v1/households/{home['id']}"
            try:
                yield CommittedHousehold(client, base, headers)
            finally:
                await client.delete(base, headers=headers)
                async with create_session_factory(engine)() as session:
                    await session.execute(delete(User).where(User.email == email))
                    await session.execute(delete(Job).where(Job.id > last_job_before))
                    await session.commit()
                await engine.dispose()
