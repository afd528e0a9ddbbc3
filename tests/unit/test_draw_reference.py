"""E2: the documented draw algorithm (docs/draw_reference.py, plain Python, no project
imports) recomputes the service's draws from their public record alone, and any changed
input gives a different result that both verifications reject."""

from __future__ import annotations

import ast
import copy
import importlib.util
import json
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from contracts.draw_record import public_record
from contracts.enforcement_v1 import DrawExclusion, DrawTarget, InspectionDrawPublished
from services.enforcement.domain import commands as c
from services.enforcement.domain import draw, plan

REFERENCE = Path(__file__).parents[2] / "docs" / "draw_reference.py"


def reference() -> ModuleType:
    spec = importlib.util.spec_from_file_location("draw_reference", REFERENCE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def published(seed: str = "2026-zj", exclusive: bool = False) -> InspectionDrawPublished:
    roster = [{"inspector_id": f"p{k}", "conflicts": ["i3"] if k == 0 else []} for k in range(12)]
    cmd = c.DefinePlan.model_validate(
        {
            "jurisdiction_region_code": "330100",
            "year": 2026,
            "sampling_ratio": "2/5",
            "roster": roster,
            "exclusive_teams": exclusive,
        }
    )
    [defined] = plan.define(plan.fold("plan-1", []), cmd, [f"i{k}" for k in range(10)])
    state = plan.fold("plan-1", [defined])
    classes = {"i3": "D", "i5": "C", "i7": "B"}
    inputs = plan.draw_inputs(defined, classes, {"i3": ["p1", "p2"]}, 2)
    [event] = plan.publish_draw(state, "d-1", seed, inputs, date(2026, 3, 2))
    return event


def public(event: InspectionDrawPublished) -> dict[str, Any]:
    return json.loads(json.dumps(public_record(event)))  # as a third party receives it


def service_rejects(record: dict[str, Any]) -> bool:
    return bool(
        draw.verify(
            record["inputs"],
            record["seed"],
            [DrawTarget.model_validate(t) for t in record["targets"]],
            record["algorithm_version"],
            record["inputs_sha256"],
            [DrawExclusion.model_validate(x) for x in record["exclusions"]],
        )
    )


def test_the_reference_uses_nothing_but_the_standard_library() -> None:
    tree = ast.parse(REFERENCE.read_text("utf-8"))
    imported = {
        n.names[0].name.split(".")[0] if isinstance(n, ast.Import) else str(n.module)
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
    }
    assert imported == {"hashlib", "json", "sys", "fractions"}


@pytest.mark.parametrize("exclusive", [False, True])
def test_a_third_party_recomputes_the_published_draw_from_its_record(exclusive: bool) -> None:
    ref = reference()
    reasons: set[str] = set()
    for seed in ("a", "b", "c", "d", "2026-zj", "春季抽查"):
        record = public(published(seed, exclusive))
        again = ref.draw(record["seed"], record["inputs"])
        assert again["targets"] == record["targets"]  # same targets and teams
        assert again["exclusions"] == record["exclusions"]
        assert ref.verify(record) and not service_rejects(record)
        reasons |= {x["reason"] for x in record["exclusions"]}
    assert record["algorithm"] == "ohts-draw-sha256" and record["algorithm_version"] == 2
    assert {"seed", "inputs", "targets", "exclusions"} <= set(record)
    assert reasons >= {"conflict", "previous"}


def tampered(record: dict[str, Any], change: str) -> dict[str, Any]:
    r = copy.deepcopy(record)
    inputs = r["inputs"]
    if change == "seed":
        r["seed"] += "x"
    elif change == "weight":
        inputs["weights"]["A"] = 3
    elif change == "roster":
        del inputs["roster"][record["targets"][0]["inspectors"][0]]
    elif change == "conflict":
        inputs["roster"]["p4"] = ["i1"]
    elif change == "previous":
        inputs["previous"]["i0"] = ["p6"]
    elif change == "universe":
        inputs["universe"]["i9"] = "D"
    elif change == "team_size":
        inputs["team_size"] = 3
    return r


@pytest.mark.parametrize(
    "change", ["seed", "weight", "roster", "conflict", "previous", "universe", "team_size"]
)
def test_changing_any_input_gives_another_result_that_verification_rejects(
    change: str,
) -> None:
    ref = reference()
    record = public(published())
    changed = tampered(record, change)
    again = ref.draw(changed["seed"], changed["inputs"])
    assert (again["targets"], again["inputs_sha256"]) != (
        record["targets"],
        record["inputs_sha256"],
    )
    assert again["targets"] != record["targets"] or change == "conflict"
    assert not ref.verify(changed)
    assert service_rejects(changed)
    # ...even when the claimed digest is refreshed to match the changed inputs.
    changed["inputs_sha256"] = again["inputs_sha256"]
    assert not ref.verify(changed) and service_rejects(changed)


def test_draws_of_version_1_are_still_verified_as_they_were_made() -> None:
    inputs = draw.DrawInputs(
        universe={f"i{k}": "A" for k in range(6)},
        ratio="1/2",
        roster={f"p{k}": [] for k in range(8)},
        previous={},
        weights=draw.class_weights(),
    )
    legacy = inputs.as_record()
    del legacy["exclusive_teams"]  # version 1 records have no such key: teams exclusive
    targets = draw.legacy_draw(draw.DrawInputs.from_record(legacy), "old")
    seen = [p for t in targets for p in t.inspectors]
    assert len(seen) == len(set(seen))
    assert draw.verify(legacy, "old", targets, version=1) == []
    assert draw.verify(legacy, "new", targets, version=1)
