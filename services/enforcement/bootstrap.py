"""The enforcement service's only wiring point."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from ohts_kit import metrics
from ohts_kit.application import ports_of
from ohts_kit.clock import Clock
from ohts_kit.scheduler import periodic
from ohts_kit.service import ServiceRuntime, ServiceSpec, create_service_app
from ohts_kit.settings import Settings
from ohts_kit.workdays import WorkCalendar
from services.enforcement.application import queries
from services.enforcement.application.credit import sweep_credit
from services.enforcement.application.intake import consumers
from services.enforcement.application.unit import Enforcement, enforcement_of
from services.enforcement.entrypoints import lists, todo
from services.enforcement.entrypoints.http import router


def setup(rt: ServiceRuntime) -> None:
    s = rt.settings
    rt.extras["enforcement"] = Enforcement(
        ports_of(rt),
        WorkCalendar(Path(s.holiday_notices_dir) if s.holiday_notices_dir else None),
        s.publicity_fine_threshold_yuan,
        earliest=s.earliest_fact_date,
    )


async def overdue_publications(rt: ServiceRuntime) -> list[metrics.Sample]:
    """Inspections ended more than 20 working days ago and still unpublished (E2)."""
    app = enforcement_of(rt)
    async with app.db.connection() as conn:
        overdue = await queries.overdue_publications(conn, None, app.calendar, app.today())
    return [("ohts_decision_publications_overdue", {"kind": "inspection"}, len(overdue))]


SPEC = ServiceSpec(
    name="enforcement",
    migrations=Path(__file__).parent / "migrations",
    publishes=True,
    consumes=("registry", "qc"),
    setup=setup,
    handlers=consumers,
    probes=(overdue_publications,),
    background=(periodic("credit", sweep_credit, enforcement_of),),
)


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    return create_service_app(
        SPEC,
        settings,
        title="OHTS enforcement (监督执法)",
        routers=[router, todo.router, lists.router],
        clock=clock,
    )
