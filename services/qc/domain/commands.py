"""Commands to the QC service."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from ohts_kit.plausible import DeadlineDate, HappenedDate, StrictCommand


class Command(StrictCommand):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DetectionSample(Command):
    """Q3: a health-examination institution's year, for the weighted provincial average."""

    examined: int = Field(ge=1, le=100_000_000, description="persons examined")
    detected: int = Field(
        ge=0, le=100_000_000, description="suspected occupational disease or contraindication"
    )


class GeneratePlan(Command):
    province_code: str = Field(pattern=r"^\d{2}0000$")
    year: int = Field(ge=2020, le=2100)
    seed: str | None = Field(None, max_length=64, description="default: a fresh random seed")
    detection_rates: dict[str, float] = Field(
        default_factory=dict,
        description="refused: a bare rate cannot be weighted; give detection_samples (Q3)",
    )
    detection_samples: dict[str, DetectionSample] = Field(
        default_factory=dict,
        max_length=10_000,
        description="health-exam institution → persons examined and suspected cases detected",
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


class Reopen(Reason):
    due_on: DeadlineDate | None = Field(
        None, description="the new due date; default: the look-back term from today"
    )


class ConcludeYear(Command):
    province_code: str = Field(pattern=r"^\d{2}0000$")
    year: int = Field(ge=2020, le=2100)


class RecordFollowUp(Command):
    institution_id: str = Field(min_length=1, max_length=64)
    kind: str = Field(
        description="interview (约谈) | group-review (集中点评)"
        " | supervised-rectification (督办整改)"
    )
    held_on: HappenedDate
    subject: str = Field(min_length=2, max_length=2000)
    outcome: str | None = Field(None, min_length=2, max_length=2000)
    due_on: DeadlineDate | None = None


class ConcludeFollowUp(Command):
    outcome: str = Field(min_length=2, max_length=2000)
    concluded_on: HappenedDate


class AssessCapability(Command):
    institution_id: str = Field(min_length=1, max_length=64)
    year: int = Field(ge=2020, le=2100)
    meets: dict[str, bool] = Field(description="staff | premises | equipment | support")
    gaps: str = Field("", max_length=2000, description="不符合之处（分类说明）")
    improvement_plan: str = Field("", max_length=4000, description="能力提升计划")
    note: str | None = Field(None, max_length=1000)
