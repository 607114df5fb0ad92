"""Where refresh tokens live, by SHA-256 hash: Redis when configured (the design's session store),
the database otherwise.

By default every operation runs on its own, outside the request's unit of work, because a detected
reuse must revoke the family even though the request that detected it then fails. `add` and the
revocations may instead join the request's session (`session=`): the database store then writes in
the request's transaction, so new tokens exist only if the request commits, and a request that also
writes (a password change) never waits on itself — SQLite allows one writer at a time, and a
second connection writing between the request's read and its write makes that write fail. The
Redis store has no transaction to join and ignores the argument.

`consume` reports a used token presented again within `reuse_grace` of its first use as
SUPERSEDED rather than REUSED: a browser reload that cut off a refresh, or two tabs refreshing at
once, present the same token twice within moments; a thief replaying a copy rarely does. The use
time is recorded where the one winner is decided (the conditional UPDATE, the Lua script), so the
window is measured from the winning use.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import ColumnElement, DateTime, Uuid, bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from family_budget.config import Settings
from family_budget.db import affected_rows, unit_of_work
from family_budget.models import RefreshToken

if TYPE_CHECKING:
    import redis.asyncio as redis_async


class ConsumeOutcome(StrEnum):
    ROTATED = "rotated"  # was active; now used, the caller may issue the next token
    SUPERSEDED = "superseded"  # used moments ago (within the grace): a race, not a theft
    REUSED = "reused"  # used longer ago than the grace: a stolen copy is in play
    INVALID = "invalid"  # unknown, revoked or expired


@dataclass(frozen=True, slots=True)
class RefreshRecord:
    user_id: uuid.UUID
    family_id: uuid.UUID
    expires_at: datetime


class RefreshTokenStore(Protocol):
    async def add(
        self, token_hash: str, record: RefreshRecord, *, session: AsyncSession | None = None
    ) -> None: ...

    async def consume(
        self, token_hash: str, *, reuse_grace: timedelta
    ) -> tuple[ConsumeOutcome, RefreshRecord | None]: ...

    async def revoke_family(
        self, family_id: uuid.UUID, *, session: AsyncSession | None = None
    ) -> None: ...

    async def revoke_user(
        self, user_id: uuid.UUID, *, session: AsyncSession | None = None
    ) -> None: ...

    async def restore(self, token_hash: str) -> None:
        """Undo a consume whose rotation then failed (the database was down): the token works
        again, instead of the client's retry reading as theft and ending the session."""
        ...

    async def family_active(
        self, family_id: uuid.UUID, *, session: AsyncSession | None = None
    ) -> bool:
        """Whether the session (token family) still goes on: not logged out, revoked or expired.
        Access tokens name their family, so ending a session ends them at once."""
        ...

    # The same question as a condition the caller's own query can carry (over the parameters
    # `family_id` and `now`), when the store is the database; None otherwise.
    family_active_condition: ColumnElement[bool] | None


# A family goes on while one of its tokens is neither revoked nor expired.
FAMILY_ACTIVE = exists().where(
    RefreshToken.family_id == bindparam("family_id", type_=Uuid()),
    RefreshToken.revoked_at.is_(None),
    RefreshToken.expires_at > bindparam("now", type_=DateTime(timezone=True)),
)


