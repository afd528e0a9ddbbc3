"""F1: a fact carries the date it happened in the world, entered by the person; the
system's own recording time stays in the envelope. Validated here, purely."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ohts_kit.errors import InvalidCommand, Violation

# The earliest world date accepted unless the service is configured otherwise: the oldest
# publicity rules the system knows start in 2019 (发改办财金〔2019〕527号).
EARLIEST = date(2019, 1, 1)


@dataclass(frozen=True)
class When:
    """The date a person gave (None: today), today in Asia/Shanghai, and the earliest date
    the service accepts."""

    given: date | None
    today: date
    earliest: date = EARLIEST


def world_date(field: str, when: When, *after: tuple[str, date | None]) -> date:
    """The fact's date: not in the future, not before the earliest date, not before the
    facts it depends on (`after`: their names and dates); 422 naming the field."""
    day = when.given or when.today
    problems = []
    if day > when.today:
        problems.append(
            Violation(field, "F1 not in the future", f"{day} 晚于今天（北京时间 {when.today}）")
        )
    if day < when.earliest:
        problems.append(
            Violation(field, "F1 earliest date", f"{day} 早于系统可录入的最早日期 {when.earliest}")
        )
    for name, before in after:
        if before is not None and day < before:
            problems.append(
                Violation(field, f"F1 not before {name}", f"{day} 早于{name}（{before}）")
            )
    if problems:
        raise InvalidCommand(*problems)
    return day
