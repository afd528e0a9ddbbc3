"""The to-do lists (待办): every source is a GET of its service with the filters it declares,
every link is a console page, each item reads in Chinese and links to its record, and a
service that cannot answer leaves only its own section unavailable."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from starlette.routing import Match

from contracts.envelope import Role
from ohts.console import todo, todo_items
from ohts.console.accounts import Account
from ohts.console.client import ApiError
from ohts.console.pages import workflows
from ohts.console.router import build_router
from ohts_kit.settings import Settings
from services.enforcement.bootstrap import create_app as enforcement_app
from services.qc.bootstrap import create_app as qc_app
from services.registry.bootstrap import create_app as registry_app

APPS = {
    "registry": registry_app(Settings()),
    "qc": qc_app(Settings()),
    "enforcement": enforcement_app(Settings()),
}
DOCS = {name: app.openapi() for name, app in APPS.items()}
ALL = [(role, s) for role, sources in todo.SOURCES.items() for s in sources]


def _console_route(path: str) -> Any:
    """The console route a GET of `path` reaches (the first that matches, as Starlette
    does), from the console's own routers."""
    settings = Settings()
    routes = [*build_router(settings).routes, *workflows.build_router(settings).routes]
    scope = {"type": "http", "method": "GET", "path": path}
    return next((r for r in routes if r.matches(scope)[0] is Match.FULL), None)


@pytest.mark.parametrize(("role", "source"), ALL, ids=lambda v: getattr(v, "title", str(v)))
def test_each_source_is_a_get_of_its_service_with_declared_filters(
    role: Role, source: todo.Source
) -> None:
    url = urlsplit(source.path.replace("{mine}", "{institution_id}"))
    operation = DOCS[source.service]["paths"][url.path]["get"]
    declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    asked = {k for k, _ in parse_qsl(url.query)}
    assert asked <= declared, (source.title, asked - declared)


def test_each_section_and_item_link_is_a_console_page() -> None:
    samples = {
        "qualification_id": "q1",
        "institution_id": "i1",
        "plan_id": "p1",
        "item_id": "r1",
        "lead_id": "l1",
        "case_id": "c1",
        "inspection_id": "s1",
        "filing_id": "f1",
        "stage": "opened",
        "report_number": "R-1",
    }
    for _, source in ALL:
        for link in (source.link, source.read(samples).link):
            path = urlsplit(link).path
            route = _console_route(f"{Settings().console_prefix}{path}")
            assert route is not None and "GET" in route.methods, link
            assert "{" not in link, link


