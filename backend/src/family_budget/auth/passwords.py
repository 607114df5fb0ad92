"""The password policy: length bounds, no common passwords, nothing equal to the email or name.

Length is the rule that matters (NIST SP 800-63B): no composition rules, long passphrases welcome.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000
COMMON_PASSWORDS_FILE = "common_passwords.txt"


class WeakPasswordError(ValueError):
    """The password breaks the policy; the message says why, in words a user understands."""


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower-cased, read once per process."""
    text = files("family_budget.auth").joinpath(COMMON_PASSWORDS_FILE).read_text(encoding="utf-8")
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line.strip() and line[0] != "#"
    )


def check_password(password: str, *, email: str, name: str) -> None:
    """Raise WeakPasswordError unless `password` is acceptable for this email and name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPasswordError(f"The password may have at most {MAX_PASSWORD_LENGTH} characters")
    folded = password.strip().casefold()
    if folded == email.strip().casefold():
        raise WeakPasswordError("The password must not be your email address")
    if folded == name.strip().casefold():
        raise WeakPasswordError("The password must not be your name")
    if password.lower() in common_passwords():
        raise WeakPasswordError("This password is too common; choose one that is harder to guess")
