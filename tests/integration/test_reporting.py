"""Reporting over the real broker and PostgreSQL: forms against hand-computed numbers,
publicity periods and credit repair by the clock, time travel, and rebuild equals live."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from contracts.envelope import Role
from ohts_kit.settings import Settings
from services.reporting.application.rebuild import rebuild
from services.reporting.bootstrap import create_app
from tests.integration.helpers import Service, eventually, running, token
from tests.integration.reporting_scenario import A, B, C, D, E, hangzhou_scenario

NOW = datetime(2026, 8, 10, 2, 0, tzinfo=UTC)  # 10:00 China time


@asynccontextmanager
async def reporting(settings: Settings) -> AsyncIterator[Service]:
    scenario = hangzhou_scenario(settings)
    async with running(create_app, settings, NOW) as svc:
        published = await scenario.publish()

        async def applied() -> bool:
            async with svc.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM inbox") == published

        await eventually(applied)
        yield svc


async def test_hangzhou_form_2_matches_hand_computed_numbers(settings: Settings) -> None:
    async with reporting(settings) as svc:
        supervisor = token(settings, Role.SUPERVISION_UNIT, "330100")
        r = await svc.call(
            "GET",
            "/api/v1/supervision/forms/hangzhou-2?from=2026-01-01&to=2026-06-30",
            supervisor,
            expect=200,
        )
        form = r.json()
        rows = {row["行为主体类别"]: list(row.values())[1:] for row in form["rows"]}
        # Columns: 辖区单位数, 违法单位数, 无资质或超范围, 涂改倒卖..., 虚假报告, 工作要求,
        # 人员管理, 禁业行为, 案件查处数, 警告数, 罚款（万元）, 没收违法所得（万元）.
        # Counted by rule (issue 16 point 8): occupational-health institutions only (B, a
        # radiological institution, its staff and its cases b1 and s2 are out); A and C are
        # local (C held its certificate until its revocation in April); s1's decision was
        # annulled on 5 Aug, so it no longer counts (its case still does); 万元 to 4 places.
        assert rows["本地\n机构"] == [2, 2, 1, 1, 1, 0, 0, 0, 4, 2, "4.0000", "1.7000"]
        assert rows["外地\n机构"] == [2, 1, 1, 0, 0, 0, 0, 0, 1, 0, "5.0000", "0.0000"]
        assert rows["技术\n人员"] == [4, 0, "——", "——", 0, 0, "——", 0, 1, 0, "0.0000", "——"]
        assert rows["合计"] == [8, 3, 2, 1, 1, 0, 0, 0, 6, 2, "9.0000", "1.7000"]
        assert any("作出决定的执法机关所在辖区" in note for note in form["notes"])
        assert form["columns"][3] == "不合格情况/资质证书/无资质或超范围擅自从事检测、评价服务数"

        # As of a day before the revocation, C was still a local institution with a valid
        # certificate, and the decisions of April were not yet known.
        r = await svc.call(
            "GET",
            "/api/v1/supervision/forms/hangzhou-2?from=2026-01-01&to=2026-06-30&as_of=2026-04-14",
            supervisor,
            expect=200,
        )
        past = {row["行为主体类别"]: list(row.values())[1:] for row in r.json()["rows"]}
        assert past["本地\n机构"][:2] == [2, 1]  # A, C; only A penalised (a1)
        # s1 (annulled only on 5 Aug) still counted in the 技术人员 row then.
        assert past["技术\n人员"][:2] == [4, 1]

        # Another city's supervisor may not read Hangzhou's form.
        ningbo = token(settings, Role.SUPERVISION_UNIT, "330200")
        await svc.call("GET", "/api/v1/supervision/forms/hangzhou-2?region=330100", ningbo, 403)
        await svc.call("GET", "/api/v1/supervision/forms/hangzhou-2", {}, expect=401)

        r = await svc.call(
            "GET", "/api/v1/supervision/indicators?from=2026-01-01&to=2026-12-31", supervisor, 200
        )
        ind = r.json()
        # Institutions of Hangzhou: A, B, C, F; only A has a QC result (its blind sample).
        assert ind["region"]["institutions"] == 4
        assert ind["region"]["qc_coverage"] == {"numerator": 1, "denominator": 4, "percent": 25.0}
        xihu = next(c for c in ind["children"] if c["region_code"] == "330106")
        assert xihu["qc_coverage"]["percent"] == 50.0  # A and F
        assert ind["region"]["case_rate"]["percent"] is None  # no leads: nothing due

        r = await svc.call("GET", "/api/v1/supervision/forms/hangzhou-1", supervisor, expect=200)
        (row,) = r.json()["rows"]
        assert row["职业卫生技术服务机构名称"] == "杭州甲检测有限公司"
        assert row["技术服务业务量/检测报告出具数"] == 120
        assert row["备注"].startswith("逾期报送")


async def test_publicity_period_credit_repair_and_time_travel(settings: Settings) -> None:
    async with reporting(settings) as svc:

        async def public(iid: str, as_of: str | None = None) -> list[str]:
            q = f"?as_of={as_of}" if as_of else ""
            r = await svc.call("GET", f"/api/v1/public/institutions/{iid}{q}", {}, expect=200)
            return sorted(
                p["decision_number"].removeprefix("杭卫罚〔2026〕") for p in r.json()["penalties"]
            )

        # A: a1 and a3 (another province's decision) are public; a2 (a warning) is not; s1
        # was public until its annulment on 5 Aug became known.
        assert await public(A) == ["a1号", "a3号"]
        assert await public(A, "2026-08-04") == ["a1号", "a3号", "s1号"]
        # C: c1's publicity ended by credit repair on 1 Aug; the revocation stays public.
        assert await public(C) == ["c2号"]
        assert await public(C, "2026-07-31") == ["c1号", "c2号"]
        assert await public(C, "2026-04-14") == []
        # E: a general penalty of 20 May 2026 is public for 1 year (rule of 2026-04-01).
        assert await public(E) == ["e1号"]
        svc.clock.advance(timedelta(days=282))  # 2027-05-19
        assert await public(E) == ["e1号"]
        svc.clock.advance(timedelta(days=1))  # 2027-05-20: the period has ended
        assert await public(E) == []
        assert await public(E, "2026-12-31") == ["e1号"]
        # Supervisors still see the whole record.
        supervisor = token(settings, Role.SUPERVISION_UNIT, "330000")
        r = await svc.call(
            "GET", f"/api/v1/supervision/institutions/{E}/penalties", supervisor, expect=200
        )
        assert [p["case_id"] for p in r.json()] == ["e1"]

        # Lists and the institution page as of past days.
        revoked = await svc.call("GET", "/api/v1/public/revoked", {}, expect=200)
        assert [x["institution_id"] for x in revoked.json()["items"]] == [C]
        before = await svc.call("GET", "/api/v1/public/revoked?as_of=2026-04-20", {}, expect=200)
        assert before.json()["items"] == [] and before.json()["total"] == 0
        listed = await svc.call("GET", "/api/v1/public/qc-list?as_of=2026-06-30", {}, expect=200)
        assert [x["institution_id"] for x in listed.json()["items"]] == [C]
        earlier = await svc.call("GET", "/api/v1/public/qc-list?as_of=2026-06-29", {})
        assert earlier.json()["items"] == []
        b = await svc.call("GET", f"/api/v1/public/institutions/{B}?as_of=2026-04-30", {}, 200)
        assert sorted(s["masked_name"] for s in b.json()["staff"]) == ["李*明", "王*华"]
        b = await svc.call("GET", f"/api/v1/public/institutions/{B}", {}, 200)
        assert [s["masked_name"] for s in b.json()["staff"]] == ["李*明"]
        a = await svc.call("GET", f"/api/v1/public/institutions/{A}", {}, 200)
        assert [s["masked_name"] for s in a.json()["staff"]] == ["张*0", "张*1", "（已删除）"]
        c = await svc.call("GET", f"/api/v1/public/institutions/{C}", {}, 200)
        (q,) = c.json()["qualifications"]
        assert q["status"] == "revoked"
        assert [h["change"] for h in q["history"]] == ["granted", "revoked"]
        c = await svc.call("GET", f"/api/v1/public/institutions/{C}?as_of=2026-04-01", {}, 200)
        assert c.json()["qualifications"][0]["status"] == "granted"

        # Search by certificate number and scope; a future as_of is refused with its field.
        found = await svc.call("GET", "/api/v1/public/institutions?q=第0103号", {}, 200)
        assert [i["institution_id"] for i in found.json()["items"]] == [C]
        r = await svc.call("GET", "/api/v1/public/institutions?as_of=2099-01-01", {}, 422)
        assert "as_of" in r.text

        # Any part of a name, USCC or certificate number, with the page's total; two
        # characters are too short for the trigram index and take the sequential path.
        async def search(query: str) -> tuple[set[str], int]:
            page = (await svc.call("GET", f"/api/v1/public/institutions?{query}", {}, 200)).json()
            return {i["institution_id"] for i in page["items"]}, page["total"]

        assert await search("q=检测") == ({A, D, E}, 3)
        assert (await search("q=检测有限&limit=1"))[1] == 3
        assert len((await search("q=检测有限&limit=1"))[0]) == 1
        assert await search("q=检测有限&offset=5") == (set(), 3)
        assert await search("q=杭州甲检") == ({A}, 1)
        assert await search("q=0101号") == ({A}, 1)
        uscc = (await svc.call("GET", f"/api/v1/public/institutions/{A}", {}, 200)).json()["uscc"]
        assert A in (await search(f"q={uscc[-8:]}"))[0]
        assert await search("q=杭州甲检&as_of=2025-05-01") == (set(), 0)  # not yet registered
        assert await search("q=没有这家机构") == (set(), 0)


async def test_rebuild_from_the_topics_equals_the_live_read_models(settings: Settings) -> None:
    async with reporting(settings) as svc:
        async with svc.runtime.pool.acquire() as conn:
            applied = await conn.fetchval("SELECT count(*) FROM inbox")
        report = await rebuild(settings)
        assert report.events == applied
        assert report.skipped == 0
        assert report.equal, [t for t in report.tables if not t.equal]
        assert sum(t.rebuilt_rows for t in report.tables) >= 40  # every table of the scenario
        # A difference would be seen: change one live row and compare again.
        async with svc.runtime.pool.acquire() as conn:
            await conn.execute("UPDATE rp_penalties SET fine_yuan = 1 WHERE case_id = 'e1'")
        report = await rebuild(settings)
        assert [t.table for t in report.tables if not t.equal] == ["rp_penalties"]
