"""The reporting service's only wiring point: read models only, it publishes nothing."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from fastapi import FastAPI

from contracts.envelope import all_event_types
from ohts import console
from ohts_kit.clock import Clock
from ohts_kit.limits import RateLimit
from ohts_kit.service import ServiceSpec, create_service_app
from ohts_kit.settings import Settings
from services.reporting.entrypoints import draws, portal
from services.reporting.entrypoints.cache import AppliedAnywhere
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
    # The staff console lives in this process (one site, one login); its accounts are
    # migrated and its pool opened when the runtime starts.
    holder: list[console.Console] = []
    # A batch of types no read model uses (told apart from unknown ones) makes nothing old.
    applied = AppliedAnywhere(
        handled=frozenset(catalog.handlers(settings)),
        known=frozenset(t for t, _ in all_event_types()),
    )
    spec = dataclasses.replace(SPEC, on_start=(lambda rt: holder[0].start(rt), applied.start))
    app = create_service_app(
        spec,
        settings,
        title="OHTS public credit portal and reporting (信用信息公示)",
        routers=[portal.router, draws.router, router],
        clock=clock,
    )
    app.state.applied_anywhere = applied
    holder.append(console.mount(app, settings))
    app.add_middleware(DropEmptyQueryFields)
    app.add_middleware(
        RateLimit,
        rate=settings.public_rate_limit_per_second,
        burst=settings.public_rate_limit_burst,
        prefixes=PUBLIC_PATHS,
        # the HTML search and the login forms, too
        exact=("/", "/supervision/login", f"{settings.console_prefix}/login"),
    )
    app.add_middleware(HtmlErrors)  # added last: runs first, so a 429 gets its page too
    return app
