"""QC lists and records for the staff pages: paged, within the caller's jurisdiction (an
institution sees only its own rectification items), records with their event history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from contracts.envelope import Actor, Role
from ohts_kit import regions
from ohts_kit.auth import check_jurisdiction, require_roles
from ohts_kit.errors import Forbidden, NotFound
from ohts_kit.listing import PagingQ, history, paged
from ohts_kit.service import runtime_of
from services.qc.domain import activity, plan, rectification

router = APIRouter(prefix="/api/v1", tags=["qc"])
Reader = Annotated[
    Actor, Depends(require_roles(Role.QC_CENTRE, Role.SUPERVISION_UNIT, Role.REGISTRY_AUTHORITY))
]
AnyRole = Annotated[
    Actor,
    Depends(
        require_roles(
            Role.QC_CENTRE, Role.SUPERVISION_UNIT, Role.REGISTRY_AUTHORITY, Role.INSTITUTION
        )
    ),
]
Text = Annotated[str | None, Query(max_length=100)]

ACTIVITIES = (
    "SELECT a.activity_id, a.plan_id, a.kind, a.province_code, a.year,"
    " (SELECT count(*) FROM results r WHERE r.activity_id = a.activity_id) AS results,"
    " (SELECT count(*) FROM results r WHERE r.activity_id = a.activity_id"
    " AND r.result = 'fail') AS failures FROM activities a"
)
ITEMS = (
    "SELECT i.item_id, i.institution_id, k.name AS institution_name, k.region_code, i.state,"
    " i.due_on, i.overdue, f.finding_id, f.activity_id, f.category, f.severity,"
    " f.violation_clue, f.recorded_on FROM rectification_items i"
    " JOIN findings f USING (finding_id) JOIN known_institutions k"
    " ON k.institution_id = i.institution_id"
)


def _pool(request: Request) -> Any:
    return runtime_of(request.app).pool


@router.get("/plans")
async def list_plans(request: Request, actor: Reader, paging: PagingQ) -> dict[str, Any]:
    select = (
        "SELECT p.plan_id, p.province_code, p.year, (SELECT count(*) FROM plan_entries e"
        " WHERE e.plan_id = p.plan_id) AS entries FROM plans p"
    )
    args = [regions.like(actor.region_code[:2] + "0000")]  # a plan is a province's
    sorts = {"year": "p.year", "province": "p.province_code"}
    async with _pool(request).acquire() as conn:
        return await paged(conn, select, "p.province_code LIKE $1", args, paging, sorts)


@router.get("/plans/{plan_id}/history")
async def plan_history(plan_id: str, request: Request, actor: Reader) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        row = await conn.fetchrow("SELECT * FROM plans WHERE plan_id = $1", plan_id)
        if row is None:
            raise NotFound(f"no plan {plan_id}")
        check_jurisdiction(actor, row["province_code"])
        events = await history(conn, plan.AGGREGATE, plan_id)
    return {**dict(row), "history": events}


@router.get("/activities")
async def list_activities(
    request: Request,
    actor: Reader,
    paging: PagingQ,
    plan_id: Text = None,
    kind: Text = None,
) -> dict[str, Any]:
    where, args = ["a.province_code LIKE $1"], [regions.like(actor.region_code[:2] + "0000")]
    for column, value in (("a.plan_id", plan_id), ("a.kind", kind)):
        if value is not None:
            args.append(value)
            where.append(f"{column} = ${len(args)}")
    sorts = {"year": "a.year", "kind": "a.kind"}
    async with _pool(request).acquire() as conn:
        return await paged(conn, ACTIVITIES, " AND ".join(where), args, paging, sorts)


async def _without_result(
    conn: Any, events: list[dict[str, Any]], recorded: set[str]
) -> list[dict[str, Any]]:
    """The activity's participants (from its opening) whose result is not recorded yet."""
    named = [
        i
        for e in events
        if e["event_type"] == "qc.QcActivityOpened"
        for i in e["payload"].get("participants", [])
        if i not in recorded
    ]
    rows = await conn.fetch(
        "SELECT institution_id, name FROM known_institutions WHERE institution_id = ANY($1)",
        named,
    )
    names = {r["institution_id"]: r["name"] for r in rows}
    return [{"institution_id": i, "institution_name": names.get(i), "result": None} for i in named]


@router.get("/activities/{activity_id}")
async def activity_record(activity_id: str, request: Request, actor: Reader) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        row = await conn.fetchrow(f"{ACTIVITIES} WHERE a.activity_id = $1", activity_id)
        if row is None:
            raise NotFound(f"no activity {activity_id}")
        check_jurisdiction(actor, row["province_code"])
        results = await conn.fetch(
            "SELECT r.*, k.name AS institution_name FROM results r"
            " LEFT JOIN known_institutions k USING (institution_id)"
            " WHERE r.activity_id = $1 ORDER BY r.recorded_on, r.institution_id",
            activity_id,
        )
        findings = await conn.fetch(
            "SELECT * FROM findings WHERE activity_id = $1 ORDER BY finding_id", activity_id
        )
        events = await history(conn, activity.AGGREGATE, activity_id)
        waiting = await _without_result(conn, events, {r["institution_id"] for r in results})
    return {
        **dict(row),
        "participants": [dict(r) for r in results] + waiting,
        "findings": [dict(f) for f in findings],
        "history": events,
    }


@router.get("/institutions/{institution_id}/rectifications")
async def institution_items(
    institution_id: str, request: Request, actor: AnyRole, paging: PagingQ, state: Text = None
) -> dict[str, Any]:
    """What an institution must rectify: its own, or within a reader's jurisdiction."""
    if actor.role is Role.INSTITUTION and actor.institution_id != institution_id:
        raise Forbidden("an institution may see only its own rectification items")
    where, args = ["i.institution_id = $1"], [institution_id]
    if state:
        args.append(state)
        where.append(f"i.state = ${len(args)}")
    sorts = {"due_on": "i.due_on", "state": "i.state"}
    async with _pool(request).acquire() as conn:
        if actor.role is not Role.INSTITUTION:
            region = await conn.fetchval(
                "SELECT region_code FROM known_institutions WHERE institution_id = $1",
                institution_id,
            )
            if region is None:
                raise NotFound(f"qc knows no institution {institution_id}")
            check_jurisdiction(actor, region)
        return await paged(conn, ITEMS, " AND ".join(where), args, paging, sorts)


@router.get("/rectifications/{item_id}")
async def item_record(item_id: str, request: Request, actor: AnyRole) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        row = await conn.fetchrow(f"{ITEMS} WHERE i.item_id = $1", item_id)
        if row is None:
            raise NotFound(f"no rectification item {item_id}")
        if actor.role is Role.INSTITUTION:
            if row["institution_id"] != actor.institution_id:
                raise Forbidden("an institution may see only its own rectification items")
        else:
            check_jurisdiction(actor, row["region_code"])
        events = await history(conn, rectification.AGGREGATE, item_id)
    return {**dict(row), "history": events}
