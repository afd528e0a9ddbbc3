"""Every page a person reaches in the console, in the real Chromium over real HTTP, each
scanned by axe-core: for each role, every command form of that role and every page of its
navigation opens, in Chinese, with a visible Chinese label on every input. Plus what has no
generated form: the registry authority uploads the old system's CSV (saved by Excel in GBK)
and is told in Chinese which line is wrong and why, and a re-upload imports nothing twice;
the authority launches a self-inspection campaign and the institution reports it."""

from __future__ import annotations

import re
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

from playwright.async_api import Page, async_playwright

from contracts.envelope import Role
from ohts.console import commands, navigation, store
from ohts.console.accounts import Account
from ohts.demo import LEGACY_CSV
from tests.conftest import Servers
from tests.integration.helpers import token
from tests.integration.test_console_browser import PASSWORD, console_system
from tests.integration.test_console_workflows import NOW, fill, last_part, login, logout, submit
from tests.integration.test_portal_browser import CHROMIUM, FLAGS, _accessible

HAN = re.compile(r"[\u4e00-\u9fff]")
ACCOUNTS = {
    Role.REGISTRY_AUTHORITY: Account(
        "wang", "王审批", "浙江省卫生健康委员会", Role.REGISTRY_AUTHORITY, "330000"
    ),
    Role.QC_CENTRE: Account("qian", "钱质控", "浙江省职业卫生质控中心", Role.QC_CENTRE, "330000"),
    Role.SUPERVISION_UNIT: Account(
        "zhao", "赵监督", "浙江省卫生健康综合监督执法局", Role.SUPERVISION_UNIT, "330000"
    ),
}


async def test_every_form_and_page_of_every_role_and_the_pages_without_a_form(
    servers: Servers, tmp_path: Path
) -> None:
    assert CHROMIUM.exists(), "make test installs Debian's chromium for this test"
    async with AsyncExitStack() as stack:
        settings, svc, base = await console_system(stack, servers, NOW)
        pool = svc["reporting"].app.state.console.pool
        for account in ACCOUNTS.values():
            await store.add(pool, account, PASSWORD, by="test")
        pw = await stack.enter_async_context(async_playwright())
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        page = await (await browser.new_context()).new_page()

        await login(page, base, "wang")
        institution = await _legacy_upload(page, base, svc, settings, tmp_path)
        campaign = await _launch_campaign(page, base)
        await logout(page)
        ACCOUNTS[Role.INSTITUTION] = Account(
            "jigou", "孙机构", "宁波甬安职业卫生技术服务有限公司", Role.INSTITUTION, "330212",
            institution,
        )  # fmt: skip
        await store.add(pool, ACCOUNTS[Role.INSTITUTION], PASSWORD, by="test")
        await login(page, base, "jigou")
        await _report_campaign(page, base, campaign)
        await logout(page)

        for role, account in ACCOUNTS.items():
            await login(page, base, account.login)
            await _every_form(page, base, role, institution)
            await _every_page(page, base, role)
            await logout(page)
        await browser.close()


def _gbk_file(tmp_path: Path) -> Path:
    """The demo's legacy CSV with one wrong row, saved as Excel saves it on Chinese Windows."""
    good = LEGACY_CSV.read_text("utf-8").splitlines()
    wrong = good[2].replace(",煤矿乙,", ",丁,")
    path = tmp_path / "旧系统机构.csv"
    path.write_bytes("\r\n".join([good[0], good[1], wrong, ""]).encode("gb18030"))
    return path


async def _upload(page: Page, base: str, path: Path) -> None:
    await page.goto(f"{base}/console/imports/legacy")
    await page.set_input_files("#f-file", str(path))
    await submit(page)


async def _legacy_upload(
    page: Page, base: str, svc: dict[str, Any], settings: Any, tmp_path: Path
) -> str:
    path = _gbk_file(tmp_path)
    await page.goto(f"{base}/console/imports/legacy")
    await _accessible(page, "legacy import")
    await _upload(page, base, path)
    assert await page.inner_text("#imported") == "1"
    errors = await page.inner_text("#import-errors")
    assert "第 3 行" in errors and "原资质等级" in errors and "原资质等级「丁」无法识别" in errors
    await _accessible(page, "legacy import result")
    await _upload(page, base, path)  # again: nothing twice
    assert await page.inner_text("#imported") == "0"
    assert await page.inner_text("#already") == "1"
    authority = token(settings, Role.REGISTRY_AUTHORITY, "330000")
    answer = await svc["registry"].call(
        "GET", "/api/v1/institutions?q=宁波甬安", authority, expect=200
    )
    [row] = answer.json()["items"]
    return str(row["institution_id"])


async def _launch_campaign(page: Page, base: str) -> str:
    await page.goto(f"{base}/console/do/launch-self-inspection")
    await fill(
        page,
        {
            "title": "宁波市职业卫生技术服务专项自查",
            "region_code": "330200",
            "period_from": "2025-01-01",
            "period_to": "2025-12-31",
            "deadline": "2026-03-31",
        },
    )
    await submit(page)
    assert "/console/r/campaign/" in page.url, await page.inner_text("main")
    assert "部署自查" in await page.inner_text("#history")
    return last_part(page.url)


async def _report_campaign(page: Page, base: str, campaign: str) -> None:
    await page.goto(f"{base}/console/campaigns")
    assert "宁波市职业卫生技术服务专项自查" in await page.inner_text("#rows")
    await _accessible(page, "campaigns")
    await page.click("#rows >> text=查看")
    await page.wait_for_url(f"**/r/campaign/{campaign}**")
    assert "否" in await page.inner_text('[data-key="reported"]')
    await page.click("text=报送自查结果")
    await fill(
        page,
        {
            "technical_staff": "18",
            "detection_reports": "120",
            "evaluation_reports": "30",
            "detection_report_problems": "2",
            "evaluation_report_problems": "0",
            "problems": "两份检测报告的采样记录不全，已补正",
        },
    )
    await submit(page)
    assert f"/console/r/campaign/{campaign}" in page.url, await page.inner_text("main")
    assert "是" in await page.inner_text('[data-key="reported"]')
    assert "报送自查结果" in await page.inner_text("#history")


async def _every_form(page: Page, base: str, role: Role, institution: str) -> None:
    """Each command form of the role opens, every input labelled in Chinese."""
    for cmd in commands.COMMANDS:
        if role not in cmd.roles:
            continue
        response = await page.goto(f"{base}/console/do/{cmd.key}?id={institution}")
        assert response is not None and response.status == 200, cmd.key
        assert await page.inner_text("#command-title") == cmd.title
        labels = await page.eval_on_selector_all(
            "#command-form label", "ls => ls.map(l => l.innerText)"
        )
        unnamed = [text for text in labels if not HAN.search(text)]
        assert unnamed == [], f"{cmd.key}: {unnamed}"
        await _accessible(page, f"form {cmd.key} ({role.value})")


async def _every_page(page: Page, base: str, role: Role) -> None:
    """Each page of the role's navigation opens without a refusal or an error."""
    for title, path in navigation.NAV[role]:
        response = await page.goto(f"{base}/console{path}")
        assert response is not None and response.status == 200, (path, response and response.status)
        assert "无法完成" not in await page.title(), path
        await _accessible(page, f"{title} ({role.value})")
