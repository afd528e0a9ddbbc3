"""Enforcement lists for supervision units, within the caller's jurisdiction."""

from __future__ import annotations

from datetime import date
from typing import Any

from ohts_kit import regions
from ohts_kit.db import Conn
from ohts_kit.workdays import WorkCalendar
from services.enforcement.domain import inspection


def region_prefix(code: str) -> str:
    """What the region codes within a jurisdiction start with ('330000' -> '33'): only ever
    a prefix of a known code (the kit's one rule)."""
    return regions.prefix(code)


async def overdue_publications(
    conn: Conn, jurisdiction: str | None, calendar: WorkCalendar, today: date
) -> list[dict[str, Any]]:
    """E2: ended inspections whose result is not public within 20 working days (in a
    jurisdiction, or everywhere for the operators' gauge)."""
    rows = await conn.fetch(
        "SELECT i.inspection_id, i.institution_id, i.ended_on, i.published_on"
        " FROM inspections i JOIN known_institutions k USING (institution_id)"
        " WHERE i.ended_on IS NOT NULL AND i.published_on IS NULL AND k.region_code LIKE $1",
        (region_prefix(jurisdiction) if jurisdiction else "") + "%",
    )
    out = []
    for r in rows:
        due, provisional = calendar.add_working_days(
            r["ended_on"], inspection.PUBLICATION_WORKING_DAYS
        )
        if r["published_on"] is None and due < today:
            out.append(
                {
                    "inspection_id": r["inspection_id"],
                    "institution_id": r["institution_id"],
                    "ended_on": r["ended_on"],
                    "due_on": due,
                    "provisional": provisional,
                }
            )
    return out


async def leads(conn: Conn, jurisdiction: str, status: str | None) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT * FROM leads WHERE jurisdiction_region_code LIKE $1"
        " AND ($2::text IS NULL OR status = $2) ORDER BY opened_on, lead_id",
        region_prefix(jurisdiction) + "%",
        status,
    )
    return [dict(r) for r in rows]


async def credit_classes(conn: Conn, jurisdiction: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT c.*, k.name FROM credit_classes c"
        " JOIN known_institutions k USING (institution_id)"
        " WHERE k.region_code LIKE $1 ORDER BY c.credit_class DESC, k.name",
        region_prefix(jurisdiction) + "%",
    )
    return [dict(r) for r in rows]
