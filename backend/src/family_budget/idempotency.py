"""Idempotency-Key on POST, with Stripe's semantics, in one place for every route.

A client that may send a create twice (a retry after a timeout, a proxy resending, a double
click) names the attempt with an `Idempotency-Key` header. For 24 hours, per user:
- the same key with the same request (method, path, query and body) gets the stored answer
  again, with `Idempotent-Replayed: true`, and has no further effect;
- the same key with another request is a 422 `idempotency_key_reused`;
- the same key while its first request is still being answered is a 409
  `idempotency_key_in_progress` (with Retry-After): concurrent requests have one effect.

The key is claimed in a transaction of its own before the route runs (a unique row per user and
key decides between concurrent requests), and the answer is stored after. Only successes are
stored: after a refusal (4xx: invalid, unauthorized, rate-limited, in conflict) or a server
error the key is released, so a retry runs again once what was wrong is fixed (as Stripe saves
no result for a request that failed validation). A claim whose answer never
came (a crash between the two) is given up after CLAIM_ABANDONED_AFTER. Requests without a
valid access token pass through untouched: the route answers 401 as usual.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from family_budget.config import Settings
from family_budget.db import affected_rows, unit_of_work
from family_budget.errors import problem
from family_budget.models import IdempotencyKey
from family_budget.security import InvalidToken, TokenType, decode_token

HEADER = b"idempotency-key"
KEPT_FOR = timedelta(hours=24)
CLAIM_ABANDONED_AFTER = timedelta(minutes=2)
MAX_KEY_LENGTH = 255
# Of the answer's headers, these are stored and replayed (the rest describe the transport).
_REPLAYED_HEADERS = (b"content-type", b"location", b"etag")


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query, body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and key.isascii() and key.isprintable()


@dataclass(frozen=True, slots=True)
class Stored:
    status_code: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class Claim:
    """What claiming a key found: ours to answer, an answer to replay, or a refusal."""

    def __init__(
        self, *, row_id: uuid.UUID | None = None, stored: Stored | None = None, refusal: str = ""
    ) -> None:
        self.row_id = row_id
        self.stored = stored
        self.refusal = refusal


def _insert(session: AsyncSession) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(IdempotencyKey)


async def claim(
    session: AsyncSession, user_id: uuid.UUID, key: str, request_fingerprint: str, now: datetime
) -> Claim:
    # A key past its 24 hours, or a claim abandoned by a crash, is free again.
    await session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.user_id == user_id,
            IdempotencyKey.key == key,
            (IdempotencyKey.created_at < now - KEPT_FOR)
            | (
                IdempotencyKey.status_code.is_(None)
                & (IdempotencyKey.created_at < now - CLAIM_ABANDONED_AFTER)
            ),
        )
    )
    row_id = uuid.uuid4()
    inserted = await session.execute(
        _insert(session)
        .values(
            id=row_id,
            user_id=user_id,
            key=key,
            fingerprint=request_fingerprint,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[IdempotencyKey.user_id, IdempotencyKey.key])
    )
    if affected_rows(inserted) == 1:
        return Claim(row_id=row_id)
    existing = await session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
    if existing is None:  # released between our insert and this read: the client may retry
        return Claim(refusal="in_progress")
    if existing.fingerprint != request_fingerprint:
        return Claim(refusal="reused")
    if existing.status_code is None:
        return Claim(refusal="in_progress")
    headers = [
        (name, value.encode("latin-1"))
        for name, value in (
            (b"content-type", existing.content_type),
            (b"location", existing.location),
            (b"etag", existing.etag),
        )
        if value is not None
    ]
    return Claim(stored=Stored(existing.status_code, headers, existing.body or b""))


async def store(session: AsyncSession, row_id: uuid.UUID, answer: Stored) -> None:
    headers = {name: value.decode("latin-1") for name, value in answer.headers}
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.id == row_id)
        .values(
            status_code=answer.status_code,
            content_type=headers.get(b"content-type"),
            location=headers.get(b"location"),
            etag=headers.get(b"etag"),
            body=answer.body,
        )
    )


async def release(session: AsyncSession, row_id: uuid.UUID) -> None:
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row_id))


async def purge(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEPT_FOR)
    )
    return affected_rows(result)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _user_id(self, scope: Scope) -> uuid.UUID | None:
        authorization = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            return decode_token(self.settings, token, expected_type=TokenType.ACCESS).user_id
        except InvalidToken:
            return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_key = dict(scope.get("headers", [])).get(HEADER)
        if scope["type"] != "http" or scope["method"] != "POST" or raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1")
        if not valid_key(key):
            response = problem(
                400,
                "invalid_idempotency_key",
                f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters",
                instance=scope["path"],
            )
            await response(scope, receive, send)
            return
        user_id = self._user_id(scope)
        if user_id is None:
            await self.app(scope, receive, send)
            return

        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)

        factory: async_sessionmaker[AsyncSession] = scope["app"].state.session_factory
        request_fingerprint = fingerprint(
            scope["method"], scope["path"], scope.get("query_string", b""), body
        )
        async with unit_of_work(factory) as session:
            claimed = await claim(session, user_id, key, request_fingerprint, datetime.now(UTC))
        if claimed.stored is not None:
            await _replay(claimed.stored, send)
            return
        if claimed.row_id is None:
            await _refuse(claimed.refusal, scope, receive, send)
            return

        try:
            answer = await self._answer(scope, body, send)
        except BaseException:
            # The error goes on to the error handlers (a 500); a retry may run again.
            async with unit_of_work(factory) as session:
                await release(session, claimed.row_id)
            raise
        async with unit_of_work(factory) as session:
            if answer.status_code >= 400:
                await release(session, claimed.row_id)
            else:
                await store(session, claimed.row_id, answer)

    async def _answer(self, scope: Scope, body: bytes, send: Send) -> Stored:
        """Run the route with the body read above; pass its answer on and keep a copy."""
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        status_code = 500
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            nonlocal status_code, headers
            if message["type"] == "http.response.start":
                status_code = message["status"]
                headers = [
                    (name.lower(), value)
                    for name, value in message.get("headers", [])
                    if name.lower() in _REPLAYED_HEADERS
                ]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, replay_body, keep)
        return Stored(status_code, headers, b"".join(chunks))


async def _replay(stored: Stored, send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": stored.status_code,
            "headers": [
                *stored.headers,
                (b"content-length", str(len(stored.body)).encode()),
                (b"idempotent-replayed", b"true"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": stored.body})


async def _refuse(refusal: str, scope: Scope, receive: Receive, send: Send) -> None:
    if refusal == "reused":
        response = problem(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was used for a different request; use a new key",
            instance=scope["path"],
        )
    else:
        response = problem(
            409,
            "idempotency_key_in_progress",
            "A request with this Idempotency-Key is still being answered; retry shortly",
            instance=scope["path"],
            headers={"Retry-After": "1"},
        )
    await response(scope, receive, send)
