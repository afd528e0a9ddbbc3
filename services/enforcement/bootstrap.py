"""The enforcement service's only wiring point."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from ohts_kit.clock import Clock
from ohts_kit.service import ServiceRuntime, ServiceSpec, create_service_app
from ohts_kit.settings import Settings
from ohts_kit.workdays import WorkCalendar
from services.enforcement.application.intake import Enforcement, handlers
from services.enforcement.entrypoints.http import router


def setup(rt: ServiceRuntime) -> None:
    rt.extras["enforcement"] = Enforcement(rt)
    notices = rt.settings.holiday_notices_dir
    rt.extras["calendar"] = WorkCalendar(Path(notices) if notices else None)


SPEC = ServiceSpec(
    name="enforcement",
    migrations=Path(__file__).parent / "migrations",
    publishes=True,
    consumes=("registry", "qc"),
    setup=setup,
    handlers=handlers,
)


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    return create_service_app(
        SPEC, settings, title="OHTS enforcement (监督执法)", routers=[router], clock=clock
    )
