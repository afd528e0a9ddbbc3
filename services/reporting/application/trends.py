"""Public trends (issue 20): penalties made public and certificates revoked per month over
the last twelve months, and annual QC results per year, optionally within regions. Charts
are drawn on the server as SVG geometry (domain.charts); the tables beside them hold the
same numbers."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from ohts_kit.db import Conn
from services.reporting.application.moment import Moment
from services.reporting.application.public import region_prefix
from services.reporting.domain import charts
from services.reporting.domain import labels as L
from services.reporting.projections.temporal import as_of_clause

MONTHS = 12
QC_RESULTS = ("pass", "fail", "refused")


class MonthCount(BaseModel):
    month: str  # YYYY-MM
    penalties: int
    revoked: int


class YearResults(BaseModel):
    year: int
    results: dict[str, int]  # result code → institutions


class Trends(BaseModel):
    as_of: date | None
    regions: list[str]
    months: list[MonthCount]
    qc_years: list[YearResults]


def last_months(day: date, n: int = MONTHS) -> list[str]:
    y, m = day.year, day.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return list(reversed(out))


def _regions(args: list[Any], codes: tuple[str, ...]) -> str:
    if not codes:
        return ""
    args.append([region_prefix(c) + "%" for c in codes])
    return f" AND i.region_code LIKE ANY(${len(args)}::text[])"


def _institution_join(alias: str) -> str:
    return (
        f" JOIN rp_institutions i ON i.institution_id = {alias}.institution_id"
        f" AND {as_of_clause('i', 1)}"
    )


async def trends(conn: Conn, m: Moment, codes: tuple[str, ...]) -> Trends:
    months = last_months(m.day)
    args: list[Any] = [m.at, m.day, date.fromisoformat(months[0] + "-01")]
    where = _regions(args, codes)
    # Decisions published and known at the moment (annulled ones left public view).
    penalties = await conn.fetch(
        "SELECT to_char(p.decided_on, 'YYYY-MM') AS month, count(*) AS n FROM rp_penalties p"
        f"{_institution_join('p')} WHERE p.published AND p.known_at < $1"
        " AND p.decided_on <= $2 AND p.decided_on >= $3"
        " AND NOT (p.annulled_known_at IS NOT NULL AND p.annulled_known_at < $1)"
        f"{where} GROUP BY 1",
        *args,
    )
    revoked = await conn.fetch(
        "SELECT to_char(x.changed_on, 'YYYY-MM') AS month, count(*) AS n FROM rp_qualifications x"
        f"{_institution_join('x')} WHERE x.change = 'revoked' AND x.sys_from < $1"
        f" AND x.changed_on <= $2 AND x.changed_on >= $3{where} GROUP BY 1",
        *args,
    )
    qc_args: list[Any] = [m.at]
    qc = await conn.fetch(
        "SELECT x.year, x.result, count(*) AS n FROM rp_annual_qc x"
        f"{_institution_join('x')} WHERE {as_of_clause('x', 1)}{_regions(qc_args, codes)}"
        " GROUP BY 1, 2 ORDER BY 1",
        *qc_args,
    )
    by_month = {r["month"]: r["n"] for r in penalties}
    revoked_by = {r["month"]: r["n"] for r in revoked}
    years: dict[int, dict[str, int]] = {}
    for r in qc:
        years.setdefault(r["year"], dict.fromkeys(QC_RESULTS, 0))[r["result"]] = r["n"]
    return Trends(
        as_of=m.as_of,
        regions=list(codes),
        months=[
            MonthCount(month=k, penalties=by_month.get(k, 0), revoked=revoked_by.get(k, 0))
            for k in months
        ],
        qc_years=[YearResults(year=y, results=v) for y, v in sorted(years.items())],
    )


def charts_of(t: Trends) -> dict[str, charts.Chart]:
    labels = [f"{m.month[:4]}年{int(m.month[5:])}月" for m in t.months]
    qc_labels = [f"{y.year}年" for y in t.qc_years]
    return {
        "penalties": charts.bars(
            "每月公示的行政处罚决定数", labels, [("行政处罚", [m.penalties for m in t.months])]
        ),
        "revoked": charts.bars(
            "每月吊销的资质证书数", labels, [("吊销证书", [m.revoked for m in t.months])]
        ),
        "qc": charts.bars(
            "各年度省级质控结果（机构数）",
            qc_labels,
            [
                (L.label(L.QC_RESULT, r), [y.results.get(r, 0) for y in t.qc_years])
                for r in QC_RESULTS
            ],
        ),
    }
