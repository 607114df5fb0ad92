"""Running the demo bank inside a test process, and a client for its control endpoints.

`serve_in_thread` runs any ASGI app with uvicorn on a free port in a background thread and returns
once the server is listening (it waits on an event set by uvicorn's startup, not on a sleep).
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from family_budget.demo_bank import catalog

START_TIMEOUT_SECONDS = 30.0


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: Any = None) -> None:
        try:
            await super().startup(sockets)
        finally:
            self.ready.set()

    def install_signal_handlers(self) -> None:  # only the main thread may install them
        return


@contextmanager
def serve_in_thread(app: ASGIApp, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `app` on a free port; yields its base URL, stops the server on exit."""
    config = uvicorn.Config(app, host=host, port=0, log_level="warning", lifespan="on")
    server = _Server(config)
    thread = threading.Thread(target=server.run, name="demo-bank-server", daemon=True)
    thread.start()
    if not server.ready.wait(START_TIMEOUT_SECONDS) or not server.started:
        server.should_exit = True
        thread.join(START_TIMEOUT_SECONDS)
        raise RuntimeError("the server did not start")
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT_SECONDS)


class DemoBankControlError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(f"demo bank answered {status}: {body}")
        self.status = status
        self.body = body


class DemoBankControl:
    """The demo bank's control endpoints (and Link's completion call), over real HTTP."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0) -> str:
        result = self._call(
            "POST", "/demo/advance", {"days": days, "hours": hours, "minutes": minutes}
        )
        return str(result["now"])

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/demo/state")
        return result

    def inject_error(
        self,
        endpoint: str,
        error_code: str,
        *,
        times: int = 1,
        after: int = 0,
        item_id: str | None = None,
    ) -> None:
        body: dict[str, Any] = {
            "endpoint": endpoint, "error_code": error_code, "times": times, "after": after
        }  # fmt: skip
        if item_id is not None:
            body["item_id"] = item_id
        self._call("POST", "/demo/errors", body)

    def clear_errors(self) -> None:
        self._call("DELETE", "/demo/errors")

    def add_transactions(
        self,
        item_id: str,
        *,
        count: int = 1,
        pending: bool = False,
        amount: str | None = None,
        merchant: str | None = None,
    ) -> list[str]:
        body: dict[str, Any] = {"count": count, "pending": pending}
        if amount is not None:
            body["amount"] = amount
        if merchant is not None:
            body["merchant"] = merchant
        result = self._call("POST", f"/demo/items/{item_id}/transactions", body)
        return list(result["transaction_ids"])

    def post_transaction(
        self, item_id: str, transaction_id: str, *, amount: str | None = None
    ) -> str:
        body = {"amount": amount} if amount is not None else {}
        path = f"/demo/items/{item_id}/transactions/{transaction_id}/post"
        return str(self._call("POST", path, body)["transaction_id"])

    def modify_transaction(self, item_id: str, transaction_id: str, **changes: Any) -> None:
        self._call("PATCH", f"/demo/items/{item_id}/transactions/{transaction_id}", changes)

    def remove_transaction(self, item_id: str, transaction_id: str) -> None:
        self._call("DELETE", f"/demo/items/{item_id}/transactions/{transaction_id}")

    def complete_link(
        self,
        link_token: str,
        *,
        institution_id: str | None = "ins_109508",
        username: str = catalog.DEMO_USERNAME,
        password: str = catalog.DEMO_PASSWORD,
    ) -> dict[str, Any]:
        """What the /link page does when the user submits the form."""
        body = {
            "link_token": link_token,
            "institution_id": institution_id,
            "username": username,
            "password": password,
        }
        result: dict[str, Any] = self._call("POST", "/link/complete", body)
        return result

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the local demo bank's URL
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raise DemoBankControlError(exc.code, json.loads(exc.read() or b"{}")) from None
        return json.loads(raw) if raw else None
