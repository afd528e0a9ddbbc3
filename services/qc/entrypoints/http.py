"""QC HTTP API: role qc-centre within its region; rectification submissions by the institution."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from contracts.envelope import Actor, Role
from ohts_kit import regions
from ohts_kit.auth import check_jurisdiction, require_roles
from ohts_kit.errors import NotFound
from ohts_kit.http import command_metadata
from ohts_kit.service import runtime_of
from services.qc.application import activities, conclusions, plans, queries, rectifications
from services.qc.application.unit import Qc, qc_of
from services.qc.domain import commands as c
from services.qc.domain.categories import CATEGORIES

router = APIRouter(prefix="/api/v1", tags=["qc"])
Centre = Annotated[Actor, Depends(require_roles(Role.QC_CENTRE))]
Institution = Annotated[Actor, Depends(require_roles(Role.INSTITUTION))]
Reader = Annotated[
    Actor, Depends(require_roles(Role.QC_CENTRE, Role.SUPERVISION_UNIT, Role.REGISTRY_AUTHORITY))
]


class Created(BaseModel):
    id: str


class ItemsOpened(BaseModel):
    rectification_item_ids: list[str]


def _qc(request: Request) -> Qc:
    return qc_of(runtime_of(request.app))


def _prefix(actor: Actor) -> str:
    return regions.prefix(actor.region_code)


@router.post("/plans", status_code=201, response_model=Created)
async def generate_plan(cmd: c.GeneratePlan, request: Request, actor: Centre) -> Created:
    return Created(
        id=await plans.generate_plan(_qc(request), cmd, command_metadata(request, actor))
    )


@router.get("/plans/{plan_id}")
async def plan(plan_id: str, request: Request, actor: Reader) -> dict[str, Any]:
    async with _qc(request).db.connection() as conn:
        found = await queries.plan_view(conn, plan_id)
    if found is None:
        raise NotFound(f"no plan {plan_id}")
    check_jurisdiction(actor, found["province_code"])
    return found


@router.get("/plans/{plan_id}/verification")
async def verify_plan(plan_id: str, request: Request) -> dict[str, Any]:
    """Anyone may recompute a plan from its recorded inputs and seed."""
    return await plans.verify_plan(_qc(request), plan_id)


@router.post("/activities", status_code=201, response_model=Created)
async def open_activity(cmd: c.OpenActivity, request: Request, actor: Centre) -> Created:
    return Created(
        id=await activities.open_activity(_qc(request), cmd, command_metadata(request, actor))
    )


@router.post("/activities/{activity_id}/results", status_code=201, response_model=ItemsOpened)
async def record_result(
    activity_id: str, cmd: c.RecordResult, request: Request, actor: Centre
) -> ItemsOpened:
    ids = await activities.record_result(
        _qc(request), activity_id, cmd, command_metadata(request, actor)
    )
    return ItemsOpened(rectification_item_ids=ids)


@router.post("/rectifications/{item_id}/submission", status_code=204)
async def submit(
    item_id: str, cmd: c.SubmitRectification, request: Request, actor: Institution
) -> None:
    await rectifications.submit_rectification(
        _qc(request), item_id, cmd, command_metadata(request, actor)
    )


@router.post("/rectifications/{item_id}/verification", status_code=204)
async def verify(item_id: str, request: Request, actor: Centre) -> None:
    await rectifications.verify_rectification(
        _qc(request), item_id, command_metadata(request, actor)
    )


@router.post("/rectifications/{item_id}/rejection", status_code=204)
async def reject(item_id: str, cmd: c.Reason, request: Request, actor: Centre) -> None:
    await rectifications.reject_rectification(
        _qc(request), item_id, cmd, command_metadata(request, actor)
    )


@router.post("/rectifications/{item_id}/reopening", status_code=204)
async def reopen(item_id: str, cmd: c.Reason, request: Request, actor: Centre) -> None:
    await rectifications.reopen_rectification(
        _qc(request), item_id, cmd, command_metadata(request, actor)
    )


@router.get("/rectifications")
async def ledger(
    request: Request, actor: Reader, institution_id: str | None = None, state: str | None = None
) -> list[dict[str, Any]]:
    async with _qc(request).db.connection() as conn:
        return await queries.ledger(conn, institution_id, state, _prefix(actor))


@router.post("/conclusions", status_code=201)
async def conclude(cmd: c.ConcludeYear, request: Request, actor: Centre) -> list[dict[str, Any]]:
    return await conclusions.conclude_year(_qc(request), cmd, command_metadata(request, actor))


@router.get("/public-list")
async def public_list(
    request: Request, year: Annotated[int | None, Query(ge=2000, le=2100)] = None
) -> list[dict[str, Any]]:
    async with _qc(request).db.connection() as conn:
        return await queries.public_list(conn, year)


@router.get("/dashboard/referrals")
async def referral_dashboard(request: Request, actor: Reader) -> dict[str, Any]:
    app = _qc(request)
    async with app.db.connection() as conn:
        return await queries.referrals(conn, app.today(), app.calendar, _prefix(actor))


@router.get("/institutions/{institution_id}")
async def institution_record(
    institution_id: str, request: Request, actor: Reader
) -> dict[str, Any]:
    """The institution's region sees its record, and so does a province it filed in (R7: the
    receiving province's QC centre checks its work there)."""
    async with _qc(request).db.connection() as conn:
        found = await queries.institution_record(conn, institution_id)
        if found is None:
            raise NotFound(f"qc knows no institution {institution_id}")
        filed_here = await queries.filed_in(conn, institution_id, actor.region_code)
    if not filed_here:
        check_jurisdiction(actor, found["region_code"])
    return found


@router.get("/categories")
async def categories() -> dict[str, dict[str, Any]]:
    return {k: {"label": label, "violation_clue": clue} for k, (label, clue) in CATEGORIES.items()}
