"""QC activity (能力比对 / 盲样考核 / 报告质量抽查 / 现场质控): participants, results, findings."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from contracts.envelope import EventPayload
from contracts.qc_v1 import (
    BlindSamplePassed,
    PlanEntry,
    QcActivityOpened,
    QcFindingRecorded,
    QcResultRecorded,
    QcResultSentToHomeAuthority,
)
from ohts_kit import regions
from ohts_kit.errors import Conflict, InvalidCommand, Violation
from ohts_kit.workdays import china_date
from ohts_kit.world_dates import EARLIEST, world_date, world_instant
from services.qc.domain.categories import CATEGORIES, SEVERITIES

AGGREGATE = "QcActivity"
NOUN = "activity"
KINDS = ("capability-comparison", "blind-sample", "report-spot-check", "on-site")
# Which plan groups take part in an activity of each kind, by default.
DEFAULT_GROUPS = {
    "capability-comparison": ("comparison",),
    "blind-sample": ("comparison",),
    "report-spot-check": ("monitoring", "out-of-province"),
    "on-site": ("monitoring", "out-of-province", "health-exam-provincial"),
}


@dataclass(frozen=True)
class Activity:
    activity_id: str
    version: int = 0
    opened: bool = False
    kind: str = ""
    province_code: str = ""
    year: int = 0
    participants: frozenset[str] = frozenset()
    results: frozenset[str] = frozenset()
    opened_on: date | None = None  # F1: the activity's world date


def evolve(s: Activity, e: EventPayload) -> Activity:
    s = replace(s, version=s.version + 1)
    if isinstance(e, QcActivityOpened):
        return replace(
            s,
            opened=True,
            kind=e.kind,
            province_code=e.province_code,
            year=e.year,
            participants=frozenset(e.participants),
            opened_on=china_date(e.opened_at),
        )
    if isinstance(e, QcResultRecorded):
        return replace(s, results=s.results | {e.institution_id})
    return s


def fold(activity_id: str, events: Iterable[EventPayload]) -> Activity:
    state = Activity(activity_id)
    for event in events:
        state = evolve(state, event)
    return state


def participants_of(
    plan_id: str, entries: Iterable[PlanEntry], kind: str, given: list[str] | None
) -> list[str]:
    """The given participants, all in the plan, or by default the plan's groups for the kind."""
    entries = list(entries)
    if given is None:
        groups = DEFAULT_GROUPS.get(kind, ())
        return sorted({e.institution_id for e in entries if e.group in groups})
    in_plan = {e.institution_id for e in entries}
    outside = [p for p in given if p not in in_plan]
    if outside:
        raise InvalidCommand.of(
            "participants", "institutions of the plan", f"not in plan {plan_id}: {outside}"
        )
    return given


def sample_cards(cards: dict[str, list[str]], per_institution: int, seed: str) -> list[str]:
    """Report spot check: seeded, reproducible sample of each participant's filed cards."""
    rng = random.Random(seed)
    sampled: list[str] = []
    for institution_id in sorted(cards):
        pool = sorted(cards[institution_id])
        sampled += sorted(rng.sample(pool, min(per_institution, len(pool))))
    return sampled


def open_activity(
    s: Activity,
    plan_id: str,
    kind: str,
    province_code: str,
    year: int,
    participants: list[str],
    sampled_cards: list[str],
    seed: str | None,
    now: datetime,
    opened_on: date | None = None,
    earliest: date = EARLIEST,
) -> list[EventPayload]:
    if s.opened:
        raise Conflict(f"activity {s.activity_id} is already open")
    if kind not in KINDS:
        raise InvalidCommand.of("kind", "activity kind", f"one of {', '.join(KINDS)}")
    if not participants:
        raise InvalidCommand.of("participants", "at least one", "no institution takes part")
    day = world_date("opened_on", opened_on, china_date(now), earliest)
    return [
        QcActivityOpened(
            activity_id=s.activity_id,
            plan_id=plan_id,
            kind=kind,
            province_code=province_code,
            year=year,
            participants=sorted(participants),
            sampled_cards=sampled_cards,
            seed=seed,
            opened_at=world_instant(day, now),
        )
    ]


@dataclass(frozen=True)
class FindingInput:
    finding_id: str
    category: str
    severity: str
    description: str
    evidence_refs: list[str]
    violation_clue: bool | None
    found_on: date | None = None  # F1: default: the result's date


