"""The enforcement service's only wiring point."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from ohts_kit import metrics
from ohts_kit.clock import Clock
from ohts_kit.service import ServiceRuntime, ServiceSpec, create_service_app
from ohts_kit.settings import Settings
from ohts_kit.workdays import WorkCalendar
from services.enforcement.application import handlers as h
from services.enforcement.application.intake import Enforcement, enforcement_of, handlers
from services.enforcement.entrypoints.http import router


def setup(rt: ServiceRuntime) -> None:
    rt.extras["enforcement"] = Enforcement(rt)
    notices = rt.settings.holiday_notices_dir
    rt.extras["calendar"] = WorkCalendar(Path(notices) if notices else None)


async def overdue_publications(rt: ServiceRuntime) -> list[metrics.Sample]:
    """Inspections ended more than 20 working days ago and still unpublished (E2)."""
    async with rt.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT inspection_id, institution_id, ended_on, published_on FROM inspections"
            " WHERE ended_on IS NOT NULL AND published_on IS NULL"
        )
    calendar = rt.extras["calendar"]
    overdue = h.overdue_publications(list(rows), calendar, enforcement_of(rt).today())
    return [("ohts_decision_publications_overdue", {"kind": "inspection"}, len(overdue))]


SPEC = ServiceSpec(
    name="enforcement",
    migrations=Path(__file__).parent / "migrations",
    publishes=True,
    consumes=("registry", "qc"),
    setup=setup,
    handlers=handlers,
    probes=(overdue_publications,),
)


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    return create_service_app(
        SPEC, settings, title="OHTS enforcement (监督执法)", routers=[router], clock=clock
    )
