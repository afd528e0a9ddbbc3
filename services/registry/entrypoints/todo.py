"""Registry lists for the staff to-do lists (待办), each within the caller's jurisdiction as
the other lists are (an institution sees only its own rows). Mounted before `lists`, whose
`/qualifications/{id}`-style routes would otherwise take these fixed paths for ids."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from contracts.envelope import Role
from ohts_kit import regions
from ohts_kit.service import runtime_of
from services.registry.application import watch
from services.registry.application.unit import Registry, registry_of
from services.registry.entrypoints.lists import Officials, Reader, _within

router = APIRouter(prefix="/api/v1", tags=["registry"])


def _reg(request: Request) -> Registry:
    return registry_of(runtime_of(request.app))


@router.get("/conditions/unmet")
async def conditions_unmet(request: Request, actor: Officials) -> list[dict[str, Any]]:
    """R6a: qualified institutions that no longer keep the conditions of their qualification
    (full-time staff below the minimum, no qualified technical or QC lead, no website)."""
    reg = _reg(request)
    async with reg.db.connection() as conn:
        return await watch.unmet_conditions(
            conn, regions.like(actor.region_code), reg.policy.min_technical_staff
        )


@router.get("/certificates/expiring")
async def certificates_expiring(request: Request, actor: Officials) -> list[dict[str, Any]]:
    """R2: certificates ending within the renewal lead with no renewal applied for."""
    reg = _reg(request)
    async with reg.db.connection() as conn:
        return await watch.expiring(
            conn, regions.like(actor.region_code), reg.today(), reg.policy.renewal_lead_months
        )


@router.get("/report-cards/due")
async def report_cards_due(request: Request, actor: Reader) -> list[dict[str, Any]]:
    """R8: projects an inspection found with no report card filed yet."""
    where, args = _within(actor, None)
    async with _reg(request).db.connection() as conn:
        return await watch.cards_due(conn, " AND ".join(where), args)


@router.get("/filings/summaries/due")
async def summaries_due(request: Request, actor: Reader) -> list[dict[str, Any]]:
    """R7: half-years ended since a filing with no work summary submitted (overdue after
    the due date); the province filed in sees them too, as it sees the filing."""
    where, args = _within(actor, None)
    if actor.role is not Role.INSTITUTION:
        where[0] = f"({where[0]} OR f.province_code LIKE $1)"
    reg = _reg(request)
    async with reg.db.connection() as conn:
        return await watch.summaries_due(conn, " AND ".join(where), args, reg.today())
