"""What waits on someone in the registry, for the staff to-do lists: qualified institutions
that no longer keep their conditions (R6a), certificates near expiry with no renewal
applied for (R2), projects an inspection found without a report card (R8), and work
summaries of out-of-province filings to submit (R7). Read from the registry's own views."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from contracts.publicity import add_months
from ohts_kit.db import Conn
from services.registry.domain import staff
from services.registry.domain.filing import summary_due

# The Chinese of each R6a problem staff.unmet_conditions names (its English is the event's).
UNMET_ZH = (
    (
        re.compile(r"^(\d+) full-time professional technical staff, at least (\d+) required$"),
        "专职专业技术人员 {0} 人，少于规定的 {1} 人",
    ),
    (re.compile(r"^no full-time technical lead"), "无符合条件的专职技术负责人"),
    (re.compile(r"^no full-time QC lead"), "无符合条件的专职质量负责人"),
    (re.compile(r"^no public website$"), "无对外公开的网站"),
)


def unmet_zh(problem: str) -> str:
    for pattern, text in UNMET_ZH:
        if found := pattern.match(problem):
            return text.format(*found.groups())
    return problem


async def unmet_conditions(conn: Conn, region_like: str, minimum: int) -> list[dict[str, Any]]:
    """R6a: qualified institutions of the region whose staff or website fall short now,
    judged by the same rule the registry flags them with."""
    holders = await conn.fetch(
        "SELECT i.institution_id, i.name, i.region_code, i.website FROM institutions_view i"
        " WHERE i.region_code LIKE $1 AND EXISTS (SELECT 1 FROM qualifications_view q"
        " WHERE q.institution_id = i.institution_id AND q.status = 'granted') ORDER BY i.name",
        region_like,
    )
    rows = await conn.fetch(
        "SELECT s.institution_id, s.title, s.years, s.role, s.full_time FROM staff_view s"
        " JOIN institutions_view i USING (institution_id) WHERE s.active AND i.region_code LIKE $1",
        region_like,
    )
    facts: dict[str, list[staff.StaffFacts]] = {}
    for r in rows:
        facts.setdefault(r["institution_id"], []).append(
            staff.StaffFacts(r["title"], r["years"], r["role"], r["full_time"])
        )
    out = []
    for h in holders:
        mine = facts.get(h["institution_id"], [])
        unmet = staff.unmet_conditions(mine, bool(h["website"]), minimum)
        if unmet:
            out.append(
                {
                    "institution_id": h["institution_id"],
                    "institution_name": h["name"],
                    "region_code": h["region_code"],
                    "full_time_staff": sum(1 for f in mine if f.full_time),
                    "minimum_staff": minimum,
                    "unmet": unmet,
                    "unmet_zh": [unmet_zh(u) for u in unmet],
                }
            )
    return out


async def expiring(conn: Conn, region_like: str, today: date, months: int) -> list[dict[str, Any]]:
    """R2: granted certificates ending within `months` (the renewal lead) and no renewal
    applied for, the soonest first."""
    rows = await conn.fetch(
        "SELECT q.qualification_id, q.institution_id, i.name, i.region_code, q.kind,"
        " q.certificate_number, q.valid_until FROM qualifications_view q"
        " JOIN institutions_view i USING (institution_id) WHERE i.region_code LIKE $1"
        " AND q.status = 'granted' AND NOT q.renewal_pending"
        " AND q.valid_until BETWEEN $2 AND $3 ORDER BY q.valid_until, q.qualification_id",
        region_like,
        today,
        add_months(today, months),
    )
    return [
        {
            "qualification_id": r["qualification_id"],
            "institution_id": r["institution_id"],
            "institution_name": r["name"],
            "region_code": r["region_code"],
            "kind": r["kind"],
            "certificate_number": r["certificate_number"],
            "valid_until": r["valid_until"],
            "days_left": (r["valid_until"] - today).days,
        }
        for r in rows
    ]


async def cards_due(conn: Conn, where: str, args: list[Any]) -> list[dict[str, Any]]:
    """R8: projects an inspection found that have no report card yet (`where` on `i`)."""
    rows = await conn.fetch(
        "SELECT u.institution_id, i.name, i.region_code, u.report_number, u.client_name,"
        " u.found_on, u.inspection_id FROM unreported_projects u"
        " JOIN institutions_view i USING (institution_id)"
        f" WHERE {where} AND NOT EXISTS (SELECT 1 FROM report_cards c"
        "  WHERE c.institution_id = u.institution_id AND c.report_number = u.report_number)"
        " ORDER BY u.found_on, u.report_number",
        *args,
    )
    return [dict(r) | {"institution_name": r["name"]} for r in rows]


def periods_to_report(filed_on: date, today: date) -> list[str]:
    """R7: the half-years since the filing that have ended by today, so a summary of each
    is owed (due on summary_due(period), overdue after it)."""
    periods = []
    for year in range(filed_on.year, today.year + 1):
        for half, end in (("1", date(year, 6, 30)), ("2", date(year, 12, 31))):
            if filed_on <= end < today:
                periods.append(f"{year}H{half}")
    return periods


async def summaries_due(
    conn: Conn, where: str, args: list[Any], today: date
) -> list[dict[str, Any]]:
    """R7: each filing's ended half-years with no work summary submitted, overdue first."""
    filings = await conn.fetch(
        "SELECT f.filing_id, f.institution_id, i.name, f.province_code, f.filed_on,"
        " array(SELECT w.period FROM work_summaries w WHERE w.filing_id = f.filing_id) AS done"
        f" FROM filings_view f JOIN institutions_view i USING (institution_id) WHERE {where}",
        *args,
    )
    out = [
        {
            "filing_id": f["filing_id"],
            "institution_id": f["institution_id"],
            "institution_name": f["name"],
            "province_code": f["province_code"],
            "period": period,
            "due_on": summary_due(period),
            "overdue": summary_due(period) < today,
        }
        for f in filings
        for period in periods_to_report(f["filed_on"], today)
        if period not in f["done"]
    ]
    return sorted(out, key=lambda r: (r["due_on"], r["institution_name"], r["filing_id"]))
