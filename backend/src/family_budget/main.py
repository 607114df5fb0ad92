"""ASGI entry point for uvicorn: `family_budget.main:app`."""

from family_budget.app import create_app

app = create_app()
