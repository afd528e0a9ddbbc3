"""Enforcement lists for the supervision unit's to-do list (待办), within its jurisdiction as
the other lists are. Mounted before `lists`, whose `/cases/{case_id}` and
`/inspections/{inspection_id}` would otherwise take these fixed paths for ids."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ohts_kit import regions
from ohts_kit.service import runtime_of
from services.enforcement.application import watch
from services.enforcement.application.unit import Enforcement, enforcement_of
from services.enforcement.entrypoints.lists import Supervisor

router = APIRouter(prefix="/api/v1", tags=["enforcement"])


def _app(request: Request) -> Enforcement:
    return enforcement_of(runtime_of(request.app))


@router.get("/leads/unacknowledged")
async def unacknowledged(request: Request, actor: Supervisor) -> list[dict[str, Any]]:
    """Q5: leads from QC referrals that no person of the unit has acknowledged yet."""
    async with _app(request).db.connection() as conn:
        return await watch.unacknowledged_referrals(conn, regions.like(actor.region_code))


@router.get("/cases/stages")
async def case_stages(request: Request, actor: Supervisor) -> list[dict[str, Any]]:
    """How many cases of the jurisdiction are at each stage."""
    async with _app(request).db.connection() as conn:
        return await watch.case_stages(conn, regions.like(actor.region_code))


@router.get("/penalties/publicity")
async def publicity(request: Request, actor: Supervisor) -> list[dict[str, Any]]:
    """P2: decisions to publish (within 20 working days) or to withdraw from public view
    (within 3 working days of their publicity ending), by when."""
    app = _app(request)
    async with app.db.connection() as conn:
        return await watch.publicity_tasks(
            conn,
            regions.like(actor.region_code),
            app.today(),
            app.calendar,
            app.fine_threshold_yuan,
        )


@router.get("/inspections/current-draw")
async def current_draw(request: Request, actor: Supervisor) -> dict[str, Any]:
    """E2: the inspections of the jurisdiction's latest draw, those not yet ended first."""
    async with _app(request).db.connection() as conn:
        return await watch.current_draw(conn, regions.like(actor.region_code))
