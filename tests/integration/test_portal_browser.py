"""The portal in a real headless Chromium (Debian's package, driven by Playwright): search,
open an institution, see a penalty leave public view when its period ends, log in to the
supervisors' dashboard and download an XLSX form."""

from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path

import uvicorn
from openpyxl import load_workbook
from playwright.async_api import async_playwright

from contracts.envelope import Role
from ohts.embedded import free_port
from ohts_kit.auth import issue_token
from ohts_kit.settings import Settings
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
                merged = {str(r) for r in sheet.merged_cells.ranges}
                assert {"A3:A5", "D3:I3", "D4:E4", "F4:H4", "J3:M3", "J4:J5"} <= merged
                assert sheet["D3"].value == "不合格情况"
                assert sheet["F5"].value == "出具虚假或失实技术报告数"
                assert [c.value for c in sheet[6]][:3] == ["本地\n机构", 2, 2]
                # Period 1 Jan – 10 Aug: a2's warning of 15 July now counts (3 warnings).
                assert sheet["K6"].value == 3
                assert sheet["L6"].value == 4

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
