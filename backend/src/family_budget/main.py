"""ASGI entry point for uvicorn: `family_budget.main:app` (the served process: its start-up heap
is frozen out of the garbage collector's sight, see create_app)."""

from family_budget.app import create_app

app = create_app(freeze_heap=True)
