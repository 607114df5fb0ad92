"""The served process freezes its start-up heap (issue 16: full collections over ~150k start-up
objects paused every request on a worker for 130-200 ms); apps built for tests do not."""

from __future__ import annotations

import gc

from family_budget.app import create_app
from family_budget.config import Settings


async def test_the_served_app_freezes_its_start_up_heap(settings: Settings) -> None:
    gc.unfreeze()
    app = create_app(settings, configure_logs=False, freeze_heap=True)
    try:
        async with app.router.lifespan_context(app):
            # What start-up built (the engine, clients, routes) is out of the collector's sight.
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()


async def test_an_app_built_for_tests_leaves_the_collector_alone(settings: Settings) -> None:
    gc.unfreeze()
    app = create_app(settings, configure_logs=False)
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() == 0
