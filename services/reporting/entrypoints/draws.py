"""Public draw records (E2), JSON and pages, no token: seed, universe with weights, roster,
exclusions with reasons, targets and teams, algorithm; docs/draw_reference.py recomputes a
draw from its JSON record alone."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ohts_kit import regions
from ohts_kit.errors import InvalidCommand
from ohts_kit.service import runtime_of
from services.reporting.application import draws
from services.reporting.application.moment import moment
from services.reporting.entrypoints.templating import templates

router = APIRouter()
Region = Annotated[str | None, Query(pattern=r"^\d{2,6}$", description="region code")]
AsOf = Annotated[date | None, Query(description="show what was true at the end of this day")]


def _region(region: str | None) -> str | None:
    if region and not regions.is_valid(region.ljust(6, "0")):
        raise InvalidCommand.of("region", "GB/T 2260", f"unknown region {region}")
    return region.ljust(6, "0") if region else None


@router.get("/api/v1/public/draws", tags=["public"])
async def list_draws(
    request: Request, region: Region = None, as_of: AsOf = None
) -> list[dict[str, Any]]:
    """E2: the double-random draws published in a jurisdiction."""
    m = moment(runtime_of(request.app).clock, as_of)
    async with runtime_of(request.app).pool.acquire() as conn:
        return await draws.list_draws(conn, m, _region(region))


@router.get("/api/v1/public/draws/{draw_id}", tags=["public"])
async def draw_record(request: Request, draw_id: str, as_of: AsOf = None) -> dict[str, Any]:
    """E2: a draw's public record, exactly as enforcement published it."""
    m = moment(runtime_of(request.app).clock, as_of)
    async with runtime_of(request.app).pool.acquire() as conn:
        return await draws.draw_record(conn, m, draw_id)


@router.get("/draws", response_class=HTMLResponse, include_in_schema=False)
async def draws_page(request: Request, region: Region = None, as_of: AsOf = None) -> HTMLResponse:
    context = {"draws": await list_draws(request, region, as_of), "region": region, "as_of": as_of}
    return templates.TemplateResponse(request, "draws.html", context)


@router.get("/draws/{draw_id}", response_class=HTMLResponse, include_in_schema=False)
async def draw_page(request: Request, draw_id: str, as_of: AsOf = None) -> HTMLResponse:
    record = await draw_record(request, draw_id, as_of)
    async with runtime_of(request.app).pool.acquire() as conn:
        named = await draws.names(conn, list(record["inputs"]["universe"]))
    context = {"d": record, "p": draws.page_of(record), "names": named, "as_of": as_of}
    return templates.TemplateResponse(request, "draw.html", context)
