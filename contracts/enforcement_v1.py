"""Events the enforcement service publishes, version 1. Topic: `ohts.enforcement.events`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import Field

from contracts.envelope import EventPayload, event


@event
class CaseOpened(EventPayload):
    """An open case blocks renewal, cancellation and change (R4)."""

    event_type: ClassVar[str] = "enforcement.CaseOpened"
    aggregate_type: ClassVar[str] = "Case"

    case_id: str
    institution_id: str
    violation: str
    opened_on: date
    lead_id: str | None = None
    jurisdiction_region_code: str | None = Field(
        None, description="F2: the place of the violation, whose authority handles the case"
    )
    person_ref: str | None = Field(
        None, description="E6: the staff member the case targets (the registry's keyed hash)"
    )
    person_masked_name: str | None = None


@event
class CaseClosed(EventPayload):
    event_type: ClassVar[str] = "enforcement.CaseClosed"
    aggregate_type: ClassVar[str] = "Case"

    case_id: str
    institution_id: str
    closed_on: date


@event
class CaseTransferredToJudiciary(EventPayload):
    """移送司法: a case with a suspected crime goes to the judicial authorities (国务院令第310号
    《行政执法机关移送涉嫌犯罪案件的规定》 Art. 3), tracked until they decide."""

    event_type: ClassVar[str] = "enforcement.CaseTransferredToJudiciary"
    aggregate_type: ClassVar[str] = "JudicialTransfer"

    transfer_id: str
    case_id: str
    institution_id: str
    receiving_authority: str = Field(description="e.g. 杭州市公安局西湖区分局")
    suspected_offence: str
    transferred_on: date
    jurisdiction_region_code: str


@event
class JudicialTransferStatusChanged(EventPayload):
    """What the judicial authorities did with a transferred case."""

    event_type: ClassVar[str] = "enforcement.JudicialTransferStatusChanged"
    aggregate_type: ClassVar[str] = "JudicialTransfer"

    transfer_id: str
    case_id: str
    institution_id: str
    status: str = Field(description="accepted | declined | prosecuted | concluded | returned")
    on: date
    note: str = ""


@event
class CaseMarkedTypical(EventPayload):
    """A decided case supervision marks typical and sends back to the QC centres (seed 001
    §二(三)3: 监督与质控联动; seed 004: QC and supervision exchange cases both ways)."""

    event_type: ClassVar[str] = "enforcement.CaseMarkedTypical"
    aggregate_type: ClassVar[str] = "TypicalCase"

    case_id: str
    institution_id: str
    violation: str
    summary: str = Field(description="what makes it typical, for the QC centres")
    marked_by_region_code: str
    marked_on: date


@event
class QualificationRevocationOrdered(EventPayload):
    """A penalty decision revokes a qualification; the registry carries it out."""

    event_type: ClassVar[str] = "enforcement.QualificationRevocationOrdered"
    aggregate_type: ClassVar[str] = "Case"

    case_id: str
    institution_id: str
    certificate_number: str
    decision_number: str
    authority: str
    decided_on: date


@event
class InspectionCompleted(EventPayload):
    event_type: ClassVar[str] = "enforcement.InspectionCompleted"
    aggregate_type: ClassVar[str] = "Inspection"

    inspection_id: str
    institution_id: str
    kind: str = Field(description="random | extended | complaint | referral")
    full_evaluation: bool = Field(description="a full evaluation inspection in the sense of R9")
    ended_on: date
    result: str = Field(description="compliant | issues-found")
    findings: list[str] = Field(default_factory=list)


@event
class UnreportedProjectFound(EventPayload):
    """A project found without a service report card (R8: unreported, 不报)."""

    event_type: ClassVar[str] = "enforcement.UnreportedProjectFound"
    aggregate_type: ClassVar[str] = "Inspection"

    inspection_id: str
    institution_id: str
    report_number: str
    client_name: str
    found_on: date


@event
class ReferralAcknowledged(EventPayload):
    """Q5: supervision's system received a QC referral and opened a lead for it. This is
    the automatic receipt (已接收); a person's acknowledgement is ReferralAcknowledgedByUnit."""

    event_type: ClassVar[str] = "enforcement.ReferralAcknowledged"
    aggregate_type: ClassVar[str] = "Lead"

    referral_id: str
    institution_id: str
    lead_id: str
    acknowledged_on: date = Field(description="the day of receipt")


