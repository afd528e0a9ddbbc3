"""Typical case (典型案例): a decided case supervision sends back to the QC centres, so QC
checks for the same problem (seed 001 §二(三)3; seed 004: cases exchanged both ways)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from contracts.enforcement_v1 import CaseMarkedTypical
from contracts.envelope import EventPayload
from ohts_kit.errors import Conflict
from services.enforcement.domain.case import Case, Stage

AGGREGATE = "TypicalCase"
NOUN = "typical case"
DECIDED = (Stage.PENALTY_DECIDED, Stage.EXECUTED, Stage.CLOSED)


@dataclass(frozen=True)
class Typical:
    case_id: str
    marked: bool = False


def fold(case_id: str, events: Iterable[EventPayload]) -> Typical:
    state = Typical(case_id)
    for e in events:
        if isinstance(e, CaseMarkedTypical):
            state = Typical(case_id, True)
    return state


def mark(
    s: Typical, the_case: Case, summary: str, region_code: str, today: date
) -> list[EventPayload]:
    """Only a case with a penalty decision (not annulled) is typical, and it is sent once."""
    if the_case.stage not in DECIDED or the_case.penalty is None or the_case.annulled:
        raise Conflict(
            f"case {the_case.case_id} is {the_case.stage.value}; a typical case has a penalty"
            " decision in force",
            rule="typical cases back to QC",
            details={"state": the_case.stage.value},
        )
    if s.marked:
        raise Conflict(
            f"case {the_case.case_id} is already a typical case",
            rule="typical cases back to QC",
            details={"state": "typical"},
        )
    return [
        CaseMarkedTypical(
            case_id=the_case.case_id,
            institution_id=the_case.institution_id,
            violation=the_case.violation,
            summary=summary,
            marked_by_region_code=region_code,
            marked_on=today,
        )
    ]
