"""The QC service's only wiring point."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from ohts_kit.application import ports_of
from ohts_kit.clock import Clock
from ohts_kit.scheduler import periodic
from ohts_kit.service import ServiceRuntime, ServiceSpec, create_service_app
from ohts_kit.settings import Settings
from ohts_kit.workdays import WorkCalendar
from services.qc.adapters.views import learned
from services.qc.application.rectifications import mark_overdue
from services.qc.application.unit import Qc, qc_of
from services.qc.entrypoints import lists, todo
from services.qc.entrypoints.http import router


def setup(rt: ServiceRuntime) -> None:
    notices = rt.settings.holiday_notices_dir
    rt.extras["qc"] = Qc(
        ports_of(rt),
        WorkCalendar(Path(notices) if notices else None),
        earliest=rt.settings.earliest_fact_date,
    )


SPEC = ServiceSpec(
    name="qc",
    migrations=Path(__file__).parent / "migrations",
    publishes=True,
    consumes=("registry", "enforcement"),
    setup=setup,
    handlers=lambda rt: learned.bind(qc_of(rt)),
    # Rectification items become overdue by time (Q4): a sweep every interval.
    background=(periodic("overdue", mark_overdue, qc_of),),
)


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    return create_service_app(
        SPEC,
        settings,
        title="OHTS quality control (质量控制)",
        routers=[router, todo.router, lists.router],
        clock=clock,
    )
