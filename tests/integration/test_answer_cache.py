"""The public answer cache over the real broker and PostgreSQL: a portal page is served again
from memory while nothing it shows is applied, and the first event that changes it makes the
next request (once the commit's notification is in) read the database again and show it."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from decimal import Decimal

import asyncpg

from contracts.enforcement_v1 import ReferralAcknowledged
from contracts.qc_v1 import QcResultRecorded
from contracts.registry_v1 import InstitutionDetailsChanged
from ohts_kit.ids import uuid7
from ohts_kit.settings import Settings
from services.reporting.bootstrap import create_app
from services.reporting.entrypoints.cache import WATCHED
from tests.integration.helpers import envelope_of, eventually, running
from tests.integration.reporting_scenario import A, B, Scenario, at, hangzhou_scenario
from tests.integration.test_reporting import NOW


async def _applied(svc, count: int) -> None:  # type: ignore[no-untyped-def]
    async def done() -> bool:
        async with svc.runtime.pool.acquire() as conn:
            return await conn.fetchval("SELECT count(*) FROM inbox") == count

    await eventually(done, timeout=60)


async def _answers(svc, outcome: str) -> float:  # type: ignore[no-untyped-def]
    """The process's `ohts_portal_answers_total` of `outcome`, as /metrics shows it."""
    text = (await svc.call("GET", "/metrics", {}, 200)).text
    found = re.search(
        rf'^ohts_portal_answers_total\{{outcome="{outcome}",service="reporting"\}} (\S+)$',
        text,
        re.M,
    )
    return float(found.group(1)) if found else 0.0


async def test_a_page_is_kept_until_an_event_changes_it(settings: Settings) -> None:
    settings = settings.model_copy(update={"public_rate_limit_per_second": 0})
    s = hangzhou_scenario(settings)
    async with running(create_app, settings, NOW) as svc:
        published = await s.publish()
        await _applied(svc, published)
        first = await svc.call("GET", f"/institutions/{A}", {}, 200)
        listed = await svc.call("GET", "/api/v1/public/penalties?limit=100", {}, 200)
        cache = svc.app.state.answer_cache
        hits, shown = cache.hits, await _answers(svc, "hit")
        again = await svc.call("GET", f"/institutions/{A}", {}, 200)
        assert again.text == first.text and cache.hits == hits + 1
        assert await _answers(svc, "hit") == shown + 1  # what an operator sees of it
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

        async def shown() -> bool:  # once this process has heard of the commit
            page = await svc.call("GET", f"/institutions/{A}", {}, 200)
            return "杭卫罚〔2026〕cache-1号" in page.text

        await eventually(shown, timeout=10)
        after = await svc.call("GET", f"/institutions/{A}", {}, 200)
        assert "杭卫罚〔2026〕cache-1号" not in first.text
        numbers = [
            p["decision_number"]
            for p in (await svc.call("GET", "/api/v1/public/penalties?limit=100", {}, 200)).json()[
                "items"
            ]
        ]
        assert "杭卫罚〔2026〕cache-1号" in numbers
        assert after.headers["x-correlation-id"] != again.headers["x-correlation-id"]
        assert "content-security-policy" in {k.lower() for k in after.headers}


