"""Every handler of the reporting read models: the live consumer and a rebuild use this."""

from __future__ import annotations

from ohts_kit.consumer import Handler
from ohts_kit.handlers import EventHandlers
from ohts_kit.settings import Settings
from services.reporting.projections import Bulk, Projecting, draws, enforcement, qc, registry

# One table per producer's topic (the consumer subscribes to exactly these); the public
# draw records (E2) come on enforcement's topic.
enforcement.views.include(draws.views)
BY_PRODUCER: dict[str, EventHandlers[Projecting]] = {
    "registry": registry.views,
    "qc": qc.views,
    "enforcement": enforcement.views,
}

views: EventHandlers[Projecting] = EventHandlers("reporting")
for _table in BY_PRODUCER.values():
    views.include(_table)


def context(settings: Settings) -> Projecting:
    return Projecting(fine_threshold_yuan=settings.publicity_fine_threshold_yuan)


def handlers(settings: Settings) -> dict[str, Handler]:
    return views.bind(context(settings))


def bulk() -> dict[str, Bulk]:
    """Insert-only projections a rebuild may copy in batches, by event type."""
    return {b.payload.event_type: b for b in (*registry.BULK, *qc.BULK, *enforcement.BULK)}


READ_MODELS = (
    "rp_institutions",
    "rp_qualifications",
    "rp_filings",
    "rp_work_summaries",
    "rp_staff",
    "rp_report_cards",
    "rp_unreported_projects",
    "rp_publications",
    "rp_self_inspection_campaigns",
    "rp_self_inspections",
    "rp_qc_results",
    "rp_qc_findings",
    "rp_rectifications",
    "rp_annual_qc",
    "rp_capability",
    "rp_leads",
    "rp_cases",
    "rp_penalties",
    "rp_inspections",
    "rp_credit_classes",
    "rp_draws",
)
