"""Chinese working days (工作日): official holidays and make-up workdays (调休).

Years the `chinese-calendar` package knows are exact. For a later year an operator may load
that year's State Council holiday notice as data (a CSV in the notices folder:
`date,kind,note` with kind `holiday` or `workday`); without one the year falls back to
Monday–Friday and every figure computed from it is marked provisional.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import chinese_calendar

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")  # no daylight saving since 1991
DEFAULT_NOTICES = Path(__file__).parent / "data" / "holiday_notices"


def china_date(moment: datetime) -> date:
    """The calendar date in China of an aware instant."""
    return moment.astimezone(CHINA).date()


def china_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA).astimezone(UTC)


@dataclass(frozen=True)
class Count:
    days: int
    provisional: bool


class WorkCalendar:
    def __init__(self, notices_dir: Path | None = None) -> None:
        self.notices = _load_notices(notices_dir or DEFAULT_NOTICES)
        self._known_years = {d.year for d in self.notices}
        # Deadlines count day by day on every command that sets one: remember each answer.
        self._answers: dict[date, tuple[bool, bool]] = {}

    def is_workday(self, day: date) -> tuple[bool, bool]:
        """(is it a working day, is the answer provisional)."""
        answer = self._answers.get(day)
        if answer is None:
            answer = self._answers[day] = self._look_up(day)
        return answer

    def _look_up(self, day: date) -> tuple[bool, bool]:
        if day in self.notices:
            return self.notices[day], False
        try:
            return bool(chinese_calendar.is_workday(day)), False
        except NotImplementedError:
            return day.weekday() < 5, day.year not in self._known_years

    def working_days_between(self, start: date, end: date) -> Count:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        days, provisional, day = 0, False, start
        while day < end:
            day += timedelta(days=1)
            work, guess = self.is_workday(day)
            days += work
            provisional |= guess
        return Count(days, provisional)

    def add_working_days(self, start: date, n: int) -> tuple[date, bool]:
        """The date `n` working days after `start` (a deadline), and whether it is provisional."""
        day, left, provisional = start, n, False
        while left > 0:
            day += timedelta(days=1)
            work, guess = self.is_workday(day)
            provisional |= guess
            left -= work
        return day, provisional


@cache
def _load_notices(folder: Path) -> dict[date, bool]:
    table: dict[date, bool] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                kind = row["kind"].strip()
                if kind not in ("holiday", "workday"):
                    raise ValueError(f"{path}: kind must be holiday or workday, got {kind!r}")
                table[date.fromisoformat(row["date"].strip())] = kind == "workday"
    return table
