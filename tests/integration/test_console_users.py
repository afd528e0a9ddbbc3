"""`ohts user add|disable|enable|reset-password` against the real PostgreSQL: the printed
password logs in, a disabled account cannot, a reset lifts a lock, bad values are refused
naming the field, and every change is audited."""

from __future__ import annotations

import asyncio
import re

import pytest
from typer.testing import CliRunner

from ohts.cli import app
from ohts.console import Console, store
from ohts.console.accounts import Lockout
from tests.conftest import Servers, new_namespace

LOCKOUT = Lockout(attempts=2, minutes=15)


def _login(servers: Servers, namespace: str, login: str, password: str) -> str:
    async def go() -> str:
        console = Console(servers.settings(namespace))
        await console.start()
        try:
            return (await store.authenticate(console.pool, login, password, LOCKOUT, "test"))[1]
        finally:
            await console.stop()

    return asyncio.run(go())


def _audit(servers: Servers, namespace: str, login: str) -> list[str]:
    async def go() -> list[str]:
        console = Console(servers.settings(namespace))
        await console.start()
        try:
            return [a["action"] for a in await store.audit_of(console.pool, login)]
        finally:
            await console.stop()

    return asyncio.run(go())


def test_user_commands(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> None:
    namespace = new_namespace()
    monkeypatch.setenv("DATABASE_URL", servers.database_url)
    monkeypatch.setenv("OHTS_NAMESPACE", namespace)
    cli = CliRunner()
    add = ["user", "add", "qian.hz", "--name", "钱杭州", "--role", "supervision-unit"]

    refused = cli.invoke(app, [*add, "--region", "339999"])
    assert refused.exit_code != 0 and "region_code" in refused.output

    made = cli.invoke(app, [*add, "--region", "330100", "--unit", "杭州市卫生监督所"])
    assert made.exit_code == 0, made.output
    password = re.search(r"password: (\S+)", made.output)
    assert password is not None
    assert _login(servers, namespace, "qian.hz", password.group(1)) == "ok"
    again = cli.invoke(app, [*add, "--region", "330100"])
    assert again.exit_code != 0 and "已存在" in again.output

    assert cli.invoke(app, ["user", "disable", "qian.hz"]).exit_code == 0
    assert _login(servers, namespace, "qian.hz", password.group(1)) == "disabled"
    assert cli.invoke(app, ["user", "enable", "qian.hz"]).exit_code == 0

    assert _login(servers, namespace, "qian.hz", "wrong-password-1") == "wrong"
    assert _login(servers, namespace, "qian.hz", "wrong-password-1") == "locked"
    assert _login(servers, namespace, "qian.hz", password.group(1)) == "locked"
    reset = cli.invoke(app, ["user", "reset-password", "qian.hz"])
    assert reset.exit_code == 0, reset.output
    fresh = reset.output.rsplit(": ", 1)[1].strip()
    assert _login(servers, namespace, "qian.hz", fresh) == "ok"
    assert _login(servers, namespace, "qian.hz", password.group(1)) == "wrong"
    assert cli.invoke(app, ["user", "disable", "nobody"]).exit_code != 0

    assert _audit(servers, namespace, "qian.hz")[:6] == [
        "failed", "login", "password-reset", "refused", "locked", "failed",
    ]  # fmt: skip
