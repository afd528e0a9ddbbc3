"""The public answer cache over the real broker and PostgreSQL: a portal page is served again
from memory while nothing is applied, and the first event the consumer applies after it
makes the next request read the database again and show the change."""

from __future__ import annotations

from decimal import Decimal

from ohts_kit.settings import Settings
from services.reporting.bootstrap import create_app
from tests.integration.helpers import eventually, running
from tests.integration.reporting_scenario import A, Scenario, hangzhou_scenario
from tests.integration.test_reporting import NOW


async def _applied(svc, count: int) -> None:  # type: ignore[no-untyped-def]
    async def done() -> bool:
        async with svc.runtime.pool.acquire() as conn:
            return await conn.fetchval("SELECT count(*) FROM inbox") == count

    await eventually(done, timeout=60)


async def test_a_page_is_kept_until_an_event_changes_it(settings: Settings) -> None:
    settings = settings.model_copy(update={"public_rate_limit_per_second": 0})
    s = hangzhou_scenario(settings)
    async with running(create_app, settings, NOW) as svc:
        published = await s.publish()
        await _applied(svc, published)
        first = await svc.call("GET", f"/institutions/{A}", {}, 200)
        listed = await svc.call("GET", "/api/v1/public/penalties?limit=100", {}, 200)
        cache = svc.app.state.answer_cache
        hits = cache.hits
        again = await svc.call("GET", f"/institutions/{A}", {}, 200)
        assert again.text == first.text and cache.hits == hits + 1
        assert (await svc.call("GET", "/api/v1/public/penalties?limit=100", {}, 200)).json() == (
            listed.json()
        )
        assert cache.hits == hits + 2

        # A new public penalty on A: the next answers are read again and show it.
        more = Scenario(settings)
        more.case(
            "cache-1",
            A,
            "false-report",
            "2026-05-01",
            penalty={
                "decided_on": "2026-06-01",
                "penalties": ["fine"],
                "fine_yuan": Decimal(50000),
            },
        )
        await more.publish()
        await _applied(svc, published + 2)
        after = await svc.call("GET", f"/institutions/{A}", {}, 200)
        assert "杭卫罚〔2026〕cache-1号" not in first.text
        assert "杭卫罚〔2026〕cache-1号" in after.text
        numbers = [
            p["decision_number"]
            for p in (await svc.call("GET", "/api/v1/public/penalties?limit=100", {}, 200)).json()[
                "items"
            ]
        ]
        assert "杭卫罚〔2026〕cache-1号" in numbers
        assert after.headers["x-correlation-id"] != again.headers["x-correlation-id"]
        assert "content-security-policy" in {k.lower() for k in after.headers}
