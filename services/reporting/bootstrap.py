"""The reporting service's only wiring point: read models only, it publishes nothing."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from ohts_kit.clock import Clock
from ohts_kit.limits import RateLimit
from ohts_kit.service import ServiceSpec, create_service_app
from ohts_kit.settings import Settings
from services.reporting.entrypoints import portal
from services.reporting.entrypoints.errors import HtmlErrors
from services.reporting.entrypoints.http import PUBLIC_PATHS, DropEmptyQueryFields, router
from services.reporting.projections import catalog

SPEC = ServiceSpec(
    name="reporting",
    migrations=Path(__file__).parent / "migrations",
    publishes=False,
    consumes=("registry", "qc", "enforcement"),
    handlers=lambda rt: catalog.handlers(rt.settings),
)


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    app = create_service_app(
        SPEC,
        settings,
        title="OHTS public credit portal and reporting (信用信息公示)",
        routers=[portal.router, router],
        clock=clock,
    )
    app.add_middleware(DropEmptyQueryFields)
    app.add_middleware(
        RateLimit,
        rate=settings.public_rate_limit_per_second,
        burst=settings.public_rate_limit_burst,
        prefixes=PUBLIC_PATHS,
        exact=("/", "/supervision/login"),  # the HTML search and the login form, too
    )
    app.add_middleware(HtmlErrors)  # added last: runs first, so a 429 gets its page too
    return app
