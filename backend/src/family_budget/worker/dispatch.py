"""Waking the worker up after a commit that enqueued jobs (the API's side of Celery)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from family_budget.config import Settings

if TYPE_CHECKING:
    from celery import Celery


class Dispatcher:
    """Sends `jobs.relay` to the worker. Celery is imported on first use, not at start-up."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._producer: Celery | None = None

    def _celery(self) -> Celery:
        if self._producer is None:
            from celery import Celery

            from family_budget.worker.celery_app import broker_settings

            producer = Celery("family_budget")
            producer.conf.update(**broker_settings(self._settings), task_serializer="json")
            self._producer = producer
        return self._producer

    async def nudge(self) -> None:
        # A failure here loses nothing: the job is in the database and the next tick relays it.
        await asyncio.to_thread(self._celery().send_task, "jobs.relay")
