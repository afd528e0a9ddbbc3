"""What waits on the QC centre, for its to-do list (待办): rectification items by their
deadline, overdue first (Q4), the look-back re-checks (回头看) among them, and each plan's
progress (planned institutions with a result in one of the plan's activities)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ohts_kit.db import Conn

REOPENED = (
    "(SELECT max((e.payload->>'reopened_on')::date) FROM events e"
    " WHERE e.aggregate_type = 'RectificationItem' AND e.aggregate_id = i.item_id"
    " AND e.event_type = 'qc.RectificationReopened')"
)
DUE = (
    "SELECT i.item_id, i.institution_id, k.name AS institution_name, k.region_code, i.state,"
    " i.due_on, i.overdue OR i.due_on < $2 AS overdue, f.category, f.severity, a.year,"
    f" {REOPENED} AS reopened_on FROM rectification_items i JOIN findings f USING (finding_id)"
    " JOIN activities a ON a.activity_id = f.activity_id"
    " JOIN known_institutions k ON k.institution_id = i.institution_id"
    " WHERE k.region_code LIKE $1 AND i.state IN ('open', 'submitted')"
)


async def rectifications_due(
    conn: Conn, region_like: str, today: date, reopened: bool | None
) -> list[dict[str, Any]]:
    """Items not closed (open: the institution's to do; submitted: QC's to verify), overdue
    first then by due date; `reopened`: only (or none of) the look-back reopenings."""
    where = ""
    if reopened is not None:
        where = f" AND {REOPENED} IS {'NOT ' if reopened else ''}NULL"
    rows = await conn.fetch(
        f"{DUE}{where} ORDER BY (i.overdue OR i.due_on < $2) DESC, i.due_on, i.item_id",
        region_like,
        today,
    )
    return [dict(r) | {"reopened": r["reopened_on"] is not None} for r in rows]


PROGRESS = (
    "(SELECT count(DISTINCT e.institution_id) FROM plan_entries e WHERE e.plan_id = p.plan_id"
    " AND EXISTS (SELECT 1 FROM results r JOIN activities a USING (activity_id)"
    " WHERE a.plan_id = p.plan_id AND r.institution_id = e.institution_id))"
)


async def plan_progress(conn: Conn, region_like: str) -> list[dict[str, Any]]:
    """Each plan of the province: planned institutions, and those with a result so far."""
    rows = await conn.fetch(
        "SELECT p.plan_id, p.province_code, p.year,"
        " (SELECT count(DISTINCT e.institution_id) FROM plan_entries e"
        f" WHERE e.plan_id = p.plan_id) AS entries, {PROGRESS} AS done"
        " FROM plans p WHERE p.province_code LIKE $1 ORDER BY p.year DESC, p.province_code",
        region_like,
    )
    return [dict(r) for r in rows]