class DatabaseRefreshTokenStore:
    family_active_condition: ColumnElement[bool] | None = FAMILY_ACTIVE

    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        self._session_factory = session_factory

    async def add(
        self, token_hash: str, record: RefreshRecord, *, session: AsyncSession | None = None
    ) -> None:
        row = RefreshToken(
            token_hash=token_hash,
            user_id=record.user_id,
            family_id=record.family_id,
            expires_at=record.expires_at,
        )
        if session is not None:
            session.add(row)
            await session.flush()
            return
        async with unit_of_work(self._session_factory) as own_session:
            own_session.add(row)

    async def consume(
        self, token_hash: str, *, reuse_grace: timedelta
    ) -> tuple[ConsumeOutcome, RefreshRecord | None]:
        now = datetime.now(UTC)
        async with unit_of_work(self._session_factory) as session:
            # One conditional UPDATE: of two concurrent uses, exactly one wins.
            result = await session.execute(
                update(RefreshToken)
                .where(
                    RefreshToken.token_hash == token_hash,
                    RefreshToken.used_at.is_(None),
                    RefreshToken.revoked_at.is_(None),
                    RefreshToken.expires_at > now,
                )
                .values(used_at=now)
                .execution_options(synchronize_session=False)
            )
            row = (
                await session.execute(
                    select(RefreshToken).where(RefreshToken.token_hash == token_hash)
                )
            ).scalar_one_or_none()
        if row is None:
            return ConsumeOutcome.INVALID, None
        record = RefreshRecord(row.user_id, row.family_id, row.expires_at)
        if affected_rows(result) == 1:
            return ConsumeOutcome.ROTATED, record
        if row.used_at is not None and row.revoked_at is None:
            if now - row.used_at < reuse_grace and row.expires_at > now:
                return ConsumeOutcome.SUPERSEDED, record
            return ConsumeOutcome.REUSED, record
        return ConsumeOutcome.INVALID, record

    async def revoke_family(
        self, family_id: uuid.UUID, *, session: AsyncSession | None = None
    ) -> None:
        await self._revoke(RefreshToken.family_id == family_id, session)

    async def revoke_user(self, user_id: uuid.UUID, *, session: AsyncSession | None = None) -> None:
        await self._revoke(RefreshToken.user_id == user_id, session)

    async def restore(self, token_hash: str) -> None:
        async with unit_of_work(self._session_factory) as session:
            await session.execute(
                update(RefreshToken)
                .where(RefreshToken.token_hash == token_hash, RefreshToken.revoked_at.is_(None))
                .values(used_at=None)
                .execution_options(synchronize_session=False)
            )

    async def family_active(
        self, family_id: uuid.UUID, *, session: AsyncSession | None = None
    ) -> bool:
        statement = select(FAMILY_ACTIVE)
        parameters = {"family_id": family_id, "now": datetime.now(UTC)}
        if session is not None:
            return bool(await session.scalar(statement, parameters))
        async with self._session_factory() as own_session:
            return bool(await own_session.scalar(statement, parameters))

    async def _revoke(self, condition: Any, session: AsyncSession | None) -> None:
        statement = (
            update(RefreshToken)
            .where(condition, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
            .execution_options(synchronize_session=False)
        )
        if session is not None:
            await session.execute(statement)
            return
        async with unit_of_work(self._session_factory) as own_session:
            await own_session.execute(statement)


# Atomically flips an active token to used, so that two concurrent uses cannot both rotate, and
# records when (Redis's clock, in microseconds: one clock for every API task). ARGV[1] is the grace
# in microseconds; a used token without a use time is past any grace.
_CONSUME_SCRIPT = """
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return nil end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local outcome = 'reused'
if state == 'active' then
  redis.call('HSET', KEYS[1], 'state', 'used', 'used_at', time[1] .. string.format('%06d', time[2]))
  outcome = 'rotated'
else
  local used_at = tonumber(redis.call('HGET', KEYS[1], 'used_at'))
  if used_at and now - used_at < tonumber(ARGV[1]) then outcome = 'superseded' end
end
return {outcome, redis.call('HGET', KEYS[1], 'user_id'),
        redis.call('HGET', KEYS[1], 'family_id'), redis.call('HGET', KEYS[1], 'expires_at')}
"""

# Only a token still there (not revoked or expired meanwhile) goes back to active.
_RESTORE_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', 'active')
redis.call('HDEL', KEYS[1], 'used_at')
return 1
"""


class RedisRefreshTokenStore:
    family_active_condition: ColumnElement[bool] | None = None

    def __init__(self, client: redis_async.Redis, prefix: str = "refresh") -> None:
        self._redis = client
        self._prefix = prefix
        self._consume = client.register_script(_CONSUME_SCRIPT)
        self._restore = client.register_script(_RESTORE_SCRIPT)

    def _token_key(self, token_hash: str) -> str:
        return f"{self._prefix}:token:{token_hash}"

    def _family_key(self, family_id: uuid.UUID) -> str:
        return f"{self._prefix}:family:{family_id}"

    def _user_key(self, user_id: uuid.UUID) -> str:
        return f"{self._prefix}:user:{user_id}"

    async def add(
        self, token_hash: str, record: RefreshRecord, *, session: AsyncSession | None = None
    ) -> None:
        expire_at = int(record.expires_at.timestamp())
        token_key = self._token_key(token_hash)
        family_key = self._family_key(record.family_id)
        user_key = self._user_key(record.user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                token_key,
                mapping={
                    "state": "active",
                    "user_id": str(record.user_id),
                    "family_id": str(record.family_id),
                    "expires_at": str(expire_at),
                },
            )
            pipe.expireat(token_key, expire_at)
            pipe.sadd(family_key, token_hash)
            pipe.expireat(family_key, expire_at)
            pipe.sadd(user_key, str(record.family_id))
            pipe.expireat(user_key, expire_at, gt=True)
            pipe.expireat(user_key, expire_at, nx=True)
            await pipe.execute()

    async def consume(
        self, token_hash: str, *, reuse_grace: timedelta
    ) -> tuple[ConsumeOutcome, RefreshRecord | None]:
        grace_microseconds = reuse_grace // timedelta(microseconds=1)
        result = await self._consume(keys=[self._token_key(token_hash)], args=[grace_microseconds])
        if not result:
            return ConsumeOutcome.INVALID, None
        outcome, user_id, family_id, expires_at = (str(part) for part in result)
        record = RefreshRecord(
            uuid.UUID(user_id), uuid.UUID(family_id), datetime.fromtimestamp(int(expires_at), UTC)
        )
        return ConsumeOutcome(outcome), record

    async def revoke_family(
        self, family_id: uuid.UUID, *, session: AsyncSession | None = None
    ) -> None:
        family_key = self._family_key(family_id)
        hashes = await self._redis.smembers(family_key)
        keys = [self._token_key(str(h)) for h in hashes]
        await self._redis.delete(family_key, *keys)

    async def restore(self, token_hash: str) -> None:
        await self._restore(keys=[self._token_key(token_hash)])

    async def family_active(
        self, family_id: uuid.UUID, *, session: AsyncSession | None = None
    ) -> bool:
        # The family's set lives while it has tokens; revoking deletes it, expiry expires it.
        return bool(await self._redis.exists(self._family_key(family_id)))

    async def revoke_user(self, user_id: uuid.UUID, *, session: AsyncSession | None = None) -> None:
        user_key = self._user_key(user_id)
        families = await self._redis.smembers(user_key)
        for family in families:
            await self.revoke_family(uuid.UUID(str(family)))
        await self._redis.delete(user_key)


def build_refresh_store(
    settings: Settings,
    redis_client: redis_async.Redis | None,
    session_factory: async_sessionmaker[AsyncSession],
) -> RefreshTokenStore:
    if redis_client is not None:
        return RedisRefreshTokenStore(redis_client)
    return DatabaseRefreshTokenStore(session_factory)
