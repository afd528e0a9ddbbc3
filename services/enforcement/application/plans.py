"""Inspection plans and their draws (E1–E2): define, draw and schedule, verify."""

from __future__ import annotations

import secrets
from typing import Any

from contracts.enforcement_v1 import InspectionDrawPublished
from ohts_kit.application import jurisdiction
from ohts_kit.db import Conn
from ohts_kit.errors import NotFound
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.enforcement.adapters.known import active_institutions, raised_weights
from services.enforcement.application.inspections import schedule
from services.enforcement.application.queries import region_prefix
from services.enforcement.application.unit import Enforcement
from services.enforcement.domain import commands as c
from services.enforcement.domain import draw, plan


async def define_plan(app: Enforcement, cmd: c.DefinePlan, meta: Metadata) -> str:
    """E1: the universe is every institution active in the jurisdiction at any level (local
    certificates, out-of-area filings working there, unfiled work found there), from events."""
    region = cmd.jurisdiction_region_code
    async with app.unit(meta) as uow:
        uow.allow(jurisdiction(region))
        state = uow.new(plan, str(uuid7()))
        active = await active_institutions(uow.conn, region, region_prefix(region), uow.today)
        await uow.record(state, plan.define(state, cmd, active), about=jurisdiction(region))
    return state.plan_id


async def run_draw(app: Enforcement, plan_id: str, cmd: c.Draw, meta: Metadata) -> str:
    """E2: draw, publish, and schedule (or merge, E3) one random inspection per target."""
    seed = cmd.seed or secrets.token_hex(8)
    async with app.unit(meta) as uow:
        state: plan.Plan = await uow.get(plan, plan_id)  # checked: its jurisdiction's
        defined = plan.definition(state)
        classes, previous = await _draw_facts(uow.conn, defined.universe)
        raised = await raised_weights(uow.conn, defined.universe)
        inputs = plan.draw_inputs(defined, classes, previous, cmd.team_size, raised)
        [published] = plan.publish_draw(state, str(uuid7()), seed, inputs, uow.today)
        await uow.record(state, [published])
        for target in published.targets:
            await schedule(
                app,
                uow,
                target.institution_id,
                "random",
                str(defined.year),
                target.inspectors,
                source_ref=published.draw_id,
            )
    return published.draw_id


async def _draw_facts(
    conn: Conn, universe: list[str]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Credit classes, and the inspectors of each institution's latest inspection."""
    classes = {
        r["institution_id"]: r["credit_class"]
        for r in await conn.fetch(
            "SELECT institution_id, credit_class FROM credit_classes"
            " WHERE institution_id = ANY($1)",
            universe,
        )
    }
    previous = {
        r["institution_id"]: list(r["inspectors"])
        for r in await conn.fetch(
            "SELECT DISTINCT ON (institution_id) institution_id, inspectors FROM inspections"
            " WHERE institution_id = ANY($1)"
            " ORDER BY institution_id, scheduled_on DESC, inspection_id DESC",
            universe,
        )
    }
    return classes, previous


async def published_draw(app: Enforcement, draw_id: str) -> InspectionDrawPublished:
    """The draw as published (404 when there is none)."""
    async with app.db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT payload::text FROM events"
            " WHERE event_type = 'enforcement.InspectionDrawPublished'"
            " AND payload->>'draw_id' = $1",
            draw_id,
        )
    if row is None:
        raise NotFound(f"no draw {draw_id}")
    return InspectionDrawPublished.model_validate_json(row[0])


async def verify_draw(app: Enforcement, draw_id: str) -> dict[str, Any]:
    """Anyone may recompute a published draw from its recorded inputs and seed."""
    published = await published_draw(app, draw_id)
    differences = draw.verify(
        published.inputs,
        published.seed,
        published.targets,
        published.algorithm_version,
        published.inputs_sha256,
        published.exclusions if published.algorithm_version > 1 else None,
    )
    return {"draw_id": draw_id, "matches": not differences, "differences": differences}


async def draw_inspections(app: Enforcement, draw_id: str, meta: Metadata) -> list[dict[str, Any]]:
    """E2: the inspections a draw scheduled, or merged into an open one (E3), for the
    supervision units over the plan's jurisdiction."""
    published = await published_draw(app, draw_id)
    async with app.unit(meta) as uow:
        await uow.get(plan, published.plan_id)  # checked: its jurisdiction's
        rows = await uow.conn.fetch(
            "SELECT payload->>'inspection_id' AS inspection_id,"
            " payload->>'institution_id' AS institution_id, event_type"
            " FROM events WHERE event_type IN"
            " ('enforcement.InspectionScheduled', 'enforcement.InspectionMerged')"
            " AND payload->>'source_ref' = $1 ORDER BY position",
            draw_id,
        )
    return [
        {
            "inspection_id": r["inspection_id"],
            "institution_id": r["institution_id"],
            "merged": r["event_type"] == "enforcement.InspectionMerged",
        }
        for r in rows
    ]
