"""The public lists over the real broker and PostgreSQL with more rows than three pages:
every row reachable by paging, and the CSV and XLSX downloads hold exactly the API's total;
the penalty record in the 双公示 fields; regions and scopes by name; the open-data feed's
ETag/Last-Modified; Chinese error pages on the pages, JSON on the API; trends.

(The 2,000-institution national demo is too slow to generate on this test's budget; the
generated dataset here has 136 institutions and 116 public penalties, past two pages of the
API's cap of 100 and of the pages' 50.)"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from contracts.enforcement_v1 import CaseInvestigated
from ohts_kit.settings import Settings
from services.reporting.bootstrap import create_app
from services.reporting.domain.disclosure import PENALTY_FIELDS
from tests.integration.helpers import Service, eventually, running
from tests.integration.reporting_scenario import OH, A, at, hangzhou_scenario
from tests.integration.test_reporting import NOW

EXTRA = 130  # institutions added to the Hangzhou scenario's 6, all in 西湖区 (330106)
FINED = 110  # of them with a public fine


@asynccontextmanager
async def many(
    settings: Settings, extra: int = EXTRA, fined: int = FINED
) -> AsyncIterator[Service]:
    """The Hangzhou scenario and `extra` institutions in 西湖区, `fined` public fines among
    them (round the institutions when there are more fines than institutions)."""
    settings = settings.model_copy(update={"public_rate_limit_per_second": 0})
    s = hangzhou_scenario(settings)
    for n in range(extra):
        s.institution(
            f"bulk-{n:04d}",
            f"西湖批量{n:03d}检测有限公司",
            "330106",
            OH,
            f"(浙)卫职技字(2025)第9{n:04d}号",
        )
    for n in range(fined):
        s.case(
            f"k{n:04d}",
            f"bulk-{n % extra:04d}",
            "false-report",
            "2026-05-01",
            penalty={
                "decided_on": f"2026-06-{1 + n % 28:02d}",
                "penalties": ["fine"],
                "fine_yuan": Decimal("50000"),
            },
        )
    s.add(
        "enforcement",
        CaseInvestigated(
            case_id="k0000",
            institution_id="bulk-0000",
            summary="出具虚假检测报告3份，经办人身份证号330106199001011234已核实。",
            investigated_on=date(2026, 5, 10),
        ),
        "bulk-0000",
        at("2026-05-10"),
    )
    async with running(create_app, settings, NOW) as svc:
        published = await s.publish()

        async def applied() -> bool:
            async with svc.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM inbox") == published

        await eventually(applied, timeout=60 + (extra + fined) / 20)
        yield svc


async def _all_pages(svc: Service, path: str) -> tuple[int, list[dict[str, object]]]:
    first = (await svc.call("GET", f"{path}?limit=100", {}, 200)).json()
    items = list(first["items"])
    offset = 100
    while offset < first["total"]:
        page = (await svc.call("GET", f"{path}?limit=100&offset={offset}", {}, 200)).json()
        assert page["total"] == first["total"]
        items += page["items"]
        offset += 100
    return first["total"], items


def _csv_rows(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx_rows(body: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    assert sheet is not None
    return [list(r) for r in sheet.iter_rows(values_only=True)]


async def test_every_row_by_paging_and_by_download(settings: Settings) -> None:
    async with many(settings) as svc:
        for name, key in (("institutions", "institution_id"), ("penalties", "decision_number")):
            total, items = await _all_pages(svc, f"/api/v1/public/{name}")
            assert len({i[key] for i in items}) == len(items) == total  # type: ignore[index]
            csv_body = (
                await svc.call("GET", f"/api/v1/public/downloads/{name}?format=csv", {}, 200)
            ).content
            xlsx = await svc.call("GET", f"/api/v1/public/downloads/{name}?format=xlsx", {}, 200)
            assert "attachment" in xlsx.headers["content-disposition"]
            rows, cells = _csv_rows(csv_body), _xlsx_rows(xlsx.content)
            assert len(rows) - 1 == len(cells) - 1 == total, (name, len(rows), len(cells), total)
            assert rows[0] == [str(c) for c in cells[0]]
        assert total == 5 + FINED  # and the scenario's five public decisions (a1, a3, b0, c2, e1)
        assert (await svc.call("GET", "/api/v1/public/institutions", {}, 200)).json()[
            "total"
        ] == 6 + EXTRA
        # The filters of the page apply to its download: 西湖区 of Hangzhou by name.
        page = (await svc.call("GET", "/api/v1/public/institutions?region=西湖区", {}, 200)).json()
        assert page["total"] == EXTRA + 2  # A and F are in 330106 too
        body = (
            await svc.call("GET", "/api/v1/public/downloads/institutions?region=西湖区", {}, 200)
        ).content
        assert len(_csv_rows(body)) - 1 == page["total"]

        # Pages: 50 rows a page, the total, numbered pages and the last one's remainder.
        html = (await svc.call("GET", "/?region=杭州", {}, 200)).text
        assert "共 134 家机构" in html and "第 1/3 页" in html and 'aria-label="第 3 页"' in html
        last = (await svc.call("GET", "/?region=杭州&page=3", {}, 200)).text
        assert last.count('data-label="统一社会信用代码"') == 134 - 100
        # Sorted by name descending, the first row is the last name.
        page = (
            await svc.call(
                "GET", "/api/v1/public/institutions?sort=name&order=desc&limit=1", {}, 200
            )
        ).json()
        assert page["items"][0]["name"] == "西湖批量129检测有限公司" and page["sort"] == "name"
        refused = await svc.call("GET", "/api/v1/public/penalties?sort=secret", {}, 422)
        assert refused.json()["errors"][0]["field"] == "sort"


async def test_penalty_record_in_the_disclosure_fields(settings: Settings) -> None:
    async with many(settings) as svc:
        page = (
            await svc.call("GET", "/api/v1/public/penalties?sort=name&order=asc&limit=100", {}, 200)
        ).json()
        k0 = next(p for p in page["items"] if p["decision_number"] == "杭卫罚〔2026〕k0000号")
        assert k0["uscc"] and k0["legal_representative"] == "法定代表人"
        assert k0["subject_category"] == "法人及非法人组织"
        assert Decimal(k0["fine_wan_yuan"]) == Decimal(5)
        assert k0["violation_facts"].startswith("出具虚假检测报告3份")
        assert "330106199001011234" not in k0["violation_facts"]  # never an ID number
        assert k0["public_until"] and k0["data_source"] == "杭州市卫生健康委员会"
        c2 = (await svc.call("GET", "/api/v1/public/penalties?region=330105", {}, 200)).json()[
            "items"
        ]
        (revocation,) = c2
        assert revocation["licence_revoked"].endswith("（(浙)卫职技字(2025)第0103号）")
        assert revocation["effective_until"] == "2099-12-31"
        # Downloads carry every field of the standard, in its order, with Chinese headers.
        body = (
            await svc.call("GET", "/api/v1/public/downloads/penalties?region=330105", {}, 200)
        ).content
        header, row = _csv_rows(body)
        assert header == [h for _, h in PENALTY_FIELDS]
        record = dict(zip(header, row, strict=True))
        assert record["暂扣或吊销证照名称及编号"] == revocation["licence_revoked"]
        assert record["行政相对人名称"] == "杭州丙评价有限公司"
        # The institution page shows every field, the staff masked.
        html = (await svc.call("GET", f"/institutions/{A}", {}, 200)).text
        for _, h in PENALTY_FIELDS:
            assert f"<dt>{h}</dt>" in html, h
        assert "采矿业" in html and "OH-01" not in html  # scope names, not codes


async def test_an_institution_shows_its_penalties_a_page_at_a_time(settings: Settings) -> None:
    async with many(settings, extra=2, fined=25) as svc:  # bulk-0000 has 13 public fines
        path = "/api/v1/public/institutions/bulk-0000"
        whole = (await svc.call("GET", path, {}, 200)).json()
        assert (len(whole["penalties"]), whole["penalties_total"]) == (13, 13)
        numbers = [p["decision_number"] for p in whole["penalties"]]
        decided = [p["decided_on"] for p in whole["penalties"]]
        assert decided == sorted(decided, reverse=True)  # newest first
        parts = []
        for offset in (0, 5, 10, 15):
            part = (
                await svc.call(
                    "GET", f"{path}?penalties_limit=5&penalties_offset={offset}", {}, 200
                )
            ).json()
            assert part["penalties_total"] == 13
            parts += [p["decision_number"] for p in part["penalties"]]
        assert parts == numbers  # every one once, in order, and nothing past the end
        first = (await svc.call("GET", "/institutions/bulk-0000", {}, 200)).text
        assert first.count('<section class="penalty"') == 10
        assert "共 13 条，第 1/2 页" in first and "?penalties_page=2#penalties" in first
        second = (await svc.call("GET", "/institutions/bulk-0000?penalties_page=2", {}, 200)).text
        assert second.count('<section class="penalty"') == 3
        assert numbers[-1] in second and numbers[0] not in second
        r = await svc.call("GET", "/institutions/bulk-0000?penalties_page=0", {}, 400)
        assert "penalties_page" in r.text


async def test_names_feed_errors_and_trends(settings: Settings) -> None:
    async with many(settings) as svc:
        # Scope by name or code; a region by name, an unknown one refused in Chinese.
        by_name = (await svc.call("GET", "/api/v1/public/institutions?scope=采矿", {}, 200)).json()
        by_code = (await svc.call("GET", "/api/v1/public/institutions?scope=oh-01", {}, 200)).json()
        assert by_name["total"] == by_code["total"] == 5 + EXTRA
        nanjing = (await svc.call("GET", "/api/v1/public/institutions?region=南京", {}, 200)).json()
        assert [i["name"] for i in nanjing["items"]] == ["南京戊检测有限公司"]
        bad = await svc.call("GET", "/api/v1/public/institutions?region=不存在的地方", {}, 422)
        assert bad.json()["errors"][0]["field"] == "region"
        page = await svc.call("GET", "/?region=不存在的地方", {}, 422)
        assert page.headers["content-type"].startswith("text/html")
        assert "查询条件有误" in page.text and "地区：" in page.text and 'href="/"' in page.text
        missing = await svc.call("GET", "/institutions/no-such", {}, 404)
        assert "没有找到这个页面" in missing.text and "返回首页" in missing.text
        assert (await svc.call("GET", "/api/v1/public/institutions/no-such", {}, 404)).json()[
            "detail"
        ]
        assert "没有找到" in (await svc.call("GET", "/no/such/page", {}, 404)).text

        # Open data: the whole list, then 304 while nothing changed.
        feed = await svc.call("GET", "/api/v1/public/open-data/penalties", {}, 200)
        assert len(feed.json()["items"]) == 5 + FINED
        assert feed.json()["standard_codes"]["violation_facts"] == "CF_SY"
        etag, modified = feed.headers["etag"], feed.headers["last-modified"]
        again = await svc.http.get(
            "/api/v1/public/open-data/penalties", headers={"If-None-Match": etag}
        )
        assert again.status_code == 304 and again.content == b""
        since = await svc.http.get(
            "/api/v1/public/open-data/penalties", headers={"If-Modified-Since": modified}
        )
        assert since.status_code == 304
        other = await svc.http.get(
            "/api/v1/public/open-data/revoked", headers={"If-None-Match": etag}
        )
        assert other.status_code == 200  # another list has another version

        # Trends: the fines of June, the revocation of April, by month; the chart and its table.
        t = (await svc.call("GET", "/api/v1/public/trends?region=杭州", {}, 200)).json()
        months = {m["month"]: m for m in t["months"]}
        assert months["2026-06"]["penalties"] == FINED and months["2026-04"]["revoked"] == 1
        html = (await svc.call("GET", "/trends?region=杭州", {}, 200)).text
        assert '<svg id="chart-penalties"' in html and 'id="table-penalties"' in html
        assert "<script" not in html and "style=" not in html


async def test_too_many_requests_get_a_chinese_page_the_api_json(settings: Settings) -> None:
    settings = settings.model_copy(
        update={"public_rate_limit_per_second": 0.5, "public_rate_limit_burst": 2}
    )
    async with running(create_app, settings, NOW) as svc:
        statuses = [(await svc.http.get("/lists")).status_code for _ in range(4)]
        assert statuses[:2] == [200, 200] and 429 in statuses[2:]
        page = await svc.http.get("/lists")
        assert page.status_code == 429 and page.headers["retry-after"]
        assert page.headers["content-type"].startswith("text/html")
        assert "访问过于频繁" in page.text and "返回首页" in page.text
        api = await svc.http.get("/api/v1/public/penalties")
        assert api.status_code == 429 and "detail" in api.json()
