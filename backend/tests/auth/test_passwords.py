from __future__ import annotations

import pytest

from family_budget.auth.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    WeakPasswordError,
    check_password,
    common_passwords,
)
from family_budget.security import (
    DUMMY_PASSWORD_HASH,
    hash_password,
    password_needs_rehash,
    verify_password,
)

EMAIL = "ann@example.com"
NAME = "Ann Example"


class TestCommonPasswords:
    def test_shipped_list_is_loaded_once_and_lower_cased(self) -> None:
        passwords = common_passwords()
        assert passwords is common_passwords()
        assert len(passwords) > 25_000
        assert {"password", "123456", "qwertyuiop", "1234567890"} <= passwords
        assert all(p == p.lower() for p in passwords)
        assert not any(p.startswith("#") for p in passwords)


class TestCheckPassword:
    @pytest.mark.parametrize(
        "password",
        [
            "a" * MIN_PASSWORD_LENGTH,
            "correct horse battery staple",
            "ñandú veloz 🦤 corre",
            "x" * MAX_PASSWORD_LENGTH,
            "  spaces count too  ",
        ],
    )
    def test_accepts(self, password: str) -> None:
        check_password(password, email=EMAIL, name=NAME)

    @pytest.mark.parametrize(
        ("password", "reason"),
        [
            ("", "at least 10 characters"),
            ("a" * (MIN_PASSWORD_LENGTH - 1), "at least 10 characters"),
            ("x" * (MAX_PASSWORD_LENGTH + 1), "at most 1000 characters"),
            ("1234567890", "too common"),
            ("PASSWORD123", "too common"),
            ("QwErTyUiOp", "too common"),
            ("ANN@example.com", "email"),
            (" ann example ", "name"),
        ],
    )
    def test_rejects_with_a_reason(self, password: str, reason: str) -> None:
        with pytest.raises(WeakPasswordError, match=reason):
            check_password(password, email=EMAIL, name=NAME)

    def test_is_a_value_error_for_the_cli(self) -> None:
        assert issubclass(WeakPasswordError, ValueError)


class TestDummyPasswordHash:
    """The constant an unknown email is verified against, so that it takes a real one's time."""

    def test_has_the_hashers_parameters(self) -> None:
        assert not password_needs_rehash(DUMMY_PASSWORD_HASH)
        assert not password_needs_rehash(hash_password("correct horse battery staple"))

    def test_matches_no_likely_password(self) -> None:
        assert not verify_password(DUMMY_PASSWORD_HASH, "")
        assert not verify_password(DUMMY_PASSWORD_HASH, "password")
