"""The supervisors' side (token or cookie); the public side is entrypoints/portal.py.

Every page and form takes `as_of=YYYY-MM-DD` (P6) and is computed at that moment.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from contracts.envelope import Actor, Role
from ohts_kit import regions
from ohts_kit.auth import check_jurisdiction, verify_token
from ohts_kit.errors import InvalidCommand, NotFound
from ohts_kit.service import runtime_of
from services.reporting.adapters import exports
from services.reporting.application import forms, indicators, lateness
from services.reporting.application.moment import Moment, moment
from services.reporting.domain.form_extras import SignOff, seed_notes
from services.reporting.entrypoints.templating import templates

router = APIRouter()

Region = Annotated[str | None, Query(pattern=r"^\d{2,6}$", description="region code")]
AsOf = Annotated[date | None, Query(description="show what was true at the end of this day")]
COOKIE = "ohts_token"
# Rate-limited per client: the public API, downloads and feed, and the heavier pages.
PUBLIC_PATHS = ("/api/v1/public/", "/institutions/", "/lists", "/trends", "/draws")
SUPERVISORS = {Role.REGISTRY_AUTHORITY, Role.QC_CENTRE, Role.SUPERVISION_UNIT}


def _moment(request: Request, as_of: date | None) -> Moment:
    return moment(runtime_of(request.app).clock, as_of)


def _region(region: str | None) -> str | None:
    if region and not regions.is_valid(region.ljust(6, "0")):
        raise InvalidCommand.of("region", "GB/T 2260", f"unknown region {region}")
    return region.ljust(6, "0") if region else None


# -- supervisors -------------------------------------------------------------------------


def supervisor(
    request: Request,
    credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))
    ],
) -> Actor:
    """A supervisor from a bearer token, or from the dashboard's login cookie."""
    token = credentials.credentials if credentials else request.cookies.get(COOKIE)
    if not token:
        raise HTTPException(401, "a bearer token is required", {"WWW-Authenticate": "Bearer"})
    actor = verify_token(request.app.state.settings, token)
    if actor.role not in SUPERVISORS:
        raise HTTPException(403, f"role {actor.role.value} may not see supervision data")
    return actor


Supervisor = Annotated[Actor, Depends(supervisor)]
PeriodFrom = Annotated[date | None, Query(alias="from", description="first day of the period")]
PeriodTo = Annotated[date | None, Query(alias="to", description="last day of the period")]


def _period(m: Moment, start: date | None, end: date | None) -> tuple[date, date]:
    end = end or m.day
    start = start or date(end.year, 1, 1)
    if end < start:
        raise InvalidCommand.of("to", "to >= from", f"the period ends ({end}) before it starts")
    return start, end


def _jurisdiction(actor: Actor, region: str | None) -> str:
    code = _region(region) or actor.region_code
    check_jurisdiction(actor, code)
    return code


@router.get(
    "/api/v1/supervision/indicators", response_model=indicators.Indicators, tags=["supervision"]
)
async def indicator_data(
    request: Request,
    actor: Supervisor,
    region: Region = None,
    start: PeriodFrom = None,
    end: PeriodTo = None,
    as_of: AsOf = None,
) -> indicators.Indicators:
    m = _moment(request, as_of)
    code = _jurisdiction(actor, region)
    first, last = _period(m, start, end)
    async with runtime_of(request.app).pool.acquire() as conn:
        return await indicators.indicators(conn, m, code, first, last)


