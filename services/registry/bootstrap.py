"""The registry's only wiring point."""

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
from services.registry.application import policies, queries
from services.registry.application.qualifications import expire_due
from services.registry.application.unit import Registry, registry_of
from services.registry.domain.policy import RegistryPolicy
from services.registry.entrypoints.http import router

log = get_logger(__name__)
SCHEDULER = Actor(subject="registry-scheduler", role=Role.SYSTEM, region_code="000000")


def setup(rt: ServiceRuntime) -> None:
    s = rt.settings
    rt.extras["registry"] = Registry(
        rt,
        RegistryPolicy(
            validity_years=s.registry_validity_years,
            renewal_lead_months=s.registry_renewal_lead_months,
            report_card_working_days=s.registry_card_due_working_days,
        ),
        WorkCalendar(Path(s.holiday_notices_dir) if s.holiday_notices_dir else None),
        s.personal_data_key(),
    )


async def expiry_scheduler(rt: ServiceRuntime, stop: asyncio.Event) -> None:
    """Expiry happens by time (R2): a sweep every interval, on the runtime's clock."""
    while not stop.is_set():
        try:
            expired = await expire_due(
                registry_of(rt), Metadata(actor=SCHEDULER, correlation_id="expiry-sweep")
            )
            if expired:
                log.info("qualifications.expired", count=expired)
            metrics.scheduler_ran("registry", "expiry", ok=True)
        except Exception:
            log.exception("expiry.failed")
            metrics.scheduler_ran("registry", "expiry", ok=False)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), rt.settings.scheduler_interval_seconds)


async def overdue_publications(rt: ServiceRuntime) -> list[metrics.Sample]:
    """Qualification decisions past their publication deadline and still unpublished (R3)."""
    async with rt.pool.acquire() as conn:
        rows = await queries.overdue_publications(conn, registry_of(rt).today(), None)
    unpublished = sum(1 for r in rows if r["published_at"] is None)
    return [("ohts_decision_publications_overdue", {"kind": "qualification"}, unpublished)]


SPEC = ServiceSpec(
    name="registry",
    migrations=Path(__file__).parent / "migrations",
    publishes=True,
    consumes=("qc", "enforcement"),
    setup=setup,
    handlers=policies.handlers,
    background=(expiry_scheduler,),
    probes=(overdue_publications,),
)


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    return create_service_app(
        SPEC, settings, title="OHTS registry (资质与备案)", routers=[router], clock=clock
    )