async def test_a_batch_applied_by_another_worker_process_empties_the_cache(
    settings: Settings,
) -> None:
    """Another process of the service commits a batch (here: an inbox row and a changed read
    model row written directly, as its consumer would); this process's consumer applied
    nothing, yet its next answer is read again. While it cannot listen, nothing is kept."""
    settings = settings.model_copy(update={"public_rate_limit_per_second": 0})
    s = hangzhou_scenario(settings)
    async with running(create_app, settings, NOW) as svc:
        published = await s.publish()
        await _applied(svc, published)
        path = f"/api/v1/public/institutions/{A}"
        before = (await svc.call("GET", path, {}, 200)).json()
        cache, anywhere = svc.app.state.answer_cache, svc.app.state.applied_anywhere
        hits = cache.hits
        assert (await svc.call("GET", path, {}, 200)).json() == before
        assert cache.hits == hits + 1
        applied_here = svc.runtime.consumer.stats.applied
        async with svc.runtime.pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "UPDATE rp_institutions SET address = '另一进程写入的地址' WHERE institution_id = $1"
                " AND sys_to IS NULL",
                A,
            )
            await conn.execute(
                'INSERT INTO inbox (consumer, event_id, event_type, topic, partition, "offset")'
                " VALUES ('reporting', gen_random_uuid(), 't', 't', 0, 0)"
            )

        async def shown() -> bool:
            r = await svc.call("GET", path, {}, 200)
            return bool(r.json()["address"] == "另一进程写入的地址")

        await eventually(shown, timeout=10)
        assert svc.runtime.consumer.stats.applied == applied_here  # not this process's doing

        # The listening connection is cut: answers are read each time until it is back.
        async with svc.runtime.pool.acquire() as conn:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
            )

        async def not_listening() -> bool:
            return not anywhere.listening

        await eventually(not_listening, timeout=10)
        hits = cache.hits
        await svc.call("GET", path, {}, 200)
        await svc.call("GET", path, {}, 200)
        assert cache.hits == hits  # served, but not from memory

        async def listening() -> bool:
            return bool(anywhere.listening)

        await eventually(listening, timeout=10)
        await svc.call("GET", path, {}, 200)
        hits = cache.hits
        await svc.call("GET", path, {}, 200)
        assert cache.hits == hits + 1


async def test_an_event_about_one_institution_leaves_the_others_pages_kept(
    settings: Settings,
) -> None:
    """A penalty on A: A's pages and the lists are made again, B's and the institution search
    are still served from memory; a QC result on B, keyed by province, makes B's page old and
    not A's; a batch of a type no read model uses makes nothing old; a change of B's address
    makes the search old."""
    settings = settings.model_copy(update={"public_rate_limit_per_second": 0})
    s = hangzhou_scenario(settings)
    async with running(create_app, settings, NOW) as svc:
        published = await s.publish()
        await _applied(svc, published)
        paths = [
            f"/institutions/{A}",
            f"/institutions/{B}",
            f"/api/v1/public/institutions/{B}",
            "/api/v1/public/penalties?limit=100",
            SEARCH,
        ]
        first = {p: (await svc.call("GET", p, {}, 200)).text for p in paths}
        cache = svc.app.state.answer_cache
        more = Scenario(settings)
        more.case(
            "keys-1",
            A,
            "false-report",
            "2026-05-01",
            penalty={"decided_on": "2026-06-01", "penalties": ["fine"], "fine_yuan": 50000},
        )
        await more.publish()
        await _applied(svc, published + 2)

        async def a_changed() -> bool:
            page = await svc.call("GET", f"/institutions/{A}", {}, 200)
            return "杭卫罚〔2026〕keys-1号" in page.text

        await eventually(a_changed, timeout=10)
        listed = await svc.call("GET", "/api/v1/public/penalties?limit=100", {}, 200)
        assert "杭卫罚〔2026〕keys-1号" in listed.text  # the list was made again too
        hits = cache.hits
        for path in [*paths[1:3], SEARCH]:
            assert (await svc.call("GET", path, {}, 200)).text == first[path]
        assert cache.hits == hits + 3  # B's pages and the search: kept through A's penalty

        # A QC result about B, keyed as QC keys an activity's events (by province): B's
        # page is made again (the inbox row names the payload's institution), A's is kept.
        qc = Scenario(settings)
        result = QcResultRecorded(
            activity_id="act-keys",
            institution_id=B,
            activity_kind="blind-sample",
            result="fail",
            recorded_on=date(2026, 6, 2),
        )
        keyed = envelope_of("qc", result, "province-330000", occurred_at=at("2026-06-02"))
        qc.envelopes.append(("qc", keyed))
        await qc.publish()
        await _applied(svc, published + 3)

        async def b_changed() -> bool:
            page = await svc.call("GET", f"/api/v1/public/institutions/{B}", {}, 200)
            return page.text != first[f"/api/v1/public/institutions/{B}"]

        await eventually(b_changed, timeout=10)
        hits = cache.hits
        await svc.call("GET", f"/institutions/{A}", {}, 200)
        assert cache.hits == hits + 1

        # A referral's receipt, a type the read models do not use, about A: nothing grows old.
        ignored = Scenario(settings)
        receipt = ReferralAcknowledged(
            referral_id="r-keys",
            institution_id=A,
            lead_id="l-keys",
            acknowledged_on=date(2026, 6, 2),
        )
        ignored.envelopes.append(("enforcement", envelope_of("enforcement", receipt, A)))
        for path in paths:  # each one made again after the QC result, and kept
            await svc.call("GET", path, {}, 200)
        await ignored.publish()
        await _applied(svc, published + 4)
        await asyncio.sleep(0.5)  # its notification, had it made anything old
        hits = cache.hits
        for path in paths:
            await svc.call("GET", path, {}, 200)
        assert cache.hits == hits + len(paths)

        # B's new address: the search, which shows it, is made again.
        moved = Scenario(settings)
        details = InstitutionDetailsChanged(
            institution_id=B, address="杭州市滨江区新址", changed_at=at("2026-06-03")
        )
        moved.envelopes.append(
            ("registry", envelope_of("registry", details, B, occurred_at=at("2026-06-03")))
        )
        await moved.publish()
        await _applied(svc, published + 5)

        async def search_changed() -> bool:
            return "杭州市滨江区新址" in (await svc.call("GET", SEARCH, {}, 200)).text

        await eventually(search_changed, timeout=10)


