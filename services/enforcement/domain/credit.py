"""Credit classes (E7), by the rule table in `data/credit_rules.csv` (kept in step here)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from functools import cache
from importlib import resources

from contracts.enforcement_v1 import CreditClassChanged
from contracts.envelope import EventPayload
from contracts.publicity import add_months
from contracts.qc_v1 import (
    AnnualQcConcluded,
    AnnualQcConclusionRevised,
    QcResultRecorded,
    RectificationOverdue,
    RectificationVerified,
)

AGGREGATE = "CreditRecord"
NOUN = "credit record"


@dataclass(frozen=True)
class CreditFacts:
    penalties: list[tuple[date, list[str]]]  # decision date, penalty kinds
    on_public_list: bool
    open_overdue_rectifications: int
    qc_failures: list[date]


@cache
def durations() -> dict[str, int | None]:
    """E7: each class-setting fact and how many months it lasts (None: while it holds)."""
    text = (resources.files("services.enforcement") / "data" / "credit_rules.csv").read_text(
        "utf-8"
    )
    return {
        r["fact"]: int(r["duration_months"]) if r["duration_months"] else None
        for r in csv.DictReader(text.splitlines())
    }


def lasts(fact: str, since: date, today: date) -> bool:
    """A fact dated `since` still sets the class on `today`: exact to the day, it ends on
    the same day of the month `duration` months later."""
    months = durations()[fact]
    return months is None or today < add_months(since, months)


# The penalty kinds that make each penalty fact of the rule table.
PENALTY_FACTS: dict[str, frozenset[str]] = {
    "revocation": frozenset({"revocation"}),
    "practice-ban": frozenset({"practice-ban"}),
    "two-fines": frozenset({"fine"}),
    "fine-or-confiscation": frozenset({"fine", "confiscation"}),
    "warning": frozenset({"warning"}),
}


def _with(f: CreditFacts, fact: str, today: date) -> list[date]:
    kinds = PENALTY_FACTS[fact]
    return [d for d, k in f.penalties if kinds & set(k) and d <= today and lasts(fact, d, today)]


def classify(f: CreditFacts, today: date) -> tuple[str, list[str]]:
    if _with(f, "revocation", today):
        return "D", ["a revocation within 36 months"]
    if _with(f, "practice-ban", today):
        return "D", ["a practice ban within 36 months"]
    if f.on_public_list:
        return "D", ["on the QC public list"]
    fines = _with(f, "two-fines", today)
    if len(fines) >= 2:
        return "D", [f"{len(fines)} penalty decisions with a fine within 3 years"]
    if _with(f, "fine-or-confiscation", today):
        return "C", ["a fine or confiscation within 2 years"]
    if f.open_overdue_rectifications:
        return "C", [f"{f.open_overdue_rectifications} overdue QC rectification item(s) open"]
    if _with(f, "warning", today):
        return "B", ["a warning within 1 year"]
    if any(lasts("qc-failure", d, today) for d in f.qc_failures if d <= today):
        return "B", ["a failed QC result within 1 year"]
    return "A", []


QcFact = (
    AnnualQcConcluded
    | AnnualQcConclusionRevised
    | RectificationOverdue
    | RectificationVerified
    | QcResultRecorded
)


@dataclass(frozen=True)
class QcRecord:
    """What enforcement keeps of an institution's QC record (from qc events), for E7."""

    on_public_list: bool = False
    overdue_items: frozenset[str] = frozenset()
    failures: tuple[date, ...] = ()

    def learn(self, e: QcFact) -> QcRecord:
        match e:
            case AnnualQcConcluded() | AnnualQcConclusionRevised():
                return replace(self, on_public_list=e.on_public_list)
            case RectificationOverdue():
                return replace(self, overdue_items=self.overdue_items | {e.item_id})
            case RectificationVerified():
                return replace(self, overdue_items=self.overdue_items - {e.item_id})
            case QcResultRecorded() if e.result in ("fail", "refused"):
                return replace(self, failures=(*self.failures, e.recorded_on))
        return self  # a passed result changes the record in nothing


@dataclass(frozen=True)
class CreditRecord:
    institution_id: str
    credit_class: str = "A"  # every institution starts in class A


def fold(institution_id: str, events: Iterable[EventPayload]) -> CreditRecord:
    state = CreditRecord(institution_id)
    for e in events:
        if isinstance(e, CreditClassChanged):
            state = replace(state, credit_class=e.credit_class)
    return state


def review(
    s: CreditRecord,
    penalties: list[tuple[date, list[str]]],
    qc: QcRecord,
    today: date,
) -> list[EventPayload]:
    """E7: the class again from penalties, QC results and rectification behaviour; a change
    is an event."""
    facts = CreditFacts(
        penalties=penalties,
        on_public_list=qc.on_public_list,
        open_overdue_rectifications=len(qc.overdue_items),
        qc_failures=list(qc.failures),
    )
    new_class, reasons = classify(facts, today)
    if new_class == s.credit_class:
        return []
    return [
        CreditClassChanged(
            institution_id=s.institution_id,
            previous_class=s.credit_class,
            credit_class=new_class,
            reasons=reasons,
            changed_on=today,
        )
    ]


@dataclass(frozen=True)
class Penalty:
    """A penalty decision against the institution as enforcement keeps it (world dates)."""

    decided_on: date
    kinds: list[str]
    annulled_on: date | None = None


def in_force(penalties: Iterable[Penalty], today: date) -> list[tuple[date, list[str]]]:
    """The decisions that count on `today`: decided by then and not annulled by then (F3)."""
    return [
        (p.decided_on, p.kinds)
        for p in penalties
        if p.decided_on <= today and (p.annulled_on is None or p.annulled_on > today)
    ]


def next_review(penalties: Iterable[Penalty], qc: QcRecord, today: date) -> date | None:
    """E7: the first day after `today` on which time alone may change the class: a decision
    or an annulment taking effect, or a fact's duration ending. None when nothing is due by
    time alone (what holds then, the public list or an overdue item, changes only by an
    event, and every event that changes a fact reviews the class itself). The daily sweep
    reviews only the institutions due, not every class above A every day."""
    days: list[date] = []
    for p in penalties:
        days += [p.decided_on, *([p.annulled_on] if p.annulled_on else [])]
        for fact, kinds in PENALTY_FACTS.items():
            months = durations()[fact]
            if months is not None and kinds & set(p.kinds):
                days.append(add_months(p.decided_on, months))
    qc_months = durations()["qc-failure"]
    for failed in qc.failures:
        days += [failed, add_months(failed, qc_months or 0)]
    return min((d for d in days if d > today), default=None)
