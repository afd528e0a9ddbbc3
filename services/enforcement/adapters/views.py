"""Enforcement read tables, kept with its events."""

from __future__ import annotations

from contracts.enforcement_v1 import LeadOpened
from contracts.envelope import Envelope, EventPayload
from ohts_kit.db import Conn


async def project(conn: Conn, _: Envelope, e: EventPayload) -> None:
    if isinstance(e, LeadOpened):
        await conn.execute(
            "INSERT INTO leads (lead_id, institution_id, source, source_ref, category, description,"
            " jurisdiction_region_code, opened_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            e.lead_id,
            e.institution_id,
            e.source,
            e.source_ref,
            e.category,
            e.description,
            e.jurisdiction_region_code,
            e.opened_on,
        )
