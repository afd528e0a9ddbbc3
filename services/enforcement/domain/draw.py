"""Double-random draw (双随机, E2): targets weighted by credit class, ≥2 inspectors each,
no declared conflict, not the institution's previous inspectors; an inspector may be on
several teams unless the plan keeps teams exclusive. The algorithm ("ohts-draw-sha256",
version 2) is documented with a plain-Python reference in docs/draw_reference.py, so a third
party can recompute a draw from its public record alone; draws of version 1 (Python's
random module) are still verified as they were made."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any

from contracts.enforcement_v1 import DrawExclusion, DrawTarget
from ohts_kit.errors import InvalidCommand

MIN_TEAM = 2  # 行政处罚法 42: at least two enforcement officers
ALGORITHM = "ohts-draw-sha256"
VERSION = 2
LEGACY = ("python-random-efraimidis-spirakis", 1)
RAISE_FACTOR = 2  # our documented choice: conditions changed (R6a) doubles the weight


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
    exclusive_teams: bool = False
    # R6a: an institution flagged "conditions changed" draws with its weight times this.
    raised: dict[str, str] = field(default_factory=dict)  # institution → why
    raise_factor: int = RAISE_FACTOR

    def as_record(self) -> dict[str, Any]:
        return {
            "universe": dict(sorted(self.universe.items())),
            "ratio": self.ratio,
            "roster": {k: sorted(v) for k, v in sorted(self.roster.items())},
            "previous": {k: sorted(v) for k, v in sorted(self.previous.items()) if v},
            "weights": dict(sorted(self.weights.items())),
            "team_size": self.team_size,
            "exclusive_teams": self.exclusive_teams,
            "raised": dict(sorted(self.raised.items())),
            "raise_factor": self.raise_factor,
        }

    def weight(self, institution: str) -> int:
        factor = self.raise_factor if institution in self.raised else 1
        return self.weights[self.universe[institution]] * factor

    @classmethod
    def from_record(cls, r: dict[str, Any]) -> DrawInputs:
        return cls(
            dict(r["universe"]),
            r["ratio"],
            {k: list(v) for k, v in r["roster"].items()},
            {k: list(v) for k, v in r["previous"].items()},
            dict(r["weights"]),
            int(r["team_size"]),
            bool(r.get("exclusive_teams", True)),  # version 1 kept teams exclusive
            dict(r.get("raised", {})),
            int(r.get("raise_factor", RAISE_FACTOR)),
        )


@dataclass(frozen=True)
class Outcome:
    inputs_sha256: str
    targets: list[DrawTarget]
    exclusions: list[DrawExclusion] = field(default_factory=list)


class DrawImpossible(InvalidCommand):
    pass


def target_count(n: int, ratio: str) -> int:
    fraction = Fraction(ratio)
    return -(-n * fraction.numerator // fraction.denominator)


def stream_of(seed: str, record: dict[str, Any]) -> str:
    """Every input moves every random number: the stream hashes the seed with all inputs."""
    canonical = json.dumps(
        {"inputs": record, "seed": seed}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _h(stream: str, *parts: str) -> int:
    return int(hashlib.sha256("\x1f".join((stream, *parts)).encode("utf-8")).hexdigest(), 16)


def _check_team_size(inputs: DrawInputs) -> None:
    if inputs.team_size < MIN_TEAM:
        raise InvalidCommand.of(
            "team_size",
            f"at least {MIN_TEAM} inspectors (行政处罚法 42)",
            f"team of {inputs.team_size}",
        )


def _chosen(inputs: DrawInputs, stream: str) -> list[str]:
    """k highest of max-of-w ticket hashes: weighted sampling without replacement."""
    key = {
        i: max(_h(stream, "target", i, str(j)) for j in range(inputs.weight(i)))
        for i in inputs.universe
    }
    ranked = sorted(inputs.universe, key=lambda i: (-key[i], i))
    return ranked[: target_count(len(ranked), inputs.ratio)]


def _exclusion(inputs: DrawInputs, institution: str, inspector: str, used: set[str]) -> str:
    if institution in inputs.roster[inspector]:
        return "conflict"
    if inspector in inputs.previous.get(institution, []):
        return "previous"
    if inputs.exclusive_teams and inspector in used:
        return "other_team"
    return ""


def _impossible(institution: str, eligible: int, inputs: DrawInputs) -> InvalidCommand:
    others = ", other teams" if inputs.exclusive_teams else ""
    return DrawImpossible.of(
        "roster",
        "enough eligible inspectors",
        f"only {eligible} eligible inspector(s) left for {institution}"
        f" (conflicts, previous inspectors{others} excluded); {inputs.team_size}"
        " needed: enlarge the roster instead of relaxing the rule",
    )


def draw_outcome(inputs: DrawInputs, seed: str) -> Outcome:
    _check_team_size(inputs)
    stream = stream_of(seed, inputs.as_record())
    used: set[str] = set()
    targets, exclusions = [], []
    for institution in _chosen(inputs, stream):
        eligible = []
        for inspector in sorted(inputs.roster):
            reason = _exclusion(inputs, institution, inspector, used)
            if reason:
                exclusions.append(
                    DrawExclusion(institution_id=institution, inspector_id=inspector, reason=reason)
                )
            else:
                eligible.append(inspector)
        if len(eligible) < inputs.team_size:
            raise _impossible(institution, len(eligible), inputs)
        ranked = sorted(eligible, key=lambda p: (-_h(stream, "team", institution, p), p))
        team = sorted(ranked[: inputs.team_size])
        used.update(team)
        targets.append(
            DrawTarget(
                institution_id=institution,
                credit_class=inputs.universe[institution],
                inspectors=team,
            )
        )
    return Outcome(stream, targets, exclusions)


def draw(inputs: DrawInputs, seed: str) -> list[DrawTarget]:
    return draw_outcome(inputs, seed).targets


def legacy_draw(inputs: DrawInputs, seed: str) -> list[DrawTarget]:
    """Version 1 (Python's Mersenne Twister, exclusive teams), kept to verify old draws."""
    _check_team_size(inputs)
    rng = random.Random(seed)
    institutions = sorted(inputs.universe)
    keyed = sorted(
        ((rng.random() ** (1 / inputs.weights[inputs.universe[i]]), i) for i in institutions),
        reverse=True,
    )
    chosen = [i for _, i in keyed[: target_count(len(institutions), inputs.ratio)]]
    used: set[str] = set()
    targets = []
    for institution in chosen:
        eligible = sorted(p for p in inputs.roster if not _exclusion(inputs, institution, p, used))
        if len(eligible) < inputs.team_size:
            raise _impossible(institution, len(eligible), inputs)
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


def verify(
    record: dict[str, Any],
    seed: str,
    recorded: list[DrawTarget],
    version: int = VERSION,
    inputs_sha256: str | None = None,
    exclusions: list[DrawExclusion] | None = None,
) -> list[str]:
    """What differs between a recorded draw and the recomputation from its inputs."""
    inputs = DrawInputs.from_record(record)
    try:
        if version == LEGACY[1]:
            return _differences("targets", recorded, legacy_draw(inputs, seed))
        again = draw_outcome(inputs, seed)
    except InvalidCommand as impossible:
        return [f"the inputs give no draw: {impossible}"]
    if inputs_sha256 is not None and stream_of(seed, record) != inputs_sha256:
        return [f"inputs_sha256 {inputs_sha256} is not the digest of the seed and inputs"]
    differences = _differences("targets", recorded, again.targets)
    if exclusions is not None:
        differences += _differences("exclusions", exclusions, again.exclusions)
    return differences


def _differences(what: str, recorded: list[Any], again: list[Any]) -> list[str]:
    if recorded == again:
        return []
    return [
        f"recorded {what} {[t.model_dump() for t in recorded]} but the inputs give "
        f"{[t.model_dump() for t in again]}"
    ]
