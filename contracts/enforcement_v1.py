"""Events the enforcement service publishes, version 1. Topic: `ohts.enforcement.events`."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

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


@event
class CaseClosed(EventPayload):
    event_type: ClassVar[str] = "enforcement.CaseClosed"
    aggregate_type: ClassVar[str] = "Case"

    case_id: str
    institution_id: str
    closed_on: date


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
    """Q5: supervision received a QC referral and opened a lead for it."""

    event_type: ClassVar[str] = "enforcement.ReferralAcknowledged"
    aggregate_type: ClassVar[str] = "Lead"

    referral_id: str
    institution_id: str
    lead_id: str
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
