"""The console's shell: login, logout, the to-do list, the static style sheet."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from ohts.console import store, todo
from ohts.console.accounts import Lockout
from ohts.console.client import ServiceClient
from ohts.console.commands import BY_KEY
from ohts.console.session import (
    Staff,
    check_csrf,
    clear_cookies,
    set_cookies,
    staff_of,
    token_for,
)
from ohts.console.web import STATIC, page, prefix
from ohts_kit.settings import Settings

LOGIN_NONCE = "ohts_console_login"
NOTICES = {
    "expired": "会话已过期，请重新登录。",
    "ended": "请先登录。",
    "logout": "您已安全退出。",
}
REFUSALS = {
    "wrong": (401, "登录名或密码错误。"),
    "locked": (403, "连续输错密码次数过多，账号已锁定，请稍后再试或联系管理员重置密码。"),
    "disabled": (403, "该账号已停用，请联系管理员。"),
}

StaffDep = Annotated[Staff, Depends(staff_of)]


def client_for(request: Request, staff: Staff) -> ServiceClient:
    transport = getattr(request.app.state, "console_transport", None)
    return ServiceClient(request.app.state.settings, staff.token, transport)


def _client_address(request: Request) -> str:
    return request.client.host if request.client else ""


def login_page(request: Request, status: int = 200, error: str = "", notice: str = "") -> Response:
    """The login form; a nonce in a cookie and a hidden field stops login CSRF."""
    nonce = secrets.token_urlsafe(24)
    response = page(request, "login.html", status=status, error=error, notice=notice, nonce=nonce)
    response.set_cookie(
        LOGIN_NONCE, nonce, httponly=True, samesite="strict", path=prefix(request) or "/"
    )
    return response


async def stylesheet() -> FileResponse:
    return FileResponse(STATIC / "console.css", media_type="text/css")


async def login_form(request: Request, why: str = "") -> Response:
    return login_page(request, notice=NOTICES.get(why, ""))


async def login(
    request: Request,
    login: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    nonce: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    settings: Settings = request.app.state.settings
    expected = request.cookies.get(LOGIN_NONCE, "")
    if not nonce or not secrets.compare_digest(nonce, expected):
        return login_page(request, 400, "登录页面已过期，请重新输入。")
    pool = request.app.state.console.pool
    lockout = Lockout(settings.console_lockout_attempts, settings.console_lockout_minutes)
    account, why = await store.authenticate(
        pool, login.strip(), password, lockout, _client_address(request)
    )
    if account is None:
        status, message = REFUSALS[why]
        return login_page(request, status, message)
    sid, _ = await store.open_session(pool, account.login)
    response = RedirectResponse(f"{settings.console_prefix}/", status_code=303)
    set_cookies(response, settings, token_for(settings, account), sid)
    response.delete_cookie(LOGIN_NONCE, path=settings.console_prefix or "/")
    return response


async def logout(
    request: Request, staff: StaffDep, csrf: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    settings: Settings = request.app.state.settings
    check_csrf(staff, csrf)
    await store.end_session(
        request.app.state.console.pool, staff.sid, "logout", _client_address(request)
    )
    response = RedirectResponse(f"{settings.console_prefix}/login?why=logout", 303)
    clear_cookies(response, settings)
    return response


async def home(request: Request, staff: StaffDep) -> Response:
    sections = await todo.sections(staff.account, client_for(request, staff))
    done = BY_KEY.get(request.query_params.get("done", ""))
    return page(
        request,
        "todo.html",
        staff,
        sections=sections,
        done=done.title if done else "",
    )


async def institution(request: Request, staff: StaffDep, institution_id: str) -> Response:
    """An older address of an institution's page: its record page (the registry decides who
    may see it, with the person's own token)."""
    del staff  # signed in only
    return RedirectResponse(f"{prefix(request)}/r/institution/{institution_id}", 303)


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(prefix=settings.console_prefix, include_in_schema=False)
    router.add_api_route("/static/console.css", stylesheet, methods=["GET"])
    router.add_api_route("/login", login_form, methods=["GET"])
    router.add_api_route("/login", login, methods=["POST"])
    router.add_api_route("/logout", logout, methods=["POST"])
    router.add_api_route("/", home, methods=["GET"])
    router.add_api_route("/institutions/{institution_id}", institution, methods=["GET"])
    return router