SEARCH = "/api/v1/public/institutions?q=杭州"


async def test_the_watched_tables_are_the_ones_with_statement_triggers(settings: Settings) -> None:
    """`cached_reading` may name only tables whose writes notify (migration 0013)."""
    async with running(create_app, settings, NOW) as svc, svc.runtime.pool.acquire() as conn:
        found = await conn.fetch(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_proc p ON p.oid = t.tgfoid WHERE p.proname = 'notify_written'"
            " AND c.relnamespace = current_schema()::regnamespace"
        )
    assert {r["relname"] for r in found} == WATCHED


async def test_a_batch_tells_its_types_and_institutions_at_commit(settings: Settings) -> None:
    """Migrations 0012 and 0013 as the listener hears them: one line per type and institution of
    the rows really inserted, nothing for duplicates only, '*' for an id that would break
    the lines; a write of a watched table says its name."""
    async with running(create_app, settings, NOW) as svc:
        heard: asyncio.Queue[str] = asyncio.Queue()
        listener = await asyncpg.connect(settings.database_url)
        channel = f"{settings.schema_of('reporting')}_applied"[:63]
        await listener.add_listener(channel, lambda *args: heard.put_nowait(args[3]))
        insert = (
            'INSERT INTO inbox (consumer, event_id, event_type, topic, partition, "offset",'
            " institution_id) SELECT 'reporting', id, t, 'x', 0, 0, i FROM unnest($1::uuid[],"
            " $2::text[], $3::text[]) AS u(id, t, i) ON CONFLICT DO NOTHING"
        )
        a, b, c = uuid7(), uuid7(), uuid7()
        try:
            async with svc.runtime.pool.acquire() as conn:
                types = ["registry.StaffRegistered"] * 2 + ["enforcement.ReferralAcknowledged"]
                await conn.execute(insert, [a, b, c], types, [A, A, None])
                got = await asyncio.wait_for(heard.get(), 5)
                assert sorted(got.split("\n")) == [
                    "enforcement.ReferralAcknowledged\t",
                    f"registry.StaffRegistered\t{A}",
                ]
                await conn.execute(insert, [a], types[:1], [A])  # a duplicate: nothing
                await conn.execute(insert, [uuid7()], types[:1], ["x\nregistry.X\tB"])
                assert await asyncio.wait_for(heard.get(), 5) == "*"
                await conn.execute(
                    "UPDATE rp_qualifications SET scope_codes = scope_codes WHERE false"
                )
                assert await asyncio.wait_for(heard.get(), 5) == "table:rp_qualifications"
                assert heard.empty()
        finally:
            await listener.close()
