"""Public portal and JSON API (no token needed for public reads)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ohts_kit.errors import NotFound
from ohts_kit.service import runtime_of
from services.reporting.application import queries

router = APIRouter()
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

Q = Annotated[str | None, Query(max_length=100, description="name, USCC or certificate number")]
Region = Annotated[str | None, Query(pattern=r"^\d{2,6}$", description="region code prefix")]
Limit = Annotated[int, Query(ge=1, le=queries.MAX_PAGE)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@router.get("/api/v1/public/institutions", response_model=queries.InstitutionPage, tags=["public"])
async def list_institutions(
    request: Request, q: Q = None, region: Region = None, limit: Limit = 20, offset: Offset = 0
) -> queries.InstitutionPage:
    async with runtime_of(request.app).pool.acquire() as conn:
        return await queries.search_institutions(conn, q, region, limit, offset)


@router.get(
    "/api/v1/public/institutions/{institution_id}",
    response_model=queries.PublicInstitution,
    tags=["public"],
)
async def institution(request: Request, institution_id: str) -> queries.PublicInstitution:
    async with runtime_of(request.app).pool.acquire() as conn:
        found = await queries.get_institution(conn, institution_id)
    if found is None:
        raise NotFound(f"no institution {institution_id}")
    return found


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
async def portal(
    request: Request, q: Q = None, region: Region = None, limit: Limit = 50, offset: Offset = 0
) -> HTMLResponse:
    async with runtime_of(request.app).pool.acquire() as conn:
        page = await queries.search_institutions(conn, q, region, limit, offset)
    return templates.TemplateResponse(
        request, "index.html", {"page": page, "q": q, "region": region}
    )
