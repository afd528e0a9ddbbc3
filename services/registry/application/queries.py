"""Registry lists for authorities: R3 overdue publications, R6 exemptions, R7 summaries,
R8 late and unreported cards, R9 institutions due a full evaluation inspection."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ohts_kit import regions
from ohts_kit.db import Conn
from services.registry.domain.filing import summary_due
from services.registry.domain.policy import RegistryPolicy


def _region_filter(column: str, region: str | None, args: list[Any]) -> str:
    if not region:
        return "TRUE"
    args.append(regions.like(region))  # 500000 is 50%, never 5%
    return f"{column} LIKE ${len(args)}"


async def overdue_publications(conn: Conn, today: date, region: str | None) -> list[dict[str, Any]]:
    """Decisions not published by their due date, and those published late (R3)."""
    args: list[Any] = [today]
    where = _region_filter("i.region_code", region, args)
    rows = await conn.fetch(
        "SELECT d.*, i.name, i.region_code FROM decisions d"
        " JOIN institutions_view i USING (institution_id)"
        f" WHERE {where} AND ((d.published_at IS NULL AND d.due_on < $1)"
        "   OR d.lag_working_days > 20) ORDER BY d.due_on",
        *args,
    )
    return [
        {
            "decision_event_id": r["decision_event_id"],
            "qualification_id": r["qualification_id"],
            "institution_id": r["institution_id"],
            "institution_name": r["name"],
            "decision_type": r["decision_type"],
            "decided_at": r["decided_at"],
            "due_on": r["due_on"],
            "published_at": r["published_at"],
            "lag_working_days": r["lag_working_days"],
            "provisional": bool(r["due_provisional"] or r["lag_provisional"]),
        }
        for r in rows
    ]


async def exemptions(
    conn: Conn, institution_id: str, today: date, policy: RegistryPolicy
) -> dict[str, Any]:
    """R6: staff exempt from the capability assessment (2 years from their certificate) and
    the institution's blind-sample exemption (1 year from the pass)."""
    staff = await conn.fetch(
        "SELECT staff_id, masked_name, assessment_date FROM staff_view"
        " WHERE institution_id = $1 AND active AND assessment_date IS NOT NULL",
        institution_id,
    )
    passed = await conn.fetchval(
        "SELECT max(passed_on) FROM blind_sample_passes WHERE institution_id = $1", institution_id
    )
    institution_until = (
        _years_after(passed, policy.blind_sample_exemption_years) if passed else None
    )
    return {
        "institution_id": institution_id,
        "blind_sample_exempt_until": institution_until
        if institution_until and institution_until >= today
        else None,
        "staff": [
            {"staff_id": r["staff_id"], "masked_name": r["masked_name"], "exempt_until": until}
            for r in staff
            if (until := _years_after(r["assessment_date"], policy.assessment_exemption_years))
            >= today
        ],
    }


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years) - timedelta(days=1)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _periods_due(filed_on: date, today: date) -> list[str]:
    """Half-year periods after filing whose summary due date has passed."""
    periods: list[str] = []
    year = filed_on.year
    while True:
        for half in ("1", "2"):
            period = f"{year}H{half}"
            end = date(year, 6, 30) if half == "1" else date(year, 12, 31)
            if end < filed_on:
                continue
            if summary_due(period) >= today:
                return periods
            periods.append(period)
        year += 1


async def work_summaries(conn: Conn, today: date, province: str | None) -> list[dict[str, Any]]:
    """R7: for each filing, the summaries that are missing or were late."""
    args: list[Any] = []
    where = "TRUE"
    if province:
        args.append(province)
        where = "f.province_code = $1"
    filings = await conn.fetch(
        f"SELECT f.*, i.name FROM filings_view f JOIN institutions_view i USING (institution_id)"
        f" WHERE {where} ORDER BY f.filed_on",
        *args,
    )
    submitted = {
        (r["filing_id"], r["period"]): r for r in await conn.fetch("SELECT * FROM work_summaries")
    }
    out = []
    for f in filings:
        for period in _periods_due(f["filed_on"], today):
            s = submitted.get((f["filing_id"], period))
            if s is None or s["late"]:
                out.append(
                    {
                        "filing_id": f["filing_id"],
                        "institution_id": f["institution_id"],
                        "institution_name": f["name"],
                        "province_code": f["province_code"],
                        "period": period,
                        "due_on": summary_due(period),
                        "status": "missing" if s is None else "late",
                        "submitted_on": s["submitted_on"] if s else None,
                    }
                )
    return out


