"""Two syncs of one item at once, as real jobs on the suite's database (PostgreSQL in CI): the
second to apply notices the first moved the cursor and fetches again, so a stale fetch is never
applied and nothing is applied twice.

These tests commit (parallel jobs need their own connections, outside the per-test transaction)
and delete what they made at the end. The demo bank runs behind a gate that holds chosen
/transactions/sync responses until the test lets them go, so the interleaving is exact.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY
from pydantic import SecretStr
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from family_budget.bank_connections import service
from family_budget.bank_connections.plaid_api import PlaidClient
from family_budget.bank_connections.schemas import BankConnectionCreate
from family_budget.bank_connections.token_crypto import TokenCipher
from family_budget.config import Settings
from family_budget.db import create_session_factory, unit_of_work
from family_budget.demo_bank.app import create_demo_bank_app
from family_budget.demo_bank.bank import DemoBank, DemoClock
from family_budget.demo_bank.testing import DemoBankControl, serve_in_thread
from family_budget.households.context import HouseholdContext
from family_budget.models import BankConnection, Household, Job, Transaction, TransactionStatus
from family_budget.worker.jobs import JobContext, Outcome, enqueue, run_job
from tests.plaid_support import DEMO_NOW

WAIT_SECONDS = 30


class SyncGate:
    """ASGI middleware: the responses of the /transactions/sync calls numbered in `held` (from
    1) are computed at once but sent only when `release(n)` is called."""

    def __init__(self, app: ASGIApp, held: set[int]) -> None:
        self.app = app
        self.held = held
        self.calls = 0
        self.computed: dict[int, threading.Event] = {n: threading.Event() for n in held}
        self._released: dict[int, threading.Event] = {n: threading.Event() for n in held}

    def release(self, number: int) -> None:
        self._released[number].set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/transactions/sync":
            await self.app(scope, receive, send)
            return
        self.calls += 1
        number = self.calls
        if number not in self.held:
            await self.app(scope, receive, send)
            return
        buffered: list[Message] = []

        async def keep(message: Message) -> None:
            buffered.append(message)

        await self.app(scope, receive, keep)
        self.computed[number].set()
        released = self._released[number]
        await asyncio.to_thread(released.wait, WAIT_SECONDS)
        for message in buffered:
            await send(message)


@dataclass
class GatedBank:
    bank: DemoBank
    control: DemoBankControl
    gate: SyncGate
    url: str


@pytest.fixture
def gated_bank(request: pytest.FixtureRequest) -> Iterator[GatedBank]:
    held: set[int] = request.param
    bank = DemoBank(clock=DemoClock(frozen_at=DEMO_NOW), seed="concurrency")
    gate = SyncGate(create_demo_bank_app(bank), held)
    with serve_in_thread(gate) as url:
        yield GatedBank(bank, DemoBankControl(url), gate, url)
        for number in held:
            gate.release(number)  # never leave a server thread waiting


@dataclass
class World:
    settings: Settings
    factory: async_sessionmaker[AsyncSession]
    household_id: uuid.UUID
    connection_id: uuid.UUID
    item_id: str
    jobs: list[int] = field(default_factory=list)


@pytest.fixture
async def world(
    settings: Settings, engine: AsyncEngine, gated_bank: GatedBank
) -> AsyncIterator[World]:
    bank_settings = settings.model_copy(
        update={
            "plaid_client_id": "demo-client",
            "plaid_secret": SecretStr("demo-secret-value"),
            "plaid_api_url": gated_bank.url,
            "plaid_max_attempts": 1,
        }
    )
    factory = create_session_factory(engine)
    with PlaidClient.from_settings(bank_settings) as plaid:
        public_token = plaid.create_sandbox_public_token("ins_109508")
        async with unit_of_work(factory) as session:
            household = Household(name=f"Parallel {uuid.uuid4().hex[:6]}", currency="USD")
            session.add(household)
            await session.flush()
            connection = await service.create_connection(
                session,
                HouseholdContext.for_system(household),
                plaid,
                TokenCipher.from_settings(bank_settings),
                BankConnectionCreate(public_token=public_token),
            )
            household_id, connection_id = household.id, connection.id
            item_id = connection.plaid_item_id
            # Not the sync the link queued: the tests run syncs of their own.
            await session.execute(delete(Job).where(Job.household_id == household_id))
    try:
        yield World(bank_settings, factory, household_id, connection_id, item_id)
    finally:
        async with unit_of_work(factory) as session:
            await session.execute(delete(Household).where(Household.id == household_id))


async def _enqueue_sync(world: World, key: str) -> int:
    async with unit_of_work(world.factory) as session:
        await enqueue(
            session,
            "bank_connections.sync",
            {"connection_id": str(world.connection_id)},
            key=f"{key}:{uuid.uuid4().hex}",
            household_id=world.household_id,
        )
        job_id = await session.scalar(select(Job.id).where(Job.key.startswith(key)))
    assert job_id is not None
    return int(job_id)


async def _run(world: World, job_id: int) -> Outcome:
    return await run_job(JobContext(world.settings, world.factory, datetime.now(UTC)), job_id)


async def _rows(world: World) -> list[tuple[str | None, TransactionStatus]]:
    async with world.factory() as session:
        rows = await session.execute(
            select(Transaction.external_id, Transaction.status).where(
                Transaction.household_id == world.household_id
            )
        )
        return [(external_id, status) for external_id, status in rows]


async def _cursor(world: World) -> str | None:
    async with world.factory() as session:
        return await session.scalar(
            select(BankConnection.sync_cursor).where(BankConnection.id == world.connection_id)
        )


def _bank_ids(bank: DemoBank, item_id: str) -> set[str]:
    with bank.lock:
        return set(bank.items[item_id].transactions)


def _superseded() -> float:
    return (
        REGISTRY.get_sample_value(
            "family_budget_plaid_sync_restarts_total", {"reason": "superseded"}
        )
        or 0.0
    )


@pytest.mark.parametrize("gated_bank", [{3}], indirect=True)
async def test_a_stale_fetch_is_never_applied(world: World, gated_bank: GatedBank) -> None:
    """Sync B fetches, a pending purchase posts at the bank, sync A fetches and applies, then B
    tries to apply its older pages: without the cursor check B would bring back the pending row
    beside the posted one."""
    # Call 1: the history, in one page.
    assert await _run(world, await _enqueue_sync(world, "first")) is Outcome.DONE
    [pending_id] = gated_bank.control.add_transactions(
        world.item_id, pending=True, amount="20.00", merchant="CORNER BISTRO 42"
    )
    assert await _run(world, await _enqueue_sync(world, "pending")) is Outcome.DONE
    superseded = _superseded()
    sync_b = await _enqueue_sync(world, "sync-b")
    sync_a = await _enqueue_sync(world, "sync-a")

    # Call 3 is B's fetch: held until A has applied.
    b = asyncio.create_task(_run(world, sync_b))
    assert await asyncio.to_thread(gated_bank.gate.computed[3].wait, WAIT_SECONDS)
    posted_id = gated_bank.control.post_transaction(world.item_id, pending_id, amount="23.00")
    assert await _run(world, sync_a) is Outcome.DONE
    gated_bank.gate.release(3)
    assert await b is Outcome.DONE

    rows = await _rows(world)
    ids = [external_id for external_id, _ in rows]
    assert len(ids) == len(set(ids))  # no duplicates
    assert set(ids) == _bank_ids(gated_bank.bank, world.item_id)
    assert pending_id not in ids
    assert (posted_id, TransactionStatus.POSTED) in rows
    assert _superseded() == superseded + 1


@pytest.mark.parametrize("gated_bank", [{1, 2}], indirect=True)
async def test_two_first_syncs_at_once_apply_once(world: World, gated_bank: GatedBank) -> None:
    """Both fetch the whole history from the same (empty) cursor and race to apply it: the row
    lock lets one apply; the other finds the cursor moved, fetches again and applies nothing."""
    superseded = _superseded()
    one = await _enqueue_sync(world, "one")
    two = await _enqueue_sync(world, "two")
    runs = [asyncio.create_task(_run(world, job)) for job in (one, two)]
    for number in (1, 2):
        assert await asyncio.to_thread(gated_bank.gate.computed[number].wait, WAIT_SECONDS)
    gated_bank.gate.release(1)
    gated_bank.gate.release(2)
    outcomes: list[Any] = list(await asyncio.gather(*runs))

    assert outcomes == [Outcome.DONE, Outcome.DONE]
    ids = [external_id for external_id, _ in await _rows(world)]
    assert len(ids) == len(set(ids))
    assert set(ids) == _bank_ids(gated_bank.bank, world.item_id)
    assert await _cursor(world)
    assert _superseded() == superseded + 1
