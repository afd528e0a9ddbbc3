"""Commands to the enforcement service."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from pydantic import ConfigDict, Field, field_validator

from ohts_kit.plausible import HappenedDate, StrictCommand


class Command(StrictCommand):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Inspector(Command):
    inspector_id: str = Field(min_length=1, max_length=64)
    conflicts: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="institutions with a declared conflict of interest",
    )


class DefinePlan(Command):
    jurisdiction_region_code: str = Field(pattern=r"^\d{6}$")
    year: int = Field(ge=2020, le=2100)
    sampling_ratio: str = Field(
        pattern=r"^\d{1,6}/\d{1,6}$", description="e.g. 3/10: 0 < ratio <= 1, terms up to 6 digits"
    )
    roster: list[Inspector] = Field(min_length=2, max_length=1000)

    @field_validator("sampling_ratio")
    @classmethod
    def _a_share(cls, value: str) -> str:
        # 1/0, 0/0 or 5/3 made every later draw of the plan a ZeroDivisionError (issue 18.2).
        numerator, denominator = (int(t) for t in value.split("/"))
        if denominator == 0 or not 0 < Fraction(numerator, denominator) <= 1:
            raise ValueError("抽查比例须大于 0 且不超过 1（分母不为 0），例如 3/10")
        return value


class Draw(Command):
    seed: str | None = Field(None, max_length=64)
    team_size: int = Field(2, ge=2, le=10)


class ScheduleInspection(Command):
    institution_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(pattern="^(extended|complaint|referral)$")
    period: str = Field(pattern=r"^\d{4}$")
    inspectors: list[str] = Field(min_length=2, max_length=10)
    source_ref: str | None = Field(None, max_length=64)
    employer_name: str | None = Field(None, max_length=200)
    report_number: str | None = Field(None, max_length=100)


class CompleteInspection(Command):
    result: str = Field(pattern="^(compliant|issues-found)$")
    findings: list[str] = Field(default_factory=list, max_length=100)
    full_evaluation: bool = False
    ended_on: HappenedDate


class UnreportedProject(Command):
    report_number: str = Field(min_length=1, max_length=100)
    client_name: str = Field(min_length=1, max_length=200)


class Complaint(Command):
    institution_id: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=2, max_length=2000)
    category: str = Field("false-report", max_length=50)


class UnfiledWork(Command):
    institution_id: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=2, max_length=2000)


class CloseLead(Command):
    reason: str = Field(min_length=2, max_length=1000)


class OpenCase(Command):
    violation: str = Field(min_length=2, max_length=50)


class Investigate(Command):
    summary: str = Field(min_length=2, max_length=5000)


class DecidePenalty(Command):
    decision_number: str = Field(min_length=2, max_length=100)
    penalties: list[str] = Field(min_length=1, max_length=5)
    fine_yuan: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    confiscation_yuan: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    illegal_gains_yuan: Decimal = Field(Decimal(0), ge=0, max_digits=14, decimal_places=2)
    banned_staff_id: str | None = Field(None, max_length=64)
    ban_years: int | None = Field(None, ge=1, le=10)
    certificate_number: str | None = Field(None, max_length=50)


class GrantCreditRepair(Command):
    reason: str = Field(min_length=2, max_length=2000)
    harm_removed: bool = Field(description="the harm of the violation has been removed")


class AnnulPenalty(Command):
    reason: str = Field(min_length=2, max_length=2000, description="e.g. 行政复议撤销")