async def report_cards(
    conn: Conn, institution_id: str | None, region: str | None
) -> dict[str, Any]:
    """R8: late cards, unreported projects and the reporting rate (on time / all known)."""
    args: list[Any] = []
    where = _region_filter("i.region_code", region, args)
    if institution_id:
        args.append(institution_id)
        where += f" AND i.institution_id = ${len(args)}"
    late = await conn.fetch(
        "SELECT c.*, i.name FROM report_cards c JOIN institutions_view i USING (institution_id)"
        f" WHERE {where} AND c.late ORDER BY c.due_on",
        *args,
    )
    counts = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE NOT c.late) AS on_time, count(*) AS filed"
        " FROM report_cards c JOIN institutions_view i USING (institution_id)"
        f" WHERE {where}",
        *args,
    )
    unreported = await conn.fetch(
        "SELECT u.*, i.name FROM unreported_projects u"
        " JOIN institutions_view i USING (institution_id)"
        f" WHERE {where} AND NOT EXISTS (SELECT 1 FROM report_cards c"
        "  WHERE c.institution_id = u.institution_id AND c.report_number = u.report_number)",
        *args,
    )
    assert counts is not None
    known = counts["filed"] + len(unreported)
    return {
        "on_time": counts["on_time"],
        "late": [
            {
                "card_id": r["card_id"],
                "institution_id": r["institution_id"],
                "institution_name": r["name"],
                "report_number": r["report_number"],
                "completion_date": r["completion_date"],
                "due_on": r["due_on"],
                "filed_on": r["filed_on"],
            }
            for r in late
        ],
        "unreported": [
            {
                "institution_id": r["institution_id"],
                "institution_name": r["name"],
                "report_number": r["report_number"],
                "client_name": r["client_name"],
                "found_on": r["found_on"],
                "inspection_id": r["inspection_id"],
            }
            for r in unreported
        ],
        "known_projects": known,
        "reporting_rate": round(counts["on_time"] / known, 4) if known else None,
    }


async def due_inspections(conn: Conn, today: date, region: str | None) -> list[dict[str, Any]]:
    """R9: granted certificates with no full evaluation inspection in their validity so far."""
    args: list[Any] = [today]
    where = _region_filter("i.region_code", region, args)
    rows = await conn.fetch(
        "SELECT q.*, i.name, i.region_code FROM qualifications_view q"
        " JOIN institutions_view i USING (institution_id)"
        f" WHERE {where} AND q.status = 'granted' AND NOT EXISTS ("
        "  SELECT 1 FROM full_inspections f WHERE f.institution_id = q.institution_id"
        "  AND f.ended_on BETWEEN q.valid_from AND least(q.valid_until, $1))"
        " ORDER BY q.valid_until",
        *args,
    )
    return [
        {
            "institution_id": r["institution_id"],
            "institution_name": r["name"],
            "region_code": r["region_code"],
            "qualification_id": r["qualification_id"],
            "certificate_number": r["certificate_number"],
            "valid_from": r["valid_from"],
            "valid_until": r["valid_until"],
        }
        for r in rows
    ]


async def institution_record(conn: Conn, institution_id: str) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT * FROM institutions_view WHERE institution_id = $1", institution_id
    )
    if row is None:
        return None
    quals = await conn.fetch(
        "SELECT * FROM qualifications_view WHERE institution_id = $1 ORDER BY qualification_id",
        institution_id,
    )
    staff = await conn.fetch(
        "SELECT s.staff_id, s.masked_name, s.title, s.role, s.full_time, s.active,"
        " p.erased_at IS NOT NULL AS erased FROM staff_view s"
        " LEFT JOIN personal_data p USING (person_ref) WHERE s.institution_id = $1"
        " ORDER BY s.registered_on, s.staff_id",
        institution_id,
    )
    blocking = await conn.fetch(
        "SELECT kind, item_id FROM blocking_items WHERE institution_id = $1", institution_id
    )
    return {
        **{k: row[k] for k in ("institution_id", "uscc", "name", "kind", "region_code", "website")},
        "qualifications": [dict(q) for q in quals],
        "staff": [dict(s) for s in staff],
        "blocking_items": [dict(b) for b in blocking],
    }
