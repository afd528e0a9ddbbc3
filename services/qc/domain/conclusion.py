"""Annual QC conclusion (Q6), a living one: each planned institution's result for the year,
evaluated at the year's end and again whenever one of its items of that year is verified,
becomes overdue or is reopened. Refused, or failed with an item past due and not closed,
puts the institution on the public list; it leaves the list when its items are closed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from contracts.envelope import EventPayload
from contracts.qc_v1 import (
    AnnualQcConcluded,
    AnnualQcConclusionRevised,
    QcPublicListEntered,
    QcPublicListLeft,
)
from ohts_kit.errors import Conflict
from services.qc.domain.activity import annual_result

AGGREGATE = "AnnualConclusion"
NOUN = "annual conclusion"
TRIGGERS = ("verified", "overdue", "reopened")


def conclusion_id(institution_id: str, year: int) -> str:
    """One conclusion stream per institution and year."""
    return f"{institution_id}:{year}"


@dataclass(frozen=True)
class YearFacts:
    """What the year's plan recorded about one institution."""

    institution_id: str
    results: tuple[str, ...]  # its results in the plan's activities
    unrectified: int  # its rectification items of the plan past due and not closed
    pending: int = 0  # its items of the plan not closed and not yet due


@dataclass(frozen=True)
class Conclusion:
    conclusion_id: str
    concluded: bool = False
    institution_id: str = ""
    year: int = 0
    result: str = ""
    rectified: bool = False
    on_public_list: bool = False
    province_code: str = ""
    pending: int = 0
    overdue: int = 0


def evolve(s: Conclusion, e: EventPayload) -> Conclusion:
    match e:
        case AnnualQcConcluded():
            return Conclusion(
                s.conclusion_id,
                True,
                e.institution_id,
                e.year,
                e.result,
                e.rectified,
                e.on_public_list,
                e.province_code,
                e.pending_items,
                e.overdue_items,
            )
        case AnnualQcConclusionRevised():
            return replace(
                s,
                result=e.result,
                rectified=e.rectified,
                on_public_list=e.on_public_list,
                pending=e.pending_items,
                overdue=e.overdue_items,
            )
    return s


def fold(conclusion_id: str, events: Iterable[EventPayload]) -> Conclusion:
    state = Conclusion(conclusion_id)
    for e in events:
        state = evolve(state, e)
    return state


def listed(result: str, unrectified: int, pending: int = 0, was_listed: bool = False) -> bool:
    """Q6: refused QC, or failed it and did not rectify by the deadline. A listed institution
    stays listed until all its items are closed (an item pending again after a look-back
    reopening keeps it there)."""
    if result == "refused":
        return True
    if result != "fail":
        return False
    return unrectified > 0 or (was_listed and pending > 0)


def _listing(before: bool, after: bool, facts_of: Conclusion, today: date) -> list[EventPayload]:
    """The public-list entry or exit when the listing changes."""
    s = facts_of
    if after and not before:
        reason = "refused" if s.result == "refused" else "failed-not-rectified"
        return [
            QcPublicListEntered(
                institution_id=s.institution_id,
                province_code=s.province_code,
                year=s.year,
                reason=reason,
                entered_on=today,
            )
        ]
    if before and not after:
        return [
            QcPublicListLeft(
                institution_id=s.institution_id,
                province_code=s.province_code,
                year=s.year,
                left_on=today,
            )
        ]
    return []


def conclude(
    s: Conclusion, facts: YearFacts, province_code: str, year: int, today: date
) -> list[EventPayload]:
    if s.concluded:
        raise Conflict(
            f"{year} is already concluded for {facts.institution_id}", rule="Q6 once a year"
        )
    result = annual_result(list(facts.results))
    on_list = listed(result, facts.unrectified)
    concluded = AnnualQcConcluded(
        institution_id=facts.institution_id,
        province_code=province_code,
        year=year,
        result=result,
        rectified=facts.unrectified == 0 and facts.pending == 0,
        on_public_list=on_list,
        concluded_on=today,
        pending_items=facts.pending,
        overdue_items=facts.unrectified,
    )
    return [concluded, *_listing(False, on_list, fold(s.conclusion_id, [concluded]), today)]


def reevaluate(s: Conclusion, facts: YearFacts, trigger: str, today: date) -> list[EventPayload]:
    """Q6 again after an item of the year changed; nothing when the year is not concluded
    yet (its conclusion will count the item) or nothing changed."""
    if not s.concluded:
        return []
    result = annual_result(list(facts.results))
    on_list = listed(result, facts.unrectified, facts.pending, s.on_public_list)
    rectified = facts.unrectified == 0 and facts.pending == 0
    if (result, rectified, on_list, facts.pending, facts.unrectified) == (
        s.result,
        s.rectified,
        s.on_public_list,
        s.pending,
        s.overdue,
    ):
        return []
    revised = AnnualQcConclusionRevised(
        institution_id=s.institution_id,
        province_code=s.province_code,
        year=s.year,
        result=result,
        rectified=rectified,
        pending_items=facts.pending,
        overdue_items=facts.unrectified,
        on_public_list=on_list,
        trigger=trigger,
        revised_on=today,
    )
    after = evolve(s, revised)
    return [revised, *_listing(s.on_public_list, on_list, after, today)]
