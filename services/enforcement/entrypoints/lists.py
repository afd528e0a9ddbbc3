"""Enforcement's lists and records for the staff pages: paged, within the caller's
jurisdiction, each record with its history from the events."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from contracts.envelope import Actor, Role
from ohts_kit import regions
from ohts_kit.auth import check_jurisdiction, require_roles
from ohts_kit.errors import NotFound
from ohts_kit.listing import PagingQ, history, paged
from ohts_kit.service import runtime_of
from services.enforcement.domain import case, inspection, lead, transfer, typical

router = APIRouter(prefix="/api/v1", tags=["enforcement"])
Supervisor = Annotated[Actor, Depends(require_roles(Role.SUPERVISION_UNIT))]
Text = Annotated[str | None, Query(max_length=100)]

CASES = (
    "SELECT c.case_id, c.institution_id, k.name AS institution_name, k.region_code,"
    " c.violation, c.stage, c.opened_on, p.decision_number, p.decided_on, p.penalties,"
    " p.fine_yuan FROM cases c JOIN known_institutions k USING (institution_id)"
    " LEFT JOIN penalties p USING (case_id)"
)
INSPECTIONS = (
    "SELECT i.inspection_id, i.institution_id, k.name AS institution_name, k.region_code,"
    " i.period, i.kinds, i.inspectors, i.scheduled_on, i.ended_on, i.result, i.published_on"
    " FROM inspections i JOIN known_institutions k USING (institution_id)"
)
LEADS = (
    "SELECT l.*, k.name AS institution_name FROM leads l"
    " LEFT JOIN known_institutions k USING (institution_id)"
)


def _pool(request: Request) -> Any:
    return runtime_of(request.app).pool


def _filters(actor: Actor, column: str, **equal: str | None) -> tuple[str, list[Any]]:
    """The jurisdiction (a LIKE of a known code) and the given equality filters."""
    where, args = [f"{column} LIKE $1"], [regions.like(actor.region_code)]
    for name, value in equal.items():
        if value is not None:
            args.append(value)
            where.append(f"{name} = ${len(args)}")
    return " AND ".join(where), args


@router.get("/cases")
async def list_cases(
    request: Request,
    actor: Supervisor,
    paging: PagingQ,
    stage: Text = None,
    institution_id: Text = None,
    q: Text = None,
) -> dict[str, Any]:
    where, args = _filters(
        actor, "k.region_code", **{"c.stage": stage, "c.institution_id": institution_id}
    )
    if q:
        args.append(f"%{q}%")
        where += f" AND (k.name ILIKE ${len(args)} OR p.decision_number ILIKE ${len(args)})"
    sorts = {"opened_on": "c.opened_on", "stage": "c.stage", "institution": "k.name"}
    async with _pool(request).acquire() as conn:
        return await paged(conn, CASES, where, args, paging, sorts)


@router.get("/cases/{case_id}")
async def case_record(case_id: str, request: Request, actor: Supervisor) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        row = await conn.fetchrow(f"{CASES} WHERE c.case_id = $1", case_id)
        if row is None:
            raise NotFound(f"no case {case_id}")
        check_jurisdiction(actor, row["region_code"])
        penalty = await conn.fetchrow("SELECT * FROM penalties WHERE case_id = $1", case_id)
        transfers = await conn.fetch(
            "SELECT transfer_id FROM judicial_transfers WHERE case_id = $1", case_id
        )
        events = await history(
            conn,
            case.AGGREGATE,
            case_id,
            (typical.AGGREGATE, case_id),
            *((transfer.AGGREGATE, t["transfer_id"]) for t in transfers),
        )
    return {**dict(row), "penalty": dict(penalty) if penalty else None, "history": events}


@router.get("/inspections")
async def list_inspections(
    request: Request,
    actor: Supervisor,
    paging: PagingQ,
    institution_id: Text = None,
    period: Text = None,
) -> dict[str, Any]:
    where, args = _filters(
        actor, "k.region_code", **{"i.institution_id": institution_id, "i.period": period}
    )
    sorts = {"scheduled_on": "i.scheduled_on", "ended_on": "i.ended_on", "institution": "k.name"}
    async with _pool(request).acquire() as conn:
        return await paged(conn, INSPECTIONS, where, args, paging, sorts)


@router.get("/inspections/{inspection_id}")
async def inspection_record(
    inspection_id: str, request: Request, actor: Supervisor
) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        row = await conn.fetchrow(f"{INSPECTIONS} WHERE i.inspection_id = $1", inspection_id)
        if row is None:
            raise NotFound(f"no inspection {inspection_id}")
        check_jurisdiction(actor, row["region_code"])
        events = await history(conn, inspection.AGGREGATE, inspection_id)
    return {**dict(row), "history": events}


@router.get("/leads/{lead_id}")
async def lead_record(lead_id: str, request: Request, actor: Supervisor) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        row = await conn.fetchrow(f"{LEADS} WHERE l.lead_id = $1", lead_id)
        if row is None:
            raise NotFound(f"no lead {lead_id}")
        check_jurisdiction(actor, row["jurisdiction_region_code"])
        events = await history(conn, lead.AGGREGATE, lead_id)
    return {**dict(row), "history": events}


@router.get("/plans")
async def list_plans(request: Request, actor: Supervisor, paging: PagingQ) -> dict[str, Any]:
    where, args = _filters(actor, "p.jurisdiction_region_code")
    select = (
        "SELECT p.plan_id, p.jurisdiction_region_code, p.year,"
        " (SELECT count(*) FROM events e WHERE e.aggregate_type = 'InspectionPlan'"
        " AND e.aggregate_id = p.plan_id"
        " AND e.event_type = 'enforcement.InspectionDrawPublished') AS draws"
        " FROM inspection_plans p"
    )
    sorts = {"year": "p.year", "region": "p.jurisdiction_region_code"}
    async with _pool(request).acquire() as conn:
        return await paged(conn, select, where, args, paging, sorts)


@router.get("/plans/{plan_id}")
async def plan_record(plan_id: str, request: Request, actor: Supervisor) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM inspection_plans WHERE plan_id = $1", plan_id)
        if row is None:
            raise NotFound(f"no plan {plan_id}")
        check_jurisdiction(actor, row["jurisdiction_region_code"])
        events = await history(conn, "InspectionPlan", plan_id)
    draws = [
        {k: e["payload"][k] for k in ("draw_id", "seed", "targets", "published_on")}
        for e in events
        if e["event_type"] == "enforcement.InspectionDrawPublished"
    ]
    return {**dict(row), "draws": draws, "history": events}
