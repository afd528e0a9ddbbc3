"""The staff console in the real Chromium: login, a wrong password, lockout after repeated
failures, an expired session, CSRF on logout, and a person of another region refused an
institution's record by the registry (over real HTTP), each page scanned by axe-core."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import uvicorn
from playwright.async_api import Page, async_playwright

from contracts.envelope import Role
from ohts.console import store
from ohts.console.accounts import Account
from ohts.embedded import free_port
from ohts_kit.auth import issue_token
from ohts_kit.settings import Settings
from services.enforcement.bootstrap import create_app as enforcement_app
from services.qc.bootstrap import create_app as qc_app
from services.registry.bootstrap import create_app as registry_app
from services.registry.domain.uscc import make_uscc
from services.reporting.bootstrap import create_app as reporting_app
from tests.conftest import Servers
from tests.integration.helpers import Service, running, token
from tests.integration.test_portal_browser import CHROMIUM, FLAGS, _accessible

PASSWORD = "correct-horse-7"


@asynccontextmanager
async def served(app: Any, port: int) -> AsyncIterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def login(page: Page, base: str, who: str, password: str = PASSWORD) -> int:
    await page.goto(f"{base}/console/login")
    await page.fill("#f-login", who)
    await page.fill("#f-password", password)
    async with page.expect_navigation() as nav:
        await page.click("#submit")
    response = await nav.value
    return response.status if response else 0


async def test_console_login_lockout_expiry_and_region(servers: Servers) -> None:
    assert CHROMIUM.exists(), "make test installs Debian's chromium for this test"
    registry_port = free_port()
    settings = servers.settings(registry_url=f"http://127.0.0.1:{registry_port}")
    async with (
        running(registry_app, settings) as registry,
        running(reporting_app, settings) as reporting,
        served(registry.app, registry_port) as registry_base,
        served(reporting.app, free_port()) as base,
        async_playwright() as pw,
    ):
        pool = reporting.app.state.console.pool
        people = [
            Account(
                "wang.zj",
                "王浙江",
                "浙江省卫生健康委员会",
                Role.REGISTRY_AUTHORITY,
                "330000",
                admin=True,
            ),
            Account("li.js", "李江苏", "江苏省卫生健康委员会", Role.REGISTRY_AUTHORITY, "320000"),
            Account("zhao.zj", "赵浙江", "杭州市卫生监督所", Role.SUPERVISION_UNIT, "330100"),
        ]
        for person in people:
            await store.add(pool, person, PASSWORD, by="test")
        body = {
            "uscc": make_uscc("330106", "470000001"),
            "name": "杭州测试职业卫生技术服务有限公司",
            "address": "杭州市西湖区文三路100号",
            "legal_representative": "王建国",
            "nature": "企业",
            "kind": "occupational-health-service",
            "region_code": "330106",
        }
        authority = token(settings, Role.REGISTRY_AUTHORITY, "330000")
        created = await registry.call("POST", "/api/v1/institutions", authority, body)
        assert created.status_code == 201, created.text
        institution = created.json()["id"]

        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        context = await browser.new_context()
        page = await context.new_page()

        # Not logged in: the start page sends the person to the login form.
        await page.goto(f"{base}/console/")
        assert page.url.startswith(f"{base}/console/login")
        await _accessible(page, "login")

        # A wrong password: refused, told in Chinese, no session.
        assert await login(page, base, "wang.zj", "wrong-password-1") == 401
        assert "登录名或密码错误" in await page.inner_text("#error")
        await _accessible(page, "wrong password")

        # The right one: the to-do list, with the person's name and unit in the shell.
        assert await login(page, base, "wang.zj") == 200
        assert page.url == f"{base}/console/"
        assert await page.inner_text("#person") == "王浙江"
        assert await page.inner_text("#unit") == "浙江省卫生健康委员会"
        assert "待办事项" in await page.inner_text("h1")
        await _accessible(page, "to-do list")
        cookies = {c["name"]: c for c in await context.cookies()}
        assert (
            cookies["ohts_console"]["httpOnly"] and cookies["ohts_console"]["sameSite"] == "Strict"
        )

        # The institution's record, read from the registry with the person's token.
        await page.goto(f"{base}/console/institutions/{institution}")  # the older address
        assert page.url.startswith(f"{base}/console/r/institution/{institution}")
        assert body["name"] in await page.inner_text("#name")

        # The administrator's page: an account outside the jurisdiction is refused next to
        # the field; one inside is made, its password shown once.
        await page.goto(f"{base}/console/accounts")
        await _accessible(page, "accounts")
        await page.fill("#f-login", "sun.hz")
        await page.fill("#f-person_name", "孙杭州")
        await page.select_option("#f-role", label="卫生监督机构")
        await page.fill("#f-region_code", "320100")
        async with page.expect_navigation():
            await page.click("#add-account button[type=submit]")
        assert "只能在本辖区内开设账号" in await page.inner_text("#e-region_code")
        assert await page.get_attribute("#f-region_code", "aria-invalid") == "true"
        await _accessible(page, "accounts with an error")
        await page.fill("#f-region_code", "330100")
        async with page.expect_navigation():
            await page.click("#add-account button[type=submit]")
        made = (await page.inner_text("#password")).strip()
        assert (await store.get(pool, "sun.hz")) is not None

        # A form post without the session's CSRF token is refused and changes nothing.
        forged = await page.request.post(f"{base}/console/logout", form={"csrf": "forged"})
        assert forged.status == 403
        await page.goto(f"{base}/console/")
        assert await page.inner_text("#person") == "王浙江"

        # Logout ends the session: the old cookies no longer open the console.
        async with page.expect_navigation():
            await page.click("#logout")
        assert "您已安全退出" in await page.inner_text("#notice")
        await page.goto(f"{base}/console/")
        assert page.url.startswith(f"{base}/console/login")

        # The new account logs in with the password it was given.
        assert await login(page, base, "sun.hz", made) == 200
        assert await page.inner_text("#person") == "孙杭州"
        async with page.expect_navigation():
            await page.click("#logout")

        # A person of another province: the registry refuses, the page says why in Chinese.
        assert await login(page, base, "li.js") == 200
        refused = await page.goto(f"{base}/console/r/institution/{institution}")
        assert refused is not None and refused.status == 403
        assert "超出您的角色或辖区" in await page.inner_text("#refused")
        assert body["name"] not in await page.content()
        await _accessible(page, "refused")

        # An expired session (the token's time is up): back to login, told why.
        expired = issue_token(
            settings, role=Role.REGISTRY_AUTHORITY, region_code="320000", subject="li.js",
            ttl=timedelta(seconds=-5),
        )  # fmt: skip
        await context.add_cookies(
            [{"name": "ohts_console", "value": expired, "domain": "127.0.0.1", "path": "/console"}]
        )
        await page.goto(f"{base}/console/")
        assert page.url.startswith(f"{base}/console/login")
        assert "会话已过期" in await page.inner_text("#notice")
        await _accessible(page, "expired")

        # Lockout: five wrong passwords lock the account; then even the right one is refused.
        for _ in range(settings.console_lockout_attempts - 1):
            assert await login(page, base, "zhao.zj", "wrong-password-1") == 401
        assert await login(page, base, "zhao.zj", "wrong-password-1") == 403
        assert "账号已锁定" in await page.inner_text("#error")
        assert await login(page, base, "zhao.zj") == 403
        assert "账号已锁定" in await page.inner_text("#error")
        await _accessible(page, "locked")

        # The API docs work offline: everything they show comes from the service's own
        # origin. (ReDoc's bundle names its logo on a CDN; the page's CSP refuses it, so
        # the browser never receives it.)
        loaded: list[str] = []
        page.on("response", lambda r: loaded.append(r.url))
        docs = await page.goto(f"{registry_base}/docs")
        await page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
        assert "OHTS" in await page.inner_text(".swagger-ui .info .title")
        redoc = await page.goto(f"{registry_base}/redoc")
        await page.wait_for_selector(".api-info h1", timeout=15_000)
        for answer in (docs, redoc):
            assert answer is not None
            csp = answer.headers["content-security-policy"]
            assert "http" not in csp and "img-src 'self' data:" in csp, csp
        outside = [u for u in loaded if not u.startswith((registry_base, "data:", "blob:"))]
        assert loaded and not outside, outside
        await browser.close()

        # Every login, logout, failure, lock and refusal is recorded.
        actions = [a["action"] for a in await store.audit_of(pool, "zhao.zj")]
        assert actions[:2] == ["refused", "locked"] and actions.count("failed") == 4
        assert [a["action"] for a in await store.audit_of(pool, "wang.zj")][:3] == [
            "logout", "login", "failed",
        ]  # fmt: skip
        assert [a["action"] for a in await store.audit_of(pool, "li.js")][:2] == [
            "expired",
            "login",
        ]


async def console_system(
    stack: AsyncExitStack, servers: Servers, now: datetime
) -> tuple[Settings, dict[str, Service], str]:
    """The four services at `now`, the three writing ones over real HTTP (the console calls
    them as a browser's person would), and the reporting process serving the console:
    (settings, services, the console's base URL)."""
    ports = {s: free_port() for s in ("registry", "qc", "enforcement")}
    settings = servers.settings(**{f"{s}_url": f"http://127.0.0.1:{p}" for s, p in ports.items()})
    svc = {}
    for name, create in (
        ("registry", registry_app),
        ("qc", qc_app),
        ("enforcement", enforcement_app),
        ("reporting", reporting_app),
    ):
        svc[name] = await stack.enter_async_context(running(create, settings, now))
        if name in ports:
            await stack.enter_async_context(served(svc[name].app, ports[name]))
    base = await stack.enter_async_context(served(svc["reporting"].app, free_port()))
    return settings, svc, base
