"""Business-scope codes (业务范围): data, not code (`data/scope_codes.csv`, with sources)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from contracts.registry_v1 import QualificationKind


@dataclass(frozen=True)
class Scope:
    code: str
    kind: QualificationKind
    name: str
    source: str


@cache
def scope_table() -> dict[str, Scope]:
    text = (resources.files("services.registry") / "data" / "scope_codes.csv").read_text("utf-8")
    return {
        row["code"]: Scope(
            row["code"], QualificationKind(row["qualification_kind"]), row["name"], row["source"]
        )
        for row in csv.DictReader(text.splitlines())
    }
