"""F1 late entry made visible: a fact recorded N working days after the day it happened.

Facts carry their world date (decision, QC result, filing); the read models keep when the
system learned them (known_at). A fact recorded more than LATE_WORKING_DAYS working days
after it happened counts as a late entry in the indicators (P5 publication lag), and the
supervisor's penalty record shows the number for each decision.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from ohts_kit.db import Conn
from ohts_kit.workdays import WorkCalendar, china_date
from services.reporting.application.moment import Moment
from services.reporting.projections.temporal import as_of_clause

LATE_WORKING_DAYS = 20  # the publication deadline of P2/R3: later than it is a late entry
CALENDAR = WorkCalendar()

# (world date, known_at, group) of each fact dated in the period, for institutions of the
# region; $1 moment, $2 prefix, $3..$4 period, $5 group length.
_FACTS = (
    "SELECT f.day, f.known_at, left(i.region_code, $5) FROM ("
    " SELECT institution_id, decided_on AS day, known_at FROM rp_penalties"
    " UNION ALL SELECT institution_id, recorded_on, known_at FROM rp_qc_results"
    " UNION ALL SELECT institution_id, filed_on, known_at FROM rp_filings) f"
    f" JOIN rp_institutions i ON i.institution_id = f.institution_id AND {as_of_clause('i', 1)}"
    " WHERE f.known_at < $1 AND i.region_code LIKE $2 AND f.day BETWEEN $3 AND $4"
)


def recorded_after(day: date, known_at: datetime, calendar: WorkCalendar = CALENDAR) -> int:
    """Working days from the day a fact happened to the day the system recorded it."""
    return calendar.working_days_between(day, china_date(known_at)).days


async def late_by_group(
    conn: Conn, m: Moment, prefix: str, start: date, end: date, length: int
) -> dict[str, tuple[int, int]]:
    """Per region group: (late entries, the largest lag in working days)."""
    found: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    for day, known_at, group in await conn.fetch(_FACTS, m.at, prefix, start, end, length):
        lag = recorded_after(day, known_at)
        late, worst = found[group]
        found[group] = (late + (lag > LATE_WORKING_DAYS), max(worst, lag))
    return dict(found)
