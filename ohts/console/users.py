"""`ohts user add|disable|enable|reset-password`: console accounts from the command line
(the administrator's page does the same within its jurisdiction)."""

from __future__ import annotations

import asyncio
import getpass
import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer

from contracts.envelope import Role
from ohts.console import Console, store
from ohts.console.accounts import Account, password_problem, problems
from ohts_kit.settings import Settings

T = TypeVar("T")
user_app = typer.Typer(no_args_is_help=True, help="staff console accounts")
SETTINGS: list[Callable[[], Settings]] = []


def _run(work: Callable[[Any], Awaitable[T]]) -> T:
    async def go() -> T:
        console = Console(SETTINGS[0]())
        await console.start()
        try:
            return await work(console.pool)
        finally:
            await console.stop()

    return asyncio.run(go())


def new_password() -> str:
    """A generated password that meets the rule (shown once, never stored in clear)."""
    return secrets.token_urlsafe(12) + "7a"


def _password(given: str | None, prompt: bool) -> str:
    if given:
        password = given
    elif prompt:
        password = getpass.getpass("新密码：")
    else:
        password = new_password()
    if problem := password_problem(password):
        raise typer.BadParameter(problem, param_hint="--password")
    return password


@user_app.command("add")
def add(
    login: str,
    name: Annotated[str, typer.Option(help="person's name")],
    role: Annotated[
        str, typer.Option(help="registry-authority|qc-centre|supervision-unit|institution")
    ],
    region: Annotated[str, typer.Option(help="GB/T 2260 code of the jurisdiction")],
    unit: Annotated[str, typer.Option(help="the person's unit")] = "",
    institution_id: Annotated[str | None, typer.Option()] = None,
    admin: Annotated[bool, typer.Option(help="may manage accounts in the region")] = False,
    password: Annotated[
        str | None, typer.Option(help="else one is generated and printed once")
    ] = None,
    prompt: Annotated[bool, typer.Option(help="read the password from the terminal")] = False,
) -> None:
    """Create an account; a generated password is printed once."""
    found = problems(login, name, role, region, institution_id)
    if found:
        raise typer.BadParameter("; ".join(f"{p.field}: {p.message}" for p in found))
    secret = _password(password, prompt)
    account = Account(login, name, unit, Role(role), region, institution_id, admin)
    try:
        _run(lambda pool: store.add(pool, account, secret, by="cli"))
    except store.AccountExists as exc:
        raise typer.BadParameter(f"登录名 {login} 已存在") from exc
    typer.echo(f"account {login} created" + ("" if password or prompt else f"; password: {secret}"))


@user_app.command("disable")
def disable(login: str) -> None:
    """Disable an account and end its sessions."""
    _change(lambda pool: store.set_disabled(pool, login, True, by="cli"), login)
    typer.echo(f"account {login} disabled")


@user_app.command("enable")
def enable(login: str) -> None:
    _change(lambda pool: store.set_disabled(pool, login, False, by="cli"), login)
    typer.echo(f"account {login} enabled")


@user_app.command("reset-password")
def reset_password(
    login: str,
    password: Annotated[str | None, typer.Option()] = None,
    prompt: Annotated[bool, typer.Option()] = False,
) -> None:
    """A new password (generated and printed once unless given); lifts a lock."""
    secret = _password(password, prompt)
    _change(lambda pool: store.reset_password(pool, login, secret, by="cli"), login)
    typer.echo(f"password of {login} reset" + ("" if password or prompt else f": {secret}"))


def _change(work: Callable[[Any], Awaitable[None]], login: str) -> None:
    try:
        _run(work)
    except store.NoSuchAccount as exc:
        raise typer.BadParameter(f"没有登录名为 {login} 的账号") from exc
