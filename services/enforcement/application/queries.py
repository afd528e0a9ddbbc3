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
        "SELECT l.*, k.name AS institution_name FROM leads l"
        " LEFT JOIN known_institutions k USING (institution_id)"
        " WHERE l.jurisdiction_region_code LIKE $1"
        " AND ($2::text IS NULL OR l.status = $2) ORDER BY l.opened_on, l.lead_id",
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


async def penalties(conn: Conn, jurisdiction: str, calendar: WorkCalendar) -> list[dict[str, Any]]:
    """F1: each decision with its world date, the day it was recorded and the working days
    between them ("录入滞后"), by the place of the violation (F2)."""
    rows = await conn.fetch(
        "SELECT p.case_id, p.institution_id, p.decision_number, p.decided_on, p.violation,"
        " p.penalties, p.fine_yuan, p.confiscation_yuan, p.person_ref, p.severity,"
        " p.annulled_on, p.recorded_on, p.jurisdiction_region_code"
        " FROM penalties p WHERE p.jurisdiction_region_code LIKE $1"
        " ORDER BY p.decided_on, p.decision_number",
        region_prefix(jurisdiction) + "%",
    )
    out = []
    for r in rows:
        row = dict(r)
        recorded = r["recorded_on"] or r["decided_on"]  # rows before law16 have none
        lag = calendar.working_days_between(r["decided_on"], recorded).days
        row["recorded_working_days_after"] = lag
        row["late_entry_note"] = f"处罚决定作出{lag}个工作日后录入" if lag else ""
        out.append(row)
    return out


async def practice_bans(conn: Conn, today: date) -> list[dict[str, Any]]:
    """E6: bans in force today (not annulled), nationwide: a ban binds everywhere."""
    rows = await conn.fetch(
        "SELECT case_id, person_ref, masked_name, institution_id, decision_number,"
        " starts_on, ends_on FROM practice_bans WHERE starts_on <= $1 AND ends_on > $1"
        " AND annulled_on IS NULL ORDER BY ends_on, case_id",
        today,
    )
    return [dict(r) for r in rows]
