"""Annual QC plan selection (Q1–Q3): pure, seeded, and verifiable from its recorded inputs."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

from contracts.envelope import EventPayload
from contracts.qc_v1 import PlanEntry, QcPlanGenerated
from ohts_kit.errors import Conflict, InvalidCommand
from services.qc.domain.commands import GeneratePlan

AGGREGATE = "QcPlan"
NOUN = "plan"

# The ratios, each with its source; counts round up, never down.
MONITORING_RATIO = Fraction(2, 5)  # Q2: ≥40% under quality monitoring (Henan, seed 004)
OUT_OF_PROVINCE_RATIO = Fraction(1, 2)  # Q2: ≥50% of out-of-province institutions (seeds 001, 004)
HEALTH_EXAM_PROVINCIAL_RATIO = Fraction(1, 2)  # Q3: ≥50% chosen for provincial QC (seed 004)

# Q3 priority criteria for health-examination institutions, in the seed's order.
HEALTH_EXAM_CRITERIA = (
    "filed-latest-year",
    "failed-provincial-qc-last-year",
    "detection-rate-below-half-average",
    "municipal-qc-serving-outside",
    "complaints-to-verify",
    "refused-provincial-comparison",
)
# Priority for technical service institutions (Q2: priority cases first); "conditions
# changed": the registry flagged that it no longer keeps its qualification's conditions (R6a).
TECHNICAL_CRITERIA = (
    "failed-provincial-qc-last-year",
    "complaints-to-verify",
    "refused-provincial-comparison",
    "conditions-changed",
)


def at_least(n: int, ratio: Fraction) -> int:
    """The smallest whole number of institutions that meets the ratio."""
    return -(-n * ratio.numerator // ratio.denominator)


@dataclass(frozen=True)
class PlanInputs:
    technical: list[str]
    out_of_province: list[str]
    health_exam: list[str]
    facts: dict[str, list[str]] = field(default_factory=dict)  # institution → criteria met
    detection_rates: dict[str, float] = field(default_factory=dict)  # plans before samples
    # Q3, health exam only: institution → (suspected cases detected, persons examined)
    detection_samples: dict[str, tuple[int, int]] = field(default_factory=dict)

    def as_record(self) -> dict[str, Any]:
        record = {
            "technical": sorted(self.technical),
            "out_of_province": sorted(self.out_of_province),
            "health_exam": sorted(self.health_exam),
            "facts": {k: sorted(v) for k, v in sorted(self.facts.items()) if v},
            "detection_rates": dict(sorted(self.detection_rates.items())),
        }
        if self.detection_samples:
            record["detection_samples"] = {
                k: list(v) for k, v in sorted(self.detection_samples.items())
            }
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> PlanInputs:
        return cls(
            technical=list(record["technical"]),
            out_of_province=list(record["out_of_province"]),
            health_exam=list(record["health_exam"]),
            facts={k: list(v) for k, v in record["facts"].items()},
            detection_rates={k: float(v) for k, v in record["detection_rates"].items()},
            detection_samples={
                k: (int(v[0]), int(v[1])) for k, v in record.get("detection_samples", {}).items()
            },
        )


def below_half_average(inputs: PlanInputs, institution_id: str) -> bool:
    """Q3: the institution's detection rate is below half the provincial average. With
    samples the average is the province's rate, weighted by persons examined (all cases
    detected / all persons examined); plans recorded with bare rates keep their mean."""
    if inputs.detection_samples:
        detected = sum(d for d, _ in inputs.detection_samples.values())
        examined = sum(n for _, n in inputs.detection_samples.values())
        own = inputs.detection_samples.get(institution_id)
        if own is None or examined == 0:
            return False
        return Fraction(own[0], own[1]) < Fraction(detected, examined) / 2
    if not inputs.detection_rates or institution_id not in inputs.detection_rates:
        return False
    average = sum(inputs.detection_rates.values()) / len(inputs.detection_rates)
    return inputs.detection_rates[institution_id] < average / 2


def _criteria(inputs: PlanInputs, institution_id: str, allowed: tuple[str, ...]) -> list[str]:
    met = set(inputs.facts.get(institution_id, []))
    if "detection-rate-below-half-average" in allowed and below_half_average(
        inputs, institution_id
    ):
        met.add("detection-rate-below-half-average")
    return [c for c in allowed if c in met]


def _choose(
    group: str,
    universe: list[str],
    ratio: Fraction,
    inputs: PlanInputs,
    seed: str,
    criteria: tuple[str, ...],
) -> list[PlanEntry]:
    ordered = sorted(set(universe))
    target = at_least(len(ordered), ratio)
    entries = []
    for institution_id in ordered:
        met = _criteria(inputs, institution_id, criteria)
        if met:
            entries.append(
                PlanEntry(
                    institution_id=institution_id, group=group, reason="priority: " + ", ".join(met)
                )
            )
    chosen = {e.institution_id for e in entries}
    rest = [i for i in ordered if i not in chosen]
    fill = random.Random(f"{seed}|{group}").sample(rest, max(0, target - len(entries)))
    entries += [
        PlanEntry(institution_id=i, group=group, reason="random fill (seeded)")
        for i in sorted(fill)
    ]
    return entries


def select(inputs: PlanInputs, seed: str) -> list[PlanEntry]:
    entries = [
        PlanEntry(institution_id=i, group="comparison", reason="Q1 every registered institution")
        for i in sorted(set(inputs.technical))
    ]
    entries += _choose(
        "monitoring", inputs.technical, MONITORING_RATIO, inputs, seed, TECHNICAL_CRITERIA
    )
    entries += _choose(
        "out-of-province",
        inputs.out_of_province,
        OUT_OF_PROVINCE_RATIO,
        inputs,
        seed,
        TECHNICAL_CRITERIA,
    )
    entries += [
        PlanEntry(institution_id=i, group="health-exam-all", reason="Q3 QC for all")
        for i in sorted(set(inputs.health_exam))
    ]
    entries += _choose(
        "health-exam-provincial",
        inputs.health_exam,
        HEALTH_EXAM_PROVINCIAL_RATIO,
        inputs,
        seed,
        HEALTH_EXAM_CRITERIA,
    )
    return entries


def verify(recorded_inputs: dict[str, Any], seed: str, recorded: list[PlanEntry]) -> list[str]:
    """Differences between the recorded selection and a recomputation (empty: it matches)."""
    again = select(PlanInputs.from_record(recorded_inputs), seed)
    expected = {(e.group, e.institution_id, e.reason) for e in again}
    actual = {(e.group, e.institution_id, e.reason) for e in recorded}
    return sorted(
        [f"missing {g} {i} ({r})" for g, i, r in expected - actual]
        + [f"unexpected {g} {i} ({r})" for g, i, r in actual - expected]
    )


@dataclass(frozen=True)
class Plan:
    """A province's plan for a year, as generated (it never changes afterwards)."""

    plan_id: str
    generated: bool = False
    province_code: str = ""
    year: int = 0
    seed: str = ""
    inputs: dict[str, Any] = field(default_factory=dict)
    entries: tuple[PlanEntry, ...] = ()


