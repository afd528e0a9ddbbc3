"""F1: a fact carries the date it happened in the world, given by the person entering it; the
system's own recording time stays in the envelope. Validation shared by registry and qc
(enforcement has the same rule in its domain: services/enforcement/domain/dates.py)."""

from __future__ import annotations

from datetime import date, datetime

from ohts_kit.errors import InvalidCommand, Violation
from ohts_kit.workdays import china_date, china_midnight

EARLIEST = date(2019, 1, 1)  # the oldest publicity rules the system knows (527号, 2019)


def world_date(
    field: str, given: date | None, today: date, earliest: date, *after: tuple[str, date | None]
) -> date:
    """The fact's date (None: today): not in the future (Asia/Shanghai), not before the
    earliest date accepted, not before the facts it depends on (`after`: name, date);
    otherwise 422 naming the field."""
    day = given or today
    problems = []
    if day > today:
        problems.append(
            Violation(field, "F1 not in the future", f"{day} 晚于今天（北京时间 {today}）")
        )
    if day < earliest:
        problems.append(
            Violation(field, "F1 earliest date", f"{day} 早于系统可录入的最早日期 {earliest}")
        )
    for name, before in after:
        if before is not None and day < before:
            problems.append(
                Violation(field, f"F1 not before {name}", f"{day} 早于{name}（{before}）")
            )
    if problems:
        raise InvalidCommand(*problems)
    return day


def world_instant(day: date, now: datetime) -> datetime:
    """The instant a fact dated `day` is recorded at: now when it happened today, else the
    start of that day in China (the system's own time stays in the envelope)."""
    return now if day == china_date(now) else china_midnight(day)
