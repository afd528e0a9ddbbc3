"""What waits on the supervision unit, for its to-do list (待办): QC referrals behind leads
that no person has acknowledged (Q5), cases counted by stage, penalty decisions to publish
or to withdraw from public view (P2), and the inspections of its latest draw (E2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from contracts.publicity import Publicity, SeverityNotAllowed, publicity_of
from ohts_kit.db import Conn
from ohts_kit.workdays import WorkCalendar

PUBLICATION_WORKING_DAYS = 20  # P2: published within 20 working days of the decision
WITHDRAWAL_WORKING_DAYS = 3  # P2: withdrawn within 3 working days once it must end


async def unacknowledged_referrals(conn: Conn, region_like: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT l.lead_id, l.institution_id, k.name AS institution_name, l.category,"
        " l.description, l.status, l.opened_on, l.source_ref AS referral_id FROM leads l"
        " LEFT JOIN known_institutions k USING (institution_id)"
        " WHERE l.source = 'qc-referral' AND l.acknowledged_on IS NULL"
        " AND l.jurisdiction_region_code LIKE $1 ORDER BY l.opened_on, l.lead_id",
        region_like,
    )
    return [dict(r) for r in rows]


async def case_stages(conn: Conn, region_like: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT c.stage, count(*) AS count FROM cases c JOIN known_institutions k"
        " USING (institution_id) WHERE k.region_code LIKE $1 GROUP BY c.stage",
        region_like,
    )
    return [dict(r) for r in rows]


def publicity_task(
    decided_on: date,
    ends_on: date | None,
    publicity: Publicity,
    today: date,
    after: Callable[[date, int], date],
) -> tuple[str, date] | None:
    """P2: ('publish', by) while a published decision is within its 20 working days,
    ('withdraw', by) for 3 working days after its publicity ends (period over, annulled or
    repaired: `ends_on`, the earliest of these); None when nothing is to be done today."""
    if not publicity.published:
        return None
    ends = [d for d in (ends_on, publicity.public_until) if d is not None]
    ended = min(ends) if ends else None
    if ended is not None and ended <= today:
        by = after(ended, WITHDRAWAL_WORKING_DAYS)
        return ("withdraw", by) if today <= by else None
    by = after(decided_on, PUBLICATION_WORKING_DAYS)
    return ("publish", by) if today <= by else None


def _publicity(r: Any, threshold: Decimal) -> Publicity | None:
    args = (r["decided_on"], list(r["penalties"]), r["fine_yuan"], r["ban_years"], threshold)
    try:
        return publicity_of(*args, severity=r["severity"], violation=r["violation"])
    except SeverityNotAllowed:
        return publicity_of(*args, violation=r["violation"])
    except LookupError:  # before the first publicity rule: never public
        return None


PENALTIES = (
    "SELECT p.case_id, p.institution_id, k.name AS institution_name, p.decision_number,"
    " p.decided_on, p.violation, p.penalties, p.fine_yuan, p.severity, p.annulled_on,"
    " (SELECT max(extract(year FROM age(b.ends_on, b.starts_on)))::int FROM practice_bans b"
    "  WHERE b.case_id = p.case_id) AS ban_years,"
    " (SELECT min((e.payload->>'granted_on')::date) FROM events e"
    "  WHERE e.aggregate_id = p.case_id AND e.event_type = 'enforcement.CreditRepairGranted')"
    " AS repaired_on FROM penalties p JOIN known_institutions k USING (institution_id)"
    " WHERE coalesce(p.jurisdiction_region_code, k.region_code) LIKE $1"
    " ORDER BY p.decided_on, p.decision_number"
)


async def publicity_tasks(
    conn: Conn, region_like: str, today: date, calendar: WorkCalendar, threshold: Decimal
) -> list[dict[str, Any]]:
    """Penalty decisions to publish, or to withdraw from public view, by when (P2)."""

    def after(day: date, n: int) -> date:
        return calendar.add_working_days(day, n)[0]

    out = []
    for r in await conn.fetch(PENALTIES, region_like):
        publicity = _publicity(r, threshold)
        ends = [d for d in (r["annulled_on"], r["repaired_on"]) if d]
        task = publicity and publicity_task(
            r["decided_on"], min(ends) if ends else None, publicity, today, after
        )
        if task:
            keep = ("case_id", "institution_id", "institution_name", "decision_number")
            out.append(
                {k: r[k] for k in keep}
                | {"decided_on": r["decided_on"], "action": task[0], "due_on": task[1]}
                | {"public_until": publicity.public_until if publicity else None}
            )
    return sorted(out, key=lambda t: (t["due_on"], t["decision_number"]))


LATEST_DRAW = (
    "SELECT e.aggregate_id AS plan_id, e.payload->>'draw_id' AS draw_id,"
    " (e.payload->>'published_on')::date AS published_on FROM events e"
    " JOIN inspection_plans p ON p.plan_id = e.aggregate_id"
    " WHERE e.event_type = 'enforcement.InspectionDrawPublished'"
    " AND p.jurisdiction_region_code LIKE $1 ORDER BY e.position DESC LIMIT 1"
)
DRAWN = (
    "SELECT i.inspection_id, i.institution_id, k.name AS institution_name, i.period,"
    " i.scheduled_on, i.ended_on, i.result, i.published_on,"
    " e.event_type = 'enforcement.InspectionMerged' AS merged FROM events e"
    " JOIN inspections i ON i.inspection_id = e.payload->>'inspection_id'"
    " JOIN known_institutions k ON k.institution_id = i.institution_id"
    " WHERE e.event_type IN ('enforcement.InspectionScheduled', 'enforcement.InspectionMerged')"
    " AND e.payload->>'source_ref' = $1 ORDER BY i.scheduled_on, k.name"
)


async def current_draw(conn: Conn, region_like: str) -> dict[str, Any]:
    """The latest draw of the jurisdiction's plans and the inspections it scheduled (or
    merged into an open one, E3), those not yet ended first."""
    draw = await conn.fetchrow(LATEST_DRAW, region_like)
    if draw is None:
        return {"draw_id": None, "plan_id": None, "published_on": None, "items": []}
    rows = [dict(r) for r in await conn.fetch(DRAWN, draw["draw_id"])]
    rows.sort(key=lambda r: r["ended_on"] is not None)
    return {**dict(draw), "items": rows}
