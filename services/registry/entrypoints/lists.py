"""Registry lists and records for the staff pages: paged, within the caller's jurisdiction
(an institution sees only its own rows), records with their history from the events."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from contracts.envelope import Actor, Role
from ohts_kit import regions
from ohts_kit.auth import check_jurisdiction, require_roles
from ohts_kit.errors import Forbidden, NotFound
from ohts_kit.listing import PagingQ, history, paged
from ohts_kit.service import runtime_of
from services.registry.domain import filing, institution, qualification, self_inspection, staff

router = APIRouter(prefix="/api/v1", tags=["registry"])
Reader = Annotated[
    Actor,
    Depends(
        require_roles(
            Role.REGISTRY_AUTHORITY, Role.SUPERVISION_UNIT, Role.QC_CENTRE, Role.INSTITUTION
        )
    ),
]
Officials = Annotated[
    Actor,
    Depends(require_roles(Role.REGISTRY_AUTHORITY, Role.SUPERVISION_UNIT, Role.QC_CENTRE)),
]
Text = Annotated[str | None, Query(max_length=100)]

INSTITUTIONS = (
    "SELECT i.institution_id, i.uscc, i.name, i.kind, i.region_code, i.website,"
    " i.registered_at, (SELECT count(*) FROM qualifications_view q"
    " WHERE q.institution_id = i.institution_id AND q.status = 'granted') AS granted"
    " FROM institutions_view i"
)
QUALIFICATIONS = (
    "SELECT q.*, i.name AS institution_name, i.region_code, i.uscc"
    " FROM qualifications_view q JOIN institutions_view i USING (institution_id)"
)
STAFF = (
    "SELECT s.staff_id, s.institution_id, i.region_code, s.masked_name, s.title, s.specialty,"
    " s.years, s.role, s.full_time, s.assessment_date, s.active, s.registered_on, s.left_on"
    " FROM staff_view s JOIN institutions_view i USING (institution_id)"
)
FILINGS = (
    "SELECT f.filing_id, f.institution_id, i.name AS institution_name, i.region_code,"
    " f.province_code, f.certificate_number, f.filed_on,"
    " (SELECT count(*) FROM work_summaries w WHERE w.filing_id = f.filing_id) AS summaries"
    " FROM filings_view f JOIN institutions_view i USING (institution_id)"
)


def _pool(request: Request) -> Any:
    return runtime_of(request.app).pool


def _within(actor: Actor, institution_id: str | None) -> tuple[list[str], list[Any]]:
    """An institution: its own rows only; anyone else: the rows of their jurisdiction."""
    if actor.role is Role.INSTITUTION:
        return ["i.institution_id = $1"], [actor.institution_id]
    where, args = ["i.region_code LIKE $1"], [regions.like(actor.region_code)]
    if institution_id is not None:
        args.append(institution_id)
        where.append(f"i.institution_id = ${len(args)}")
    return where, args


def _mine(actor: Actor, row: Any) -> None:
    if actor.role is Role.INSTITUTION:
        if row["institution_id"] != actor.institution_id:
            raise Forbidden("an institution may see only its own records")
    else:
        check_jurisdiction(actor, row["region_code"])


@router.get("/institutions")
async def list_institutions(
    request: Request, actor: Officials, paging: PagingQ, q: Text = None, kind: Text = None
) -> dict[str, Any]:
    where, args = _within(actor, None)
    if q:
        args.append(f"%{q}%")
        where.append(f"(i.name ILIKE ${len(args)} OR i.uscc ILIKE ${len(args)})")
    if kind:
        args.append(kind)
        where.append(f"i.kind = ${len(args)}")
    sorts = {"name": "i.name", "registered_at": "i.registered_at", "region": "i.region_code"}
    async with _pool(request).acquire() as conn:
        return await paged(conn, INSTITUTIONS, " AND ".join(where), args, paging, sorts)


@router.get("/institutions/{institution_id}/history")
async def institution_history(
    institution_id: str, request: Request, actor: Reader
) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        row = await conn.fetchrow(f"{INSTITUTIONS} WHERE i.institution_id = $1", institution_id)
        if row is None:
            raise NotFound(f"no institution {institution_id}")
        _mine(actor, row)
        events = await history(conn, institution.AGGREGATE, institution_id)
    return {**dict(row), "history": events}


@router.get("/qualifications")
async def list_qualifications(
    request: Request,
    actor: Reader,
    paging: PagingQ,
    status: Text = None,
    institution_id: Text = None,
    renewal_pending: bool | None = None,
) -> dict[str, Any]:
    where, args = _within(actor, institution_id)
    if status:
        args.append(status)
        where.append(f"q.status = ${len(args)}")
    if renewal_pending is not None:  # renewals applied for and not yet decided
        args.append(renewal_pending)
        where.append(f"q.renewal_pending = ${len(args)}")
    sorts = {"valid_until": "q.valid_until", "status": "q.status", "institution": "i.name"}
    async with _pool(request).acquire() as conn:
        return await paged(conn, QUALIFICATIONS, " AND ".join(where), args, paging, sorts)


@router.get("/qualifications/{qualification_id}")
async def qualification_record(
    qualification_id: str, request: Request, actor: Reader
) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        row = await conn.fetchrow(
            f"{QUALIFICATIONS} WHERE q.qualification_id = $1", qualification_id
        )
        if row is None:
            raise NotFound(f"no qualification {qualification_id}")
        _mine(actor, row)
        decisions = await conn.fetch(
            "SELECT decision_event_id, decision_type, decided_at, due_on, published_at"
            " FROM decisions WHERE qualification_id = $1 ORDER BY decided_at",
            qualification_id,
        )
        events = await history(conn, qualification.AGGREGATE, qualification_id)
    return {**dict(row), "decisions": [dict(d) for d in decisions], "history": events}


@router.get("/staff")
async def list_staff(
    request: Request,
    actor: Reader,
    paging: PagingQ,
    institution_id: Text = None,
    active: bool | None = None,
) -> dict[str, Any]:
    where, args = _within(actor, institution_id)
    if active is not None:
        args.append(active)
        where.append(f"s.active = ${len(args)}")
    sorts = {"registered_on": "s.registered_on", "role": "s.role", "title": "s.title"}
    async with _pool(request).acquire() as conn:
        return await paged(conn, STAFF, " AND ".join(where), args, paging, sorts)


@router.get("/staff/{staff_id}")
async def staff_record(staff_id: str, request: Request, actor: Reader) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        row = await conn.fetchrow(f"{STAFF} WHERE s.staff_id = $1", staff_id)
        if row is None:
            raise NotFound(f"no staff {staff_id}")
        _mine(actor, row)
        events = await history(conn, staff.AGGREGATE, staff_id)
    return {**dict(row), "history": events}


@router.get("/filings")
async def list_filings(
    request: Request, actor: Reader, paging: PagingQ, institution_id: Text = None
) -> dict[str, Any]:
    where, args = _within(actor, institution_id)
    if actor.role is not Role.INSTITUTION:
        # R7: the province filed in sees the filing as well as the institution's own region.
        where[0] = f"({where[0]} OR f.province_code LIKE $1)"
    sorts = {"filed_on": "f.filed_on", "province": "f.province_code", "institution": "i.name"}
    async with _pool(request).acquire() as conn:
        return await paged(conn, FILINGS, " AND ".join(where), args, paging, sorts)


@router.get("/filings/{filing_id}")
async def filing_record(filing_id: str, request: Request, actor: Reader) -> dict[str, Any]:
    async with _pool(request).acquire() as conn:
        row = await conn.fetchrow(f"{FILINGS} WHERE f.filing_id = $1", filing_id)
        if row is None:
            raise NotFound(f"no filing {filing_id}")
        if actor.role is Role.INSTITUTION or not regions.covers(
            actor.region_code, row["province_code"]
        ):
            _mine(actor, row)
        summaries = await conn.fetch(
            "SELECT * FROM work_summaries WHERE filing_id = $1 ORDER BY period", filing_id
        )
        events = await history(conn, filing.AGGREGATE, filing_id)
    return {**dict(row), "summaries": [dict(s) for s in summaries], "history": events}


CAMPAIGNS = (
    "SELECT c.campaign_id, c.title, c.region_code, c.period_from, c.period_to, c.deadline,"
    " c.launched_on, (SELECT count(*) FROM campaign_reports r"
    " WHERE r.campaign_id = c.campaign_id) AS reports,"
    " EXISTS (SELECT 1 FROM campaign_reports r WHERE r.campaign_id = c.campaign_id"
    " AND r.institution_id = $1) AS reported FROM campaigns_view c"
)


def _campaigns_of(actor: Actor) -> tuple[str, list[Any]]:
    """An institution: the campaigns covering its region; anyone else: those in their
    jurisdiction, and those of a wider region covering it (a province's campaign)."""
    if actor.role is Role.INSTITUTION:
        own = "(SELECT region_code FROM institutions_view WHERE institution_id = $1)"
        return f"{own} LIKE c.region_prefix || '%'", [actor.institution_id]
    return (
        "(c.region_code LIKE $2 OR $3 LIKE c.region_prefix || '%')",
        [None, regions.like(actor.region_code), actor.region_code],
    )


@router.get("/self-inspection-campaigns")
async def list_campaigns(request: Request, actor: Reader, paging: PagingQ) -> dict[str, Any]:
    """Self-inspection campaigns; for an institution, whether it has reported."""
    where, args = _campaigns_of(actor)
    sorts = {"deadline": "c.deadline", "launched_on": "c.launched_on"}
    async with _pool(request).acquire() as conn:
        return await paged(conn, CAMPAIGNS, where, args, paging, sorts)


@router.get("/self-inspection-campaigns/{campaign_id}")
async def campaign_record(campaign_id: str, request: Request, actor: Reader) -> dict[str, Any]:
    where, args = _campaigns_of(actor)
    args.append(campaign_id)
    async with _pool(request).acquire() as conn:
        if not await conn.fetchval(
            "SELECT 1 FROM campaigns_view WHERE campaign_id = $1", campaign_id
        ):
            raise NotFound(f"no self-inspection campaign {campaign_id}")
        row = await conn.fetchrow(
            f"{CAMPAIGNS} WHERE c.campaign_id = ${len(args)} AND {where}", *args
        )
        if row is None:
            raise Forbidden("the campaign is outside the caller's jurisdiction")
        events = await history(conn, self_inspection.AGGREGATE, campaign_id)
    return {**dict(row), "history": events}
