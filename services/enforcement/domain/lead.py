"""Lead (线索, E4): where a case may start."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from contracts.enforcement_v1 import (
    LeadClosed,
    LeadOpened,
    ReferralAcknowledged,
    ReferralAcknowledgedByUnit,
    UnreportedProjectFound,
)
from contracts.envelope import EventPayload
from contracts.qc_v1 import ViolationClueReferred
from contracts.registry_v1 import UnfiledWorkDetected
from ohts_kit import regions
from ohts_kit.errors import Conflict, Forbidden
from services.enforcement.domain.dates import When, world_date
from services.enforcement.domain.inspection import Inspection

AGGREGATE = "Lead"


@dataclass(frozen=True)
class Lead:
    lead_id: str
    version: int = 0
    open: bool = False
    institution_id: str = ""
    region_code: str = ""  # F2: the place of the violation: its authority handles the lead
    opened_on: date | None = None
    source: str = ""
    source_ref: str | None = None
    acknowledged_by: str | None = None  # Q5: the person of the unit who acknowledged


def evolve(s: Lead, e: EventPayload) -> Lead:
    s = replace(s, version=s.version + 1)
    match e:
        case LeadOpened():
            return replace(
                s,
                open=True,
                institution_id=e.institution_id,
                region_code=e.jurisdiction_region_code,
                opened_on=e.opened_on,
                source=e.source,
                source_ref=e.source_ref,
            )
        case LeadClosed():
            return replace(s, open=False)
        case ReferralAcknowledgedByUnit():
            return replace(s, acknowledged_by=e.acknowledged_by)
    return s


def fold(lead_id: str, events: Iterable[EventPayload]) -> Lead:
    state = Lead(lead_id)
    for event in events:
        state = evolve(state, event)
    return state


def from_referral(lead_id: str, referral: ViolationClueReferred, today: date) -> list[EventPayload]:
    """A QC referral becomes a lead, and its receipt is recorded (Q5: received; a person
    of the unit acknowledges it later, `acknowledge`)."""
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


def acknowledge(
    s: Lead, person: str, unit_region_code: str, note: str | None, today: date
) -> list[EventPayload]:
    """Q5: a person of the receiving unit acknowledges the referral behind the lead, once;
    the automatic receipt (ReferralAcknowledged) is not an acknowledgement."""
    if s.source != "qc-referral" or s.source_ref is None:
        raise Conflict(
            f"lead {s.lead_id} did not come from a QC referral",
            rule="Q5 referral acknowledgement",
            details={"source": s.source},
        )
    if unit_region_code != s.region_code:
        raise Forbidden(
            f"只有接收单位（{regions.name_of(s.region_code)}）的人员可以签收该质控移交线索"
        )
    if s.acknowledged_by is not None:
        raise Conflict(
            f"the referral of lead {s.lead_id} is already acknowledged by {s.acknowledged_by}",
            rule="Q5 referral acknowledgement",
            details={"state": "acknowledged"},
        )
    return [
        ReferralAcknowledgedByUnit(
            referral_id=s.source_ref,
            institution_id=s.institution_id,
            lead_id=s.lead_id,
            unit_region_code=unit_region_code,
            acknowledged_by=person,
            note=note,
            acknowledged_on=today,
        )
    ]


def close(
    s: Lead,
    outcome: str,
    reason: str,
    case_id: str | None,
    today: date,
    *,
    when: When | None = None,
) -> list[EventPayload]:
    if not s.open:
        raise Conflict(f"lead {s.lead_id} is not open", rule="E4 lead", details={"state": "closed"})
    closed_on = world_date("closed_on", when or When(None, today), ("线索登记日期", s.opened_on))
    return [
        LeadClosed(
            lead_id=s.lead_id,
            institution_id=s.institution_id,
            outcome=outcome,
            reason=reason,
            case_id=case_id,
            closed_on=closed_on,
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
    *,
    when: When | None = None,
) -> list[EventPayload]:
    opened_on = world_date("opened_on", when or When(None, today))
    return [
        LeadOpened(
            lead_id=lead_id,
            institution_id=institution_id,
            source=source,
            source_ref=source_ref,
            category=category,
            description=description,
            jurisdiction_region_code=region,
            opened_on=opened_on,
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


# The lead's source by the inspection's kind (E4): a draw's or an extended inspection's.
SOURCES = {"random": "draw", "extended": "extended-inspection"}


def from_inspection_findings(
    lead_id: str,
    found: Inspection,
    category: str,
    description: str,
    region: str,
    when: When,
) -> list[EventPayload]:
    """E4: a lead from an ended inspection's findings, its source the inspection (a random
    draw or an extended inspection), not a complaint; dated not before the inspection's end."""
    if found.ended_on is None:
        raise Conflict(
            f"inspection {found.inspection_id} has not ended; a lead comes from its findings",
            rule="E4 lead from inspection findings",
            details={"state": "open"},
        )
    opened_on = world_date("opened_on", when, ("检查结束日期", found.ended_on))
    source = next((SOURCES[k] for k in found.kinds if k in SOURCES), "inspection")
    return open_lead(
        lead_id,
        found.institution_id,
        source,
        category,
        description,
        region,
        opened_on,
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