@event
class ReferralAcknowledgedByUnit(EventPayload):
    """Q5: a person of the receiving supervision unit acknowledged the QC referral (签收)."""

    event_type: ClassVar[str] = "enforcement.ReferralAcknowledgedByUnit"
    aggregate_type: ClassVar[str] = "Lead"

    referral_id: str
    institution_id: str
    lead_id: str
    unit_region_code: str = Field(description="the receiving supervision unit")
    acknowledged_by: str = Field(description="the person (subject of the actor)")
    note: str | None = None
    acknowledged_on: date


@event
class LeadOpened(EventPayload):
    """E4: a lead for supervision, from a QC referral, a complaint, an extended inspection,
    a draw, or out-of-province work without a filing."""

    event_type: ClassVar[str] = "enforcement.LeadOpened"
    aggregate_type: ClassVar[str] = "Lead"

    lead_id: str
    institution_id: str
    source: str = Field(
        description="qc-referral | complaint | extended-inspection | draw | inspection"
        " (findings of another inspection) | unfiled-work"
    )
    source_ref: str | None = Field(None, description="e.g. the referral id")
    category: str
    description: str
    jurisdiction_region_code: str
    opened_on: date


class RosterMember(EventPayload):
    inspector_id: str
    conflicts: list[str] = Field(default_factory=list, description="institutions declared")


@event
class InspectionPlanDefined(EventPayload):
    """E1: a supervision unit's annual plan: universe, sampling ratio and roster."""

    event_type: ClassVar[str] = "enforcement.InspectionPlanDefined"
    aggregate_type: ClassVar[str] = "InspectionPlan"

    plan_id: str
    jurisdiction_region_code: str
    year: int
    universe: list[str]
    sampling_ratio: str = Field(description="a fraction, e.g. 3/10")
    roster: list[RosterMember]
    exclusive_teams: bool = Field(
        False, description="E2: an inspector on one team only in a draw, when the plan says so"
    )


class DrawTarget(EventPayload):
    institution_id: str
    credit_class: str
    inspectors: list[str]


class DrawExclusion(EventPayload):
    """Why an inspector could not be on a target's team (E2)."""

    institution_id: str
    inspector_id: str
    reason: str = Field(description="conflict | previous | other_team")


@event
class InspectionDrawPublished(EventPayload):
    """E2: a double-random draw with everything needed to recompute it."""

    event_type: ClassVar[str] = "enforcement.InspectionDrawPublished"
    aggregate_type: ClassVar[str] = "InspectionPlan"

    draw_id: str
    plan_id: str
    seed: str
    inputs: dict[str, Any]
    targets: list[DrawTarget]
    published_on: date
    # Draws before version 2 used Python's random module (and always exclusive teams).
    algorithm: str = "python-random-efraimidis-spirakis"
    algorithm_version: int = 1
    inputs_sha256: str | None = Field(None, description="the random stream (version 2)")
    exclusions: list[DrawExclusion] = Field(default_factory=list)
    jurisdiction_region_code: str | None = None
    year: int | None = None


@event
class InspectionScheduled(EventPayload):
    event_type: ClassVar[str] = "enforcement.InspectionScheduled"
    aggregate_type: ClassVar[str] = "Inspection"

    inspection_id: str
    institution_id: str
    kind: str = Field(description="random | extended | complaint | referral")
    period: str = Field(description="the plan year, e.g. 2026: one inspection per period (E3)")
    inspectors: list[str]
    source_ref: str | None = None
    employer_name: str | None = None
    report_number: str | None = None
    scheduled_on: date


@event
class InspectionMerged(EventPayload):
    """E3: another reason to inspect the same institution in the same period joins it."""

    event_type: ClassVar[str] = "enforcement.InspectionMerged"
    aggregate_type: ClassVar[str] = "Inspection"

    inspection_id: str
    institution_id: str
    kind: str
    source_ref: str | None = None
    merged_on: date


