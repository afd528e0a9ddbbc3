"""Inspections (E2–E3): schedule (or merge into the open one), complete, publish, and
record a project found unreported."""

from __future__ import annotations

from datetime import date
from typing import Any

from ohts_kit.application import About, UnitOfWork
from ohts_kit.db import Conn
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.enforcement.application.unit import Enforcement
from services.enforcement.domain import commands as c
from services.enforcement.domain import inspection, lead
from services.enforcement.domain.dates import world_date
from services.enforcement.domain.inspection import Inspection


async def schedule(
    app: Enforcement,
    uow: UnitOfWork,
    institution_id: str,
    kind: str,
    period: str,
    inspectors: list[str],
    on: date | None = None,
    **details: Any,
) -> str:
    """E3: one inspection per institution and period; a second reason merges into the open
    one. The caller has checked its right to inspect the institution."""
    about = About(institution_id, await app.region_of(uow.conn, institution_id))
    open_id = await uow.conn.fetchval(
        "SELECT inspection_id FROM inspections WHERE institution_id = $1 AND period = $2"
        " AND ended_on IS NULL ORDER BY scheduled_on LIMIT 1",
        institution_id,
        period,
    )
    state = await uow.get(inspection, open_id) if open_id else uow.new(inspection, str(uuid7()))
    # A draw's teams were checked against its own published inputs (E2); a team named by
    # hand is checked here against every declared conflict and the previous inspection.
    conflicted, previous = (
        (frozenset(), frozenset())
        if kind == "random"
        else await team_constraints(uow.conn, institution_id)
    )
    inspection_id, events = inspection.schedule_or_merge(
        state if open_id else None,
        state.inspection_id,
        institution_id,
        kind,
        period,
        inspectors,
        on or uow.today,  # F1: the day it was scheduled in the world
        conflicted=conflicted,
        previous=previous,
        **details,
    )
    await uow.record(state, events, about=about)
    return inspection_id


async def team_constraints(
    conn: Conn, institution_id: str
) -> tuple[frozenset[str], frozenset[str]]:
    """E2: who declared a conflict with the institution (on any plan's roster) and who
    inspected it last time."""
    conflicted = await conn.fetch(
        "SELECT DISTINCT m->>'inspector_id' AS inspector_id"
        " FROM events, jsonb_array_elements(payload->'roster') AS m"
        " WHERE event_type = 'enforcement.InspectionPlanDefined' AND m->'conflicts' ? $1",
        institution_id,
    )
    previous = await conn.fetchval(
        "SELECT inspectors FROM inspections WHERE institution_id = $1"
        " ORDER BY scheduled_on DESC, inspection_id DESC LIMIT 1",
        institution_id,
    )
    return frozenset(r["inspector_id"] for r in conflicted), frozenset(previous or [])


async def schedule_inspection(app: Enforcement, cmd: c.ScheduleInspection, meta: Metadata) -> str:
    async with app.unit(meta) as uow:
        await app.holder(uow, cmd.institution_id)
        return await schedule(
            app,
            uow,
            cmd.institution_id,
            cmd.kind,
            cmd.period,
            cmd.inspectors,
            on=world_date("scheduled_on", app.when(uow, cmd.scheduled_on)),
            source_ref=cmd.source_ref,
            employer_name=cmd.employer_name,
            report_number=cmd.report_number,
        )


async def _load(app: Enforcement, uow: UnitOfWork, inspection_id: str) -> tuple[Inspection, About]:
    """The inspection (404) and its institution, in the caller's jurisdiction."""
    state: Inspection = await uow.get(inspection, inspection_id)
    return state, await app.holder(uow, state.institution_id)


async def complete_inspection(
    app: Enforcement, inspection_id: str, cmd: c.CompleteInspection, meta: Metadata
) -> None:
    async with app.unit(meta) as uow:
        state, about = await _load(app, uow, inspection_id)
        events = inspection.complete(
            state,
            cmd.result,
            cmd.findings,
            cmd.full_evaluation,
            cmd.ended_on,
            uow.today,
            app.earliest,
        )
        await uow.record(state, events, about=about)


async def publish_result(app: Enforcement, inspection_id: str, meta: Metadata) -> None:
    async with app.unit(meta) as uow:
        state, about = await _load(app, uow, inspection_id)
        await uow.record(state, inspection.publish(state, uow.today, app.calendar), about=about)


async def record_unreported_project(
    app: Enforcement, inspection_id: str, cmd: c.UnreportedProject, meta: Metadata
) -> str:
    """An extended inspection found a project without a service report card (R8 不报): the
    registry counts it, and it is a lead."""
    async with app.unit(meta) as uow:
        state, about = await _load(app, uow, inspection_id)
        [found] = inspection.unreported_project(
            state, cmd.report_number, cmd.client_name, uow.today
        )
        await uow.record(state, [found], about=about)
        opened = uow.new(lead, str(uuid7()))
        events = lead.from_unreported_project(opened.lead_id, found, about.region_code, uow.today)
        await uow.record(opened, events, about=about)
    return opened.lead_id


async def lead_from_findings(
    app: Enforcement, inspection_id: str, cmd: c.FindingsLead, meta: Metadata
) -> str:
    """E4: a lead opened from an inspection's findings, recorded with that source."""
    async with app.unit(meta) as uow:
        state, about = await _load(app, uow, inspection_id)
        opened = uow.new(lead, str(uuid7()))
        events = lead.from_inspection_findings(
            opened.lead_id,
            state,
            cmd.category,
            cmd.description,
            about.region_code,
            app.when(uow, cmd.opened_on),
        )
        await uow.record(opened, events, about=about)
    return opened.lead_id
