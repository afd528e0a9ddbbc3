"""The to-do list (待办) of each role: what the services' list endpoints say is waiting,
each item linking to the record page where it is done and each section to its list. A
service that cannot answer leaves its section marked as unavailable; the rest of the list
still shows."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from contracts.envelope import Role
from ohts.console import views, words
from ohts.console.accounts import Account
from ohts.console.client import ApiError, ServiceClient
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


@dataclass(frozen=True)
class Source:
    title: str
    service: str
    path: str  # '{mine}' stands for the institution's own id
    link: str  # the list page of the section
    read: Reading
    key: str | None = None  # the list inside the answer, when it is an object
    tally: str | None = None  # the section counts the sum of this field, not its items


@dataclass
class Section:
    title: str
    link: str
    items: list[Item] = field(default_factory=list)
    error: str = ""
    total: int | None = None

    @property
    def count(self) -> int:
        return len(self.items) if self.total is None else self.total


def _s(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    return "" if value is None else str(value)


def _named(item: dict[str, Any], *more: str) -> str:
    parts = [_s(item, "institution_name") or _s(item, "institution_id"), *more]
    return " · ".join(p for p in parts if p)


def _status(table: dict[str, str], value: Any) -> str:
    return words.code(table, value)


# registry authority


def _application(item: dict[str, Any]) -> Item:
    return Item(
        _named(item, _status(labels.QUALIFICATION_KIND, item.get("kind"))),
        record("qualification", item.get("qualification_id")),
        note=_status(
            {"applied": "已申请，待受理审查", "under-review": "审查中，待作出决定"},
            item.get("status"),
        ),
    )


def _renewal(item: dict[str, Any]) -> Item:
    return Item(
        _named(item, _s(item, "certificate_number")),
        record("qualification", item.get("qualification_id")),
        item.get("valid_until"),
        "有效期至",
        "延续申请待决定",
    )


DECISION_TYPES = {
    "granted": "批准资质",
    "rejected": "不予批准",
    "renewed": "准予延续",
    "renewal-rejected": "不予延续",
    "changed": "资质变更",
    "cancelled": "注销资质",
    "revoked": "吊销资质",
    "withdrawn": "撤销资质",
}


def _overdue_decision(item: dict[str, Any]) -> Item:
    return Item(
        _named(item, _status(DECISION_TYPES, item.get("decision_type"))),
        record("qualification", item.get("qualification_id")),
        item.get("due_on"),
        "应公开日期",
        "已公开但逾期" if item.get("published_at") else "尚未公开",
    )


def _unmet(item: dict[str, Any]) -> Item:
    return Item(
        _named(item),
        record("institution", item.get("institution_id")),
        note="；".join(str(u) for u in item.get("unmet_zh") or item.get("unmet") or []),
    )


def _expiring(item: dict[str, Any]) -> Item:
    return Item(
        _named(item, _s(item, "certificate_number")),
        record("qualification", item.get("qualification_id")),
        item.get("valid_until"),
        "有效期至",
        f"剩余 {_s(item, 'days_left')} 天，尚未申请延续",
    )


def _inspection_due(item: dict[str, Any]) -> Item:
    return Item(
        _named(item, _s(item, "certificate_number")),
        record("institution", item.get("institution_id")),
        item.get("valid_until"),
        "有效期至",
        "有效期内尚未进行全面评价检查",
    )


def _summary(item: dict[str, Any]) -> Item:
    late = item.get("overdue") or item.get("status") == "missing"
    return Item(
        _named(item, f"{_s(item, 'period')} 工作小结", regions.name_of(_s(item, "province_code"))),
        record("filing", item.get("filing_id")),
        item.get("due_on"),
        "应报日期",
        "已逾期" if late else ("逾期报送" if item.get("status") == "late" else "待报送"),
    )


# QC centre


def _plan(item: dict[str, Any]) -> Item:
    return Item(
        f"{_s(item, 'year')}年度质控计划（{regions.name_of(_s(item, 'province_code'))}）",
        record("qc-plan", item.get("plan_id")),
        note=f"已完成 {_s(item, 'done')}/{_s(item, 'entries')} 家机构",
    )


def _rectification(item: dict[str, Any]) -> Item:
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


def _look_back(item: dict[str, Any]) -> Item:
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


def _stale_referral(item: dict[str, Any]) -> Item:
    return Item(
        _named(item),
        record("institution", item.get("institution_id")),
        item.get("referred_on"),
        "移送日期",
        f"已等待 {_s(item, 'working_days_waiting')} 个工作日，监督机构尚未确认",
    )


# supervision unit


def _lead(note: str) -> Reading:
    def read(item: dict[str, Any]) -> Item:
        return Item(
            _named(item, _s(item, "category")),
            record("lead", item.get("lead_id")),
            item.get("opened_on"),
            "登记日期",
            note or _status(words.LEAD_STATUS, item.get("status")),
        )

    return read


def _stage(item: dict[str, Any]) -> Item:
    return Item(
        _status(words.STAGES, item.get("stage")),
        listing("cases", stage=_s(item, "stage")),
        note=f"{_s(item, 'count')} 件",
    )


def _publicity(item: dict[str, Any]) -> Item:
    publish = item.get("action") == "publish"
    return Item(
        _named(item, _s(item, "decision_number")),
        record("case", item.get("case_id")),
        item.get("due_on"),
        "应公示日期" if publish else "应撤下日期",
        "待公示" if publish else "公示期已满或决定已变更，应撤下",
    )


def _drawn(item: dict[str, Any]) -> Item:
    if item.get("published_on"):
        note = "结果已公开"
    elif item.get("ended_on"):
        note = "已检查，结果待公开"
    else:
        note = "待检查"
    return Item(
        _named(item, _s(item, "period")),
        record("inspection", item.get("inspection_id")),
        item.get("scheduled_on"),
        "安排日期",
        note + ("（已合并检查）" if item.get("merged") else ""),
    )


def _inspection_overdue(item: dict[str, Any]) -> Item:
    return Item(
        _named(item),
        record("inspection", item.get("inspection_id")),
        item.get("due_on"),
        "应公开日期",
        "检查结果逾期未公开",
    )


# institution


def _card(item: dict[str, Any]) -> Item:
    query = urlencode({"report_number": _s(item, "report_number")})
    return Item(
        f"报告 {_s(item, 'report_number')} · {_s(item, 'client_name')}",
        f"/do/file-report-card?{query}",
        item.get("found_on"),
        "检查发现日期",
        "监督检查发现此项目未报送报告卡",
    )


def _own_rectification(item: dict[str, Any]) -> Item:
    return Item(
        _status(words.CHOICES["category"], item.get("category")) or "整改事项",
        record("rectification", item.get("item_id")),
        item.get("due_on"),
        "整改期限",
        "已逾期" if item.get("overdue") else "待整改",
    )


API = "/api/v1"
AUTHORITY_SOURCES = [
    Source(
        "待受理审查的资质申请",
        "registry",
        f"{API}/qualifications?status=applied&size=100",
        listing("qualifications", status="applied"),
        _application,
    ),
    Source(
        "审查中待决定的资质申请",
        "registry",
        f"{API}/qualifications?status=under-review&size=100",
        listing("qualifications", status="under-review"),
        _application,
    ),
    Source(
        "待决定的延续申请",
        "registry",
        f"{API}/qualifications?renewal_pending=true&size=100",
        listing("qualifications", renewal_pending="true"),
        _renewal,
    ),
    Source(
        "逾期未公开的许可决定",
        "registry",
        f"{API}/decisions/overdue",
        listing("qualifications"),
        _overdue_decision,
    ),
    Source(
        "不再符合资质条件的机构",
        "registry",
        f"{API}/conditions/unmet",
        listing("institutions"),
        _unmet,
    ),
    Source(
        "即将到期、尚未申请延续的资质证书",
        "registry",
        f"{API}/certificates/expiring",
        listing("qualifications", status="granted", sort="valid_until"),
        _expiring,
    ),
    Source(
        "到期应检查的机构",
        "registry",
        f"{API}/inspections/due",
        listing("institutions"),
        _inspection_due,
    ),
    Source(
        "未报送的跨省执业工作小结",
        "registry",
        f"{API}/filings/summaries/outstanding",
        listing("filings"),
        _summary,
    ),
]
CENTRE_SOURCES = [
    Source("质控计划进度", "qc", f"{API}/plan-progress", listing("qc/plans"), _plan),
    Source(
        "到期和逾期的整改事项",
        "qc",
        f"{API}/rectifications/due?reopened=false",
        listing("qc/activities"),
        _rectification,
    ),
    Source(
        "回头看重新整改事项",
        "qc",
        f"{API}/rectifications/due?reopened=true",
        listing("qc/activities"),
        _look_back,
    ),
    Source(
        "逾期未确认的移送",
        "qc",
        f"{API}/dashboard/referrals",
        listing("qc/activities"),
        _stale_referral,
        key="stale",
    ),
]
SUPERVISOR_SOURCES = [
    Source(
        "待确认接收的质控移送",
        "enforcement",
        f"{API}/leads/unacknowledged",
        listing("leads"),
        _lead("质控移送，尚未确认接收"),
    ),
    Source(
        "待处理的线索",
        "enforcement",
        f"{API}/leads?status=open",
        listing("leads"),
        _lead(""),
    ),
    Source(
        "各阶段案件",
        "enforcement",
        f"{API}/cases/stages",
        listing("cases"),
        _stage,
        tally="count",
    ),
    Source(
        "待公示或应撤下的处罚决定",
        "enforcement",
        f"{API}/penalties/publicity",
        listing("cases", stage="penalty-decided"),
        _publicity,
    ),
    Source(
        "本次双随机抽取的检查",
        "enforcement",
        f"{API}/inspections/current-draw",
        listing("inspections"),
        _drawn,
        key="items",
    ),
    Source(
        "逾期未公开的检查结果",
        "enforcement",
        f"{API}/inspections/overdue-publications",
        listing("inspections"),
        _inspection_overdue,
    ),
]
INSTITUTION_SOURCES = [
    Source(
        "应报送的技术服务信息报告卡",
        "registry",
        f"{API}/report-cards/due",
        "/do/file-report-card",
        _card,
    ),
    Source(
        "须完成的整改",
        "qc",
        f"{API}/institutions/{{mine}}/rectifications?state=open&sort=due_on&size=100",
        listing("rectifications"),
        _own_rectification,
    ),
    Source(
        "应报送的跨省执业工作小结",
        "registry",
        f"{API}/filings/summaries/due",
        listing("filings"),
        _summary,
    ),
]
SOURCES: dict[Role, list[Source]] = {
    Role.REGISTRY_AUTHORITY: AUTHORITY_SOURCES,
    Role.QC_CENTRE: CENTRE_SOURCES,
    Role.SUPERVISION_UNIT: SUPERVISOR_SOURCES,
    Role.INSTITUTION: INSTITUTION_SOURCES,
}

NAME_KEYS = ("institution_name", "name", "title", "decision_number", "item_id", "lead_id", "id")
WHEN_KEYS = ("due_on", "due", "deadline", "publish_by", "referred_on", "since", "opened_on")


def describe(item: dict[str, Any]) -> tuple[str, str]:
    """What an item is and by when, from the fields the services' lists carry."""
    name = next((str(item[k]) for k in NAME_KEYS if item.get(k)), "（未命名事项）")
    when = next((str(item[k]) for k in WHEN_KEYS if item.get(k)), "")
    return name, when


def _items(answer: Any, key: str | None) -> list[dict[str, Any]]:
    if key is not None and isinstance(answer, dict):
        answer = answer.get(key, [])
    if isinstance(answer, dict):
        answer = answer.get("items", [])
    return [a for a in answer if isinstance(a, dict)] if isinstance(answer, list) else []


async def section(account: Account, client: ServiceClient, source: Source) -> Section:
    """One section: the source's items read for the page, or why it is unavailable."""
    found = Section(source.title, source.link)
    path = source.path.replace("{mine}", quote(account.institution_id or "none", safe=""))
    try:
        rows = _items(await client.get(source.service, path), source.key)
    except ApiError as exc:
        found.error = exc.message
        return found
    found.items = [source.read(r) for r in rows]
    if source.tally:
        found.total = sum(int(r.get(source.tally) or 0) for r in rows)
    return found


async def sections(account: Account, client: ServiceClient) -> list[Section]:
    """The role's sections, asked of the services at once (a page waits for the slowest)."""
    sources = SOURCES.get(account.role, [])
    return list(await asyncio.gather(*(section(account, client, s) for s in sources)))
