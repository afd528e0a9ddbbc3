"""The moment a query is about (P6): now, or the end of a past day in China time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ohts_kit.clock import Clock
from ohts_kit.errors import InvalidCommand
from ohts_kit.workdays import china_date, china_midnight


@dataclass(frozen=True)
class Moment:
    at: datetime  # rows known before this instant count
    day: date  # the calendar day for date rules (validity, publicity periods)
    as_of: date | None  # None: live


def moment(clock: Clock, as_of: date | None) -> Moment:
    now = clock.now()
    if as_of is None:
        return Moment(now + timedelta(microseconds=1), china_date(now), None)
    if as_of > china_date(now):
        raise InvalidCommand.of("as_of", "not in the future", f"{as_of} is after today")
    return Moment(china_midnight(as_of + timedelta(days=1)), as_of, as_of)
