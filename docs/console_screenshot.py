"""Take the README's screenshot of the staff console from a running `make run`:
`.venv/bin/python docs/console_screenshot.py http://127.0.0.1:8080 LOGIN PASSWORD docs/console.png`
(headless Debian Chromium, the demo account's password as `make run` printed it)."""

from __future__ import annotations

import asyncio
import sys

from playwright.async_api import async_playwright


async def shoot(base: str, login: str, password: str, out: str) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True
        )
        page = await browser.new_page(viewport={"width": 1200, "height": 760})
        await page.goto(f"{base}/console/login")
        await page.fill("#f-login", login)
        await page.fill("#f-password", password)
        async with page.expect_navigation():
            await page.click("#submit")
        await page.screenshot(path=out, full_page=False)
        await browser.close()


if __name__ == "__main__":
    asyncio.run(shoot(*sys.argv[1:5]))
