"""P2 publicity periods and severity classes of penalty decisions: shared rule data.

Enforcement validates the severity its deciding authority chooses and decides when credit
repair may end publicity early; reporting decides what the public portal shows and until
when. Both must read the same table, so it lives with the contracts. The rows carry their
legal source and date of effect: a penalty uses the rule in force on its decision date.

Severity codes are stable across rules (minor < general < heavier < serious); each rule names
only the classes it knows, in its own words (e.g. 527号: 一般失信 / 严重失信).
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
ORDER = ("minor", "general", "heavier", "serious")
# Penalties after which no early credit repair is possible (P2; SAMR Order 45 art. 14).
NO_EARLY_REPAIR = frozenset({"revocation", "practice-ban"})
# Default-suggestion table (P2): these facts suggest the heaviest class of the rule in force.
HEAVY_KINDS = NO_EARLY_REPAIR
HEAVY_VIOLATIONS = frozenset({"false-report", "application-fraud"})
HEAVY_FINE_YUAN = Decimal(100000)  # default "fine above a configurable amount"


@dataclass(frozen=True)
class Rule:
    rule: str
    effective_from: date
    effective_to: date | None
    severity: str  # one of ORDER
    name: str  # the class as the rule names it (轻微/一般/较重/严重 ...)
    published: bool
    min_months: int | None  # None: the rule's minimum is not confirmed, no early repair
    max_months: int
    confirmed: bool  # False: a secondary source or a value not confirmed in the official text
    source: str
    reference: str  # where the source was read


@dataclass(frozen=True)
class Publicity:
    rule: str
    severity: str  # one of ORDER
    published: bool
    repair_from: date | None  # earliest day credit repair may end publicity; None: never
    public_until: date | None  # first day no longer public; None when not published
    source: str
    name: str = ""  # the severity as the rule names it
    chosen: bool = False  # True: chosen by the deciding authority, False: suggested default


class SeverityNotAllowed(ValueError):
    """A chosen severity the rule in force does not know (enforcement turns it into a 422)."""

    def __init__(self, decided_on: date, severity: str, allowed: tuple[Rule, ...]) -> None:
        names = "、".join(f"{r.severity}（{r.name}）" for r in allowed)
        rule = allowed[0].rule if allowed else "无"
        super().__init__(
            f"处罚决定日期 {decided_on} 适用的公示规则 {rule} 不含严重程度“{severity}”，"
            f"可选：{names}"
        )
        self.decided_on, self.severity, self.allowed = decided_on, severity, allowed


def _row(row: dict[str, str]) -> Rule:
    return Rule(
        rule=row["rule"],
        effective_from=date.fromisoformat(row["effective_from"]),
        effective_to=date.fromisoformat(row["effective_to"]) if row["effective_to"] else None,
        severity=row["severity"],
        name=row["name"],
        published=row["published"] == "yes",
        min_months=int(row["min_months"]) if row["min_months"] else None,
        max_months=int(row["max_months"]),
        confirmed=row["confirmed"] == "yes",
        source=row["source"],
        reference=row["reference"],
    )


@cache
def rules() -> tuple[Rule, ...]:
    with TABLE.open(encoding="utf-8") as f:
        return tuple(_row(row) for row in csv.DictReader(f))


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def classes_in_force(decided_on: date) -> tuple[Rule, ...]:
    """The severity classes of the rule in force on the decision date, lightest first."""
    found = tuple(
        r
        for r in rules()
        if r.effective_from <= decided_on
        and (r.effective_to is None or decided_on <= r.effective_to)
    )
    if not found:
        raise LookupError(f"no publicity rule in force on {decided_on}")
    return tuple(sorted(found, key=lambda r: ORDER.index(r.severity)))


def severity_names(decided_on: date) -> dict[str, str]:
    """Code -> the name the rule in force gives it, e.g. {"general": "一般失信", ...}."""
    return {r.severity: r.name for r in classes_in_force(decided_on)}


def check_severity(decided_on: date, severity: str) -> tuple[str, ...]:
    """The allowed codes of the rule in force; raises SeverityNotAllowed for another one."""
    allowed = classes_in_force(decided_on)
    if severity not in {r.severity for r in allowed}:
        raise SeverityNotAllowed(decided_on, severity, allowed)
    return tuple(r.severity for r in allowed)


def suggest_severity(
    decided_on: date,
    penalties: list[str],
    fine_yuan: Decimal | None,
    ban_years: int | None,
    threshold_yuan: Decimal = Decimal(0),
    heavy_fine_yuan: Decimal = HEAVY_FINE_YUAN,
    violation: str | None = None,
) -> str:
    """The default class of the rule in force (the deciding authority may choose another):
    revocation, a practice ban, a false report or a fine above `heavy_fine_yuan` -> the
    heaviest class; a warning alone or a fine below the local threshold -> the lightest; else
    the general class (or the lightest published one)."""
    classes = classes_in_force(decided_on)
    kinds, fine = set(penalties), fine_yuan or Decimal(0)
    heavy = bool(HEAVY_KINDS & kinds) or violation in HEAVY_VIOLATIONS or ban_years
    if heavy or fine > heavy_fine_yuan:
        return classes[-1].severity
    small = kinds == {"warning"} or (kinds <= {"warning", "fine"} and fine < threshold_yuan)
    if small:
        return classes[0].severity
    codes = [r.severity for r in classes]
    published = [r.severity for r in classes if r.published]
    return "general" if "general" in codes else (published or codes)[0]


def publicity_of(
    decided_on: date,
    penalties: list[str],
    fine_yuan: Decimal | None,
    ban_years: int | None,
    threshold_yuan: Decimal = Decimal(0),
    severity: str | None = None,
    violation: str | None = None,
    heavy_fine_yuan: Decimal = HEAVY_FINE_YUAN,
) -> Publicity:
    """Publicity of a decision: the chosen severity (validated) or else the suggested one."""
    chosen = severity is not None
    if severity is None:
        severity = suggest_severity(
            decided_on, penalties, fine_yuan, ban_years, threshold_yuan, heavy_fine_yuan, violation
        )
    check_severity(decided_on, severity)
    rule = next(r for r in classes_in_force(decided_on) if r.severity == severity)
    if not rule.published:
        return Publicity(rule.rule, severity, False, None, None, rule.source, rule.name, chosen)
    until = add_months(decided_on, rule.max_months)
    if ban_years:  # a practice ban longer than the maximum stays public for the whole ban
        until = max(until, add_months(decided_on, 12 * ban_years))
    no_repair = bool(NO_EARLY_REPAIR & set(penalties)) or rule.min_months is None
    repair_from = None if no_repair else add_months(decided_on, rule.min_months or 0)
    return Publicity(rule.rule, severity, True, repair_from, until, rule.source, rule.name, chosen)
