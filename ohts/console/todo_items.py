"""How each item of a to-do section (待办) reads: what it is, by when, a Chinese note, and
the console page where it is done (a record page, or a command's form)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from ohts.console import views, words
from ohts.console.web import chinese_date
from ohts_kit import regions
from services.reporting.domain import labels

LISTING = "/{key}"  # the workflow pages' list route (pages/workflows.py): one place to change


def listing(key: str, **query: str) -> str:
    """A list page's path under the console prefix, with its filters."""
    if key not in views.LISTINGS:
        raise KeyError(f"no listing {key!r} in views.LISTINGS")
    return LISTING.format(key=key) + (f"?{urlencode(query)}" if query else "")


def record(kind: str, record_id: Any) -> str:
    if kind not in views.RECORDS:
        raise KeyError(f"no record kind {kind!r} in views.RECORDS")
    return f"/r/{kind}/{quote(str(record_id or 'none'), safe='')}"


@dataclass(frozen=True)
class Item:
    name: str
    link: str
    when: Any = None  # a date, shown in Chinese
    when_label: str = "期限"
    note: str = ""


Reading = Callable[[dict[str, Any]], Item]


def _s(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    return "" if value is None else str(value)


def _named(item: dict[str, Any], *more: str) -> str:
    parts = [_s(item, "institution_name") or _s(item, "institution_id"), *more]
    return " · ".join(p for p in parts if p)


def _status(table: dict[str, str], value: Any) -> str:
    return words.code(table, value)


# registry authority


def application(item: dict[str, Any]) -> Item:
    return Item(
        _named(item, _status(labels.QUALIFICATION_KIND, item.get("kind"))),
        record("qualification", item.get("qualification_id")),
        note=_status(
            {"applied": "已申请，待受理审查", "under-review": "审查中，待作出决定"},
            item.get("status"),
        ),
    )


def renewal(item: dict[str, Any]) -> Item:
    return Item(
        _named(item, _s(item, "certificate_number")),
        record("qualification", item.get("qualification_id")),
        item.get("valid_until"),
        "有效期至",
        "延续申请待决定",
    )


def overdue_decision(item: dict[str, Any]) -> Item:
    return Item(
        _named(item, _status(words.DECISION_TYPES, item.get("decision_type"))),
        record("qualification", item.get("qualification_id")),
        item.get("due_on"),
        "应公开日期",
        "已公开但逾期" if item.get("published_at") else "尚未公开",
    )


def unmet(item: dict[str, Any]) -> Item:
    return Item(
        _named(item),
        record("institution", item.get("institution_id")),
        note="；".join(str(u) for u in item.get("unmet_zh") or item.get("unmet") or []),
    )


def expiring(item: dict[str, Any]) -> Item:
    return Item(
        _named(item, _s(item, "certificate_number")),
        record("qualification", item.get("qualification_id")),
        item.get("valid_until"),
        "有效期至",
        f"剩余 {_s(item, 'days_left')} 天，尚未申请延续",
    )


def inspection_due(item: dict[str, Any]) -> Item:
    return Item(
        _named(item, _s(item, "certificate_number")),
        record("institution", item.get("institution_id")),
        item.get("valid_until"),
        "有效期至",
        "有效期内尚未进行全面评价检查",
    )


def half_year(period: str) -> str:
    """2026H1 -> 2026年上半年 (R7's summary periods); anything else as it is."""
    halves = {"H1": "上半年", "H2": "下半年"}
    if len(period) == 6 and period[:4].isdigit() and period[4:] in halves:
        return f"{period[:4]}年{halves[period[4:]]}"
    return period


def summary(item: dict[str, Any]) -> Item:
    late = item.get("overdue") or item.get("status") == "missing"
    return Item(
        _named(
            item,
            f"{half_year(_s(item, 'period'))}工作小结",
            regions.name_of(_s(item, "province_code")),
        ),
        record("filing", item.get("filing_id")),
        item.get("due_on"),
        "应报日期",
        "已逾期" if late else ("逾期报送" if item.get("status") == "late" else "待报送"),
    )


# QC centre


def plan(item: dict[str, Any]) -> Item:
    return Item(
        f"{_s(item, 'year')}年度质控计划（{regions.name_of(_s(item, 'province_code'))}）",
        record("qc-plan", item.get("plan_id")),
        note=f"已完成 {_s(item, 'done')}/{_s(item, 'entries')} 家机构",
    )


def rectification(item: dict[str, Any]) -> Item:
    state = _status(labels.RECTIFICATION_STATUS, item.get("state"))
    if item.get("state") == "submitted":
        state = "已提交整改，待核查销号"
    return Item(
        _named(item, _status(words.CHOICES["category"], item.get("category"))),
        record("rectification", item.get("item_id")),
        item.get("due_on"),
        "整改期限",
        "；".join(n for n in ("已逾期" if item.get("overdue") else "", state) if n),
    )


def look_back(item: dict[str, Any]) -> Item:
    return Item(
        _named(item, f"{_s(item, 'year')}年度"),
        record("rectification", item.get("item_id")),
        item.get("due_on"),
        "重新整改期限",
        "；".join(
            n
            for n in (
                f"回头看于{chinese_date(item.get('reopened_on'))}重新打开",
                "已逾期" if item.get("overdue") else "",
            )
            if n
        ),
    )


def stale_referral(item: dict[str, Any]) -> Item:
    return Item(
        _named(item),
        record("institution", item.get("institution_id")),
        item.get("referred_on"),
        "移送日期",
        f"已等待 {_s(item, 'working_days_waiting')} 个工作日，监督机构尚未确认",
    )


# supervision unit


def lead(note: str) -> Reading:
    def read(item: dict[str, Any]) -> Item:
        return Item(
            _named(item, _status(words.LEAD_CATEGORY, item.get("category"))),
            record("lead", item.get("lead_id")),
            item.get("opened_on"),
            "登记日期",
            note or _status(words.LEAD_STATUS, item.get("status")),
        )

    return read


def stage(item: dict[str, Any]) -> Item:
    return Item(
        _status(words.STAGES, item.get("stage")),
        listing("cases", stage=_s(item, "stage")),
        note=f"{_s(item, 'count')} 件",
    )


def publicity(item: dict[str, Any]) -> Item:
    publish = item.get("action") == "publish"
    return Item(
        _named(item, _s(item, "decision_number")),
        record("case", item.get("case_id")),
        item.get("due_on"),
        "应公示日期" if publish else "应撤下日期",
        "待公示" if publish else "公示期已满或决定已变更，应撤下",
    )


def drawn(item: dict[str, Any]) -> Item:
    if item.get("published_on"):
        note = "结果已公开"
    elif item.get("ended_on"):
        note = "已检查，结果待公开"
    else:
        note = "待检查"
    return Item(
        _named(item, f"检查期间 {_s(item, 'period')}"),
        record("inspection", item.get("inspection_id")),
        item.get("scheduled_on"),
        "安排日期",
        note + ("（已合并检查）" if item.get("merged") else ""),
    )


def inspection_overdue(item: dict[str, Any]) -> Item:
    return Item(
        _named(item),
        record("inspection", item.get("inspection_id")),
        item.get("due_on"),
        "应公开日期",
        "检查结果逾期未公开",
    )


# institution


def card(item: dict[str, Any]) -> Item:
    query = urlencode({"report_number": _s(item, "report_number")})
    return Item(
        f"报告 {_s(item, 'report_number')} · {_s(item, 'client_name')}",
        f"/do/file-report-card?{query}",
        item.get("found_on"),
        "检查发现日期",
        "监督检查发现此项目未报送报告卡",
    )


def own_rectification(item: dict[str, Any]) -> Item:
    return Item(
        _status(words.CHOICES["category"], item.get("category")) or "整改事项",
        record("rectification", item.get("item_id")),
        item.get("due_on"),
        "整改期限",
        "已逾期" if item.get("overdue") else "待整改",
    )
