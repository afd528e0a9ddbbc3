"""The portal in a real headless Chromium (Debian's package, driven by Playwright): search,
open an institution, see a penalty leave public view when its period ends, log in to the
supervisors' dashboard and download an XLSX form; and at a phone's width, page through a list
longer than three pages, pick a region, download it, read a penalty's 双公示 record, the
trends and the error pages, each page scanned by axe-core for accessibility."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import uvicorn
from axe_playwright_python.async_playwright import Axe
from openpyxl import load_workbook
from playwright.async_api import Page, async_playwright

from contracts.envelope import Role
from ohts.embedded import free_port
from ohts_kit.auth import issue_token
from ohts_kit.settings import Settings
from tests.integration.helpers import Service
from tests.integration.test_portal_lists import many
from tests.integration.test_reporting import reporting

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


async def test_portal_in_chromium(settings: Settings, tmp_path: Path) -> None:
    assert CHROMIUM.exists(), "make test installs Debian's chromium for this test"
    async with reporting(settings) as svc:
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                svc.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
            )
        )
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        base = f"http://127.0.0.1:{port}"
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(
                    executable_path=str(CHROMIUM), args=FLAGS, headless=True
                )
                page = await browser.new_page(accept_downloads=True)

                # Search and open an institution.
                await page.goto(f"{base}/")
                await page.fill("input[name=q]", "南京戊")
                async with page.expect_navigation():
                    await page.click("button[type=submit]")
                rows = page.locator("#institutions tbody tr")
                assert await rows.count() == 1
                async with page.expect_navigation():
                    await page.click("text=南京戊检测有限公司")
                assert await page.text_content("#name") == "南京戊检测有限公司"
                penalties = page.locator("#penalties")
                assert "杭卫罚〔2026〕e1号" in (await penalties.inner_text())

                # Supervisors: log in with a token, see indicators, download 附表2 as XLSX.
                await page.goto(f"{base}/supervision")
                token = issue_token(settings, role=Role.SUPERVISION_UNIT, region_code="330100")
                await page.fill("textarea[name=token]", token)
                async with page.expect_navigation():
                    await page.click("button[type=submit]")
                assert "杭州市" in await page.inner_text("#indicators")
                async with page.expect_download() as info:
                    await page.click("#hangzhou-2-xlsx")
                download = await info.value
                saved = tmp_path / "hangzhou-2.xlsx"
                await download.save_as(saved)
                sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
                assert sheet is not None
                assert sheet["A1"].value == "职业卫生技术服务执业行为专项治理情况登记表"
                # The header starts below the preamble (填表单位, 填表人 …): find it.
                [top] = [c for row in sheet.iter_rows() for c in row if c.value == "不合格情况"]
                assert top.column_letter == "D"
                o = top.row - 3

                def at(cell: str) -> str:
                    return f"{cell[0]}{int(cell[1:]) + o}"

                merged = {str(r) for r in sheet.merged_cells.ranges}
                expected = {"A3:A5", "D3:I3", "D4:E4", "F4:H4", "J3:M3", "J4:J5"}
                assert {":".join(at(c) for c in r.split(":")) for r in expected} <= merged
                assert sheet[at("F5")].value == "出具虚假或失实技术报告数"
                assert [c.value for c in sheet[6 + o]][:3] == ["本地\n机构", 2, 2]
                # Period 1 Jan – 10 Aug: a2's warning of 15 July now counts (3 warnings).
                assert sheet[at("K6")].value == 3
                assert sheet[at("L6")].value == 4

                # The clock passes the end of e1's publicity period (1 year, to 20 May 2027).
                svc.clock.advance(timedelta(days=283))
                await page.goto(f"{base}/")
                await page.fill("input[name=q]", "南京戊")
                async with page.expect_navigation():
                    await page.click("button[type=submit]")
                await page.click("text=南京戊检测有限公司")
                text = await page.locator("#penalties").inner_text()
                assert "e1号" not in text and "无公示中的行政处罚" in text
                await browser.close()
        finally:
            server.should_exit = True
            await serving


PHONE = {"width": 375, "height": 740}
AXE = Axe()  # axe-core shipped inside the package (axe.min.js), injected into the page


async def _accessible(page: Page, what: str) -> None:
    """No serious or critical axe-core violation on the page, and nothing inline that a
    Content-Security-Policy without 'unsafe-inline' would block."""
    inline = await page.evaluate(
        "document.querySelectorAll('[style], style, script:not([src])').length"
    )
    assert inline == 0, f"{what}: {inline} inline style or script elements"
    results = await AXE.run(page)
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{what}: " + "; ".join(bad)


async def _fits(page: Page) -> None:
    """At phone width the page scrolls only down, never sideways."""
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width


async def test_portal_lists_at_phone_width_with_accessibility_scan(
    settings: Settings, tmp_path: Path
) -> None:
    assert CHROMIUM.exists(), "make test installs Debian's chromium for this test"
    async with many(settings) as svc, serving(svc) as base, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        context = await browser.new_context(viewport=PHONE, accept_downloads=True)
        page = await context.new_page()

        # The region picker without JavaScript: a province, 查询, then its cities.
        await page.goto(f"{base}/")
        await page.select_option("#f-province", label="浙江省")
        async with page.expect_navigation():
            await page.click("button[type=submit]")
        await page.select_option("#f-city", label="杭州市")
        async with page.expect_navigation():
            await page.click("button[type=submit]")
        assert await page.text_content("#total") == "共 134 家机构"
        assert await page.locator("#institutions tbody tr").count() == 50
        await _fits(page)
        await _accessible(page, "机构查询")

        # Paging: the next page, and the last one with the rest.
        async with page.expect_navigation():
            await page.click("#next-page")
        assert "第 2/3 页" in await page.inner_text(".pager")
        async with page.expect_navigation():
            await page.click("text=3 >> nth=-1")
        assert await page.locator("#institutions tbody tr").count() == 34
        assert await page.locator("#next-page").count() == 0

        # The whole filtered list downloads: as many XLSX rows as the total.
        async with page.expect_download() as info:
            await page.click("#download-institutions-xlsx")
        saved = tmp_path / "institutions.xlsx"
        await (await info.value).save_as(saved)
        sheet = load_workbook(saved, read_only=True).active
        assert sheet is not None
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("机构名称", "统一社会信用代码", "法定代表人")
        assert len(rows) - 1 == 134

        # A penalty with all its 双公示 fields, on the list and on the institution's page.
        await page.goto(f"{base}/lists/penalties?region=330105")
        await page.click("#list-penalties summary")
        record = await page.inner_text("#list-penalties")
        assert "暂扣或吊销证照名称及编号" in record and "(浙)卫职技字(2025)第0103号" in record
        await _fits(page)
        await _accessible(page, "行政处罚名单")
        await page.goto(f"{base}/lists")
        await _accessible(page, "公示名单")
        await page.goto(f"{base}/?q=杭州甲")
        async with page.expect_navigation():
            await page.click("text=杭州甲检测有限公司")
        assert await page.text_content("#legal-representative") == "法定代表人"
        await _fits(page)
        await _accessible(page, "机构页面")

        # Trends: charts drawn on the server, each with its table.
        await page.goto(f"{base}/trends?region=杭州")
        assert await page.locator("svg#chart-penalties rect").count() == 12
        assert await page.locator("#table-penalties tbody tr").count() == 12
        await _fits(page)
        await _accessible(page, "统计趋势")

        # A wrong address and a wrong query: Chinese pages with a way back.
        response = await page.goto(f"{base}/institutions/no-such-institution")
        assert response is not None and response.status == 404
        assert "没有找到这个页面" in await page.inner_text("#error-page")
        await _accessible(page, "404 页面")
        response = await page.goto(f"{base}/?region=火星")
        assert response is not None and response.status == 422
        assert "火星" in await page.inner_text("#error-messages")
        async with page.expect_navigation():
            await page.click("#back-home")
        assert await page.text_content("#total") == "共 136 家机构"
        await browser.close()


@asynccontextmanager
async def serving(svc: Service) -> AsyncIterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(svc.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
