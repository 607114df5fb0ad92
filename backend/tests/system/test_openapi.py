from __future__ import annotations

import re

import httpx
import pytest
from fastapi.routing import APIRoute

from family_budget.app import create_app
from family_budget.config import Settings


class TestOpenApi:
    async def test_served_in_development(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/openapi.json")).status_code == 200
        docs = await client.get("/docs")
        assert docs.status_code == 200
        # Served from the package, so the page works offline.
        assert "/docs-assets/swagger-ui-bundle.js" in docs.text
        asset = await client.get("/docs-assets/swagger-ui-bundle.js")
        assert asset.status_code == 200
        assert len(asset.content) > 100_000

    def test_operation_ids_are_unique_readable_names(self, settings: Settings) -> None:
        app = create_app(settings, configure_logs=False)
        ids = [r.operation_id or r.name for r in app.routes if isinstance(r, APIRoute)]
        assert len(ids) == len(set(ids)), "operation ids must be unique"
        schema = app.openapi()
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                assert re.fullmatch(r"[a-z][a-z0-9_]*", operation["operationId"]), (path, method)

    @pytest.mark.parametrize("environment", ["staging", "production"])
    async def test_hidden_outside_development(self, settings: Settings, environment: str) -> None:
        hidden = settings.model_copy(update={"environment": environment})
        app = create_app(hidden, configure_logs=False)
        assert app.openapi_url is None
        paths = {getattr(route, "path", "") for route in app.routes}
        assert "/docs" not in paths
        assert "/docs-assets" not in paths
