"""`family-budget demo-bank`: the demo bank as a long-running local server."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import uvicorn

from family_budget.demo_bank.app import create_demo_bank_app
from family_budget.demo_bank.bank import DemoBank, DemoClock
from family_budget.demo_bank.persistence import StateFile

logger = logging.getLogger(__name__)


def run_demo_bank(
    *,
    host: str,
    port: int,
    state_path: Path | None,
    live_interval: timedelta | None,
    default_webhook: str | None,
) -> None:
    """Serve until interrupted. Real-time clock; with `live_interval`, each linked item sees a new
    purchase about that often (posting a few minutes later), so a newcomer watches them arrive."""
    bank = DemoBank(clock=DemoClock(), live_interval=live_interval, default_webhook=default_webhook)
    state_file = StateFile(state_path) if state_path is not None else None
    if state_file is not None and state_file.load_into(bank):
        logger.info("demo bank state restored from %s", state_path)
    app = create_demo_bank_app(bank, state_file=state_file)
    uvicorn.run(app, host=host, port=port, log_level="warning")
