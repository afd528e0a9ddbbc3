"""Indicators (P5) for a jurisdiction and its child regions, at a moment (P6).

Definitions (targets 100%, Yunnan seed 001 §一.2), over the period [start, end]:
- reporting rate (上报率): as contracts/reporting_rate.py defines it, shared with the
  registry: cards filed on time / (on time + late + found unreported and still without a
  card), by the cards' filing date and the projects' finding date; late cards shown apart;
- QC coverage (质控覆盖率): institutions with a QC result / institutions of the region;
- supervision coverage (监管覆盖率): institutions with a completed inspection / institutions;
- rectification rate (整改率): rectification items due in the period and verified / those due;
- case rate (案件查处率): leads opened in the period and dealt with (a case, or closed with a
  reason) / leads opened;
- publication lag: mean working days from decision to publication, and those over 20;
- late entries (F1): facts dated in the period (decisions, QC results, filings) recorded more
  than 20 working days after they happened, and the largest such lag.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from contracts.reporting_rate import ReportingCounts
from ohts_kit import regions
from ohts_kit.db import Conn
from services.reporting.application import lateness
from services.reporting.application.moment import Moment
from services.reporting.application.public import region_prefix
from services.reporting.projections.temporal import as_of_clause


class Ratio(BaseModel):
    numerator: int
    denominator: int
    percent: float | None  # None when nothing is due


class RegionIndicators(BaseModel):
    region_code: str
    region_name: str
    institutions: int
    reporting_rate: Ratio
    late_cards: int = 0  # 迟报: reported, not on time (P5: shown apart from the rate)
    unreported_projects: int = 0  # 不报: found without a card, still without one
    qc_coverage: Ratio
    supervision_coverage: Ratio
    rectification_rate: Ratio
    case_rate: Ratio
    publication_lag_mean_working_days: float | None
    publications_over_20_working_days: int
    late_entries: int = 0
    late_entry_max_working_days: int = 0


class Indicators(BaseModel):
    as_of: date | None
    period_from: date
    period_to: date
    region: RegionIndicators
    children: list[RegionIndicators]


def _ratio(n: int, d: int) -> Ratio:
    return Ratio(numerator=n, denominator=d, percent=round(100 * n / d, 1) if d else None)


# Each query yields (group, numerator, denominator, ...); $1 moment, $2 prefix, $3..$4 period,
# $5 group length: institutions are grouped by the first characters of their region code.
_INSTITUTIONS = (
    f"SELECT i.institution_id, left(i.region_code, $5) AS g FROM rp_institutions i"
    f" WHERE {as_of_clause('i', 1)} AND i.region_code LIKE $2"
    " AND $3::date <= $4::date"  # typed for the queries that do not use the period
)
QUERIES: dict[str, str] = {
    "qc_coverage": f"SELECT g, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM rp_qc_results r"
    " WHERE r.institution_id = x.institution_id AND r.known_at < $1"
    " AND r.recorded_on BETWEEN $3 AND $4)), count(*) FROM"
    f" ({_INSTITUTIONS}) x GROUP BY g",
    "supervision_coverage": "SELECT g, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM"
    " rp_inspections n WHERE n.institution_id = x.institution_id AND n.completed_known_at < $1"
    f" AND n.ended_on BETWEEN $3 AND $4)), count(*) FROM ({_INSTITUTIONS}) x GROUP BY g",
    "reporting_rate": "SELECT x.g, count(c.*) FILTER (WHERE NOT c.late),"
    f" count(c.*) FILTER (WHERE c.late) FROM rp_report_cards c JOIN ({_INSTITUTIONS}) x"
    " ON x.institution_id = c.institution_id WHERE c.known_at < $1"
    " AND c.filed_on BETWEEN $3 AND $4 GROUP BY x.g",
    "unreported": "SELECT x.g, count(u.*), 0 FROM rp_unreported_projects u JOIN"
    f" ({_INSTITUTIONS}) x ON x.institution_id = u.institution_id WHERE u.known_at < $1"
    " AND u.found_on BETWEEN $3 AND $4 AND NOT EXISTS (SELECT 1 FROM rp_report_cards c"
    "  WHERE c.institution_id = u.institution_id AND c.report_number = u.report_number"
    "  AND c.known_at < $1) GROUP BY x.g",
    "rectification_rate": "SELECT x.g, count(*) FILTER (WHERE r.status = 'verified'), count(*)"
    f" FROM rp_rectifications r JOIN ({_INSTITUTIONS}) x ON x.institution_id = r.institution_id"
    f" WHERE {as_of_clause('r', 1)} AND r.due_on BETWEEN $3 AND $4 GROUP BY x.g",
    "case_rate": "SELECT x.g, count(*) FILTER (WHERE l.closed_known_at < $1), count(*)"
    f" FROM rp_leads l JOIN ({_INSTITUTIONS}) x ON x.institution_id = l.institution_id"
    " WHERE l.known_at < $1 AND l.opened_on BETWEEN $3 AND $4 GROUP BY x.g",
    "lag": "SELECT x.g, coalesce(sum(p.lag_working_days), 0)::int, count(*),"
    " count(*) FILTER (WHERE p.lag_working_days > 20)"
    f" FROM rp_publications p JOIN ({_INSTITUTIONS}) x ON x.institution_id = p.institution_id"
    " WHERE p.known_at < $1 AND p.published_on BETWEEN $3 AND $4 GROUP BY x.g",
    "institutions": f"SELECT g, count(*), 0 FROM ({_INSTITUTIONS}) x GROUP BY g",
}


async def indicators(conn: Conn, m: Moment, region: str, start: date, end: date) -> Indicators:
    prefix = region_prefix(region)
    children = regions.children_of(region)
    child_length = len(region_prefix(children[0].code)) if children else len(prefix)
    results: dict[int, dict[str, dict[str, tuple[int, ...]]]] = {}
    late: dict[int, dict[str, tuple[int, int]]] = {}
    for length in {len(prefix), child_length}:
        per: dict[str, dict[str, tuple[int, ...]]] = {}
        for name, sql in QUERIES.items():
            rows = await conn.fetch(sql, m.at, prefix + "%", start, end, length)
            per[name] = {r[0]: tuple(int(v) for v in r[1:]) for r in rows}
        results[length] = per
        late[length] = await lateness.late_by_group(conn, m, prefix + "%", start, end, length)

    def build(code: str, length: int) -> RegionIndicators:
        g = region_prefix(code)[:length]
        per = results[length]

        def get(name: str) -> tuple[int, ...]:
            return per[name].get(g, (0, 0, 0))

        on_time, late_cards = get("reporting_rate")[:2]
        cards = ReportingCounts(on_time=on_time, late=late_cards, unreported=get("unreported")[0])
        lag_sum, published, over = get("lag")
        late_entries, worst = late[length].get(g, (0, 0))
        return RegionIndicators(
            region_code=code,
            region_name=regions.name_of(code),
            institutions=get("institutions")[0],
            reporting_rate=_ratio(cards.on_time, cards.known),
            late_cards=cards.late,
            unreported_projects=cards.unreported,
            qc_coverage=_ratio(*get("qc_coverage")[:2]),
            supervision_coverage=_ratio(*get("supervision_coverage")[:2]),
            rectification_rate=_ratio(*get("rectification_rate")[:2]),
            case_rate=_ratio(*get("case_rate")[:2]),
            publication_lag_mean_working_days=round(lag_sum / published, 1) if published else None,
            publications_over_20_working_days=over,
            late_entries=late_entries,
            late_entry_max_working_days=worst,
        )

    return Indicators(
        as_of=m.as_of,
        period_from=start,
        period_to=end,
        region=build(region, len(prefix)),
        children=[build(c.code, child_length) for c in children],
    )


def chart_rows(ind: Indicators) -> list[dict[str, Any]]:
    """Rows the dashboard draws: one per region, percent per indicator."""
    return [
        {
            "region": r,
            "bars": [
                ("上报率", r.reporting_rate),
                ("质控覆盖率", r.qc_coverage),
                ("监管覆盖率", r.supervision_coverage),
                ("整改率", r.rectification_rate),
                ("案件查处率", r.case_rate),
            ],
        }
        for r in [ind.region, *ind.children]
    ]
