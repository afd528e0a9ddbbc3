"""Lead (线索, E4): where a case may start."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from contracts.enforcement_v1 import (
    LeadClosed,
    LeadOpened,
    ReferralAcknowledged,
    UnreportedProjectFound,
)
from contracts.envelope import EventPayload
from contracts.qc_v1 import ViolationClueReferred
from contracts.registry_v1 import UnfiledWorkDetected
from ohts_kit.errors import Conflict

AGGREGATE = "Lead"


@dataclass(frozen=True)
class Lead:
    lead_id: str
    version: int = 0
    open: bool = False
    institution_id: str = ""


def evolve(s: Lead, e: EventPayload) -> Lead:
    s = replace(s, version=s.version + 1)
    if isinstance(e, LeadOpened):
        return replace(s, open=True, institution_id=e.institution_id)
    if isinstance(e, LeadClosed):
        return replace(s, open=False)
    return s


def fold(lead_id: str, events: Iterable[EventPayload]) -> Lead:
    state = Lead(lead_id)
    for event in events:
        state = evolve(state, event)
    return state


def from_referral(lead_id: str, referral: ViolationClueReferred, today: date) -> list[EventPayload]:
    """A QC referral becomes a lead, and its receipt is acknowledged (Q5)."""
    return [
        LeadOpened(
            lead_id=lead_id,
            institution_id=referral.institution_id,
            source="qc-referral",
            source_ref=referral.referral_id,
            category=referral.category,
            description=referral.description,
            jurisdiction_region_code=referral.supervision_region_code,
            opened_on=today,
        ),
        ReferralAcknowledged(
            referral_id=referral.referral_id,
            institution_id=referral.institution_id,
            lead_id=lead_id,
            acknowledged_on=today,
        ),
    ]


def close(
    s: Lead, outcome: str, reason: str, case_id: str | None, today: date
) -> list[EventPayload]:
    if not s.open:
        raise Conflict(f"lead {s.lead_id} is not open", rule="E4 lead", details={"state": "closed"})
    return [
        LeadClosed(
            lead_id=s.lead_id,
            institution_id=s.institution_id,
            outcome=outcome,
            reason=reason,
            case_id=case_id,
            closed_on=today,
        )
    ]


def open_lead(
    lead_id: str,
    institution_id: str,
    source: str,
    category: str,
    description: str,
    region: str,
    today: date,
    source_ref: str | None = None,
) -> list[EventPayload]:
    return [
        LeadOpened(
            lead_id=lead_id,
            institution_id=institution_id,
            source=source,
            source_ref=source_ref,
            category=category,
            description=description,
            jurisdiction_region_code=region,
            opened_on=today,
        )
    ]


def from_unreported_project(
    lead_id: str, found: UnreportedProjectFound, region: str, today: date
) -> list[EventPayload]:
    """A project found without its report card (R8 不报) is a lead against the institution."""
    return open_lead(
        lead_id,
        found.institution_id,
        "extended-inspection",
        "report-card-unreported",
        f"项目报告{found.report_number}（{found.client_name}）未填报技术服务信息报送卡",
        region,
        today,
        source_ref=found.inspection_id,
    )


def from_unfiled_work(lead_id: str, found: UnfiledWorkDetected, today: date) -> list[EventPayload]:
    """R7: work in a province without a filing there is a lead for the supervision of the
    work place (the registry found it on a report card)."""
    return open_lead(
        lead_id,
        found.institution_id,
        "unfiled-work",
        "unqualified-service",
        f"项目报告{found.report_number}（{found.completion_date}完成）的工作地"
        f"{found.work_region_code}所在省份无有效的外省机构登记（备案）",
        found.work_region_code,
        today,
        source_ref=found.card_id,
    )
