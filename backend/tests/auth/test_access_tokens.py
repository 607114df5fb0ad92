"""Access tokens are verified once and then remembered (family_budget.security): what a token
says never changes, but whether it has expired does, and a token that was refused is never
remembered as good."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from family_budget import security
from family_budget.config import Settings
from family_budget.security import InvalidToken, TokenType, decode_access_token, encode_token


class _Later(datetime):
    """datetime whose now() is an hour ahead."""

    @classmethod
    def now(cls, tz: object = None) -> datetime:  # type: ignore[override]
        return datetime.now(UTC) + timedelta(hours=1)


def _token(settings: Settings, **changes: object) -> str:
    values: dict[str, object] = {
        "user_id": uuid.uuid4(),
        "token_type": TokenType.ACCESS,
        "expires_in": timedelta(minutes=15),
    }
    values.update(changes)
    return encode_token(settings, **values)  # type: ignore[arg-type]


def test_a_remembered_token_still_expires(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = _token(settings)
    assert decode_access_token(settings, token).token_type is TokenType.ACCESS
    monkeypatch.setattr(security, "datetime", _Later)
    with pytest.raises(InvalidToken):
        decode_access_token(settings, token)


def test_a_refused_token_is_refused_every_time(settings: Settings) -> None:
    token = _token(settings)
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(InvalidToken):
            decode_access_token(settings, forged)
    refresh = _token(settings, token_type=TokenType.REFRESH)
    with pytest.raises(InvalidToken):
        decode_access_token(settings, refresh)


def test_another_signing_key_does_not_share_what_was_remembered(settings: Settings) -> None:
    token = _token(settings)
    decode_access_token(settings, token)
    other = Settings(environment="development", jwt_secret="another " * 8)
    with pytest.raises(InvalidToken):
        decode_access_token(other, token)
