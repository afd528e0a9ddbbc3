"""The to-do list (待办) of each role: what the services' list endpoints say is waiting,
each section linking to the page where it is done. A service that cannot answer leaves
its section marked as unavailable; the rest of the list still shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts.envelope import Role
from ohts.console.accounts import Account
from ohts.console.client import ApiError, ServiceClient


@dataclass(frozen=True)
class Source:
    title: str
    service: str
    path: str
    link: str  # console page where the items are handled
    key: str | None = None  # the list inside the answer, when it is an object


@dataclass
class Section:
    title: str
    link: str
    items: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    @property
    def count(self) -> int:
        return len(self.items)


SOURCES: dict[Role, list[Source]] = {
    Role.REGISTRY_AUTHORITY: [
        Source("逾期未公示的许可决定", "registry", "/api/v1/decisions/overdue", "/qualifications"),
        Source("到期应检查的机构", "registry", "/api/v1/inspections/due", "/institutions"),
        Source(
            "未报送的年度工作总结", "registry", "/api/v1/filings/summaries/outstanding", "/filings"
        ),
    ],
    Role.QC_CENTRE: [
        Source("逾期未确认的移送", "qc", "/api/v1/dashboard/referrals", "/qc/activities", "stale"),
        Source("整改中的事项", "qc", "/api/v1/rectifications?state=open", "/qc/rectifications"),
    ],
    Role.SUPERVISION_UNIT: [
        Source("待处理的线索", "enforcement", "/api/v1/leads", "/leads"),
        Source(
            "逾期未公示的检查结果",
            "enforcement",
            "/api/v1/inspections/overdue-publications",
            "/inspections",
        ),
    ],
    Role.INSTITUTION: [
        Source("须完成的整改", "qc", "/api/v1/rectifications?state=open", "/rectifications"),
    ],
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


async def sections(account: Account, client: ServiceClient) -> list[Section]:
    found = []
    for source in SOURCES.get(account.role, []):
        section = Section(source.title, source.link)
        try:
            section.items = _items(await client.get(source.service, source.path), source.key)
        except ApiError as exc:
            section.error = exc.message
        found.append(section)
    return found
