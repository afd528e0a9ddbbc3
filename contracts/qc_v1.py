"""Events the QC service publishes, version 1. Topic: `ohts.qc.events`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from pydantic import Field

from contracts.envelope import EventPayload, event


class _Item(EventPayload):
    aggregate_type: ClassVar[str] = "RectificationItem"

    item_id: str
    institution_id: str


@event
class RectificationRequired(_Item):
    """A finding opened a rectification item (Q4); it blocks renewal until verified (R4)."""

    event_type: ClassVar[str] = "qc.RectificationRequired"

    finding_id: str
    description: str
    due_on: date


@event
class RectificationVerified(_Item):
    event_type: ClassVar[str] = "qc.RectificationVerified"

    verified_on: date


@event
class RectificationReopened(_Item):
    event_type: ClassVar[str] = "qc.RectificationReopened"

    reason: str
    reopened_on: date


@event
class BlindSamplePassed(EventPayload):
    """A passed blind-sample assessment exempts the institution for 1 year (R6)."""

    event_type: ClassVar[str] = "qc.BlindSamplePassed"
    aggregate_type: ClassVar[str] = "QcActivity"

    activity_id: str
    institution_id: str
    passed_on: date


class PlanEntry(EventPayload):
    institution_id: str
    group: str = Field(
        description="comparison | monitoring | out-of-province | health-exam-all"
        " | health-exam-provincial"
    )
    reason: str = Field(description="why chosen: all, a priority criterion, or random fill")


@event
class QcPlanGenerated(EventPayload):
    """Q1–Q3: the year's plan, with everything needed to recompute and verify it."""

    event_type: ClassVar[str] = "qc.QcPlanGenerated"
    aggregate_type: ClassVar[str] = "QcPlan"

    plan_id: str
    province_code: str
    year: int
    seed: str
    inputs: dict[str, Any] = Field(description="the universes and priority facts used")
    entries: list[PlanEntry]
    generated_at: datetime


@event
class QcActivityOpened(EventPayload):
    event_type: ClassVar[str] = "qc.QcActivityOpened"
    aggregate_type: ClassVar[str] = "QcActivity"

    activity_id: str
    plan_id: str
    kind: str = Field(
        description="capability-comparison | blind-sample | report-spot-check | on-site"
    )
    province_code: str
    year: int
    participants: list[str]
    sampled_cards: list[str] = Field(default_factory=list, description="report spot checks")
    seed: str | None = None
    opened_at: datetime


@event
class QcResultRecorded(EventPayload):
    event_type: ClassVar[str] = "qc.QcResultRecorded"
    aggregate_type: ClassVar[str] = "QcActivity"

    activity_id: str
    institution_id: str
    activity_kind: str
    result: str = Field(description="pass | fail | refused")
    recorded_on: date


@event
class QcFindingRecorded(EventPayload):
    event_type: ClassVar[str] = "qc.QcFindingRecorded"
    aggregate_type: ClassVar[str] = "QcActivity"

    finding_id: str
    activity_id: str
    institution_id: str
    category: str
    severity: str = Field(description="general | serious")
    description: str
    evidence_refs: list[str]
    violation_clue: bool
    recorded_on: date


@event
class RectificationSubmitted(_Item):
    event_type: ClassVar[str] = "qc.RectificationSubmitted"

    text: str
    attachment_refs: list[str]
    submitted_on: date


@event
class RectificationRejected(_Item):
    event_type: ClassVar[str] = "qc.RectificationRejected"

    reason: str
    rejected_on: date


@event
class RectificationOverdue(_Item):
    event_type: ClassVar[str] = "qc.RectificationOverdue"

    due_on: date
    overdue_on: date


@event
class ViolationClueReferred(EventPayload):
    """Q5/Q6: a violation clue handed to the supervision unit of the institution's region."""

    event_type: ClassVar[str] = "qc.ViolationClueReferred"
    aggregate_type: ClassVar[str] = "Referral"

    referral_id: str
    institution_id: str
    finding_id: str | None = None
    category: str
    description: str
    evidence_refs: list[str]
    supervision_region_code: str
    reason: str = Field(description="finding | annual-public-list")
    referred_on: date


@event
class AnnualQcConcluded(EventPayload):
    """Q6: an institution's annual QC result; failed and not rectified, or refused, is listed."""

    event_type: ClassVar[str] = "qc.AnnualQcConcluded"
    aggregate_type: ClassVar[str] = "AnnualConclusion"

    institution_id: str
    province_code: str
    year: int
    result: str = Field(description="pass | fail | refused | not-assessed")
    rectified: bool
    on_public_list: bool
    concluded_on: date
