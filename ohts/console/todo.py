"""The to-do list (待办) of each role: what the services' list endpoints say is waiting,
each item linking to the record page where it is done and each section to its list. A
service that cannot answer leaves its section marked as unavailable; the rest of the list
still shows."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from contracts.envelope import Role
from ohts.console import todo_items as show
from ohts.console.accounts import Account
from ohts.console.client import ApiError, ServiceClient
from ohts.console.todo_items import Item, Reading, listing


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


API = "/api/v1"
AUTHORITY_SOURCES = [
    Source(
        "待受理审查的资质申请",
        "registry",
        f"{API}/qualifications?status=applied&size=100",
        listing("qualifications", status="applied"),
        show.application,
    ),
    Source(
        "审查中待决定的资质申请",
        "registry",
        f"{API}/qualifications?status=under-review&size=100",
        listing("qualifications", status="under-review"),
        show.application,
    ),
    Source(
        "待决定的延续申请",
        "registry",
        f"{API}/qualifications?renewal_pending=true&size=100",
        listing("qualifications", renewal_pending="true"),
        show.renewal,
    ),
    Source(
        "逾期未公开的许可决定",
        "registry",
        f"{API}/decisions/overdue",
        listing("qualifications"),
        show.overdue_decision,
    ),
    Source(
        "不再符合资质条件的机构",
        "registry",
        f"{API}/conditions/unmet",
        listing("institutions"),
        show.unmet,
    ),
    Source(
        "即将到期、尚未申请延续的资质证书",
        "registry",
        f"{API}/certificates/expiring",
        listing("qualifications", status="granted", sort="valid_until"),
        show.expiring,
    ),
    Source(
        "到期应检查的机构",
        "registry",
        f"{API}/inspections/due",
        listing("institutions"),
        show.inspection_due,
    ),
    Source(
        "未报送的跨省执业工作小结",
        "registry",
        f"{API}/filings/summaries/outstanding",
        listing("filings"),
        show.summary,
    ),
]
CENTRE_SOURCES = [
    Source("质控计划进度", "qc", f"{API}/plan-progress", listing("qc/plans"), show.plan),
    Source(
        "到期和逾期的整改事项",
        "qc",
        f"{API}/rectifications/due?reopened=false",
        listing("qc/rectifications"),
        show.rectification,
    ),
    Source(
        "回头看重新整改事项",
        "qc",
        f"{API}/rectifications/due?reopened=true",
        listing("qc/rectifications"),
        show.look_back,
    ),
    Source(
        "逾期未确认的移送",
        "qc",
        f"{API}/dashboard/referrals",
        listing("qc/activities"),
        show.stale_referral,
        key="stale",
    ),
]
SUPERVISOR_SOURCES = [
    Source(
        "待确认接收的质控移送",
        "enforcement",
        f"{API}/leads/unacknowledged",
        listing("leads"),
        show.lead("质控移送，尚未确认接收"),
    ),
    Source(
        "待处理的线索",
        "enforcement",
        f"{API}/leads?status=open",
        listing("leads"),
        show.lead(""),
    ),
    Source(
        "各阶段案件",
        "enforcement",
        f"{API}/cases/stages",
        listing("cases"),
        show.stage,
        tally="count",
    ),
    Source(
        "待公示或应撤下的处罚决定",
        "enforcement",
        f"{API}/penalties/publicity",
        listing("cases", stage="penalty-decided"),
        show.publicity,
    ),
    Source(
        "本次双随机抽取的检查",
        "enforcement",
        f"{API}/inspections/current-draw",
        listing("inspections"),
        show.drawn,
        key="items",
    ),
    Source(
        "逾期未公开的检查结果",
        "enforcement",
        f"{API}/inspections/overdue-publications",
        listing("inspections"),
        show.inspection_overdue,
    ),
]
INSTITUTION_SOURCES = [
    Source(
        "应报送的技术服务信息报告卡",
        "registry",
        f"{API}/report-cards/due",
        "/do/file-report-card",
        show.card,
    ),
    Source(
        "须完成的整改",
        "qc",
        f"{API}/institutions/{{mine}}/rectifications?state=open&sort=due_on&size=100",
        listing("rectifications"),
        show.own_rectification,
    ),
    Source(
        "应报送的跨省执业工作小结",
        "registry",
        f"{API}/filings/summaries/due",
        listing("filings"),
        show.summary,
    ),
]
SOURCES: dict[Role, list[Source]] = {
    Role.REGISTRY_AUTHORITY: AUTHORITY_SOURCES,
    Role.QC_CENTRE: CENTRE_SOURCES,
    Role.SUPERVISION_UNIT: SUPERVISOR_SOURCES,
    Role.INSTITUTION: INSTITUTION_SOURCES,
}


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
