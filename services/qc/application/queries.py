"""QC lists: the rectification ledger, the referral dashboard (Q5), plans and conclusions."""

from __future__ import annotations

from datetime import date
from typing import Any

from ohts_kit.db import Conn
from ohts_kit.workdays import WorkCalendar

ACK_WORKING_DAYS = 5  # Q5: a referral not acknowledged within 5 working days is stale


async def referrals(
    conn: Conn, today: date, calendar: WorkCalendar, region_prefix: str
) -> dict[str, Any]:
    rows = await conn.fetch(
        "SELECT r.*, k.name AS institution_name FROM referrals r"
        " LEFT JOIN known_institutions k USING (institution_id)"
        " WHERE r.supervision_region_code LIKE $1 ORDER BY r.referred_on",
        region_prefix + "%",
    )
    return referral_dashboard([dict(r) for r in rows], today, calendar)


def referral_dashboard(
    rows: list[dict[str, Any]], today: date, calendar: WorkCalendar
) -> dict[str, Any]:
    """Q5: referrals acknowledged by a person of the receiving unit, received (the automatic
    receipt) but not acknowledged, and the stale ones: counted from receipt (or, not yet
    received, from referral) to acknowledgement."""
    stale, acknowledged, received, waiting = [], 0, 0, 0
    for r in rows:
        if r["acknowledged_on"] is not None:
            acknowledged += 1
            continue
        waiting += 1
        received += r["received_on"] is not None
        since = r["received_on"] or r["referred_on"]
        age = calendar.working_days_between(since, today)
        if age.days > ACK_WORKING_DAYS:
            stale.append(
                {
                    "referral_id": r["referral_id"],
                    "institution_id": r["institution_id"],
                    "institution_name": r.get("institution_name"),
                    "supervision_region_code": r["supervision_region_code"],
                    "referred_on": r["referred_on"],
                    "received_on": r["received_on"],
                    "working_days_waiting": age.days,
                    "provisional": age.provisional,
                }
            )
    return {"acknowledged": acknowledged, "received": received, "waiting": waiting, "stale": stale}


async def ledger(
    conn: Conn, institution_id: str | None, state: str | None, region_prefix: str
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT i.*, f.category, f.severity, k.name FROM rectification_items i"
        " JOIN findings f USING (finding_id) JOIN known_institutions k"
        " ON k.institution_id = i.institution_id"
        " WHERE ($1::text IS NULL OR i.institution_id = $1) AND ($2::text IS NULL OR i.state = $2)"
        " AND k.region_code LIKE $3 ORDER BY i.due_on, i.item_id",
        institution_id,
        state,
        region_prefix + "%",
    )
    return [dict(r) for r in rows]


async def plan_view(conn: Conn, plan_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow("SELECT * FROM plans WHERE plan_id = $1", plan_id)
    if row is None:
        return None
    entries = await conn.fetch(
        "SELECT e.grp, e.institution_id, e.reason, k.name FROM plan_entries e"
        " LEFT JOIN known_institutions k USING (institution_id)"
        " WHERE e.plan_id = $1 ORDER BY e.grp, e.institution_id",
        plan_id,
    )
    groups: dict[str, list[dict[str, str]]] = {}
    for e in entries:
        groups.setdefault(e["grp"], []).append(
            {"institution_id": e["institution_id"], "reason": e["reason"], "name": e["name"]}
        )
    return {**dict(row), "groups": groups}


async def public_list(conn: Conn, year: int | None) -> list[dict[str, Any]]:
    """Q6: who is on the public list now, each with its entries and exits."""
    rows = await conn.fetch(
        "SELECT c.*, k.name FROM conclusions c JOIN known_institutions k USING (institution_id)"
        " WHERE c.on_public_list AND ($1::int IS NULL OR c.year = $1) ORDER BY c.year, k.name",
        year,
    )
    history = await public_list_history(conn, year)
    return [
        {
            **dict(r),
            "listings": [
                h
                for h in history
                if (h["institution_id"], h["year"]) == (r["institution_id"], r["year"])
            ],
        }
        for r in rows
    ]


async def public_list_history(conn: Conn, year: int | None) -> list[dict[str, Any]]:
    """Q6: every entry on the public list and its exit (left_on), the current ones too."""
    rows = await conn.fetch(
        "SELECT h.institution_id, k.name, h.year, h.province_code, h.reason, h.entered_on,"
        " h.left_on FROM public_list_history h JOIN known_institutions k USING (institution_id)"
        " WHERE ($1::int IS NULL OR h.year = $1) ORDER BY h.year, h.entered_on, k.name",
        year,
    )
    return [dict(r) for r in rows]


async def filed_in(conn: Conn, institution_id: str, region_code: str) -> bool:
    """Whether the institution filed out-of-province work in the region's province."""
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM known_filings"
            " WHERE institution_id = $1 AND province_code = substr($2, 1, 2) || '0000')",
            institution_id,
            region_code,
        )
    )


async def institution_record(conn: Conn, institution_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT * FROM known_institutions WHERE institution_id = $1", institution_id
    )
    if row is None:
        return None
    results = await conn.fetch(
        "SELECT r.*, a.year FROM results r JOIN activities a USING (activity_id)"
        " WHERE r.institution_id = $1 ORDER BY r.recorded_on",
        institution_id,
    )
    items = await conn.fetch(
        "SELECT * FROM rectification_items WHERE institution_id = $1 ORDER BY due_on",
        institution_id,
    )
    return {
        **dict(row),
        "results": [dict(r) for r in results],
        "rectification_items": [dict(i) for i in items],
    }


async def typical_cases(conn: Conn, region_prefix: str) -> list[dict[str, Any]]:
    """Typical cases supervision sent back, of institutions or units in the region."""
    rows = await conn.fetch(
        "SELECT t.*, k.name FROM typical_cases t LEFT JOIN known_institutions k"
        " USING (institution_id) WHERE t.region_code LIKE $1 OR t.marked_by_region_code LIKE $1"
        " ORDER BY t.marked_on, t.case_id",
        region_prefix + "%",
    )
    return [dict(r) for r in rows]


async def follow_ups(
    conn: Conn, province_code: str, region_prefix: str, institution_id: str | None
) -> list[dict[str, Any]]:
    """Follow-up measures of the centre's province, or on the region's institutions."""
    rows = await conn.fetch(
        "SELECT f.*, k.name FROM follow_ups f JOIN known_institutions k USING (institution_id)"
        " WHERE (f.province_code = $1 OR k.region_code LIKE $2)"
        " AND ($3::text IS NULL OR f.institution_id = $3) ORDER BY f.held_on, f.follow_up_id",
        province_code,
        region_prefix + "%",
        institution_id,
    )
    return [dict(r) for r in rows]