def _finding_problems(result: str, findings: list[FindingInput]) -> list[Violation]:
    problems = []
    for i, f in enumerate(findings):
        if f.category not in CATEGORIES:
            problems.append(
                Violation(f"findings.{i}.category", "known category", f"unknown {f.category!r}")
            )
        if f.severity not in SEVERITIES:
            problems.append(
                Violation(f"findings.{i}.severity", "general | serious", f"got {f.severity!r}")
            )
    if result == "fail" and not findings:
        problems.append(Violation("findings", "a failure names its findings", "no findings given"))
    return problems


def result_dates(
    s: Activity, findings: list[FindingInput], given: date | None, today: date, earliest: date
) -> tuple[date, list[date]]:
    """F1: the result's date and each finding's, not before the activity's date."""
    after = ("质控活动开展日期", s.opened_on)
    day = world_date("recorded_on", given, today, earliest, after)
    found = [
        world_date(f"findings.{i}.found_on", f.found_on or day, today, earliest, after)
        for i, f in enumerate(findings)
    ]
    return day, found


def record_result(
    s: Activity,
    institution_id: str,
    result: str,
    findings: list[FindingInput],
    today: date,
    recorded_on: date | None = None,
    earliest: date = EARLIEST,
) -> list[EventPayload]:
    """`today`: the service's date; `recorded_on`: the result's world date (F1)."""
    if not s.opened:
        raise InvalidCommand.of("activity_id", "open activity", f"no activity {s.activity_id}")
    if institution_id not in s.participants:
        raise InvalidCommand.of(
            "institution_id",
            "participant of the activity",
            f"{institution_id} is not in this activity (plan of province {s.province_code})",
        )
    if institution_id in s.results:
        raise Conflict(f"a result for {institution_id} is already recorded", rule="one result")
    if result not in ("pass", "fail", "refused"):
        raise InvalidCommand.of("result", "pass | fail | refused", f"got {result!r}")
    if problems := _finding_problems(result, findings):
        raise InvalidCommand(*problems)
    day, found = result_dates(s, findings, recorded_on, today, earliest)
    events: list[EventPayload] = [
        QcResultRecorded(
            activity_id=s.activity_id,
            institution_id=institution_id,
            activity_kind=s.kind,
            result=result,
            recorded_on=day,
        )
    ]
    for f, found_on in zip(findings, found, strict=True):
        clue = f.violation_clue if f.violation_clue is not None else CATEGORIES[f.category][1]
        events.append(
            QcFindingRecorded(
                finding_id=f.finding_id,
                activity_id=s.activity_id,
                institution_id=institution_id,
                category=f.category,
                severity=f.severity,
                description=f.description,
                evidence_refs=f.evidence_refs,
                violation_clue=clue,
                recorded_on=found_on,
            )
        )
    if s.kind == "blind-sample" and result == "pass":
        events.append(
            BlindSamplePassed(
                activity_id=s.activity_id, institution_id=institution_id, passed_on=day
            )
        )
    return events


def clues(events: Iterable[EventPayload]) -> list[QcFindingRecorded]:
    """The recorded findings that are violation clues (Q5: referred to supervision)."""
    return [e for e in events if isinstance(e, QcFindingRecorded) and e.violation_clue]


def annual_result(results: list[str]) -> str:
    if "refused" in results:
        return "refused"
    if "fail" in results:
        return "fail"
    return "pass" if results else "not-assessed"


def home_notice(
    s: Activity, events: Iterable[EventPayload], institution_region: str
) -> list[EventPayload]:
    """A result on an institution licensed in another province is sent to its home
    licensing authority, with the categories of its findings (seed 001 §二(三)2)."""
    home = regions.province_of(institution_region)
    results = [e for e in events if isinstance(e, QcResultRecorded)]
    if not results or home == s.province_code:
        return []
    found = [e.category for e in events if isinstance(e, QcFindingRecorded)]
    r = results[0]
    return [
        QcResultSentToHomeAuthority(
            activity_id=s.activity_id,
            institution_id=r.institution_id,
            activity_kind=r.activity_kind,
            result=r.result,
            qc_province_code=s.province_code,
            home_province_code=home,
            finding_categories=found,
            sent_on=r.recorded_on,
        )
    ]
