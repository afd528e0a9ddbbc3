"""Double-random draws (E2) into their public record: seed, universe with weights, roster,
exclusions with reasons, targets and teams, algorithm; anyone recomputes them with
docs/draw_reference.py."""

from __future__ import annotations

import json

from contracts.draw_record import public_record
from contracts.enforcement_v1 import InspectionDrawPublished
from contracts.envelope import Envelope
from ohts_kit.db import Conn
from ohts_kit.handlers import EventHandlers
from services.reporting.projections import Projecting

views: EventHandlers[Projecting] = EventHandlers("reporting.draws")


@views.on(InspectionDrawPublished)
async def draw_published(
    _: Projecting, conn: Conn, env: Envelope, e: InspectionDrawPublished
) -> None:
    # Draws before the jurisdiction was on the event: the plan's stream is keyed by it.
    jurisdiction = e.jurisdiction_region_code or env.region_code
    record = public_record(e) | {"jurisdiction_region_code": jurisdiction}
    await conn.execute(
        "INSERT INTO rp_draws (draw_id, plan_id, jurisdiction_code, year, published_on,"
        " record, known_at) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) ON CONFLICT DO NOTHING",
        e.draw_id,
        e.plan_id,
        jurisdiction,
        e.year,
        e.published_on,
        json.dumps(record, ensure_ascii=False),
        env.occurred_at,
    )
