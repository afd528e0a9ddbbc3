"""Penalties within the law (E5, E6): the statutory table is data with its legal source."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from ohts_kit.errors import InvalidCommand, Violation

PENALTY_KINDS = ("warning", "fine", "confiscation", "revocation", "practice-ban")


@dataclass(frozen=True)
class Range:
    violation: str
    name: str
    legal_basis: str
    kinds: tuple[str, ...]
    required: tuple[str, ...]  # 并处: parts the article imposes together, never optional
    required_when: tuple[tuple[str, str], ...]  # (kind, condition), e.g. confiscation: gains>0
    fine_rule: str  # gains | fixed | unconfirmed | none
    gains_threshold: Decimal | None
    multiple_min: Decimal | None
    multiple_max: Decimal | None
    fine_min: Decimal | None
    fine_max: Decimal | None
    confirmed: bool


def _dec(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def _kinds(text: str) -> tuple[str, ...]:
    return tuple(k for k in text.split(";") if k.strip())


def _condition(text: str) -> tuple[str, str]:
    kind, _, condition = text.partition(":")
    if condition not in CONDITIONS:
        raise ValueError(f"unknown condition {condition!r} in the statutory table")
    return kind, condition


# The conditions the table may set on a part, on the illegal gains of the case.
CONDITIONS = {"gains>0": lambda gains: gains > 0}
CONDITION_TEXT = {"gains>0": "有违法所得时必须没收违法所得"}


@cache
def statutory_table() -> dict[str, Range]:
    text = (resources.files("services.enforcement") / "data" / "statutory_ranges.csv").read_text(
        "utf-8"
    )
    return {
        r["violation"]: Range(
            r["violation"],
            r["name"],
            r["legal_basis"],
            tuple(r["penalty_kinds"].split(";")),
            _kinds(r["required_kinds"]),
            tuple(_condition(c) for c in _kinds(r["required_when"])),
            r["fine_rule"],
            _dec(r["gains_threshold"]),
            _dec(r["gains_multiple_min"]),
            _dec(r["gains_multiple_max"]),
            _dec(r["fine_min"]),
            _dec(r["fine_max"]),
            r["confirmed"] == "yes",
        )
        for r in csv.DictReader(text.splitlines())
    }


def fine_bounds(row: Range, gains: Decimal) -> tuple[Decimal, Decimal] | None:
    """The allowed fine for this violation and these illegal gains (None: not confirmed)."""
    if row.fine_rule == "gains":
        assert (
            row.gains_threshold is not None
            and row.fine_min is not None
            and row.fine_max is not None
        )
        if gains >= row.gains_threshold:
            assert row.multiple_min is not None and row.multiple_max is not None
            return gains * row.multiple_min, gains * row.multiple_max
        return row.fine_min, row.fine_max
    if row.fine_rule == "fixed":
        assert row.fine_min is not None and row.fine_max is not None
        return row.fine_min, row.fine_max
    return None


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f} yuan"


def check_penalty(
    violation: str,
    kinds: list[str],
    fine: Decimal | None,
    confiscation: Decimal | None,
    gains: Decimal,
    ban_years: int | None,
) -> Range:
    """Refuse a decision outside the statutory row for its violation, saying the range."""
    row = statutory_table().get(violation)
    if row is None:
        raise InvalidCommand.of(
            "violation", "statutory violation", f"unknown violation {violation!r}"
        )
    problems = _kind_problems(row, kinds, fine, confiscation, ban_years)
    problems += mandatory_problems(row, kinds, gains)
    problems += _amount_problems(row, fine, confiscation, gains)
    if problems:
        raise InvalidCommand(*problems)
    return row


def _kind_problems(
    row: Range,
    kinds: list[str],
    fine: Decimal | None,
    confiscation: Decimal | None,
    ban_years: int | None,
) -> list[Violation]:
    """The penalty kinds the row allows, each given with its amount or length."""
    problems: list[Violation] = []
    not_allowed = [k for k in kinds if k not in row.kinds]
    if not kinds:
        problems.append(Violation("penalties", "at least one penalty", "no penalty given"))
    if not_allowed:
        problems.append(
            Violation(
                "penalties",
                f"kinds allowed by {row.legal_basis}",
                f"{not_allowed} not allowed; allowed: {list(row.kinds)}",
            )
        )
    if ("fine" in kinds) != (fine is not None):
        problems.append(
            Violation("fine_yuan", "fine amount with a fine", "give the amount with the fine kind")
        )
    if ("confiscation" in kinds) != (confiscation is not None):
        problems.append(
            Violation(
                "confiscation_yuan",
                "amount with confiscation",
                "give the confiscated amount with the confiscation kind",
            )
        )
    if ("practice-ban" in kinds) != (ban_years is not None):
        problems.append(
            Violation("ban_years", "years with a practice ban", "give the ban's length in years")
        )
    return problems


def mandatory_problems(row: Range, kinds: list[str], gains: Decimal) -> list[Violation]:
    """E6: the parts the article imposes together (并处), and those its conditions require;
    each missing one is named with the article."""
    missing = [k for k in row.required if k not in kinds]
    missing += [k for k, cond in row.required_when if CONDITIONS[cond](gains) and k not in kinds]
    return [
        Violation(
            "penalties",
            f"mandatory part of {row.legal_basis}",
            f"{row.legal_basis}规定必须并处{KIND_NAMES.get(k, k)}（{k}）"
            + "".join(f"：{CONDITION_TEXT[c]}" for kk, c in row.required_when if kk == k),
        )
        for k in dict.fromkeys(missing)
    ]


KIND_NAMES = {
    "warning": "警告",
    "fine": "罚款",
    "confiscation": "没收违法所得",
    "revocation": "吊销资质证书",
    "practice-ban": "禁止从业",
}


def _amount_problems(
    row: Range, fine: Decimal | None, confiscation: Decimal | None, gains: Decimal
) -> list[Violation]:
    """A fine within the statutory range; confiscation of exactly the illegal gains."""
    problems: list[Violation] = []
    if fine is not None and "fine" in row.kinds:
        bounds = fine_bounds(row, gains)
        if bounds is not None and not bounds[0] <= fine <= bounds[1]:
            basis = (
                f"illegal gains {_yuan(gains)}" if row.fine_rule == "gains" else "the fixed range"
            )
            problems.append(
                Violation(
                    "fine_yuan",
                    f"statutory range ({row.legal_basis})",
                    f"{_yuan(fine)} is outside {_yuan(bounds[0])} – {_yuan(bounds[1])} for {basis}",
                )
            )
    if confiscation is not None and confiscation != gains:
        problems.append(
            Violation(
                "confiscation_yuan",
                "confiscate the illegal gains",
                f"confiscation {_yuan(confiscation)} differs from gains {_yuan(gains)}",
            )
        )
    return problems
