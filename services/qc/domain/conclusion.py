"""Annual QC conclusion (Q6): each planned institution's result for the year; refused, or
failed and not rectified by the deadline, puts it on the public list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from contracts.envelope import EventPayload
from contracts.qc_v1 import AnnualQcConcluded
from ohts_kit.errors import Conflict
from services.qc.domain.activity import annual_result

AGGREGATE = "AnnualConclusion"
NOUN = "annual conclusion"


def conclusion_id(institution_id: str, year: int) -> str:
    """One conclusion stream per institution and year."""
    return f"{institution_id}:{year}"


@dataclass(frozen=True)
class YearFacts:
    """What the year's plan recorded about one institution."""

    institution_id: str
    results: tuple[str, ...]  # its results in the plan's activities
    unrectified: int  # its rectification items of the plan past due and not closed


@dataclass(frozen=True)
class Conclusion:
    conclusion_id: str
    concluded: bool = False
    institution_id: str = ""
    year: int = 0
    result: str = ""
    rectified: bool = False
    on_public_list: bool = False


def fold(conclusion_id: str, events: Iterable[EventPayload]) -> Conclusion:
    state = Conclusion(conclusion_id)
    for e in events:
        if isinstance(e, AnnualQcConcluded):
            state = Conclusion(
                conclusion_id,
                True,
                e.institution_id,
                e.year,
                e.result,
                e.rectified,
                e.on_public_list,
            )
    return state


def listed(result: str, unrectified: int) -> bool:
    """Q6: refused QC, or failed it and did not rectify by the deadline."""
    return result == "refused" or (result == "fail" and unrectified > 0)


def conclude(
    s: Conclusion, facts: YearFacts, province_code: str, year: int, today: date
) -> list[EventPayload]:
    if s.concluded:
        raise Conflict(
            f"{year} is already concluded for {facts.institution_id}", rule="Q6 once a year"
        )
    result = annual_result(list(facts.results))
    return [
        AnnualQcConcluded(
            institution_id=facts.institution_id,
            province_code=province_code,
            year=year,
            result=result,
            rectified=facts.unrectified == 0,
            on_public_list=listed(result, facts.unrectified),
            concluded_on=today,
        )
    ]
