"""Events the registry publishes, version 1. Topic: `ohts.registry.events`."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from contracts.envelope import EventPayload, event


class InstitutionKind(StrEnum):
    OCCUPATIONAL_HEALTH_SERVICE = "occupational-health-service"  # 职业卫生技术服务机构
    RADIOLOGICAL_HEALTH_SERVICE = "radiological-health-service"  # 放射卫生技术服务机构
    HEALTH_EXAMINATION = "health-examination"  # 职业健康检查机构 (备案)
    DIAGNOSIS = "diagnosis"  # 职业病诊断机构 (备案)


class QualificationKind(StrEnum):
    OCCUPATIONAL_HEALTH = "occupational-health"  # 职业卫生
    RADIOLOGICAL_HEALTH = "radiological-health"  # 放射卫生


class Contact(EventPayload):
    name: str
    phone: str


class Source(StrEnum):
    DECISION = "decision"  # decided in this system
    LEGACY_IMPORT = "legacy-import"  # migrated from the old system (R1, R5)


@event
class InstitutionRegistered(EventPayload):
    event_type: ClassVar[str] = "registry.InstitutionRegistered"
    aggregate_type: ClassVar[str] = "Institution"

    institution_id: str
    uscc: str = Field(description="统一社会信用代码, GB 32100-2015")
    name: str
    address: str
    legal_representative: str
    nature: str = Field(description="ownership nature, e.g. 事业单位, 企业")
    kind: InstitutionKind
    region_code: str = Field(description="GB/T 2260 county-level or higher code")
    contacts: list[Contact] = Field(default_factory=list)
    registered_at: datetime
    source: Source = Source.DECISION
    website: str | None = Field(None, description="public website (R6a)")


@event
class QualificationGranted(EventPayload):
    event_type: ClassVar[str] = "registry.QualificationGranted"
    aggregate_type: ClassVar[str] = "Qualification"

    qualification_id: str
    institution_id: str
    certificate_number: str
    kind: QualificationKind
    scope_codes: list[str]
    valid_from: date
    valid_until: date
    decided_at: datetime
    issuing_authority: str
    source: Source = Source.DECISION
    legacy_grade: str | None = Field(None, description="甲/乙/丙 or 煤矿B before R1 merged them")


@event
class InstitutionDetailsChanged(EventPayload):
    event_type: ClassVar[str] = "registry.InstitutionDetailsChanged"
    aggregate_type: ClassVar[str] = "Institution"

    institution_id: str
    name: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    contacts: list[Contact] | None = None
    website: str | None = None
    changed_at: datetime


class _QualificationEvent(EventPayload):
    aggregate_type: ClassVar[str] = "Qualification"

    qualification_id: str
    institution_id: str


@event
class QualificationApplied(_QualificationEvent):
    event_type: ClassVar[str] = "registry.QualificationApplied"

    kind: QualificationKind
    scope_codes: list[str]
    applied_at: datetime


@event
class QualificationReviewStarted(_QualificationEvent):
    event_type: ClassVar[str] = "registry.QualificationReviewStarted"

    started_at: datetime


@event
class QualificationRejected(_QualificationEvent):
    event_type: ClassVar[str] = "registry.QualificationRejected"

    reason: str
    decided_at: datetime


@event
class QualificationRenewalAccepted(_QualificationEvent):
    event_type: ClassVar[str] = "registry.QualificationRenewalAccepted"

    accepted_at: datetime
    scope_codes: list[str] = Field(description="requested scope, legacy codes converted (R5)")


@event
class QualificationRenewed(_QualificationEvent):
    event_type: ClassVar[str] = "registry.QualificationRenewed"

    certificate_number: str
    scope_codes: list[str]
    valid_from: date
    valid_until: date
    decided_at: datetime


@event
class QualificationRenewalRejected(_QualificationEvent):
    event_type: ClassVar[str] = "registry.QualificationRenewalRejected"

    reason: str
    decided_at: datetime


@event
class QualificationChanged(_QualificationEvent):
    event_type: ClassVar[str] = "registry.QualificationChanged"

    added_scope_codes: list[str] = Field(default_factory=list)
    name: str | None = None
    address: str | None = None
    legal_representative: str | None = None
    decided_at: datetime


@event
class QualificationCancelled(_QualificationEvent):
    event_type: ClassVar[str] = "registry.QualificationCancelled"

    reason: str
    decided_at: datetime


@event
class QualificationRevoked(_QualificationEvent):
    event_type: ClassVar[str] = "registry.QualificationRevoked"

    decision_number: str
    authority: str
    case_id: str
    decided_at: datetime


@event
class QualificationWithdrawn(_QualificationEvent):
    event_type: ClassVar[str] = "registry.QualificationWithdrawn"

    reason: str
    decided_at: datetime


@event
class QualificationExpired(_QualificationEvent):
    event_type: ClassVar[str] = "registry.QualificationExpired"

    expired_on: date


@event
class QualificationDecisionPublished(_QualificationEvent):
    """R3: a decision was published; the lag counts Chinese working days."""

    event_type: ClassVar[str] = "registry.QualificationDecisionPublished"

    decision_event_id: str
    decision_type: str
    decided_at: datetime
    published_at: datetime
    lag_working_days: int
    provisional: bool = Field(
        description="a year without a loaded holiday calendar was counted Mon-Fri"
    )


@event
class StaffRegistered(EventPayload):
    """Never carries a name in clear or an ID number: `person_ref` is a keyed hash."""

    event_type: ClassVar[str] = "registry.StaffRegistered"
    aggregate_type: ClassVar[str] = "Staff"

    staff_id: str
    institution_id: str
    person_ref: str
    masked_name: str
    title: str = Field(description="senior | intermediate | junior | none")
    specialty: str
    years_of_experience: int
    role: str = Field(description="staff | technical-lead | qc-lead")
    full_time: bool
    assessment_certificate_number: str | None = None
    assessment_date: date | None = None
    registered_on: date
    restores_erased_person: bool = Field(
        False, description="the authority registered again a person whose data was erased"
    )


@event
class StaffLeft(EventPayload):
    event_type: ClassVar[str] = "registry.StaffLeft"
    aggregate_type: ClassVar[str] = "Staff"

    staff_id: str
    institution_id: str
    person_ref: str
    left_on: date


@event
class OutOfProvinceFilingRegistered(EventPayload):
    event_type: ClassVar[str] = "registry.OutOfProvinceFilingRegistered"
    aggregate_type: ClassVar[str] = "Filing"

    filing_id: str
    institution_id: str
    province_code: str = Field(description="the province the institution will work in")
    certificate_number: str
    issuing_authority: str
    valid_until: date
    scope_codes: list[str]
    contacts: list[Contact]
    receiving_qc_centre: str
    filed_at: datetime


class ProjectSummary(EventPayload):
    report_name: str
    report_number: str
    completion_date: date
    client_name: str
    client_address: str
    client_contact: str


@event
class WorkSummarySubmitted(EventPayload):
    event_type: ClassVar[str] = "registry.WorkSummarySubmitted"
    aggregate_type: ClassVar[str] = "Filing"

    filing_id: str
    institution_id: str
    period: str = Field(description="half year, e.g. 2026H1 (due 31 Jul) or 2026H2 (due 31 Jan)")
    projects: list[ProjectSummary]
    submitted_on: date
    due_on: date
    late: bool


@event
class ServiceReportCardFiled(EventPayload):
    event_type: ClassVar[str] = "registry.ServiceReportCardFiled"
    aggregate_type: ClassVar[str] = "ReportCard"

    card_id: str
    institution_id: str
    report_number: str
    service_kind: str
    client_name: str
    client_uscc: str
    client_region_code: str
    completion_date: date
    staff_ids: list[str]
    filed_on: date
    due_on: date
    late: bool


@event
class InstitutionConditionsChanged(EventPayload):
    """R6a: a qualified institution stopped (or again) meeting the conditions it must keep."""

    event_type: ClassVar[str] = "registry.InstitutionConditionsChanged"
    aggregate_type: ClassVar[str] = "Institution"

    institution_id: str
    conditions_met: bool
    unmet: list[str] = Field(default_factory=list, description="what is missing, if anything")
    changed_on: date


@event
class SelfInspectionCampaignLaunched(EventPayload):
    """A special campaign's self-inspection step (Hangzhou 专项治理, seed 000): institutions in
    the region report by the deadline; form 附表1 lists what they reported."""

    event_type: ClassVar[str] = "registry.SelfInspectionCampaignLaunched"
    aggregate_type: ClassVar[str] = "SelfInspectionCampaign"

    campaign_id: str
    title: str
    region_code: str
    period_from: date = Field(description="first day of the business volume counted")
    period_to: date = Field(description="last day of the business volume counted")
    deadline: date
    launched_on: date


@event
class SelfInspectionReported(EventPayload):
    """One institution's self-inspection report (附表1 row)."""

    event_type: ClassVar[str] = "registry.SelfInspectionReported"
    aggregate_type: ClassVar[str] = "SelfInspectionCampaign"

    campaign_id: str
    institution_id: str
    technical_staff: int = Field(description="技术服务人员数")
    detection_reports: int = Field(description="检测报告出具数")
    evaluation_reports: int = Field(description="现状评价报告出具数")
    detection_report_problems: int = Field(description="发现问题数：检测报告数")
    evaluation_report_problems: int = Field(description="发现问题数：现状评价报告数")
    problems: list[str] = Field(default_factory=list, description="problems found and corrected")
    notes: str = ""
    submitted_on: date
    late: bool


@event
class PersonalDataErased(EventPayload):
    """A person's clear data was erased (operator command); read models show them as erased.
    Carries nothing personal: the keyed hash only."""

    event_type: ClassVar[str] = "registry.PersonalDataErased"
    aggregate_type: ClassVar[str] = "Staff"

    staff_id: str
    institution_id: str
    person_ref: str
    erased_on: date
