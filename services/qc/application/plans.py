"""Annual QC plans (Q1–Q3): generated from what qc learned, verifiable by anyone."""

from __future__ import annotations

import secrets
from typing import Any

import asyncpg

from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, NotFound
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.qc.application.unit import Qc, province
from services.qc.domain import plan
from services.qc.domain.commands import GeneratePlan

LICENSED = ("occupational-health-service", "radiological-health-service")


async def _ids(conn: Conn, sql: str, *args: Any) -> list[str]:
    return [r["institution_id"] for r in await conn.fetch(sql, *args)]


async def _universes(conn: Conn, cmd: GeneratePlan) -> tuple[list[str], list[str], list[str]]:
    """Licensed technical institutions of the province, those of other provinces filed in
    it, and its health-examination institutions."""
    prefix = cmd.province_code[:2]
    technical = await _ids(
        conn,
        "SELECT DISTINCT i.institution_id FROM known_institutions i JOIN known_qualifications q"
        " USING (institution_id) WHERE q.status = 'granted' AND left(i.region_code, 2) = $1"
        " AND i.kind = ANY($2)",
        prefix,
        list(LICENSED),
    )
    out_of_province = await _ids(
        conn,
        "SELECT DISTINCT f.institution_id FROM known_filings f JOIN known_institutions i"
        " USING (institution_id) WHERE f.province_code = $1 AND left(i.region_code, 2) <> $2",
        cmd.province_code,
        prefix,
    )
    health_exam = await _ids(
        conn,
        "SELECT institution_id FROM known_institutions WHERE kind = 'health-examination'"
        " AND left(region_code, 2) = $1",
        prefix,
    )
    return technical, out_of_province, health_exam


async def _priority_facts(conn: Conn, cmd: GeneratePlan) -> dict[str, list[str]]:
    """Institution → the priority criteria it meets (Q2, Q3)."""
    found = {
        "filed-latest-year": await _ids(
            conn,
            "SELECT institution_id FROM known_institutions WHERE left(region_code, 2) = $1"
            " AND kind = 'health-examination' AND extract(year FROM registered_on) >= $2",
            cmd.province_code[:2],
            cmd.year - 1,
        ),
        "failed-provincial-qc-last-year": await _ids(
            conn,
            "SELECT institution_id FROM conclusions WHERE year = $1 AND province_code = $2"
            " AND result = 'fail'",
            cmd.year - 1,
            cmd.province_code,
        ),
        "refused-provincial-comparison": await _ids(
            conn,
            "SELECT DISTINCT r.institution_id FROM results r"
            " JOIN activities a USING (activity_id)"
            " WHERE a.year = $1 AND a.province_code = $2 AND r.result = 'refused'",
            cmd.year - 1,
            cmd.province_code,
        ),
        "conditions-changed": await _ids(
            conn, "SELECT institution_id FROM known_conditions WHERE NOT conditions_met"
        ),
        "municipal-qc-serving-outside": cmd.municipal_qc_serving_outside,
        "complaints-to-verify": cmd.complaints_to_verify,
    }
    facts: dict[str, list[str]] = {}
    for criterion, ids in found.items():
        for i in ids:
            facts.setdefault(i, []).append(criterion)
    return facts


async def plan_inputs(conn: Conn, cmd: GeneratePlan) -> plan.PlanInputs:
    """The universes and priority facts, from what qc learned through events."""
    technical, out_of_province, health_exam = await _universes(conn, cmd)
    return plan.PlanInputs(
        technical,
        out_of_province,
        health_exam,
        await _priority_facts(conn, cmd),
        detection_samples={
            k: (v.detected, v.examined)
            for k, v in cmd.detection_samples.items()
            if k in health_exam
        },
    )


async def generate_plan(app: Qc, cmd: GeneratePlan, meta: Metadata) -> str:
    plan_id = str(uuid7())
    seed = cmd.seed or secrets.token_hex(8)
    plan.check_detection(cmd)
    try:
        async with app.unit(meta) as uow:
            uow.allow(province(cmd.province_code))
            inputs = await plan_inputs(uow.conn, cmd)
            state = uow.new(plan, plan_id)
            events = plan.generate(state, cmd.province_code, cmd.year, seed, inputs, uow.now)
            await uow.record(state, events, about=province(cmd.province_code))
    except asyncpg.UniqueViolationError as exc:  # the (province, year) key of `plans`
        raise Conflict(
            f"the {cmd.year} plan of {cmd.province_code} exists",
            rule="one plan per province and year",
        ) from exc
    return plan_id


async def verify_plan(app: Qc, plan_id: str) -> dict[str, Any]:
    """Anyone may recompute a plan from its recorded inputs and seed."""
    async with app.db.connection() as conn:
        stored = await app.store.load(conn, plan.AGGREGATE, plan_id)
    recorded = plan.fold(plan_id, (e.payload for e in stored))
    if not recorded.generated:
        raise NotFound(f"no plan {plan_id}")
    differences = plan.verification(recorded)
    return {"plan_id": plan_id, "matches": not differences, "differences": differences}