@event
class InspectionResultPublished(EventPayload):
    event_type: ClassVar[str] = "enforcement.InspectionResultPublished"
    aggregate_type: ClassVar[str] = "Inspection"

    inspection_id: str
    institution_id: str
    published_on: date
    lag_working_days: int
    provisional: bool


@event
class LeadClosed(EventPayload):
    event_type: ClassVar[str] = "enforcement.LeadClosed"
    aggregate_type: ClassVar[str] = "Lead"

    lead_id: str
    institution_id: str
    outcome: str = Field(description="no-case | case")
    reason: str
    case_id: str | None = None
    closed_on: date


@event
class CaseInvestigated(EventPayload):
    event_type: ClassVar[str] = "enforcement.CaseInvestigated"
    aggregate_type: ClassVar[str] = "Case"

    case_id: str
    institution_id: str
    summary: str
    investigated_on: date


@event
class PenaltyDecided(EventPayload):
    """E5/E6: a decision inside the statutory range of its violation."""

    event_type: ClassVar[str] = "enforcement.PenaltyDecided"
    aggregate_type: ClassVar[str] = "Case"

    case_id: str
    institution_id: str
    decision_number: str
    decided_on: date
    authority: str
    violation: str
    legal_basis: str
    penalties: list[str] = Field(
        description="warning | fine | confiscation | revocation | practice-ban"
    )
    fine_yuan: Decimal | None = None
    confiscation_yuan: Decimal | None = None
    illegal_gains_yuan: Decimal = Decimal(0)
    banned_staff_id: str | None = None
    ban_years: int | None = None
    certificate_number: str | None = None
    range_confirmed: bool
    jurisdiction_region_code: str | None = Field(
        None, description="F2: the place of the violation (the deciding authority's region)"
    )
    home_region_code: str | None = Field(
        None, description="F2: where the institution is registered (its licensing authority)"
    )
    person_ref: str | None = Field(
        None, description="E6: a penalty on a person (the institution is context only)"
    )
    person_masked_name: str | None = None
    severity: str | None = Field(
        None, description="P2: the severity class chosen by the deciding authority"
    )
    severity_basis: str | None = Field(None, description="why that class (P2)")


@event
class PracticeBanImposed(EventPayload):
    """E6: a practice ban binds the person at every institution until `ends_on` (the first
    day the person may be registered again); the registry refuses them meanwhile."""

    event_type: ClassVar[str] = "enforcement.PracticeBanImposed"
    aggregate_type: ClassVar[str] = "Case"

    case_id: str
    institution_id: str
    person_ref: str
    person_masked_name: str | None = None
    decision_number: str
    starts_on: date
    ends_on: date


@event
class PenaltyExecuted(EventPayload):
    event_type: ClassVar[str] = "enforcement.PenaltyExecuted"
    aggregate_type: ClassVar[str] = "Case"

    case_id: str
    institution_id: str
    executed_on: date


@event
class CreditClassChanged(EventPayload):
    """E7: an institution's credit class, derived by the documented rule table."""

    event_type: ClassVar[str] = "enforcement.CreditClassChanged"
    aggregate_type: ClassVar[str] = "CreditRecord"

    institution_id: str
    previous_class: str
    credit_class: str
    reasons: list[str]
    changed_on: date


@event
class CreditRepairGranted(EventPayload):
    """P2: credit repair (信用修复) ends a penalty's publicity early; the record stays."""

    event_type: ClassVar[str] = "enforcement.CreditRepairGranted"
    aggregate_type: ClassVar[str] = "Case"

    case_id: str
    institution_id: str
    decision_number: str
    reason: str
    granted_on: date


@event
class PenaltyAnnulled(EventPayload):
    """A penalty decision was annulled or changed (review, litigation, correction): the
    record stays, public view ends at once (P2: withdrawn within 3 working days)."""

    event_type: ClassVar[str] = "enforcement.PenaltyAnnulled"
    aggregate_type: ClassVar[str] = "Case"

    case_id: str
    institution_id: str
    decision_number: str
    reason: str
    annulled_on: date
    withdraw_by: date | None = Field(
        None, description="P2: public view withdrawn by this day (3 working days)"
    )
