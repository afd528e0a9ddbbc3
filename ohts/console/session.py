"""The console's session: the same signed token the APIs accept, in an HttpOnly
SameSite=Strict cookie, renewed on every page while the person is active; beside it the
session id, whose row holds the CSRF token (synchronizer pattern) and ends at logout."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta

from fastapi import HTTPException, Request
from fastapi.responses import Response

from ohts.console import store
from ohts.console.accounts import Account
from ohts_kit.auth import issue_token, verify_token
from ohts_kit.settings import Settings

TOKEN_COOKIE = "ohts_console"
SID_COOKIE = "ohts_console_sid"


class LoginRequired(Exception):
    """No live session: the person is sent to the login page (why: a Chinese notice key)."""

    def __init__(self, why: str = "") -> None:
        self.why = why


class BadCsrf(Exception):
    """A form posted without this session's CSRF token."""


@dataclass(frozen=True)
class Staff:
    account: Account
    sid: str
    csrf: str
    token: str


def token_for(settings: Settings, account: Account) -> str:
    return issue_token(
        settings,
        role=account.role,
        region_code=account.region_code,
        subject=account.login,
        institution_id=account.institution_id,
        ttl=timedelta(seconds=settings.console_session_seconds),
    )


def set_cookies(response: Response, settings: Settings, token: str, sid: str | None) -> None:
    path = settings.console_prefix or "/"
    options = {"httponly": True, "samesite": "strict", "secure": settings.https, "path": path}
    response.set_cookie(TOKEN_COOKIE, token, max_age=settings.console_session_seconds, **options)  # type: ignore[arg-type]
    if sid is not None:
        response.set_cookie(SID_COOKIE, sid, **options)  # type: ignore[arg-type]


def clear_cookies(response: Response, settings: Settings) -> None:
    for name in (TOKEN_COOKIE, SID_COOKIE):
        response.delete_cookie(name, path=settings.console_prefix or "/")


async def staff_of(request: Request) -> Staff:
    """The logged-in person, or LoginRequired. The token must be valid and unexpired and
    the session open, for the same login, of an enabled account."""
    settings: Settings = request.app.state.settings
    pool = request.app.state.console.pool
    token, sid = request.cookies.get(TOKEN_COOKIE), request.cookies.get(SID_COOKIE)
    if not sid:
        raise LoginRequired()
    if not token:  # the cookie outlived its max-age: the session expired
        await store.end_session(pool, sid, "expired")
        raise LoginRequired("expired")
    try:
        actor = verify_token(settings, token)
    except HTTPException as exc:
        await store.end_session(pool, sid, "expired")
        raise LoginRequired("expired" if "expired" in str(exc.detail) else "") from exc
    live = await store.live_session(pool, sid)
    if live is None or live[0].login != actor.subject:
        raise LoginRequired("ended")
    account, csrf = live
    return Staff(account, sid, csrf, token_for(settings, account))


def check_csrf(staff: Staff, sent: str | None) -> None:
    if not sent or not hmac.compare_digest(sent, staff.csrf):
        raise BadCsrf()
