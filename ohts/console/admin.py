"""The administrator's page for accounts: an administrator (an account with the admin
flag) lists, adds, disables, enables and resets the passwords of the accounts within their
own jurisdiction. A new or reset password is generated and shown once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response

from contracts.envelope import Role
from ohts.console import store
from ohts.console.accounts import Account, may_manage, problems
from ohts.console.client import ApiError
from ohts.console.session import Staff, check_csrf, staff_of
from ohts.console.users import new_password
from ohts.console.web import page
from ohts_kit.settings import Settings

Text = Annotated[str, Form(max_length=100)]
StaffDep = Annotated[Staff, Depends(staff_of)]
NOT_ADMIN = ApiError(403, "无权操作：只有本辖区的账号管理员可以管理账号")


def _listing(
    request: Request, staff: Staff, accounts: list[Account], **context: object
) -> Response:
    status = int(context.pop("status", 200))  # type: ignore[call-overload]
    return page(
        request, "accounts.html", staff, status=status, accounts=accounts, roles=list(Role)[:4],
        **context,
    )  # fmt: skip


async def accounts(request: Request, staff: StaffDep) -> Response:
    if not staff.account.admin:
        return page(request, "refused.html", staff, status=403, error=NOT_ADMIN)
    pool = request.app.state.console.pool
    found = await store.within(pool, staff.account.region_code)
    return _listing(request, staff, found, errors={}, values={})


async def add(
    request: Request,
    staff: StaffDep,
    csrf: Text = "",
    login: Text = "",
    person_name: Text = "",
    unit_name: Text = "",
    role: Text = "",
    region_code: Text = "",
    institution_id: Text = "",
) -> Response:
    check_csrf(staff, csrf)
    pool = request.app.state.console.pool
    values = dict(
        login=login, person_name=person_name, unit_name=unit_name, role=role,
        region_code=region_code, institution_id=institution_id,
    )  # fmt: skip
    errors = {
        p.field: p.message
        for p in problems(login, person_name, role, region_code, institution_id or None)
    }
    if not errors and not may_manage(staff.account, region_code):
        errors["region_code"] = "只能在本辖区内开设账号"
    if not errors:
        password = new_password()
        account = Account(
            login, person_name, unit_name, Role(role), region_code, institution_id or None
        )
        try:
            await store.add(pool, account, password, by=staff.account.login)
            return page(request, "password.html", staff, login=login, password=password)
        except store.AccountExists:
            errors["login"] = "该登录名已被使用"
    found = await store.within(pool, staff.account.region_code)
    return _listing(request, staff, found, errors=errors, values=values, status=422)


async def change(
    request: Request, staff: StaffDep, login: str, action: str, csrf: Text = ""
) -> Response:
    check_csrf(staff, csrf)
    pool = request.app.state.console.pool
    target = await store.get(pool, login)
    if target is None or action not in ("disable", "enable", "reset"):
        return page(
            request, "refused.html", staff, status=404, error=ApiError(404, "没有找到该账号")
        )
    if not may_manage(staff.account, target.region_code):
        return page(request, "refused.html", staff, status=403, error=NOT_ADMIN)
    by = staff.account.login
    if action == "reset":
        password = new_password()
        await store.reset_password(pool, login, password, by=by)
        return page(request, "password.html", staff, login=login, password=password)
    await store.set_disabled(pool, login, action == "disable", by=by)
    found = await store.within(pool, staff.account.region_code)
    return _listing(
        request,
        staff,
        found,
        errors={},
        values={},
        done=f"账号 {login} 已{'停用' if action == 'disable' else '启用'}",
    )


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(prefix=f"{settings.console_prefix}/accounts", include_in_schema=False)
    router.add_api_route("", accounts, methods=["GET"])
    router.add_api_route("", add, methods=["POST"])
    router.add_api_route("/{login}/{action}", change, methods=["POST"])
    return router
