"""Headers every answer carries, whatever route or error produced it."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# API answers are about one user's money and tokens: no browser or proxy may keep them. Routes that
# want caching (files) set their own Cache-Control, which is left alone.
_ALWAYS = [(b"x-content-type-options", b"nosniff")]
_UNLESS_SET = [(b"cache-control", b"no-store")]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [pair for pair in _ALWAYS if pair[0] not in present]
                headers += [pair for pair in _UNLESS_SET if pair[0] not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
