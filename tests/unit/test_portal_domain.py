"""The public portal's pure parts: the 双公示 penalty values, names resolved to codes, chart
geometry, page numbers, and the Chinese error pages around a real ASGI app."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse, JSONResponse
from openpyxl import load_workbook

from ohts_kit.errors import InvalidCommand
from services.reporting.adapters import downloads, exports
from services.reporting.application.public import ListedInstitution
from services.reporting.domain import charts, disclosure, vocabulary
from services.reporting.entrypoints import filters
from services.reporting.entrypoints.errors import HtmlErrors


def test_amounts_in_wan_yuan_and_the_effective_period() -> None:
    assert disclosure.wan_yuan(Decimal("45000")) == Decimal("4.5000")
    assert disclosure.wan_yuan(Decimal("1")) == Decimal("0.0001")
    assert disclosure.wan_yuan(None) is None
    decided = date(2024, 2, 29)
    assert disclosure.effective_until(decided, ["practice-ban"], 5) == date(2029, 2, 28)
    assert disclosure.effective_until(decided, ["revocation", "fine"], None) == date(2099, 12, 31)
    assert disclosure.effective_until(decided, ["warning", "fine"], None) is None


def test_every_penalty_field_has_the_standards_code() -> None:
    assert [a for a, _ in disclosure.PENALTY_FIELDS] == list(disclosure.PENALTY_CODES)
    assert len(set(disclosure.PENALTY_CODES.values())) == len(disclosure.PENALTY_CODES)


def test_penalty_content_and_licence() -> None:
    content = disclosure.penalty_content(
        ["warning", "fine", "confiscation", "revocation", "practice-ban"],
        Decimal("30000"),
        Decimal("17000.50"),
        "(浙)卫职技字(2025)第0103号",
        "张*三",
        5,
    )
    assert content == (
        "警告；罚款人民币30000元；没收违法所得人民币17000.5元；"
        "吊销职业卫生/放射卫生技术服务机构资质证书（(浙)卫职技字(2025)第0103号）；"
        "专业技术人员张*三5年内禁止从事职业卫生技术服务"
    )
    assert disclosure.licence_revoked(["fine"], "X") == ""
    assert disclosure.licence_revoked(["revocation"], None) == disclosure.CERTIFICATE


def test_an_id_number_never_reaches_free_text() -> None:
    text = "经办人 11010519491231002X 与 330106199001011234 均已核实，报告编号 2026000000000000001"
    scrubbed = disclosure.scrub(text)
    assert "11010519491231002X" not in scrubbed and "330106199001011234" not in scrubbed
    assert "2026000000000000001" in scrubbed  # 19 digits: not an ID number
    assert disclosure.scrub(None) == ""


def test_regions_and_scopes_by_name() -> None:
    assert [r.code for r in vocabulary.regions_named("杭州")] == ["330100"]
    assert [r.code for r in vocabulary.regions_named("浙江")] == ["330000"]
    xihu = {r.code for r in vocabulary.regions_named("西湖区")}
    assert "330106" in xihu and len(xihu) >= 2  # 杭州 and 南昌 both have one
    assert vocabulary.regions_named("火星") == []
    assert vocabulary.region_label("330106") == "浙江省杭州市西湖区"
    assert vocabulary.scopes_matching("oh-01") == ["OH-01"]
    assert "OH-01" in vocabulary.scopes_matching("采矿")
    assert vocabulary.scopes_matching("没有这种业务") == []
    assert vocabulary.scope_name("OH-01") == "采矿业"


def test_region_parameters_resolve_or_are_refused_with_their_field() -> None:
    assert filters.resolve_regions("杭州", None, None, None) == ("330100",)
    assert filters.resolve_regions("3301", None, None, None) == ("330100",)
    assert filters.resolve_regions("杭州", "330000", "330200", None) == ("330200",)
    with pytest.raises(InvalidCommand) as refused:
        filters.resolve_regions("火星", None, None, None)
    assert refused.value.violations[0].field == "region"
    with pytest.raises(InvalidCommand) as refused:
        filters.resolve_regions(None, None, None, "999999")
    assert refused.value.violations[0].field == "district"
    assert filters.resolve_scope(" ") is None and filters.resolve_scope("无此项") == ()


def test_page_numbers() -> None:
    assert filters.pages(134, 1, 50) == {
        "page": 1,
        "last": 3,
        "numbers": [1, 2, 3],
        "total": 134,
        "per_page": 50,
    }
    assert filters.pages(0, 1, 50)["last"] == 1
    assert filters.pages(5000, 50, 50)["numbers"] == [1, 47, 48, 49, 50, 51, 52, 53, 100]


def test_bar_geometry() -> None:
    chart = charts.bars("t", ["一月", "二月"], [("处罚", [3, 0]), ("吊销", [1, 8])])
    assert [t.value for t in chart.ticks] == [0, 2, 4, 6, 8]
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.value == 8 and tallest.y == charts.TOP
    zero = next(b for b in chart.bars if b.value == 0)
    assert zero.height == 0 and zero.y == chart.baseline
    assert chart.legend == [("处罚", charts.COLOURS[0]), ("吊销", charts.COLOURS[1])]


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/institutions/x")
    async def missing() -> JSONResponse:
        return JSONResponse({"detail": "no institution x"}, status_code=404)

    @app.get("/lists")
    async def limited() -> JSONResponse:
        return JSONResponse({"detail": "slow down"}, status_code=429, headers={"Retry-After": "2"})

    @app.get("/search")
    async def invalid() -> JSONResponse:
        errors = [{"field": "region", "rule": "x", "message": "没有名为「火星」的行政区划"}]
        return JSONResponse({"detail": "invalid input", "errors": errors}, status_code=422)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("unforeseen")

    @app.get("/supervision")
    async def login() -> HTMLResponse:
        return HTMLResponse("<p>登录</p>", status_code=401)

    @app.get("/api/v1/public/x")
    async def api() -> JSONResponse:
        return JSONResponse({"detail": "no x"}, status_code=404)

    app.add_middleware(HtmlErrors)  # as the reporting service adds it
    return app


async def test_error_pages_in_chinese_the_api_keeps_json() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        r = await client.get("/institutions/x")
        assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
        assert "没有找到这个页面" in r.text and 'href="/"' in r.text
        r = await client.get("/lists")
        assert r.status_code == 429 and r.headers["retry-after"] == "2"
        assert "访问过于频繁" in r.text
        r = await client.get("/search")
        assert r.status_code == 422 and "地区：没有名为「火星」的行政区划" in r.text
        r = await client.get("/boom")
        assert r.status_code == 500 and "系统出现错误" in r.text and "unforeseen" not in r.text
        r = await client.get("/supervision")
        assert r.status_code == 401 and r.text == "<p>登录</p>"  # a page's own HTML stays
        r = await client.get("/api/v1/public/x")
        assert r.status_code == 404 and r.json() == {"detail": "no x"}


def test_the_region_picker_shows_the_chain_of_a_choice() -> None:
    p = filters.picker(filters.asked(None, None, district="330106"))
    assert (p["province"], p["city"], p["district"]) == ("330000", "330100", "330106")
    assert "330106" in [r.code for r in p["districts"]]  # type: ignore[attr-defined]
    p = filters.picker(filters.asked(None, None, province="330000"))
    assert "330100" in [r.code for r in p["cities"]] and p["districts"] == []  # type: ignore[attr-defined]


async def _items(*items: object) -> AsyncIterator[object]:
    for item in items:
        yield item


def _listed(name: str) -> ListedInstitution:
    return ListedInstitution(
        institution_id="i1",
        name=name,
        uscc="91330106MA00000001",
        region_code="330106",
        region_name="西湖区",
        detail="资质证书已吊销",
        since=date(2026, 4, 21),
    )


async def test_downloads_write_every_cell_through_one_helper(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exports, "neutralise", lambda text: "'" + text, raising=False)
    chunks = [c async for c in downloads.csv_rows("revoked", _items(_listed("=HYPERLINK(1)")))]
    lines = b"".join(chunks).decode("utf-8-sig").splitlines()
    assert lines[0] == "机构名称,统一社会信用代码,所在地区,情况,日期"
    assert lines[1].startswith("'=HYPERLINK(1),'91330106MA00000001,")
    body = b"".join(
        [c async for c in downloads.xlsx_file("revoked", _items(_listed("甲"), _listed("乙")))]
    )
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows] == ["机构名称", "'甲", "'乙"]
