"""Commands: orders to the registry, validated for shape here and for rules in the domain."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from contracts.registry_v1 import InstitutionKind, QualificationKind


class ContactIn(BaseModel):
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(min_length=5, max_length=30, pattern=r"^[0-9+\-() ]+$")


class RegisterInstitution(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    uscc: str = Field(description="统一社会信用代码 (18 characters, GB 32100 check character)")
    name: str = Field(min_length=2, max_length=100)
    address: str = Field(min_length=2, max_length=200)
    legal_representative: str = Field(min_length=1, max_length=50)
    nature: str = Field(min_length=1, max_length=50, description="e.g. 事业单位, 企业")
    kind: InstitutionKind
    region_code: str = Field(description="GB/T 2260 code of the registering region")
    contacts: list[ContactIn] = Field(default_factory=list, max_length=10)


class GrantQualification(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    institution_id: str
    certificate_number: str = Field(min_length=4, max_length=50)
    kind: QualificationKind
    scope_codes: list[str] = Field(min_length=1, max_length=20)
    valid_from: date
    valid_until: date
