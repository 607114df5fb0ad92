"""`kill -9` of the worker in the middle of a sync: nothing of the half-read run is applied, and
the next run (once the job's lease has run out) finishes it, with no duplicates.

Real processes, as `make run` starts them (SQLite, the folder queue); the demo bank runs in this
process behind a gate that holds the second /transactions/sync page."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from datetime import UTC, datetime, timedelta

from pydantic import SecretStr
from sqlalchemy import func, select, update

from family_budget.bank_connections import service
from family_budget.bank_connections.plaid_api import PlaidClient
from family_budget.bank_connections.schemas import BankConnectionCreate
from family_budget.bank_connections.token_crypto import TokenCipher
from family_budget.config import Settings
from family_budget.db import create_engine, create_session_factory, unit_of_work
from family_budget.demo_bank.app import create_demo_bank_app
from family_budget.demo_bank.bank import DemoBank, DemoClock
from family_budget.demo_bank.testing import DemoBankControl, serve_in_thread
from family_budget.households.context import HouseholdContext
from family_budget.models import BankConnection, Household, Job, Transaction
from family_budget.worker.dispatch import Dispatcher
from tests.bank_connections.test_concurrency import WAIT_SECONDS, SyncGate
from tests.plaid_support import DEMO_NOW
from tests.worker.test_process import Embedded, _wait_for, embedded, migrated_database

__all__ = ["embedded", "migrated_database"]


async def _link(settings: Settings, public_token: str) -> uuid.UUID:
    """Connect the item; the first sync is queued and the worker nudged."""
    engine = create_engine(settings, pooled=False)
    try:
        factory = create_session_factory(engine, job_nudge=Dispatcher(settings).nudge)
        with PlaidClient.from_settings(settings) as plaid:
            async with unit_of_work(factory) as session:
                household = Household(name="Killed mid-sync", currency="USD")
                session.add(household)
                await session.flush()
                connection = await service.create_connection(
                    session,
                    HouseholdContext.for_system(household),
                    plaid,
                    TokenCipher.from_settings(settings),
                    BankConnectionCreate(public_token=public_token),
                )
                return connection.id
    finally:
        await engine.dispose()


async def _state(settings: Settings) -> tuple[list[str | None], str | None, int]:
    """(bank ids of the transactions, the stored cursor, sync jobs done)."""
    engine = create_engine(settings, pooled=False)
    try:
        async with create_session_factory(engine)() as session:
            ids = list((await session.scalars(select(Transaction.external_id))).all())
            cursor = await session.scalar(select(BankConnection.sync_cursor))
            done = await session.scalar(
                select(func.count())
                .select_from(Job)
                .where(Job.name == "bank_connections.sync", Job.done_at.is_not(None))
            )
    finally:
        await engine.dispose()
    return ids, cursor, int(done or 0)


async def _lease_runs_out(settings: Settings) -> None:
    """Travel past the killed worker's lease on its job (and past the relay's wait before it
    hands a job over again)."""
    engine = create_engine(settings, pooled=False)
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            await session.execute(
                update(Job)
                .where(Job.name == "bank_connections.sync")
                .values(
                    claimed_until=datetime.now(UTC) - timedelta(seconds=1),
                    dispatched_at=datetime.now(UTC) - timedelta(minutes=10),
                )
            )
    finally:
        await engine.dispose()


def test_the_next_run_finishes_a_sync_killed_mid_pagination(embedded: Embedded) -> None:
    bank = DemoBank(clock=DemoClock(frozen_at=DEMO_NOW), seed="killed")
    gate = SyncGate(create_demo_bank_app(bank), held={2})
    with serve_in_thread(gate) as url:
        try:
            plaid_env = {
                "PLAID_CLIENT_ID": "demo-client",
                "PLAID_SECRET": "demo-secret-value",
                "PLAID_API_URL": url,
                "PLAID_MAX_ATTEMPTS": "1",
            }
            embedded.env.update(plaid_env)
            settings = embedded.settings.model_copy(
                update={
                    "plaid_client_id": "demo-client",
                    "plaid_secret": SecretStr("demo-secret-value"),
                    "plaid_api_url": url,
                }
            )
            with PlaidClient.from_settings(settings) as plaid:
                public_token = plaid.create_sandbox_public_token("ins_109508")
            item_id = next(iter(bank.items))
            DemoBankControl(url).add_transactions(item_id, count=600)  # two pages of history
            worker = embedded.start("worker")
            connection_id = asyncio.run(_link(settings, public_token))

            # The worker has read page 1 and asked for page 2: kill it there.
            assert gate.computed[2].wait(WAIT_SECONDS), "the sync never reached its second page"
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
            gate.release(2)
            ids, cursor, done = asyncio.run(_state(settings))
            assert (ids, cursor, done) == ([], None, 0)  # nothing of the half-read run

            asyncio.run(_lease_runs_out(settings))
            embedded.start("worker")
            embedded.start("beat")
            with bank.lock:
                expected = set(bank.items[item_id].transactions)

            def finished() -> bool:
                return asyncio.run(_state(settings))[2] >= 1

            _wait_for(finished, "the sync to run again and finish")
            ids, cursor, _ = asyncio.run(_state(settings))
            assert len(ids) == len(set(ids)) == len(expected)
            assert set(ids) == expected
            assert cursor
            assert connection_id
        finally:
            gate.release(2)
