"""Enforcement HTTP API: role supervision-unit within its jurisdiction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from contracts.envelope import Actor, Role
from ohts_kit.auth import require_roles
from ohts_kit.http import command_metadata
from ohts_kit.service import runtime_of
from ohts_kit.workdays import WorkCalendar
from services.enforcement.application import handlers as h
from services.enforcement.application.intake import Enforcement, enforcement_of
from services.enforcement.domain import case
from services.enforcement.domain import commands as c
from services.enforcement.domain.law import statutory_table

router = APIRouter(prefix="/api/v1", tags=["enforcement"])
Supervisor = Annotated[Actor, Depends(require_roles(Role.SUPERVISION_UNIT))]


class Created(BaseModel):
    id: str


def _app(request: Request) -> Enforcement:
    return enforcement_of(runtime_of(request.app))


def _calendar(request: Request) -> WorkCalendar:
    calendar: WorkCalendar = runtime_of(request.app).extras["calendar"]
    return calendar


def _prefix(actor: Actor) -> str:
    return h._prefix(actor.region_code)


@router.post("/plans", status_code=201, response_model=Created)
async def define_plan(cmd: c.DefinePlan, request: Request, actor: Supervisor) -> Created:
    return Created(id=await h.define_plan(_app(request), cmd, command_metadata(request, actor)))


@router.post("/plans/{plan_id}/draws", status_code=201, response_model=Created)
async def draw(plan_id: str, cmd: c.Draw, request: Request, actor: Supervisor) -> Created:
    return Created(
        id=await h.run_draw(_app(request), plan_id, cmd, command_metadata(request, actor))
    )


@router.get("/draws/{draw_id}/verification")
async def verify_draw(draw_id: str, request: Request) -> dict[str, Any]:
    """Anyone may recompute a published draw from its recorded inputs and seed."""
    return await h.verify_draw(_app(request), draw_id)


@router.post("/inspections", status_code=201, response_model=Created)
async def schedule(cmd: c.ScheduleInspection, request: Request, actor: Supervisor) -> Created:
    return Created(
        id=await h.schedule_inspection(_app(request), cmd, command_metadata(request, actor))
    )


@router.post("/inspections/{inspection_id}/completion", status_code=204)
async def complete(
    inspection_id: str, cmd: c.CompleteInspection, request: Request, actor: Supervisor
) -> None:
    await h.complete_inspection(_app(request), inspection_id, cmd, command_metadata(request, actor))


@router.post("/inspections/{inspection_id}/publication", status_code=204)
async def publish(inspection_id: str, request: Request, actor: Supervisor) -> None:
    await h.publish_result(
        _app(request), inspection_id, command_metadata(request, actor), _calendar(request)
    )


@router.post(
    "/inspections/{inspection_id}/unreported-projects", status_code=201, response_model=Created
)
async def unreported(
    inspection_id: str, cmd: c.UnreportedProject, request: Request, actor: Supervisor
) -> Created:
    return Created(
        id=await h.record_unreported_project(
            _app(request), inspection_id, cmd, command_metadata(request, actor)
        )
    )


@router.get("/inspections/overdue-publications")
async def overdue(request: Request, actor: Supervisor) -> list[dict[str, Any]]:
    app = _app(request)
    async with app.rt.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT i.* FROM inspections i JOIN known_institutions k USING (institution_id)"
            " WHERE i.ended_on IS NOT NULL AND i.published_on IS NULL AND k.region_code LIKE $1",
            _prefix(actor) + "%",
        )
    return h.overdue_publications(list(rows), _calendar(request), app.today())


@router.post("/leads/complaints", status_code=201, response_model=Created)
async def complaint(cmd: c.Complaint, request: Request, actor: Supervisor) -> Created:
    return Created(
        id=await h.open_lead(
            _app(request),
            cmd.institution_id,
            "complaint",
            cmd.category,
            cmd.description,
            command_metadata(request, actor),
        )
    )


@router.post("/leads/unfiled-work", status_code=201, response_model=Created)
async def unfiled_work(cmd: c.UnfiledWork, request: Request, actor: Supervisor) -> Created:
    return Created(
        id=await h.open_lead(
            _app(request),
            cmd.institution_id,
            "unfiled-work",
            "unqualified-service",
            cmd.description,
            command_metadata(request, actor),
        )
    )


@router.get("/leads")
async def leads(
    request: Request, actor: Supervisor, status: str | None = None
) -> list[dict[str, Any]]:
    async with runtime_of(request.app).pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT * FROM leads WHERE jurisdiction_region_code LIKE $1"
            " AND ($2::text IS NULL OR status = $2) ORDER BY opened_on, lead_id",
            _prefix(actor) + "%",
            status,
        )
    return [dict(r) for r in rows]


@router.post("/leads/{lead_id}/closure", status_code=204)
async def close_lead(lead_id: str, cmd: c.CloseLead, request: Request, actor: Supervisor) -> None:
    await h.close_lead(_app(request), lead_id, cmd, command_metadata(request, actor))


@router.post("/leads/{lead_id}/case", status_code=201, response_model=Created)
async def open_case(lead_id: str, cmd: c.OpenCase, request: Request, actor: Supervisor) -> Created:
    return Created(
        id=await h.open_case(_app(request), lead_id, cmd, command_metadata(request, actor))
    )


@router.post("/cases/{case_id}/investigation", status_code=204)
async def investigate(
    case_id: str, cmd: c.Investigate, request: Request, actor: Supervisor
) -> None:
    app = _app(request)
    await h.on_case(
        app,
        case_id,
        command_metadata(request, actor),
        lambda s: case.investigate(s, cmd.summary, app.today()),
    )


@router.post("/cases/{case_id}/penalty", status_code=204)
async def decide_penalty(
    case_id: str, cmd: c.DecidePenalty, request: Request, actor: Supervisor
) -> None:
    app, meta = _app(request), command_metadata(request, actor)
    await h.on_case(
        app, case_id, meta, lambda s: case.decide_penalty(s, h.decision_of(cmd, meta), app.today())
    )


@router.post("/cases/{case_id}/execution", status_code=204)
async def execute(case_id: str, request: Request, actor: Supervisor) -> None:
    app = _app(request)
    await h.on_case(
        app, case_id, command_metadata(request, actor), lambda s: case.execute(s, app.today())
    )


@router.post("/cases/{case_id}/closure", status_code=204)
async def close_case(case_id: str, request: Request, actor: Supervisor) -> None:
    app = _app(request)
    await h.on_case(
        app, case_id, command_metadata(request, actor), lambda s: case.close(s, app.today())
    )


@router.post("/cases/{case_id}/credit-repair", status_code=204)
async def grant_credit_repair(
    case_id: str, cmd: c.GrantCreditRepair, request: Request, actor: Supervisor
) -> None:
    await h.grant_credit_repair(_app(request), case_id, cmd, command_metadata(request, actor))


@router.post("/cases/{case_id}/annulment", status_code=204)
async def annul_penalty(
    case_id: str, cmd: c.AnnulPenalty, request: Request, actor: Supervisor
) -> None:
    app = _app(request)
    await h.on_case(
        app,
        case_id,
        command_metadata(request, actor),
        lambda s: case.annul_penalty(s, cmd.reason, app.today()),
    )


@router.get("/credit-classes")
async def credit_classes(request: Request, actor: Supervisor) -> list[dict[str, Any]]:
    async with runtime_of(request.app).pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT c.*, k.name FROM credit_classes c"
            " JOIN known_institutions k USING (institution_id)"
            " WHERE k.region_code LIKE $1 ORDER BY c.credit_class DESC, k.name",
            _prefix(actor) + "%",
        )
    return [dict(r) for r in rows]


@router.get("/statutory-ranges")
async def statutory_ranges() -> list[dict[str, Any]]:
    return [row.__dict__ for row in statutory_table().values()]
