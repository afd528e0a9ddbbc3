"""The registry's only wiring point."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from ohts_kit.clock import Clock
from ohts_kit.service import ServiceSpec, create_service_app
from ohts_kit.settings import Settings
from services.registry.entrypoints.http import router

SPEC = ServiceSpec(
    name="registry",
    migrations=Path(__file__).parent / "migrations",
    publishes=True,
)


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    return create_service_app(
        SPEC, settings, title="OHTS registry (资质与备案)", routers=[router], clock=clock
    )
