"""Double-random draw (双随机, E2): targets weighted by credit class, ≥2 inspectors each,
no declared conflict, not the institution's previous inspectors, nobody in two teams.
Reproducible from its recorded inputs and seed, so anyone can verify it."""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

from contracts.enforcement_v1 import DrawTarget
from ohts_kit.errors import InvalidCommand

MIN_TEAM = 2  # 行政处罚法 42: at least two enforcement officers


@cache
def class_weights() -> dict[str, int]:
    text = (resources.files("services.enforcement") / "data" / "credit_rules.csv").read_text(
        "utf-8"
    )
    return {r["class"]: int(r["draw_weight"]) for r in csv.DictReader(text.splitlines())}


@dataclass(frozen=True)
class DrawInputs:
    universe: dict[str, str]  # institution → credit class
    ratio: str  # "3/10"
    roster: dict[str, list[str]]  # inspector → institutions with a declared conflict
    previous: dict[str, list[str]]  # institution → inspectors of its previous inspection
    weights: dict[str, int]
    team_size: int = MIN_TEAM

    def as_record(self) -> dict[str, Any]:
        return {
            "universe": dict(sorted(self.universe.items())),
            "ratio": self.ratio,
            "roster": {k: sorted(v) for k, v in sorted(self.roster.items())},
            "previous": {k: sorted(v) for k, v in sorted(self.previous.items()) if v},
            "weights": dict(sorted(self.weights.items())),
            "team_size": self.team_size,
        }

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> DrawInputs:
        return cls(
            dict(r["universe"]),
            r["ratio"],
            {k: list(v) for k, v in r["roster"].items()},
            {k: list(v) for k, v in r["previous"].items()},
            dict(r["weights"]),
            int(r["team_size"]),
        )


class DrawImpossible(InvalidCommand):
    pass


def target_count(n: int, ratio: str) -> int:
    fraction = Fraction(ratio)
    return -(-n * fraction.numerator // fraction.denominator)


def draw(inputs: DrawInputs, seed: str) -> list[DrawTarget]:
    if inputs.team_size < MIN_TEAM:
        raise InvalidCommand.of(
            "team_size",
            f"at least {MIN_TEAM} inspectors (行政处罚法 42)",
            f"team of {inputs.team_size}",
        )
    rng = random.Random(seed)
    institutions = sorted(inputs.universe)
    # Weighted sampling without replacement (Efraimidis–Spirakis): key = u^(1/w), top k.
    keyed = sorted(
        ((rng.random() ** (1 / inputs.weights[inputs.universe[i]]), i) for i in institutions),
        reverse=True,
    )
    chosen = [i for _, i in keyed[: target_count(len(institutions), inputs.ratio)]]
    used: set[str] = set()
    targets = []
    for institution in chosen:
        eligible = sorted(
            inspector
            for inspector, conflicts in inputs.roster.items()
            if institution not in conflicts
            and inspector not in inputs.previous.get(institution, [])
            and inspector not in used
        )
        if len(eligible) < inputs.team_size:
            raise DrawImpossible.of(
                "roster",
                "enough eligible inspectors",
                f"only {len(eligible)} eligible inspector(s) left for {institution}"
                f" (conflicts, previous inspectors and other teams excluded); {inputs.team_size}"
                " needed: enlarge the roster instead of relaxing the rule",
            )
        team = sorted(rng.sample(eligible, inputs.team_size))
        used.update(team)
        targets.append(
            DrawTarget(
                institution_id=institution,
                credit_class=inputs.universe[institution],
                inspectors=team,
            )
        )
    return targets


def verify(record: dict[str, Any], seed: str, recorded: list[DrawTarget]) -> list[str]:
    again = draw(DrawInputs.from_record(record), seed)
    if again == recorded:
        return []
    return [
        f"recorded {[t.model_dump() for t in recorded]} but the inputs give "
        f"{[t.model_dump() for t in again]}"
    ]
