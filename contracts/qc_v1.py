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
    due_on: date | None = Field(
        None,
        description="the new due date set by the look-back re-check (回头看); absent on events"
        " recorded before it existed, which kept the old due date",
    )


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
class CapabilityAssessed(EventPayload):
    """A technical-support institution (疾控中心, 职业病防治院所) against the capability
    standard, for Yunnan 附表1 (能力提升底档库, seed 001 §二(一)): each aspect meets it or
    not, the gaps by category, and the improvement plan. A later one for the same year
    supersedes it."""

    event_type: ClassVar[str] = "qc.CapabilityAssessed"
    aggregate_type: ClassVar[str] = "CapabilityRecord"

    institution_id: str
    year: int
    meets: dict[str, bool] = Field(
        description="staff | premises | equipment | support → meets the standard"
    )
    gaps: str = Field(description="不符合之处（分类说明）")
    improvement_plan: str = Field(description="能力提升计划")
    note: str | None = None
    assessed_on: date


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
class QcResultSentToHomeAuthority(EventPayload):
    """QC results on an institution from another province go to its home licensing
    authority (seed 001 §二(三)2: 通报技术服务机构所在地的省级卫生健康委)."""

    event_type: ClassVar[str] = "qc.QcResultSentToHomeAuthority"
    aggregate_type: ClassVar[str] = "QcActivity"

    activity_id: str
    institution_id: str
    activity_kind: str
    result: str = Field(description="pass | fail | refused")
    qc_province_code: str = Field(description="the province whose QC centre checked it")
    home_province_code: str = Field(description="the province that licensed it")
    finding_categories: list[str] = Field(default_factory=list)
    sent_on: date


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
class QcFollowUpRecorded(EventPayload):
    """A QC follow-up measure against an institution (Guangxi §三(三)): an interview (约谈),
    a group review (集中点评) or supervised rectification (督办整改)."""

    event_type: ClassVar[str] = "qc.QcFollowUpRecorded"
    aggregate_type: ClassVar[str] = "QcFollowUp"

    follow_up_id: str
    institution_id: str
    kind: str = Field(description="interview | group-review | supervised-rectification")
    held_on: date = Field(description="the day it took place (or was ordered)")
    subject: str
    outcome: str | None = Field(None, description="when known at once")
    due_on: date | None = Field(None, description="supervised rectification: the deadline")
    province_code: str
    recorded_on: date


@event
class QcFollowUpConcluded(EventPayload):
    """The outcome of a follow-up measure, with its date."""

    event_type: ClassVar[str] = "qc.QcFollowUpConcluded"
    aggregate_type: ClassVar[str] = "QcFollowUp"

    follow_up_id: str
    institution_id: str
    outcome: str
    concluded_on: date


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
    rectified: bool = Field(description="every rectification item of the year is closed")
    on_public_list: bool
    concluded_on: date
    pending_items: int = Field(0, description="items not closed and not yet due: pending")
    overdue_items: int = Field(0, description="items past due and not closed")


@event
class AnnualQcConclusionRevised(EventPayload):
    """Q6 as a living conclusion: the year's conclusion again, after an item of that year was
    verified, became overdue or was reopened."""

    event_type: ClassVar[str] = "qc.AnnualQcConclusionRevised"
    aggregate_type: ClassVar[str] = "AnnualConclusion"

    institution_id: str
    province_code: str
    year: int
    result: str
    rectified: bool
    pending_items: int
    overdue_items: int
    on_public_list: bool
    trigger: str = Field(description="verified | overdue | reopened")
    revised_on: date


@event
class QcPublicListEntered(EventPayload):
    """Q6: the institution is put on the public QC list for the year."""

    event_type: ClassVar[str] = "qc.QcPublicListEntered"
    aggregate_type: ClassVar[str] = "AnnualConclusion"

    institution_id: str
    province_code: str
    year: int
    reason: str = Field(description="refused | failed-not-rectified")
    entered_on: date


@event
class QcPublicListLeft(EventPayload):
    """Q6: the institution leaves the public QC list: its overdue items are closed."""

    event_type: ClassVar[str] = "qc.QcPublicListLeft"
    aggregate_type: ClassVar[str] = "AnnualConclusion"

    institution_id: str
    province_code: str
    year: int
    left_on: date
