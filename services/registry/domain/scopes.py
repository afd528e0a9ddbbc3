"""Business-scope codes (业务范围) and the legacy conversion table (R5): data, not code."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from contracts.registry_v1 import QualificationKind
from ohts_kit.errors import InvalidCommand, Violation


@dataclass(frozen=True)
class Scope:
    code: str
    kind: QualificationKind
    name: str
    source: str


def _rows(name: str) -> list[dict[str, str]]:
    text = (resources.files("services.registry") / "data" / name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def scope_table() -> dict[str, Scope]:
    return {
        row["code"]: Scope(
            row["code"], QualificationKind(row["qualification_kind"]), row["name"], row["source"]
        )
        for row in _rows("scope_codes.csv")
    }


@cache
def legacy_conversion() -> dict[str, str]:
    """Legacy scope code → current scope code."""
    return {row["legacy_code"]: row["new_code"] for row in _rows("legacy_scope_conversion.csv")}


def convert_scopes(codes: list[str], field: str = "scope_codes") -> list[str]:
    """Current codes pass through; legacy codes convert; anything else is refused."""
    table, legacy = scope_table(), legacy_conversion()
    converted: list[str] = []
    problems = []
    for i, code in enumerate(codes):
        new = code if code in table else legacy.get(code)
        if new is None:
            problems.append(Violation(f"{field}.{i}", "known scope code", f"unknown {code!r}"))
        elif new not in converted:
            converted.append(new)
    if problems:
        raise InvalidCommand(*problems)
    return converted


def check_scopes(codes: list[str], kind: QualificationKind, field: str = "scope_codes") -> None:
    table = scope_table()
    problems = []
    for i, code in enumerate(codes):
        scope = table.get(code)
        if scope is None:
            problems.append(Violation(f"{field}.{i}", "known scope code", f"unknown {code!r}"))
        elif scope.kind != kind:
            problems.append(
                Violation(
                    f"{field}.{i}",
                    "scope of the qualification kind",
                    f"{code} belongs to {scope.kind.value}, not {kind.value}",
                )
            )
    if len(set(codes)) != len(codes):
        problems.append(Violation(field, "unique", "a scope code is listed twice"))
    if problems:
        raise InvalidCommand(*problems)
