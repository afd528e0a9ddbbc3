"""Credit classes (E7), by the rule table in `data/credit_rules.csv` (kept in step here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class CreditFacts:
    penalties: list[tuple[date, list[str]]]  # decision date, penalty kinds
    on_public_list: bool
    open_overdue_rectifications: int
    qc_failures: list[date]


def classify(f: CreditFacts, today: date) -> tuple[str, list[str]]:
    def within(d: date, years: int) -> bool:
        return d > today - timedelta(days=365 * years)

    fines_3y = [d for d, kinds in f.penalties if within(d, 3) and "fine" in kinds]
    if any({"revocation", "practice-ban"} & set(kinds) for _, kinds in f.penalties):
        return "D", ["a revocation or practice ban"]
    if f.on_public_list:
        return "D", ["on the QC public list"]
    if len(fines_3y) >= 2:
        return "D", [f"{len(fines_3y)} penalty decisions with a fine within 3 years"]
    if any(within(d, 2) and {"fine", "confiscation"} & set(kinds) for d, kinds in f.penalties):
        return "C", ["a fine or confiscation within 2 years"]
    if f.open_overdue_rectifications:
        return "C", [f"{f.open_overdue_rectifications} overdue QC rectification item(s) open"]
    if any(within(d, 1) and "warning" in kinds for d, kinds in f.penalties):
        return "B", ["a warning within 1 year"]
    if any(within(d, 1) for d in f.qc_failures):
        return "B", ["a failed QC result within 1 year"]
    return "A", []
