"""Inspection plan (抽查计划, E1–E2): a jurisdiction's annual universe, sampling ratio and
roster, and the double-random draws published against it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from contracts.enforcement_v1 import InspectionDrawPublished, InspectionPlanDefined, RosterMember
from contracts.envelope import EventPayload
from ohts_kit import regions
from ohts_kit.errors import Conflict, InvalidCommand
from services.enforcement.domain import draw
from services.enforcement.domain.commands import DefinePlan

AGGREGATE = "InspectionPlan"
NOUN = "inspection plan"


@dataclass(frozen=True)
class Plan:
    plan_id: str
    defined: InspectionPlanDefined | None = None
    draws: tuple[str, ...] = ()

    # A plan is its jurisdiction's: it is the subject of its own events (envelope, checks).
    @property
    def region_code(self) -> str:
        return self.defined.jurisdiction_region_code if self.defined else ""

    @property
    def institution_id(self) -> str:
        return f"jurisdiction-{self.region_code}"


def evolve(s: Plan, e: EventPayload) -> Plan:
    match e:
        case InspectionPlanDefined():
            return replace(s, defined=e)
        case InspectionDrawPublished():
            return replace(s, draws=(*s.draws, e.draw_id))
    return s


def fold(plan_id: str, events: Iterable[EventPayload]) -> Plan:
    state = Plan(plan_id)
    for event in events:
        state = evolve(state, event)
    return state


def define(s: Plan, cmd: DefinePlan, active: Iterable[str]) -> list[EventPayload]:
    """E1: the universe is every institution active in the jurisdiction (`active`, as the
    registry's events tell it); each inspector is listed once."""
    if not regions.is_valid(cmd.jurisdiction_region_code):
        raise InvalidCommand.of("jurisdiction_region_code", "GB/T 2260", "unknown region")
    ids = [i.inspector_id for i in cmd.roster]
    if len(set(ids)) != len(ids):
        raise InvalidCommand.of("roster", "each inspector once", "an inspector is listed twice")
    return [
        InspectionPlanDefined(
            plan_id=s.plan_id,
            jurisdiction_region_code=cmd.jurisdiction_region_code,
            year=cmd.year,
            universe=sorted(set(active)),
            sampling_ratio=cmd.sampling_ratio,
            roster=[
                RosterMember(inspector_id=i.inspector_id, conflicts=sorted(i.conflicts))
                for i in cmd.roster
            ],
            exclusive_teams=cmd.exclusive_teams,
        )
    ]


def definition(s: Plan) -> InspectionPlanDefined:
    """What the plan was defined as (its stream starts with it)."""
    if s.defined is None:
        raise Conflict(f"inspection plan {s.plan_id} is not defined", rule="E1 plan")
    return s.defined


def draw_inputs(
    plan: InspectionPlanDefined,
    classes: dict[str, str],
    previous: dict[str, list[str]],
    team_size: int,
    raised: dict[str, str] | None = None,
) -> draw.DrawInputs:
    """What a draw is made from: the universe with credit classes (A when none is known
    yet), the roster, each institution's previous inspectors, and the institutions whose
    weight is raised because the registry flagged their conditions (R6a)."""
    return draw.DrawInputs(
        universe={i: classes.get(i, "A") for i in plan.universe},
        ratio=plan.sampling_ratio,
        roster={m.inspector_id: m.conflicts for m in plan.roster},
        previous=previous,
        weights=draw.class_weights(),
        team_size=team_size,
        exclusive_teams=plan.exclusive_teams,
        raised={i: why for i, why in (raised or {}).items() if i in plan.universe},
    )


def publish_draw(
    s: Plan, draw_id: str, seed: str, inputs: draw.DrawInputs, today: date
) -> list[InspectionDrawPublished]:
    """E2: the draw, published with its inputs, seed, exclusions and algorithm so anyone
    can recompute it from the record alone (docs/draw_reference.py)."""
    outcome = draw.draw_outcome(inputs, seed)
    defined = definition(s)
    return [
        InspectionDrawPublished(
            draw_id=draw_id,
            plan_id=s.plan_id,
            seed=seed,
            inputs=inputs.as_record(),
            targets=outcome.targets,
            published_on=today,
            algorithm=draw.ALGORITHM,
            algorithm_version=draw.VERSION,
            inputs_sha256=outcome.inputs_sha256,
            exclusions=outcome.exclusions,
            jurisdiction_region_code=defined.jurisdiction_region_code,
            year=defined.year,
        )
    ]
