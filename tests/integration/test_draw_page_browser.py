"""E2: a draw's public page in a real headless Chromium: listed on /draws, its record shown
(seed, algorithm, universe with weights, roster, exclusions with reasons, targets and
teams), accessible (axe-core) and without inline styles or scripts."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import uvicorn
from playwright.async_api import async_playwright

from contracts.enforcement_v1 import DrawExclusion, DrawTarget, InspectionDrawPublished
from ohts.embedded import free_port
from ohts_kit.settings import Settings
from services.reporting.bootstrap import create_app
from tests.integration.helpers import eventually, publish_event, running
from tests.integration.test_portal_browser import CHROMIUM, FLAGS, _accessible

LATER = datetime(2027, 6, 1, 2, tzinfo=UTC)  # after the wall clock that stamps the event


async def test_a_draw_page_shows_its_public_record(settings: Settings) -> None:
    draw = InspectionDrawPublished(
        draw_id="draw-web",
        plan_id="plan-web",
        seed="km-2026",
        inputs={
            "universe": {"i1": "D", "i2": "A"},
            "weights": {"A": 1, "D": 8},
            "ratio": "1/2",
            "roster": {"p1": ["i1"], "p2": [], "p3": []},
            "previous": {},
            "team_size": 2,
            "exclusive_teams": False,
            "raised": {"i2": "资质条件变化：no public website"},
            "raise_factor": 2,
        },
        targets=[DrawTarget(institution_id="i1", credit_class="D", inspectors=["p2", "p3"])],
        published_on=date(2026, 3, 2),
        algorithm="ohts-draw-sha256",
        algorithm_version=2,
        inputs_sha256="0" * 64,
        exclusions=[DrawExclusion(institution_id="i1", inspector_id="p1", reason="conflict")],
        jurisdiction_region_code="530100",
        year=2026,
    )
    async with running(create_app, settings, LATER) as svc:
        await publish_event(settings, "enforcement", draw, "jurisdiction-530100", "530100")

        async def known() -> bool:
            r = await svc.call("GET", "/api/v1/public/draws/draw-web", {})
            return r.status_code == 200

        await eventually(known)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                svc.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"
            )
        )
        serving = asyncio.create_task(server.serve())
        while not server.started:
            await asyncio.sleep(0.02)
        try:
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(
                    executable_path=str(CHROMIUM), args=FLAGS, headless=True
                )
                page = await browser.new_page()
                await page.goto(f"http://127.0.0.1:{port}/draws?region=530100")
                await _accessible(page, "draws")
                async with page.expect_navigation():
                    await page.click("text=draw-web")
                await _accessible(page, "draw")
                assert await page.text_content("#seed") == "km-2026"
                assert "ohts-draw-sha256" in (await page.text_content("#algorithm") or "")
                targets = await page.inner_text("#targets")
                assert "p2、p3" in targets and "D" in targets
                rows = page.locator("#universe tbody tr")
                cells = [
                    [c.strip() for c in (await rows.nth(k).inner_text()).split("\t")]
                    for k in range(await rows.count())
                ]
                assert [c[1:4] for c in cells] == [["i1", "D", "8"], ["i2", "A", "2"]]
                assert "no public website" in cells[1][4]  # raised ×2 (R6a)
                exclusions = await page.inner_text("#exclusions")
                assert "p1" in exclusions and "申报利益冲突（回避）" in exclusions
                assert "p1" in await page.inner_text("#roster")
                await browser.close()
        finally:
            server.should_exit = True
            await serving
