"""Enforcement HTTP API: role supervision-unit within its jurisdiction."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from contracts.envelope import Actor, Role
from ohts_kit.auth import require_roles
from ohts_kit.service import runtime_of

router = APIRouter(prefix="/api/v1", tags=["enforcement"])
Supervisor = Annotated[Actor, Depends(require_roles(Role.SUPERVISION_UNIT))]


def _prefix(actor: Actor) -> str:
    code = actor.region_code
    return code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code


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