def fold(plan_id: str, events: Iterable[EventPayload]) -> Plan:
    state = Plan(plan_id)
    for e in events:
        if isinstance(e, QcPlanGenerated):
            state = Plan(plan_id, True, e.province_code, e.year, e.seed, e.inputs, tuple(e.entries))
    return state


def generate(
    s: Plan, province_code: str, year: int, seed: str, inputs: PlanInputs, now: datetime
) -> list[EventPayload]:
    """The plan: the seeded selection together with the inputs and seed that reproduce it."""
    if s.generated:
        raise Conflict(f"plan {s.plan_id} is already generated")
    return [
        QcPlanGenerated(
            plan_id=s.plan_id,
            province_code=province_code,
            year=year,
            seed=seed,
            inputs=inputs.as_record(),
            entries=select(inputs, seed),
            generated_at=now,
        )
    ]


def verification(s: Plan) -> list[str]:
    """The plan recomputed from what it recorded: its differences (empty: it matches)."""
    return verify(s.inputs, s.seed, list(s.entries))


def check_detection(cmd: GeneratePlan) -> None:
    """Q3 weighs the provincial average by persons examined: bare rates cannot be weighed,
    and no institution detects more cases than persons it examined."""
    if cmd.detection_rates:
        raise InvalidCommand.of(
            "detection_rates",
            "Q3 average weighted by samples",
            "检出率须按样本加权：请改用 detection_samples（体检人数 examined、检出人数 detected）",
        )
    for institution_id, sample in cmd.detection_samples.items():
        if sample.detected > sample.examined:
            raise InvalidCommand.of(
                f"detection_samples.{institution_id}.detected",
                "at most the persons examined",
                f"检出人数 {sample.detected} 超过体检人数 {sample.examined}",
            )