@router.get("/api/v1/supervision/forms/{form}", tags=["supervision"])
async def form_data(
    request: Request,
    actor: Supervisor,
    form: str,
    region: Region = None,
    start: PeriodFrom = None,
    end: PeriodTo = None,
    as_of: AsOf = None,
    format: Annotated[str, Query(pattern="^(json|csv|xlsx)$")] = "json",
    filled_by: Annotated[str, Query(max_length=50, description="填表人")] = "",
    phone: Annotated[str, Query(pattern=r"^[0-9+\-() ]{0,30}$", description="联系电话")] = "",
    filled_on: Annotated[date | None, Query(description="填表时间")] = None,
    layout: Annotated[str, Query(pattern="^(list|cards)$")] = "list",
) -> Response:
    if form not in forms.FORMS:
        raise NotFound(f"no form {form}; forms: {', '.join(forms.FORMS)}")
    if layout == "cards" and (form not in exports.CARDS or format != "xlsx"):
        raise InvalidCommand.of(
            "layout", "cards: 云南附表2 as XLSX", "卡片格式仅适用于 yunnan-2 的 XLSX 导出"
        )
    m = _moment(request, as_of)
    code = _jurisdiction(actor, region)
    first, last = _period(m, start, end)
    async with runtime_of(request.app).pool.acquire() as conn:
        built = await forms.FORMS[form](conn, m, code, first, last)
    built.notes = seed_notes(form, built.notes)
    built.signoff = SignOff(filled_by, phone, filled_on or _moment(request, None).day)
    name = f"{form}-{code}-{first}-{last}"
    if layout == "cards":
        return Response(
            exports.to_xlsx_cards(built, exports.CARDS[form]),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}-cards.xlsx"'},
        )
    if format == "csv":
        return Response(
            exports.to_csv(built),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    if format == "xlsx":
        return Response(
            exports.to_xlsx(built),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return JSONResponse(exports.to_json(built))


@router.get("/api/v1/supervision/institutions/{institution_id}/penalties", tags=["supervision"])
async def full_penalty_record(
    request: Request, actor: Supervisor, institution_id: str
) -> list[dict[str, Any]]:
    """Supervisors see every decision, also outside its publicity period or repaired: those
    of the institution's region see all, others the decisions made in their jurisdiction."""
    async with runtime_of(request.app).pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT p.*, i.region_code FROM rp_penalties p JOIN rp_institutions i"
            " ON i.institution_id = p.institution_id AND i.sys_to IS NULL"
            " WHERE p.institution_id = $1 ORDER BY p.decided_on DESC",
            institution_id,
        )
    mine = [
        r
        for r in rows
        if regions.covers(actor.region_code, r["region_code"])
        or regions.covers(actor.region_code, r["jurisdiction_code"])
    ]
    if rows and not mine:
        check_jurisdiction(actor, rows[0]["region_code"])  # raises: nothing here is theirs
    return [
        {k: v for k, v in dict(r).items() if k != "region_code"}
        # F1: a decision entered late shows it ("recorded N working days after the decision").
        | {"recorded_working_days_after": lateness.recorded_after(r["decided_on"], r["known_at"])}
        for r in mine
    ]


@router.get("/supervision", response_class=HTMLResponse, include_in_schema=False)
async def dashboard(
    request: Request,
    region: Region = None,
    start: PeriodFrom = None,
    end: PeriodTo = None,
    as_of: AsOf = None,
) -> Response:
    if not request.cookies.get(COOKIE):
        return templates.TemplateResponse(request, "login.html", {"error": None})
    try:
        actor = supervisor(request, None)
    except HTTPException as exc:
        return templates.TemplateResponse(
            request, "login.html", {"error": exc.detail}, status_code=exc.status_code
        )
    data = await indicator_data(request, actor, region, start, end, as_of)
    context = {
        "ind": data,
        "rows": indicators.chart_rows(data),
        "forms": forms.FORMS,
        "as_of": as_of,
        "query": f"region={data.region.region_code}&from={data.period_from}&to={data.period_to}"
        + (f"&as_of={as_of}" if as_of else ""),
    }
    return templates.TemplateResponse(request, "supervision.html", context)


@router.post("/supervision/login", include_in_schema=False)
async def login(request: Request, token: Annotated[str, Form(max_length=4096)]) -> Response:
    try:
        verify_token(request.app.state.settings, token)
    except HTTPException as exc:
        return templates.TemplateResponse(
            request, "login.html", {"error": exc.detail}, status_code=exc.status_code
        )
    response = RedirectResponse("/supervision", status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict")
    return response


class DropEmptyQueryFields:
    """HTML forms send every field, empty ones too (`?q=&region=`); for the pages an empty
    field means "not given", so it is dropped before validation."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            from urllib.parse import parse_qsl, urlencode

            pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
            kept = [(k, v) for k, v in pairs if v != ""]
            if len(kept) != len(pairs):
                scope = {**scope, "query_string": urlencode(kept).encode("latin-1")}
        await self.app(scope, receive, send)
