"""What the annual conclusion (Q6) reads from qc's own views: each planned institution's
results and open rectification items of a plan, and the plan and year of an item."""

from __future__ import annotations

from datetime import date

from ohts_kit.db import Conn
from services.qc.domain import conclusion


async def year_facts(
    conn: Conn, plan_id: str, today: date, institution_id: str | None = None
) -> list[conclusion.YearFacts]:
    """Each planned institution's (or the one's) results in the plan's activities and its
    rectification items of the plan not closed: past due, and pending (not yet due)."""
    rows = await conn.fetch(
        "SELECT e.institution_id, coalesce(array_agg(r.result)"
        " FILTER (WHERE r.result IS NOT NULL), '{}') AS results"
        " FROM (SELECT DISTINCT institution_id FROM plan_entries WHERE plan_id = $1"
        " AND ($2::text IS NULL OR institution_id = $2)) e"
        " LEFT JOIN (results r JOIN activities a USING (activity_id))"
        " ON r.institution_id = e.institution_id AND a.plan_id = $1"
        " GROUP BY e.institution_id ORDER BY e.institution_id",
        plan_id,
        institution_id,
    )
    open_items = {
        r["institution_id"]: (r["past_due"], r["pending"])
        for r in await conn.fetch(
            "SELECT i.institution_id, count(*) FILTER (WHERE i.due_on < $2) AS past_due,"
            " count(*) FILTER (WHERE i.due_on >= $2) AS pending FROM rectification_items i"
            " JOIN findings f USING (finding_id) JOIN activities a ON a.activity_id = f.activity_id"
            " WHERE a.plan_id = $1 AND i.state <> 'closed' GROUP BY i.institution_id",
            plan_id,
            today,
        )
    }
    return [
        conclusion.YearFacts(
            r["institution_id"],
            tuple(r["results"]),
            *open_items.get(r["institution_id"], (0, 0)),
        )
        for r in rows
    ]


async def item_year(
    conn: Conn, item_id: str, today: date
) -> tuple[str, int, conclusion.YearFacts] | None:
    """The plan and year an item belongs to, with its institution's facts of that plan."""
    row = await conn.fetchrow(
        "SELECT a.plan_id, a.year, i.institution_id FROM rectification_items i"
        " JOIN findings f USING (finding_id) JOIN activities a ON a.activity_id = f.activity_id"
        " WHERE i.item_id = $1",
        item_id,
    )
    if row is None:
        return None
    facts = await year_facts(conn, row["plan_id"], today, row["institution_id"])
    if not facts:
        return None
    return str(row["plan_id"]), int(row["year"]), facts[0]
