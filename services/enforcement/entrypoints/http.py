"""Enforcement HTTP API: role supervision-unit within its jurisdiction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from contracts.draw_record import public_record
from contracts.envelope import Actor, Role
from ohts_kit.auth import require_roles
from ohts_kit.http import command_metadata
from ohts_kit.service import runtime_of
from services.enforcement.application import (
    cases,
    inspections,
    leads,
    plans,
    queries,
    transfers,
)
from services.enforcement.application.unit import Enforcement, enforcement_of
from services.enforcement.domain import commands as c
from services.enforcement.domain.law import statutory_table

router = APIRouter(prefix="/api/v1", tags=["enforcement"])
Supervisor = Annotated[Actor, Depends(require_roles(Role.SUPERVISION_UNIT))]


class Created(BaseModel):
    id: str


def _app(request: Request) -> Enforcement:
    return enforcement_of(runtime_of(request.app))


@router.post("/plans", status_code=201, response_model=Created)
async def define_plan(cmd: c.DefinePlan, request: Request, actor: Supervisor) -> Created:
    return Created(id=await plans.define_plan(_app(request), cmd, command_metadata(request, actor)))


@router.post("/plans/{plan_id}/draws", status_code=201, response_model=Created)
async def draw(plan_id: str, cmd: c.Draw, request: Request, actor: Supervisor) -> Created:
    return Created(
        id=await plans.run_draw(_app(request), plan_id, cmd, command_metadata(request, actor))
    )


@router.get("/draws/{draw_id}/verification")
async def verify_draw(draw_id: str, request: Request) -> dict[str, Any]:
    """Anyone may recompute a published draw from its recorded inputs and seed."""
    return await plans.verify_draw(_app(request), draw_id)


@router.get("/draws/{draw_id}")
async def public_draw(draw_id: str, request: Request) -> dict[str, Any]:
    """E2: the public record of a draw (seed, universe with weights, roster, exclusions,
    targets and teams, algorithm): enough to recompute it (docs/draw_reference.py)."""
    return public_record(await plans.published_draw(_app(request), draw_id))


@router.get("/draws/{draw_id}/inspections")
async def draw_inspections(
    draw_id: str, request: Request, actor: Supervisor
) -> list[dict[str, Any]]:
    return await plans.draw_inspections(_app(request), draw_id, command_metadata(request, actor))


@router.post("/inspections", status_code=201, response_model=Created)
async def schedule(cmd: c.ScheduleInspection, request: Request, actor: Supervisor) -> Created:
    return Created(
        id=await inspections.schedule_inspection(
            _app(request), cmd, command_metadata(request, actor)
        )
    )


@router.post("/inspections/{inspection_id}/completion", status_code=204)
async def complete(
    inspection_id: str, cmd: c.CompleteInspection, request: Request, actor: Supervisor
) -> None:
    await inspections.complete_inspection(
        _app(request), inspection_id, cmd, command_metadata(request, actor)
    )


@router.post("/inspections/{inspection_id}/publication", status_code=204)
async def publish(inspection_id: str, request: Request, actor: Supervisor) -> None:
    await inspections.publish_result(_app(request), inspection_id, command_metadata(request, actor))


@router.post(
    "/inspections/{inspection_id}/unreported-projects", status_code=201, response_model=Created
)
async def unreported(
    inspection_id: str, cmd: c.UnreportedProject, request: Request, actor: Supervisor
) -> Created:
    return Created(
        id=await inspections.record_unreported_project(
            _app(request), inspection_id, cmd, command_metadata(request, actor)
        )
    )


@router.post("/inspections/{inspection_id}/leads", status_code=201, response_model=Created)
async def findings_lead(
    inspection_id: str, cmd: c.FindingsLead, request: Request, actor: Supervisor
) -> Created:
    return Created(
        id=await inspections.lead_from_findings(
            _app(request), inspection_id, cmd, command_metadata(request, actor)
        )
    )


@router.get("/inspections/overdue-publications")
async def overdue(request: Request, actor: Supervisor) -> list[dict[str, Any]]:
    app = _app(request)
    async with app.db.connection() as conn:
        return await queries.overdue_publications(
            conn, actor.region_code, app.calendar, app.today()
        )


@router.post("/leads/complaints", status_code=201, response_model=Created)
async def complaint(cmd: c.Complaint, request: Request, actor: Supervisor) -> Created:
    return Created(
        id=await leads.open_lead(
            _app(request),
            cmd.institution_id,
            leads.Origin(
                "complaint",
                cmd.category,
                cmd.description,
                cmd.opened_on,
                cmd.violation_region_code,
            ),
            command_metadata(request, actor),
        )
    )


@router.post("/leads/unfiled-work", status_code=201, response_model=Created)
async def unfiled_work(cmd: c.UnfiledWork, request: Request, actor: Supervisor) -> Created:
    return Created(
        id=await leads.open_lead(
            _app(request),
            cmd.institution_id,
            leads.Origin(
                "unfiled-work",
                "unqualified-service",
                cmd.description,
                cmd.opened_on,
                cmd.violation_region_code,
            ),
            command_metadata(request, actor),
        )
    )


@router.get("/leads")
async def list_leads(
    request: Request, actor: Supervisor, status: str | None = None
) -> list[dict[str, Any]]:
    async with _app(request).db.connection() as conn:
        return await queries.leads(conn, actor.region_code, status)


@router.post("/leads/{lead_id}/closure", status_code=204)
async def close_lead(lead_id: str, cmd: c.CloseLead, request: Request, actor: Supervisor) -> None:
    await leads.close_lead(_app(request), lead_id, cmd, command_metadata(request, actor))


@router.post("/leads/{lead_id}/referral-acknowledgement", status_code=204)
async def acknowledge_referral(
    lead_id: str, cmd: c.AcknowledgeReferral, request: Request, actor: Supervisor
) -> None:
    """Q5: a person of the receiving unit acknowledges the QC referral behind the lead."""
    await leads.acknowledge_referral(_app(request), lead_id, cmd, command_metadata(request, actor))


@router.post("/leads/{lead_id}/case", status_code=201, response_model=Created)
async def open_case(lead_id: str, cmd: c.OpenCase, request: Request, actor: Supervisor) -> Created:
    return Created(
        id=await leads.open_case(_app(request), lead_id, cmd, command_metadata(request, actor))
    )


@router.post("/cases/{case_id}/investigation", status_code=204)
async def investigate(
    case_id: str, cmd: c.Investigate, request: Request, actor: Supervisor
) -> None:
    await cases.investigate(_app(request), case_id, cmd, command_metadata(request, actor))


@router.post("/cases/{case_id}/penalty", status_code=204)
async def decide_penalty(
    case_id: str, cmd: c.DecidePenalty, request: Request, actor: Supervisor
) -> None:
    await cases.decide_penalty(_app(request), case_id, cmd, command_metadata(request, actor))


@router.post("/cases/{case_id}/execution", status_code=204)
async def execute(
    case_id: str, request: Request, actor: Supervisor, cmd: c.Execute | None = None
) -> None:
    meta = command_metadata(request, actor)
    await cases.execute(_app(request), case_id, cmd or c.Execute(), meta)


@router.post("/cases/{case_id}/closure", status_code=204)
async def close_case(
    case_id: str, request: Request, actor: Supervisor, cmd: c.CloseCase | None = None
) -> None:
    meta = command_metadata(request, actor)
    await cases.close(_app(request), case_id, cmd or c.CloseCase(), meta)


@router.post("/cases/{case_id}/typical", status_code=204)
async def mark_typical(
    case_id: str, cmd: c.MarkTypical, request: Request, actor: Supervisor
) -> None:
    """A decided case sent back to the QC centres as a typical case."""
    await cases.mark_typical(_app(request), case_id, cmd, command_metadata(request, actor))


@router.post("/cases/{case_id}/credit-repair", status_code=204)
async def grant_credit_repair(
    case_id: str, cmd: c.GrantCreditRepair, request: Request, actor: Supervisor
) -> None:
    await cases.grant_credit_repair(_app(request), case_id, cmd, command_metadata(request, actor))


@router.post("/cases/{case_id}/annulment", status_code=204)
async def annul_penalty(
    case_id: str, cmd: c.AnnulPenalty, request: Request, actor: Supervisor
) -> None:
    await cases.annul_penalty(_app(request), case_id, cmd, command_metadata(request, actor))


@router.post("/cases/{case_id}/judicial-transfers", status_code=201, response_model=Created)
async def transfer_to_judiciary(
    case_id: str, cmd: c.TransferToJudiciary, request: Request, actor: Supervisor
) -> Created:
    """移送司法: a case with a suspected crime goes to the judicial authorities."""
    meta = command_metadata(request, actor)
    return Created(id=await transfers.transfer_case(_app(request), case_id, cmd, meta))


@router.post("/judicial-transfers/{transfer_id}/status", status_code=204)
async def judicial_status(
    transfer_id: str, cmd: c.JudicialStatus, request: Request, actor: Supervisor
) -> None:
    meta = command_metadata(request, actor)
    await transfers.record_status(_app(request), transfer_id, cmd, meta)


@router.get("/judicial-transfers")
async def list_transfers(
    request: Request, actor: Supervisor, status: str | None = None
) -> list[dict[str, Any]]:
    async with _app(request).db.connection() as conn:
        return await transfers.transfers(conn, actor.region_code, status)


@router.get("/credit-classes")
async def credit_classes(request: Request, actor: Supervisor) -> list[dict[str, Any]]:
    async with _app(request).db.connection() as conn:
        return await queries.credit_classes(conn, actor.region_code)


@router.get("/penalties")
async def penalties(request: Request, actor: Supervisor) -> list[dict[str, Any]]:
    """Decisions of the caller's jurisdiction, each with how late it was entered (F1)."""
    app = _app(request)
    async with app.db.connection() as conn:
        return await queries.penalties(conn, actor.region_code, app.calendar)


@router.get("/practice-bans")
async def practice_bans(request: Request, actor: Supervisor) -> list[dict[str, Any]]:
    """E6: practice bans in force, binding at every institution (supervisors see them all)."""
    app = _app(request)
    async with app.db.connection() as conn:
        return await queries.practice_bans(conn, app.today())


@router.get("/statutory-ranges")
async def statutory_ranges() -> list[dict[str, Any]]:
    return [row.__dict__ for row in statutory_table().values()]
