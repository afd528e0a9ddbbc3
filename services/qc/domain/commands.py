"""Commands to the QC service."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from ohts_kit.plausible import DeadlineDate, HappenedDate, StrictCommand


class Command(StrictCommand):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class GeneratePlan(Command):
    province_code: str = Field(pattern=r"^\d{2}0000$")
    year: int = Field(ge=2020, le=2100)
    seed: str | None = Field(None, max_length=64, description="default: a fresh random seed")
    detection_rates: dict[str, float] = Field(
        default_factory=dict,
        description="health-exam institution → suspected disease detection rate",
    )
    municipal_qc_serving_outside: list[str] = Field(default_factory=list, max_length=10_000)
    complaints_to_verify: list[str] = Field(default_factory=list, max_length=10_000)


class OpenActivity(Command):
    plan_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(pattern="^(capability-comparison|blind-sample|report-spot-check|on-site)$")
    participants: list[str] | None = Field(
        None,
        max_length=10_000,
        description="default: the plan's comparison, monitoring, "
        "out-of-province and health-exam institutions for the kind",
    )
    cards_per_institution: int = Field(2, ge=1, le=50, description="report spot checks")
    seed: str | None = Field(None, max_length=64)
    opened_on: HappenedDate | None = Field(
        None, description="F1: the activity's date (default: today)"
    )


class FindingIn(Command):
    category: str
    severity: str = "general"
    description: str = Field(min_length=2, max_length=2000)
    evidence_refs: list[str] = Field(default_factory=list, max_length=50)
    violation_clue: bool | None = Field(None, description="default: by category")
    due_on: DeadlineDate = Field(description="rectification due date (after the finding's date)")
    found_on: HappenedDate | None = Field(None, description="F1: default: the result's date")


class RecordResult(Command):
    institution_id: str = Field(min_length=1, max_length=64)
    result: str = Field(pattern="^(pass|fail|refused)$")
    findings: list[FindingIn] = Field(default_factory=list, max_length=100)
    recorded_on: HappenedDate | None = Field(
        None, description="F1: the result's date (default: today)"
    )


class SubmitRectification(Command):
    text: str = Field(min_length=2, max_length=5000)
    attachment_refs: list[str] = Field(default_factory=list, max_length=50)


class Reason(Command):
    reason: str = Field(min_length=2, max_length=1000)


class ConcludeYear(Command):
    province_code: str = Field(pattern=r"^\d{2}0000$")
    year: int = Field(ge=2020, le=2100)
