"""Inspections (E3): random, extended, complaint, referral follow-up; one per institution and
period (包容审慎: a second reason merges into the open inspection); results published within
20 working days of the end."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from contracts.enforcement_v1 import (
    InspectionCompleted,
    InspectionMerged,
    InspectionResultPublished,
    InspectionScheduled,
    UnreportedProjectFound,
)
from contracts.envelope import EventPayload
from ohts_kit.errors import Conflict, InvalidCommand
from ohts_kit.workdays import WorkCalendar
from services.enforcement.domain.dates import EARLIEST, When, world_date

AGGREGATE = "Inspection"
KINDS = ("random", "extended", "complaint", "referral")
PUBLICATION_WORKING_DAYS = 20  # E2: results public within 20 working days of the end


@dataclass(frozen=True)
class Inspection:
    inspection_id: str
    version: int = 0
    scheduled: bool = False
    institution_id: str = ""
    kinds: tuple[str, ...] = ()
    ended_on: date | None = None
    published: bool = False
    scheduled_on: date | None = None


def evolve(s: Inspection, e: EventPayload) -> Inspection:
    s = replace(s, version=s.version + 1)
    match e:
        case InspectionScheduled():
            return replace(
                s,
                scheduled=True,
                institution_id=e.institution_id,
                kinds=(e.kind,),
                scheduled_on=e.scheduled_on,
            )
        case InspectionMerged():
            return replace(s, kinds=(*s.kinds, e.kind))
        case InspectionCompleted():
            return replace(s, ended_on=e.ended_on)
        case InspectionResultPublished():
            return replace(s, published=True)
    return s


def fold(inspection_id: str, events: Iterable[EventPayload]) -> Inspection:
    state = Inspection(inspection_id)
    for event in events:
        state = evolve(state, event)
    return state


def schedule_or_merge(
    open_inspection: Inspection | None,
    new_id: str,
    institution_id: str,
    kind: str,
    period: str,
    inspectors: list[str],
    today: date,
    *,
    source_ref: str | None = None,
    employer_name: str | None = None,
    report_number: str | None = None,
    conflicted: frozenset[str] = frozenset(),
    previous: frozenset[str] = frozenset(),
) -> tuple[str, list[EventPayload]]:
    """E3: with an inspection of the institution already open in the period, merge into it.
    A new team is checked as a draw's is (E2): nobody with a declared conflict with the
    institution (`conflicted`), nobody of its previous inspection (`previous`)."""
    if kind not in KINDS:
        raise InvalidCommand.of("kind", "inspection kind", f"one of {', '.join(KINDS)}")
    if kind == "extended" and not (employer_name and report_number):
        raise InvalidCommand.of(
            "employer_name",
            "extended inspection names the employer and report",
            "give employer_name and report_number",
        )
    if open_inspection is not None and open_inspection.ended_on is None:
        return open_inspection.inspection_id, [
            InspectionMerged(
                inspection_id=open_inspection.inspection_id,
                institution_id=institution_id,
                kind=kind,
                source_ref=source_ref,
                merged_on=today,
            )
        ]
    if len(set(inspectors)) < 2:
        raise InvalidCommand.of(
            "inspectors", "at least 2 inspectors (行政处罚法 42)", f"{len(set(inspectors))} given"
        )
    check_team(inspectors, conflicted, previous)
    return new_id, [
        InspectionScheduled(
            inspection_id=new_id,
            institution_id=institution_id,
            kind=kind,
            period=period,
            inspectors=sorted(set(inspectors)),
            source_ref=source_ref,
            employer_name=employer_name,
            report_number=report_number,
            scheduled_on=today,
        )
    ]


def check_team(inspectors: list[str], conflicted: frozenset[str], previous: frozenset[str]) -> None:
    """E2 for any inspection team, drawn or named by hand."""
    if clash := sorted(set(inspectors) & conflicted):
        raise InvalidCommand.of(
            "inspectors",
            "E2 recusal: no declared conflict of interest (行政处罚法 43)",
            f"{'、'.join(clash)} declared a conflict of interest with this institution",
        )
    if again := sorted(set(inspectors) & previous):
        raise InvalidCommand.of(
            "inspectors",
            "E2: not the inspectors of the institution's previous inspection",
            f"{'、'.join(again)} inspected this institution last time",
        )


def complete(
    s: Inspection,
    result: str,
    findings: list[str],
    full_evaluation: bool,
    ended_on: date,
    today: date,
    earliest: date = EARLIEST,
) -> list[EventPayload]:
    if not s.scheduled:
        raise InvalidCommand.of(
            "inspection_id", "scheduled inspection", f"no inspection {s.inspection_id}"
        )
    if s.ended_on is not None:
        raise Conflict(
            f"inspection {s.inspection_id} ended on {s.ended_on}",
            rule="E3",
            details={"state": "completed"},
        )
    if result not in ("compliant", "issues-found"):
        raise InvalidCommand.of("result", "compliant | issues-found", f"got {result!r}")
    if result == "issues-found" and not findings:
        raise InvalidCommand.of("findings", "issues found are named", "no findings given")
    if ended_on > today:
        raise InvalidCommand.of("ended_on", "not in the future", f"{ended_on} is after {today}")
    # F1: not before the earliest date; not checked against scheduled_on, which older
    # inspections carry as the day they were entered rather than planned
    world_date("ended_on", When(ended_on, today, earliest))
    return [
        InspectionCompleted(
            inspection_id=s.inspection_id,
            institution_id=s.institution_id,
            kind=s.kinds[0],
            full_evaluation=full_evaluation,
            ended_on=ended_on,
            result=result,
            findings=findings,
        )
    ]


def publish(s: Inspection, today: date, calendar: WorkCalendar) -> list[EventPayload]:
    if s.ended_on is None:
        raise Conflict(
            f"inspection {s.inspection_id} has not ended",
            rule="E2 publish results",
            details={"state": "scheduled"},
        )
    if s.published:
        raise Conflict(
            f"inspection {s.inspection_id} is already published",
            rule="publish once",
            details={"state": "published"},
        )
    lag = calendar.working_days_between(s.ended_on, today)
    return [
        InspectionResultPublished(
            inspection_id=s.inspection_id,
            institution_id=s.institution_id,
            published_on=today,
            lag_working_days=lag.days,
            provisional=lag.provisional,
        )
    ]


def unreported_project(
    s: Inspection, report_number: str, client_name: str, today: date
) -> list[UnreportedProjectFound]:
    """An extended inspection found a project without a service report card (R8 不报)."""
    return [
        UnreportedProjectFound(
            inspection_id=s.inspection_id,
            institution_id=s.institution_id,
            report_number=report_number,
            client_name=client_name,
            found_on=today,
        )
    ]
