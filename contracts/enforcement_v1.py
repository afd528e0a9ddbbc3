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


@event
class CaseClosed(EventPayload):
    event_type: ClassVar[str] = "enforcement.CaseClosed"
    aggregate_type: ClassVar[str] = "Case"

    case_id: str
    institution_id: str
    closed_on: date


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
        description="qc-referral | complaint | extended-inspection | draw | unfiled-work"
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


class DrawTarget(EventPayload):
    institution_id: str
    credit_class: str
    inspectors: list[str]


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
