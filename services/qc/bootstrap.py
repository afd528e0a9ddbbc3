"""The QC service's only wiring point."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from fastapi import FastAPI

from contracts.envelope import Actor, Role
from ohts_kit import metrics
from ohts_kit.clock import Clock
from ohts_kit.eventstore import Metadata
from ohts_kit.logging import get_logger
from ohts_kit.service import ServiceRuntime, ServiceSpec, create_service_app
from ohts_kit.settings import Settings
from ohts_kit.workdays import WorkCalendar
from services.qc.adapters.views import HANDLERS
from services.qc.application.handlers import Qc, mark_overdue, qc_of
from services.qc.entrypoints.http import router

log = get_logger(__name__)
SCHEDULER = Actor(subject="qc-scheduler", role=Role.SYSTEM, region_code="000000")


def setup(rt: ServiceRuntime) -> None:
    rt.extras["qc"] = Qc(rt)
    notices = rt.settings.holiday_notices_dir
    rt.extras["calendar"] = WorkCalendar(Path(notices) if notices else None)


async def overdue_scheduler(rt: ServiceRuntime, stop: asyncio.Event) -> None:
    """Rectification items become overdue by time (Q4)."""
    while not stop.is_set():
        try:
            marked = await mark_overdue(
                qc_of(rt), Metadata(actor=SCHEDULER, correlation_id="overdue-sweep")
            )
            if marked:
                log.info("rectifications.overdue", count=marked)
            metrics.scheduler_ran("qc", "overdue", ok=True)
        except Exception:
            log.exception("overdue.failed")
            metrics.scheduler_ran("qc", "overdue", ok=False)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), rt.settings.scheduler_interval_seconds)


SPEC = ServiceSpec(
    name="qc",
    migrations=Path(__file__).parent / "migrations",
    publishes=True,
    consumes=("registry", "enforcement"),
    setup=setup,
    handlers=lambda _rt: HANDLERS,
    background=(overdue_scheduler,),
)


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    return create_service_app(
        SPEC, settings, title="OHTS quality control (质量控制)", routers=[router], clock=clock
    )
