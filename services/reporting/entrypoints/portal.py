"""The public side: JSON API, pages, downloads and the open-data feed (no token).

Every list pages (`limit`/`offset` in the API, at most MAX_PAGE rows a call; `page` on the
pages) with its total, sorts on its main columns (`sort`, `order`), and downloads whole for
the same filters. Every page and call takes `as_of=YYYY-MM-DD` (P6).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response, StreamingResponse

from ohts_kit.errors import NotFound
from ohts_kit.service import runtime_of
from services.reporting.adapters import downloads
from services.reporting.application import listing, public, trends
from services.reporting.application.moment import Moment, moment
from services.reporting.domain import labels, vocabulary
from services.reporting.entrypoints import feed
from services.reporting.entrypoints import filters as F
from services.reporting.entrypoints.cache import cached, cached_page_of_institution, cached_reading
from services.reporting.entrypoints.templating import templates

router = APIRouter()
STATIC = Path(__file__).parent / "static"

AsOf = Annotated[date | None, Query(description="show what was true at the end of this day")]
Limit = Annotated[int, Query(ge=1, le=public.MAX_PAGE, description="rows per call")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="rows to skip (paging)")]
ListName = Literal["institutions", "penalties", "qc-list", "revoked"]
Format = Annotated[str, Query(pattern="^(csv|xlsx)$", description="csv or xlsx")]
PAGE_OF = {
    "institutions": public.InstitutionPage,
    "penalties": public.PenaltyPage,
    "qc-list": public.ListedPage,
    "revoked": public.ListedPage,
}


def _moment(request: Request, as_of: date | None) -> Moment:
    return moment(runtime_of(request.app).clock, as_of)


async def _page(
    request: Request,
    name: str,
    a: F.Asked,
    as_of: date | None,
    sort: str | None,
    order: str | None,
    limit: int,
    offset: int,
) -> Any:
    F.check_sort(name, sort)
    m = _moment(request, as_of)
    q = listing.query(name, m, a.filters, sort, order)
    async with runtime_of(request.app).pool.acquire() as conn:
        total, items = await listing.page(conn, q, limit, offset)
    return PAGE_OF[name](
        as_of=m.as_of,
        total=total,
        limit=limit,
        offset=offset,
        sort=q.sort,
        order=q.order,
        items=items,
    )


# -- public JSON -------------------------------------------------------------------------


@router.get("/api/v1/public/institutions", response_model=public.InstitutionPage, tags=["public"])
@cached_reading("rp_institutions", "rp_qualifications")  # the search
async def list_institutions(
    request: Request,
    q: F.Q = None,
    region: F.RegionText = None,
    province: F.Picked = None,
    city: F.Picked = None,
    district: F.Picked = None,
    scope: F.Scope = None,
    as_of: AsOf = None,
    sort: F.Sort = None,
    order: F.Order = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> public.InstitutionPage:
    """Institutions by name, USCC or certificate number, region, scope. `sort`: name, uscc,
    region, kind."""
    a = F.asked(q, region, province, city, district, scope)
    page: public.InstitutionPage = await _page(
        request, "institutions", a, as_of, sort, order, limit, offset
    )
    return page


@router.get(
    "/api/v1/public/institutions/{institution_id}",
    response_model=public.InstitutionDetail,
    tags=["public"],
)
@cached_page_of_institution
async def institution(
    request: Request,
    institution_id: str,
    as_of: AsOf = None,
    penalties_limit: Limit = public.MAX_PAGE,
    penalties_offset: Offset = 0,
) -> public.InstitutionDetail:
    """One institution's credit record; its penalties a page at a time (penalties_total)."""
    return await _institution(request, institution_id, as_of, (penalties_limit, penalties_offset))


async def _institution(
    request: Request, institution_id: str, as_of: AsOf, penalties: public.Window
) -> public.InstitutionDetail:
    m = _moment(request, as_of)
    async with runtime_of(request.app).pool.acquire() as conn:
        found = await public.institution_detail(conn, m, institution_id, penalties)
    if found is None:
        raise NotFound(f"no institution {institution_id}")
    return found