def test_items_read_in_chinese_and_link_to_their_record() -> None:
    unmet = todo_items.unmet(
        {
            "institution_id": "i1",
            "institution_name": "杭州某检测公司",
            "unmet_zh": ["专职专业技术人员 14 人，少于规定的 15 人", "无对外公开的网站"],
        }
    )
    assert unmet.name == "杭州某检测公司" and unmet.link == "/r/institution/i1"
    assert unmet.note == "专职专业技术人员 14 人，少于规定的 15 人；无对外公开的网站"
    plan = todo_items.plan(
        {"plan_id": "p1", "year": 2026, "province_code": "330000", "entries": 3, "done": 1}
    )
    assert plan.name == "2026年度质控计划（浙江省）" and plan.note == "已完成 1/3 家机构"
    stage = todo_items.stage({"stage": "penalty-decided", "count": 2})
    assert (stage.name, stage.note) == ("已作出处罚决定", "2 件")
    assert stage.link == todo_items.listing("cases", stage="penalty-decided")
    assert stage.link.endswith("cases?stage=penalty-decided")
    withdraw = todo_items.publicity(
        {"case_id": "c1", "decision_number": "浙卫罚〔2026〕1号", "action": "withdraw"}
    )
    assert withdraw.when_label == "应撤下日期" and "应撤下" in withdraw.note
    assert todo_items.publicity({"action": "publish"}).note == "待公示"
    look_back = todo_items.look_back(
        {"item_id": "r1", "year": 2025, "reopened_on": date(2026, 3, 1), "overdue": False}
    )
    assert (
        look_back.note == "回头看于2026年3月1日重新打开" and look_back.link == "/r/rectification/r1"
    )
    due = todo_items.rectification({"item_id": "r2", "state": "submitted", "overdue": True})
    assert due.note == "已逾期；已提交整改，待核查销号"
    drawn = [
        todo_items.drawn({"inspection_id": "s1", **d}).note
        for d in ({}, {"ended_on": "2026-03-01"}, {"published_on": "2026-03-02", "merged": True})
    ]
    assert drawn == ["待检查", "已检查，结果待公开", "结果已公开（已合并检查）"]
    referral = todo_items.lead("")(
        {
            "lead_id": "l1",
            "institution_name": "某机构",
            "status": "open",
            "category": "report-card-unreported",
        }
    )
    assert (referral.name, referral.note) == ("某机构 · 技术服务信息不报", "待处理")
    owed = todo_items.summary(
        {"filing_id": "f1", "period": "2025H2", "province_code": "530000", "overdue": True}
    )
    assert (owed.name, owed.note, owed.link) == (
        "2025年下半年工作小结 · 云南省",
        "已逾期",
        "/r/filing/f1",
    )
    assert todo_items.half_year("2026") == "2026"
    card = todo_items.card({"report_number": "ZJ 1/2", "client_name": "某化工厂"})
    assert card.link == "/do/file-report-card?report_number=ZJ+1%2F2"


def test_an_unknown_listing_or_record_kind_is_a_mistake_found_at_once() -> None:
    with pytest.raises(KeyError):
        todo_items.listing("no-such-list")
    with pytest.raises(KeyError):
        todo_items.record("no-such-kind", "x")


class FakeClient:
    """The services' answers by path; a path it does not know answers 503."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.asked: list[tuple[str, str]] = []

    async def get(self, service: str, path: str, **_: Any) -> Any:
        self.asked.append((service, path))
        if path not in self.answers:
            raise ApiError(503, "业务系统暂时无法连接，请稍后再试")
        return self.answers[path]


async def test_a_service_that_cannot_answer_leaves_only_its_section_unavailable() -> None:
    me = Account("jg", "孙机构", "某机构", Role.INSTITUTION, "330106", "inst/1")
    client = FakeClient(
        {
            "/api/v1/report-cards/due": [{"report_number": "R-1", "client_name": "甲厂"}],
            "/api/v1/institutions/inst%2F1/rectifications?state=open&sort=due_on&size=100": {
                "items": [{"item_id": "r1", "category": "false-report", "overdue": True}],
                "total": 1,
            },
        }
    )
    found = await todo.sections(me, client)  # type: ignore[arg-type]
    assert [s.title for s in found] == [s.title for s in todo.INSTITUTION_SOURCES]
    cards, items, summaries = found
    assert cards.count == 1 and not cards.error
    assert items.items[0].note == "已逾期" and items.items[0].link == "/r/rectification/r1"
    assert summaries.error == "业务系统暂时无法连接，请稍后再试" and summaries.count == 0


async def test_cases_by_stage_count_the_cases_not_the_stages() -> None:
    me = Account("jd", "赵监督", "监督局", Role.SUPERVISION_UNIT, "330000")
    stages = [{"stage": "opened", "count": 3}, {"stage": "closed", "count": 2}]
    client = FakeClient({"/api/v1/cases/stages": stages})
    found = {s.title: s for s in await todo.sections(me, client)}  # type: ignore[arg-type]
    assert found["各阶段案件"].count == 5
    assert [i.name for i in found["各阶段案件"].items] == ["已立案", "已结案"]
    assert found["待处理的线索"].error  # the others are unavailable, the page still shows
