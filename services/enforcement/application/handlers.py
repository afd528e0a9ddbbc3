"""Enforcement command handlers (E1–E7): load, decide, append."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import asyncpg

from contracts.enforcement_v1 import (
    InspectionDrawPublished,
    InspectionPlanDefined,
    RosterMember,
    UnreportedProjectFound,
)
from contracts.envelope import EventPayload
from ohts_kit import regions
from ohts_kit.auth import check_jurisdiction
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, InvalidCommand, NotFound
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from ohts_kit.workdays import WorkCalendar
from services.enforcement.adapters import views
from services.enforcement.application.intake import Enforcement
from services.enforcement.domain import case, draw, inspection, lead
from services.enforcement.domain import commands as c

PLAN = "InspectionPlan"


def _prefix(code: str) -> str:
    return regions.prefix(code)


async def define_plan(app: Enforcement, cmd: c.DefinePlan, meta: Metadata) -> str:
    """E1: the universe is every institution active in the jurisdiction (local certificates,
    and out-of-province filings into a province), derived from events."""
    check_jurisdiction(meta.actor, cmd.jurisdiction_region_code)
    if not regions.is_valid(cmd.jurisdiction_region_code):
        raise InvalidCommand.of("jurisdiction_region_code", "GB/T 2260", "unknown region")
    ids = [i.inspector_id for i in cmd.roster]
    if len(set(ids)) != len(ids):
        raise InvalidCommand.of("roster", "each inspector once", "an inspector is listed twice")
    plan_id = str(uuid7())
    async with app.rt.pool.acquire() as conn, conn.transaction():
        local = [
            r["institution_id"]
            for r in await conn.fetch(
                "SELECT DISTINCT i.institution_id FROM known_institutions i"
                " JOIN known_certificates k"
                " USING (institution_id) WHERE k.status = 'granted' AND i.region_code LIKE $1",
                _prefix(cmd.jurisdiction_region_code) + "%",
            )
        ]
        filed: list[str] = []
        if cmd.jurisdiction_region_code.endswith("0000"):
            filed = [
                r["institution_id"]
                for r in await conn.fetch(
                    "SELECT DISTINCT institution_id FROM known_filings WHERE province_code = $1",
                    cmd.jurisdiction_region_code,
                )
            ]
        event = InspectionPlanDefined(
            plan_id=plan_id,
            jurisdiction_region_code=cmd.jurisdiction_region_code,
            year=cmd.year,
            universe=sorted(set(local) | set(filed)),
            sampling_ratio=cmd.sampling_ratio,
            roster=[
                RosterMember(inspector_id=i.inspector_id, conflicts=sorted(i.conflicts))
                for i in cmd.roster
            ],
        )
        await app.append(
            conn,
            PLAN,
            plan_id,
            0,
            [event],
            f"jurisdiction-{cmd.jurisdiction_region_code}",
            cmd.jurisdiction_region_code,
            meta,
        )
    return plan_id


async def _plan(app: Enforcement, conn: Conn, plan_id: str) -> tuple[InspectionPlanDefined, int]:
    stored = await app.rt.store.load(conn, PLAN, plan_id)
    if not stored:
        raise NotFound(f"no inspection plan {plan_id}")
    defined = stored[0].payload
    assert isinstance(defined, InspectionPlanDefined)
    return defined, len(stored)


async def run_draw(app: Enforcement, plan_id: str, cmd: c.Draw, meta: Metadata) -> str:
    """E2: draw, publish, and schedule (or merge, E3) one random inspection per target."""
    draw_id = str(uuid7())
    seed = cmd.seed or secrets.token_hex(8)
    today = app.today()
    async with app.rt.pool.acquire() as conn, conn.transaction():
        plan, version = await _plan(app, conn, plan_id)
        check_jurisdiction(meta.actor, plan.jurisdiction_region_code)
        classes = {
            r["institution_id"]: r["credit_class"]
            for r in await conn.fetch(
                "SELECT institution_id, credit_class FROM credit_classes"
                " WHERE institution_id = ANY($1)",
                plan.universe,
            )
        }
        previous: dict[str, list[str]] = {}
        for r in await conn.fetch(
            "SELECT DISTINCT ON (institution_id) institution_id, inspectors FROM inspections"
            " WHERE institution_id = ANY($1)"
            " ORDER BY institution_id, scheduled_on DESC, inspection_id DESC",
            plan.universe,
        ):
            previous[r["institution_id"]] = list(r["inspectors"])
        inputs = draw.DrawInputs(
            universe={i: classes.get(i, "A") for i in plan.universe},
            ratio=plan.sampling_ratio,
            roster={m.inspector_id: m.conflicts for m in plan.roster},
            previous=previous,
            weights=draw.class_weights(),
            team_size=cmd.team_size,
        )
        targets = draw.draw(inputs, seed)
        await app.append(
            conn,
            PLAN,
            plan_id,
            version,
            [
                InspectionDrawPublished(
                    draw_id=draw_id,
                    plan_id=plan_id,
                    seed=seed,
                    inputs=inputs.as_record(),
                    targets=targets,
                    published_on=today,
                )
            ],
            f"jurisdiction-{plan.jurisdiction_region_code}",
            plan.jurisdiction_region_code,
            meta,
        )
        for target in targets:
            await _schedule(
                app,
                conn,
                target.institution_id,
                "random",
                str(plan.year),
                target.inspectors,
                meta,
                source_ref=draw_id,
            )
    return draw_id


async def verify_draw(app: Enforcement, draw_id: str) -> dict[str, Any]:
    async with app.rt.pool.acquire() as conn:
        row = await conn.fetchrow(
            "SELECT payload::text FROM events"
            " WHERE event_type = 'enforcement.InspectionDrawPublished'"
            " AND payload->>'draw_id' = $1",
            draw_id,
        )
    if row is None:
        raise NotFound(f"no draw {draw_id}")
    published = InspectionDrawPublished.model_validate_json(row[0])
    differences = draw.verify(published.inputs, published.seed, published.targets)
    return {"draw_id": draw_id, "matches": not differences, "differences": differences}


async def _schedule(
    app: Enforcement,
    conn: Conn,
    institution_id: str,
    kind: str,
    period: str,
    inspectors: list[str],
    meta: Metadata,
    **details: Any,
) -> str:
    region = await app.region_of(conn, institution_id)
    open_id = await conn.fetchval(
        "SELECT inspection_id FROM inspections WHERE institution_id = $1 AND period = $2"
        " AND ended_on IS NULL ORDER BY scheduled_on LIMIT 1",
        institution_id,
        period,
    )
    current = await app.load(conn, inspection, open_id) if open_id else None
    inspection_id, events = inspection.schedule_or_merge(
        current, str(uuid7()), institution_id, kind, period, inspectors, app.today(), **details
    )
    await app.append(
        conn,
        inspection.AGGREGATE,
        inspection_id,
        current.version if current else 0,
        events,
        institution_id,
        region,
        meta,
    )
    return inspection_id


async def schedule_inspection(app: Enforcement, cmd: c.ScheduleInspection, meta: Metadata) -> str:
    async with app.rt.pool.acquire() as conn, conn.transaction():
        check_jurisdiction(meta.actor, await app.region_of(conn, cmd.institution_id))
        return await _schedule(
            app,
            conn,
            cmd.institution_id,
            cmd.kind,
            cmd.period,
            cmd.inspectors,
            meta,
            source_ref=cmd.source_ref,
            employer_name=cmd.employer_name,
            report_number=cmd.report_number,
        )


async def _on_inspection(
    app: Enforcement,
    inspection_id: str,
    meta: Metadata,
    decide: Callable[[inspection.Inspection], list[EventPayload]],
) -> None:
    async with app.rt.pool.acquire() as conn, conn.transaction():
        state: inspection.Inspection = await app.load(conn, inspection, inspection_id)
        if not state.scheduled:
            raise NotFound(f"no inspection {inspection_id}")
        region = await app.region_of(conn, state.institution_id)
        check_jurisdiction(meta.actor, region)
        await app.append(
            conn,
            inspection.AGGREGATE,
            inspection_id,
            state.version,
            decide(state),
            state.institution_id,
            region,
            meta,
        )


async def complete_inspection(
    app: Enforcement, inspection_id: str, cmd: c.CompleteInspection, meta: Metadata
) -> None:
    await _on_inspection(
        app,
        inspection_id,
        meta,
        lambda s: inspection.complete(
            s, cmd.result, cmd.findings, cmd.full_evaluation, cmd.ended_on, app.today()
        ),
    )


async def publish_result(
    app: Enforcement, inspection_id: str, meta: Metadata, calendar: WorkCalendar
) -> None:
    await _on_inspection(
        app, inspection_id, meta, lambda s: inspection.publish(s, app.today(), calendar)
    )


async def record_unreported_project(
    app: Enforcement, inspection_id: str, cmd: c.UnreportedProject, meta: Metadata
) -> str:
    """An extended inspection found a project without a service report card (R8 不报): the
    registry counts it, and it is a lead."""
    async with app.rt.pool.acquire() as conn, conn.transaction():
        state: inspection.Inspection = await app.load(conn, inspection, inspection_id)
        if not state.scheduled:
            raise NotFound(f"no inspection {inspection_id}")
        region = await app.region_of(conn, state.institution_id)
        check_jurisdiction(meta.actor, region)
        await app.append(
            conn,
            inspection.AGGREGATE,
            inspection_id,
            state.version,
            [
                UnreportedProjectFound(
                    inspection_id=inspection_id,
                    institution_id=state.institution_id,
                    report_number=cmd.report_number,
                    client_name=cmd.client_name,
                    found_on=app.today(),
                )
            ],
            state.institution_id,
            region,
            meta,
        )
        lead_id = str(uuid7())
        await app.append(
            conn,
            lead.AGGREGATE,
            lead_id,
            0,
            lead.open_lead(
                lead_id,
                state.institution_id,
                "extended-inspection",
                "report-card-unreported",
                f"项目报告{cmd.report_number}（{cmd.client_name}）未填报技术服务信息报送卡",
                region,
                app.today(),
                source_ref=inspection_id,
            ),
            state.institution_id,
            region,
            meta,
        )
        return lead_id


async def open_lead(
    app: Enforcement,
    institution_id: str,
    source: str,
    category: str,
    description: str,
    meta: Metadata,
) -> str:
    lead_id = str(uuid7())
    async with app.rt.pool.acquire() as conn, conn.transaction():
        region = await app.region_of(conn, institution_id)
        check_jurisdiction(meta.actor, region)
        await app.append(
            conn,
            lead.AGGREGATE,
            lead_id,
            0,
            lead.open_lead(
                lead_id, institution_id, source, category, description, region, app.today()
            ),
            institution_id,
            region,
            meta,
        )
    return lead_id


async def close_lead(app: Enforcement, lead_id: str, cmd: c.CloseLead, meta: Metadata) -> None:
    async with app.rt.pool.acquire() as conn, conn.transaction():
        state: lead.Lead = await app.load(conn, lead, lead_id)
        if state.version == 0:
            raise NotFound(f"no lead {lead_id}")
        region = await app.region_of(conn, state.institution_id)
        check_jurisdiction(meta.actor, region)
        await app.append(
            conn,
            lead.AGGREGATE,
            lead_id,
            state.version,
            lead.close(state, "no-case", cmd.reason, None, app.today()),
            state.institution_id,
            region,
            meta,
        )


async def open_case(app: Enforcement, lead_id: str, cmd: c.OpenCase, meta: Metadata) -> str:
    case_id = str(uuid7())
    async with app.rt.pool.acquire() as conn, conn.transaction():
        state: lead.Lead = await app.load(conn, lead, lead_id)
        if state.version == 0:
            raise NotFound(f"no lead {lead_id}")
        region = await app.region_of(conn, state.institution_id)
        check_jurisdiction(meta.actor, region)
        today = app.today()
        closing = lead.close(state, "case", f"立案：{cmd.violation}", case_id, today)
        opened = case.open_case(
            case.Case(case_id), state.institution_id, cmd.violation, lead_id, today
        )
        await app.append(
            conn,
            lead.AGGREGATE,
            lead_id,
            state.version,
            closing,
            state.institution_id,
            region,
            meta,
        )
        await app.append(
            conn, case.AGGREGATE, case_id, 0, opened, state.institution_id, region, meta
        )
    return case_id


async def on_case(
    app: Enforcement,
    case_id: str,
    meta: Metadata,
    decide: Callable[[case.Case], list[EventPayload]],
) -> None:
    async with app.rt.pool.acquire() as conn, conn.transaction():
        state: case.Case = await app.load(conn, case, case_id)
        if state.stage is case.Stage.NONE:
            raise NotFound(f"no case {case_id}")
        region = await app.region_of(conn, state.institution_id)
        check_jurisdiction(meta.actor, region)
        events = decide(state)
        try:
            async with conn.transaction():
                await app.append(
                    conn,
                    case.AGGREGATE,
                    case_id,
                    state.version,
                    events,
                    state.institution_id,
                    region,
                    meta,
                )
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(
                "this decision number is already used", rule="decision number unique"
            ) from exc
        if any(e.event_type == "enforcement.PenaltyDecided" for e in events):
            await app.review_credit(conn, state.institution_id, meta)


async def grant_credit_repair(
    app: Enforcement, case_id: str, cmd: c.GrantCreditRepair, meta: Metadata
) -> None:
    """P2: the repeat-violation check reads this service's own penalty view first."""
    async with app.rt.pool.acquire() as conn:
        repeats = await views.repeat_decisions(conn, case_id)
    await on_case(
        app,
        case_id,
        meta,
        lambda s: case.grant_credit_repair(
            s,
            cmd.reason,
            cmd.harm_removed,
            repeats,
            app.rt.settings.publicity_fine_threshold_yuan,
            app.today(),
        ),
    )


def authority_of(meta: Metadata) -> str:
    return f"{regions.name_of(meta.actor.region_code)}卫生健康委员会"


def decision_of(cmd: c.DecidePenalty, meta: Metadata) -> case.Decision:
    return case.Decision(
        decision_number=cmd.decision_number,
        authority=authority_of(meta),
        penalties=cmd.penalties,
        fine_yuan=cmd.fine_yuan,
        confiscation_yuan=cmd.confiscation_yuan,
        illegal_gains_yuan=cmd.illegal_gains_yuan,
        banned_staff_id=cmd.banned_staff_id,
        ban_years=cmd.ban_years,
        certificate_number=cmd.certificate_number,
    )


def overdue_publications(
    rows: list[asyncpg.Record], calendar: WorkCalendar, today: Any
) -> list[dict[str, Any]]:
    out = []
    for r in rows:
        due, provisional = calendar.add_working_days(
            r["ended_on"], inspection.PUBLICATION_WORKING_DAYS
        )
        if r["published_on"] is None and due < today:
            out.append(
                {
                    "inspection_id": r["inspection_id"],
                    "institution_id": r["institution_id"],
                    "ended_on": r["ended_on"],
                    "due_on": due,
                    "provisional": provisional,
                }
            )
    return out
