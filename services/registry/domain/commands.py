"""Commands: orders to the registry, validated for shape here and for rules in the domain."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field

from contracts.registry_v1 import InstitutionKind, QualificationKind
from ohts_kit.plausible import (
    AssessmentDate,
    CertificateDate,
    DeadlineDate,
    HappenedDate,
    PeriodDate,
    StrictCommand,
    ValidityEndDate,
)

Text = Field(min_length=1, max_length=200)


class Command(StrictCommand):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactIn(Command):
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(min_length=5, max_length=30, pattern=r"^[0-9+\-() ]+$")
    position: str | None = Field(None, min_length=1, max_length=50, description="职务")
    email: str | None = Field(
        None, max_length=100, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="电子邮箱"
    )


class RegisterInstitution(Command):
    uscc: str = Field(description="统一社会信用代码 (18 characters, GB 32100 check character)")
    name: str = Field(min_length=2, max_length=100)
    address: str = Field(min_length=2, max_length=200)
    legal_representative: str = Field(min_length=1, max_length=50)
    nature: str = Field(min_length=1, max_length=50, description="e.g. 事业单位, 企业")
    kind: InstitutionKind
    region_code: str = Field(description="GB/T 2260 code of the registering region")
    contacts: list[ContactIn] = Field(default_factory=list, max_length=10)
    website: str | None = Field(None, pattern=r"^https?://\S+$", max_length=200)


class ChangeInstitutionDetails(Command):
    name: str | None = Field(None, min_length=2, max_length=100)
    address: str | None = Field(None, min_length=2, max_length=200)
    legal_representative: str | None = Field(None, min_length=1, max_length=50)
    contacts: list[ContactIn] | None = Field(None, max_length=10)
    website: str | None = Field(
        None, pattern=r"^(https?://\S+)?$", max_length=200, description='"" removes it (R6a)'
    )


class ApplyForQualification(Command):
    institution_id: str = Field(min_length=1, max_length=64)
    kind: QualificationKind
    scope_codes: list[str] = Field(min_length=1, max_length=20)
    applied_on: HappenedDate | None = Field(
        None, description="F1: the application's date (default: today)"
    )


class GrantQualification(Command):
    certificate_number: str = Field(min_length=4, max_length=50)
    valid_from: CertificateDate
    granted_on: HappenedDate | None = Field(
        None, description="F1: the decision's date (default: today)"
    )
    valid_until: ValidityEndDate | None = Field(
        None, description="default: valid_from + validity years - 1 day"
    )


class Decide(Command):
    reason: str = Field(min_length=2, max_length=500)


class ApplyForRenewal(Command):
    scope_codes: list[str] | None = Field(
        None,
        max_length=20,
        description="requested scope; legacy codes convert (R5); default: current",
    )


class DecideRenewal(Command):
    approve: bool
    certificate_number: str | None = Field(None, min_length=4, max_length=50)
    reason: str | None = Field(None, max_length=500)


class ChangeQualification(Command):
    added_scope_codes: list[str] = Field(default_factory=list, max_length=20)
    name: str | None = Field(None, min_length=2, max_length=100)
    address: str | None = Field(None, min_length=2, max_length=200)
    legal_representative: str | None = Field(None, min_length=1, max_length=50)


class PublishDecision(Command):
    decision_event_id: str = Field(min_length=1, max_length=64)
    published_at: datetime | None = Field(None, description="default: now")


class RegisterStaff(Command):
    institution_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=2, max_length=30)
    id_number: str = Field(description="居民身份证号码 (GB 11643); never published")
    title: str = Field(pattern="^(senior|intermediate|junior|none)$", description="职称")
    specialty: str = Field(min_length=1, max_length=50)
    years_of_experience: int = Field(ge=0, le=60)
    role: str = Field("staff", pattern="^(staff|technical-lead|qc-lead)$")
    full_time: bool = True
    assessment_certificate_number: str | None = Field(None, max_length=50)
    assessment_date: AssessmentDate | None = None
    registered_on: HappenedDate | None = None
    restore_erased_person: bool = Field(
        False,
        description="the registry authority's explicit decision to register again a person"
        " whose personal data was erased (recorded on the event)",
    )


class StaffLeaves(Command):
    left_on: HappenedDate | None = None


class FileOutOfProvince(Command):
    institution_id: str = Field(min_length=1, max_length=64)
    province_code: str = Field(pattern=r"^\d{2}0000$", description="province worked in")
    certificate_number: str = Field(min_length=4, max_length=50)
    contacts: list[ContactIn] = Field(min_length=1, max_length=10)
    receiving_qc_centre: str = Field(min_length=2, max_length=100)
    work_region_code: str | None = Field(
        None, pattern=r"^\d{6}$", description="技术服务工作地, inside province_code"
    )
    work_place_authority: str | None = Field(
        None, min_length=2, max_length=100, description="技术服务工作地卫生健康主管部门"
    )
    receiving_official: str | None = Field(None, min_length=1, max_length=50, description="承办人")
    receiving_official_phone: str | None = Field(
        None, min_length=5, max_length=30, pattern=r"^[0-9+\-() ]+$"
    )
    filed_on: HappenedDate | None = Field(
        None, description="F1: the filing's date (default: today)"
    )


class ProjectIn(Command):
    report_name: str = Field(min_length=1, max_length=200)
    report_number: str = Field(min_length=1, max_length=100)
    completion_date: HappenedDate
    client_name: str = Field(min_length=1, max_length=200)
    client_address: str = Field(min_length=1, max_length=200)
    client_contact: str = Field(min_length=1, max_length=100)


class SubmitWorkSummary(Command):
    period: str = Field(
        pattern=r"^\d{4}H[12]$", description="2026H1 (due 31 Jul) or 2026H2 (due 31 Jan)"
    )
    projects: list[ProjectIn] = Field(max_length=10_000)


class FileReportCard(Command):
    institution_id: str = Field(min_length=1, max_length=64)
    report_number: str = Field(min_length=1, max_length=100)
    service_kind: str = Field(
        pattern="^(detection|evaluation|current-status-evaluation|pre-evaluation|control-effect-evaluation|protection-evaluation|personal-dose-monitoring|other)$"
    )
    client_name: str = Field(min_length=1, max_length=200)
    client_uscc: str = Field(min_length=18, max_length=18)
    client_region_code: str
    completion_date: HappenedDate
    staff_ids: list[str] = Field(default_factory=list, max_length=100)


class LaunchSelfInspection(Command):
    title: str = Field(min_length=2, max_length=200)
    region_code: str = Field(pattern=r"^\d{6}$")
    period_from: PeriodDate
    period_to: PeriodDate
    deadline: DeadlineDate


class ReportSelfInspection(Command):
    institution_id: str = Field(min_length=1, max_length=64)
    technical_staff: int = Field(ge=0, le=100_000)
    detection_reports: int = Field(ge=0, le=10_000_000)
    evaluation_reports: int = Field(ge=0, le=10_000_000)
    detection_report_problems: int = Field(ge=0, le=10_000_000)
    evaluation_report_problems: int = Field(ge=0, le=10_000_000)
    problems: list[str] = Field(default_factory=list, max_length=200)
    notes: str = Field("", max_length=2000)
