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