@router.get("/api/v1/public/penalties", response_model=public.PenaltyPage, tags=["public"])
@cached
async def penalties(
    request: Request,
    region: F.RegionText = None,
    province: F.Picked = None,
    city: F.Picked = None,
    district: F.Picked = None,
    as_of: AsOf = None,
    sort: F.Sort = None,
    order: F.Order = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> public.PenaltyPage:
    """Penalty decisions in their publicity period (双公示 fields). `sort`: decided_on,
    name, fine, public_until, authority."""
    a = F.asked(None, region, province, city, district)
    page: public.PenaltyPage = await _page(
        request, "penalties", a, as_of, sort, order, limit, offset
    )
    return page


@router.get("/api/v1/public/qc-list", response_model=public.ListedPage, tags=["public"])
@cached
async def qc_list(
    request: Request,
    region: F.RegionText = None,
    province: F.Picked = None,
    city: F.Picked = None,
    district: F.Picked = None,
    as_of: AsOf = None,
    sort: F.Sort = None,
    order: F.Order = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> public.ListedPage:
    """Institutions failing annual QC without rectifying. `sort`: since, name, region."""
    a = F.asked(None, region, province, city, district)
    page: public.ListedPage = await _page(request, "qc-list", a, as_of, sort, order, limit, offset)
    return page


@router.get("/api/v1/public/revoked", response_model=public.ListedPage, tags=["public"])
@cached
async def revoked(
    request: Request,
    region: F.RegionText = None,
    province: F.Picked = None,
    city: F.Picked = None,
    district: F.Picked = None,
    as_of: AsOf = None,
    sort: F.Sort = None,
    order: F.Order = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> public.ListedPage:
    """Revoked certificates. `sort`: since, name, region."""
    a = F.asked(None, region, province, city, district)
    page: public.ListedPage = await _page(request, "revoked", a, as_of, sort, order, limit, offset)
    return page


def _rows(
    request: Request, name: str, a: F.Asked, m: Moment, sort: str | None, order: str | None
) -> AsyncIterator[Any]:
    F.check_sort(name, sort)
    q = listing.query(name, m, a.filters, sort, order)
    return listing.stream(runtime_of(request.app).pool, q)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the whole list, a header row of Chinese field names then one row each",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
FEED_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "{list, title, as_of, fields, items}: every row of the list",
        "content": {"application/json": {"schema": {"type": "object"}}},
    },
    304: {"description": "not modified since the ETag or date given"},
}


@router.get(
    "/api/v1/public/downloads/{name}",
    tags=["public"],
    response_class=StreamingResponse,
    responses=DOWNLOAD_RESPONSES,
)
async def download(
    request: Request,
    name: ListName,
    format: Format = "csv",
    q: F.Q = None,
    region: F.RegionText = None,
    province: F.Picked = None,
    city: F.Picked = None,
    district: F.Picked = None,
    scope: F.Scope = None,
    as_of: AsOf = None,
    sort: F.Sort = None,
    order: F.Order = None,
) -> StreamingResponse:
    """A whole list (institutions, penalties, qc-list, revoked) for the filters, as CSV or
    XLSX with Chinese headers in the standard's field order; streamed."""
    if name not in listing.LISTS:
        raise NotFound(f"no list {name}; lists: {', '.join(listing.LISTS)}")
    m = _moment(request, as_of)
    a = F.asked(
        q if name == "institutions" else None,
        region,
        province,
        city,
        district,
        scope if name == "institutions" else None,
    )
    rows = _rows(request, name, a, m, sort, order)
    filename = f"{name}-{m.day}.{format}"
    if format == "xlsx":
        body = downloads.xlsx_file(name, rows)
        media = XLSX
    else:
        body, media = downloads.csv_rows(name, rows), "text/csv; charset=utf-8"
    return StreamingResponse(
        body,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/api/v1/public/open-data/{name}",
    tags=["public"],
    response_class=StreamingResponse,
    responses=FEED_RESPONSES,
)
async def open_data(
    request: Request,
    name: ListName,
    region: F.RegionText = None,
    as_of: AsOf = None,
) -> Response:
    """A whole list as JSON for harvesters, with `ETag` and `Last-Modified`: a request with
    `If-None-Match` or `If-Modified-Since` gets 304 when nothing changed."""
    if name not in listing.LISTS:
        raise NotFound(f"no list {name}; lists: {', '.join(listing.LISTS)}")
    m = _moment(request, as_of)
    a = F.asked(None, region)
    async with runtime_of(request.app).pool.acquire() as conn:
        version = await feed.version(conn, name, str(request.query_params), m)
    if feed.unchanged(request, version):
        return Response(status_code=304, headers=version.headers())
    rows = _rows(request, name, a, m, None, None)
    return StreamingResponse(
        feed.json_items(name, m, rows), media_type="application/json", headers=version.headers()
    )


@router.get("/api/v1/public/trends", response_model=trends.Trends, tags=["public"])
@cached
async def trend_data(
    request: Request,
    region: F.RegionText = None,
    province: F.Picked = None,
    city: F.Picked = None,
    district: F.Picked = None,
    as_of: AsOf = None,
) -> trends.Trends:
    """Penalties and revoked certificates per month (the last 12), QC results per year."""
    return await _trends(request, F.asked(None, region, province, city, district), as_of)


async def _trends(request: Request, a: F.Asked, as_of: date | None) -> trends.Trends:
    m = _moment(request, as_of)
    async with runtime_of(request.app).pool.acquire() as conn:
        return await trends.trends(conn, m, a.filters.regions)


# -- public pages ------------------------------------------------------------------------


def _context(a: F.Asked, as_of: date | None, **more: Any) -> dict[str, Any]:
    return {"a": a, "as_of": as_of, "picker": F.picker(a), "labels": labels, **more}


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
@cached_reading("rp_institutions", "rp_qualifications")  # the search
async def portal(
    request: Request,
    q: F.Q = None,
    region: F.RegionText = None,
    province: F.Picked = None,
    city: F.Picked = None,
    district: F.Picked = None,
    scope: F.Scope = None,
    as_of: AsOf = None,
    sort: F.Sort = None,
    order: F.Order = None,
    page: F.PageNo = 1,
) -> HTMLResponse:
    a = F.asked(q, region, province, city, district, scope)
    offset = (page - 1) * F.PER_PAGE
    found = await _page(request, "institutions", a, as_of, sort, order, F.PER_PAGE, offset)
    context = _context(
        a,
        as_of,
        page=found,
        pages=F.pages(found.total, page, F.PER_PAGE),
        scopes=vocabulary.scope_names(),
        list_name="institutions",
    )
    return templates.TemplateResponse(request, "index.html", context)


PENALTIES_PER_PAGE = 10  # on an institution's page; all of them on /lists/penalties


@router.get("/institutions/{institution_id}", response_class=HTMLResponse, include_in_schema=False)
@cached_page_of_institution
async def institution_page(
    request: Request, institution_id: str, as_of: AsOf = None, penalties_page: F.PageNo = 1
) -> HTMLResponse:
    offset = (penalties_page - 1) * PENALTIES_PER_PAGE
    found = await _institution(request, institution_id, as_of, (PENALTIES_PER_PAGE, offset))
    context = {
        "i": found,
        "as_of": as_of,
        "region_label": vocabulary.region_label,
        "pages": F.pages(found.penalties_total, penalties_page, PENALTIES_PER_PAGE),
    }
    return templates.TemplateResponse(request, "institution.html", context)


LIST_TITLES = {
    "penalties": "行政处罚信息（双公示）",
    "qc-list": "年度质控不合格且未整改机构名单",
    "revoked": "被吊销资质证书名单",
}


@router.get("/lists", response_class=HTMLResponse, include_in_schema=False)
@cached
async def lists_page(
    request: Request,
    region: F.RegionText = None,
    province: F.Picked = None,
    city: F.Picked = None,
    district: F.Picked = None,
    as_of: AsOf = None,
) -> HTMLResponse:
    """The three public lists, the first rows of each with its total and a link to all."""
    a = F.asked(None, region, province, city, district)
    shown = {name: await _page(request, name, a, as_of, None, None, 10, 0) for name in LIST_TITLES}
    context = _context(a, as_of, shown=shown, titles=LIST_TITLES)
    return templates.TemplateResponse(request, "lists.html", context)


@router.get("/lists/{name}", response_class=HTMLResponse, include_in_schema=False)
@cached
async def list_page(
    request: Request,
    name: str,
    region: F.RegionText = None,
    province: F.Picked = None,
    city: F.Picked = None,
    district: F.Picked = None,
    as_of: AsOf = None,
    sort: F.Sort = None,
    order: F.Order = None,
    page: F.PageNo = 1,
) -> HTMLResponse:
    if name not in LIST_TITLES:
        raise NotFound(f"no list {name}")
    a = F.asked(None, region, province, city, district)
    offset = (page - 1) * F.PER_PAGE
    found = await _page(request, name, a, as_of, sort, order, F.PER_PAGE, offset)
    context = _context(
        a,
        as_of,
        page=found,
        pages=F.pages(found.total, page, F.PER_PAGE),
        list_name=name,
        title=LIST_TITLES[name],
    )
    return templates.TemplateResponse(request, "list.html", context)


@router.get("/trends", response_class=HTMLResponse, include_in_schema=False)
@cached
async def trends_page(
    request: Request,
    region: F.RegionText = None,
    province: F.Picked = None,
    city: F.Picked = None,
    district: F.Picked = None,
    as_of: AsOf = None,
) -> HTMLResponse:
    a = F.asked(None, region, province, city, district)
    data = await _trends(request, a, as_of)
    context = _context(a, as_of, t=data, charts=trends.charts_of(data))
    return templates.TemplateResponse(request, "trends.html", context)


@router.get("/static/{name}", include_in_schema=False)
async def static(name: str) -> FileResponse:
    """The portal's style sheet and icons: served, never inline (the CSP forbids inline)."""
    path = STATIC / name
    if "/" in name or not path.is_file():
        raise NotFound(f"no file {name}")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=3600"})
