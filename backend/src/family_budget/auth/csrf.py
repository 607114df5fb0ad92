"""Cookie sessions for the web app: the refresh-token cookie and its double-submit CSRF cookie.

The refresh cookie is HttpOnly and only sent to the auth endpoints. Because a browser attaches it
on its own, every call that authenticates with it must also echo the CSRF cookie's value in the
X-CSRF-Token header: a page on another site can neither read that cookie nor set the header
(SameSite=Strict already keeps the cookies off cross-site requests; this is the second layer).
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import Request, Response

from family_budget.errors import Forbidden

REFRESH_COOKIE_NAME = "fb_refresh"
REFRESH_COOKIE_PATH = "/api/v1/auth"
CSRF_COOKIE_NAME = "fb_csrf"
CSRF_HEADER_NAME = "X-CSRF-Token"


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def check_csrf(request: Request) -> None:
    """Raise 403 `csrf_failed` unless the CSRF header repeats the CSRF cookie."""
    cookie = request.cookies.get(CSRF_COOKIE_NAME, "")
    header = request.headers.get(CSRF_HEADER_NAME, "")
    if not cookie or not header or not hmac.compare_digest(cookie.encode(), header.encode()):
        raise Forbidden(
            f"A cookie-authenticated request needs the {CSRF_HEADER_NAME} header "
            f"repeating the {CSRF_COOKIE_NAME} cookie",
            code="csrf_failed",
        )


def set_session_cookies(response: Response, *, refresh_token: str, max_age: int) -> None:
    """Set the refresh cookie and a fresh CSRF cookie, both living as long as the session."""
    response.set_cookie(
        REFRESH_COOKIE_NAME,
        refresh_token,
        max_age=max_age,
        path=REFRESH_COOKIE_PATH,
        secure=True,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        CSRF_COOKIE_NAME,
        new_csrf_token(),
        max_age=max_age,
        path="/",
        secure=True,
        httponly=False,  # the web app's script reads it to fill the header
        samesite="strict",
    )


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(
        REFRESH_COOKIE_NAME, path=REFRESH_COOKIE_PATH, secure=True, httponly=True, samesite="strict"
    )
    response.delete_cookie(
        CSRF_COOKIE_NAME, path="/", secure=True, httponly=False, samesite="strict"
    )
