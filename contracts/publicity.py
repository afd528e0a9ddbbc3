"""P2 publicity periods of penalty decisions: shared rule data, not code either side may vary.

Enforcement decides when credit repair may end publicity early; reporting decides what the
public portal shows and until when. Both must read the same table, so it lives with the
contracts. The rows carry their legal source and date of effect: a penalty uses the rule in
force on its decision date.
"""

from __future__ import annotations

import calendar
import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

TABLE = Path(__file__).parent / "data" / "publicity_periods.csv"
# Penalties after which no early credit repair is possible (P2; SAMR Order 45 art. 14).
NO_EARLY_REPAIR = frozenset({"revocation", "practice-ban"})
SERIOUS_KINDS = NO_EARLY_REPAIR


@dataclass(frozen=True)
class Rule:
    rule: str
    effective_from: date
    effective_to: date | None
    severity: str
    published: bool
    min_months: int
    max_months: int
    source: str


@dataclass(frozen=True)
class Publicity:
    rule: str
    severity: str  # minor | general | serious
    published: bool
    repair_from: date | None  # earliest day credit repair may end publicity; None: never
    public_until: date | None  # first day no longer public; None when not published
    source: str


@cache
def rules() -> tuple[Rule, ...]:
    with TABLE.open(encoding="utf-8") as f:
        return tuple(
            Rule(
                rule=row["rule"],
                effective_from=date.fromisoformat(row["effective_from"]),
                effective_to=date.fromisoformat(row["effective_to"])
                if row["effective_to"]
                else None,
                severity=row["severity"],
                published=row["published"] == "yes",
                min_months=int(row["min_months"]),
                max_months=int(row["max_months"]),
                source=row["source"],
            )
            for row in csv.DictReader(f)
        )


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def severity_of(penalties: list[str], fine_yuan: Decimal | None, threshold_yuan: Decimal) -> str:
    """Revocation or a practice ban is serious; a warning alone, or with a fine below the
    local threshold, is minor (recorded, not published); anything else is general."""
    kinds = set(penalties)
    if SERIOUS_KINDS & kinds:
        return "serious"
    small_fine = kinds <= {"warning", "fine"} and (fine_yuan or Decimal(0)) < threshold_yuan
    return "minor" if kinds == {"warning"} or small_fine else "general"


def publicity_of(
    decided_on: date,
    penalties: list[str],
    fine_yuan: Decimal | None,
    ban_years: int | None,
    threshold_yuan: Decimal = Decimal(0),
) -> Publicity:
    severity = severity_of(penalties, fine_yuan, threshold_yuan)
    rule = next(
        (
            r
            for r in rules()
            if r.severity == severity
            and r.effective_from <= decided_on
            and (r.effective_to is None or decided_on <= r.effective_to)
        ),
        None,
    )
    if rule is None:
        raise LookupError(f"no publicity rule in force on {decided_on} for {severity} penalties")
    if not rule.published:
        return Publicity(rule.rule, severity, False, None, None, rule.source)
    until = add_months(decided_on, rule.max_months)
    if ban_years:  # a practice ban longer than the maximum stays public for the whole ban
        until = max(until, add_months(decided_on, 12 * ban_years))
    repair_from = (
        None if NO_EARLY_REPAIR & set(penalties) else add_months(decided_on, rule.min_months)
    )
    return Publicity(rule.rule, severity, True, repair_from, until, rule.source)


# --- Severity chosen by the deciding authority (P2) -------------------------------------
# Minimal signatures written by law16 (enforcement) so the decision can carry the choice,
# in the shape of pub16's API (same names, same parameters; check_severity raises a
# ValueError, a missing rule a LookupError); pub16's version replaces this whole block.
# Enforcement calls only these two functions, with keywords after `fine_yuan`.


def suggest_severity(
    decided_on: date,
    penalties: list[str],
    fine_yuan: Decimal | None,
    ban_years: int | None = None,
    threshold_yuan: Decimal = Decimal(0),
    violation: str | None = None,
) -> str:
    """The default severity class suggested for a decision (the authority may choose
    another the rule in force names)."""
    return severity_of(penalties, fine_yuan, threshold_yuan)


def check_severity(decided_on: date, severity: str) -> None:
    """Refuse (ValueError, saying the allowed classes) a class the rule in force on the
    decision date does not name."""
    named = sorted(
        {
            r.severity
            for r in rules()
            if r.effective_from <= decided_on
            and (r.effective_to is None or decided_on <= r.effective_to)
        }
    )
    if named and severity not in named:
        raise ValueError(f"severity {severity!r} not named by the rule in force: {named}")
