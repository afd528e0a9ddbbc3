"""QC lists for the staff to-do lists (待办), within the caller's province as the other QC
lists are. Mounted before `lists`, whose `/rectifications/{item_id}` would otherwise take
`/rectifications/due` for an item id."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from ohts_kit import regions
from ohts_kit.service import runtime_of
from services.qc.application import watch
from services.qc.application.unit import Qc, qc_of
from services.qc.entrypoints.lists import Reader

router = APIRouter(prefix="/api/v1", tags=["qc"])


def _qc(request: Request) -> Qc:
    return qc_of(runtime_of(request.app))


def _province(region_code: str) -> str:
    return regions.like(region_code[:2] + "0000")  # QC plans and items are a province's


@router.get("/rectifications/due")
async def rectifications_due(
    request: Request, actor: Reader, reopened: bool | None = None
) -> list[dict[str, Any]]:
    """Q4: rectification items not closed, overdue first then by due date; `reopened=true`
    the look-back re-checks (回头看) with their new due date."""
    qc = _qc(request)
    async with qc.db.connection() as conn:
        return await watch.rectifications_due(
            conn, regions.like(actor.region_code), qc.today(), reopened
        )


@router.get("/plan-progress")  # not /plans/progress: http.py has /plans/{plan_id}
async def plan_progress(request: Request, actor: Reader) -> list[dict[str, Any]]:
    """Each plan of the caller's province: planned institutions and those with a result."""
    async with _qc(request).db.connection() as conn:
        return await watch.plan_progress(conn, _province(actor.region_code))
