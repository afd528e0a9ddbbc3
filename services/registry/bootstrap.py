"""The registry's only wiring point."""

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
from services.registry.application import policies, queries
from services.registry.application.qualifications import expire_due
from services.registry.application.unit import Registry, registry_of
from services.registry.domain.policy import RegistryPolicy
from services.registry.entrypoints import lists, todo
from services.registry.entrypoints.http import router


def setup(rt: ServiceRuntime) -> None:
    s = rt.settings
    rt.extras["registry"] = Registry(
        ports_of(rt),
        RegistryPolicy(
            validity_years=s.registry_validity_years,
            renewal_lead_months=s.registry_renewal_lead_months,
            report_card_working_days=s.registry_card_due_working_days,
            max_registrations_per_person=s.registry_max_registrations_per_person,
            earliest_fact_date=s.earliest_fact_date,
        ),
        WorkCalendar(Path(s.holiday_notices_dir) if s.holiday_notices_dir else None),
        s.personal_data_key(),
    )


async def overdue_publications(rt: ServiceRuntime) -> list[metrics.Sample]:
    """Qualification decisions past their publication deadline and still unpublished (R3)."""
    reg = registry_of(rt)
    async with reg.db.connection() as conn:
        rows = await queries.overdue_publications(conn, reg.today(), None)
    unpublished = sum(1 for r in rows if r["published_at"] is None)
    return [("ohts_decision_publications_overdue", {"kind": "qualification"}, unpublished)]


SPEC = ServiceSpec(
    name="registry",
    migrations=Path(__file__).parent / "migrations",
    publishes=True,
    consumes=("qc", "enforcement"),
    setup=setup,
    handlers=lambda rt: policies.policies.bind(registry_of(rt)),
    # Expiry happens by time (R2): a sweep every interval, on the runtime's clock.
    background=(periodic("expiry", expire_due, registry_of),),
    probes=(overdue_publications,),
)


def create_app(settings: Settings, clock: Clock | None = None) -> FastAPI:
    return create_service_app(
        SPEC,
        settings,
        title="OHTS registry (资质与备案)",
        routers=[router, todo.router, lists.router],
        clock=clock,
    )
