"""The enforcement service's only wiring point."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from ohts_kit.application import ports_of
from ohts_kit.clock import Clock
from ohts_kit.scheduler import periodic
from ohts_kit.service import ServiceRuntime, ServiceSpec, create_service_app
from ohts_kit.settings import Settings
from ohts_kit.workdays import WorkCalendar
from services.enforcement.application.credit import sweep_credit
from services.enforcement.application.intake import consumers
from services.enforcement.application.unit import Enforcement, enforcement_of
from services.enforcement.entrypoints.http import router


def setup(rt: ServiceRuntime) -> None:
    s = rt.settings
    rt.extras["enforcement"] = Enforcement(
        ports_of(rt),
        WorkCalendar(Path(s.holiday_notices_dir) if s.holiday_notices_dir else None),
        s.publicity_fine_threshold_yuan,
        earliest=s.earliest_fact_date,
    )


SPEC = ServiceSpec(
    name="enforcement",
    migrations=Path(__file__).parent / "migrations",
    publishes=True,
    consumes=("registry", "qc"),
    setup=setup,
    handlers=consumers,
    background=(periodic("credit", sweep_credit, enforcement_of),),
)


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    return create_service_app(
        SPEC, settings, title="OHTS enforcement (监督执法)", routers=[router], clock=clock
    )
