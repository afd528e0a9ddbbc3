"""Plausible values on commands (issue 18.6): strict numbers and dates within the bounds
of their field family.

`StrictCommand` is the base of every service's commands: JSON `true`/`false` is never
taken as a number (pydantic's lax mode reads `true` as 1). The date types bound a field
by its family, relative to today (the process's date: a type cannot see the service
clock; the domain adds the checks that need it, such as "not before the institution's
first qualification"). Each family's bounds are configurable through the environment:
`OHTS_PLAUSIBLE_EARLIEST_<FAMILY>` (a date) and `OHTS_PLAUSIBLE_YEARS_AHEAD_<FAMILY>`.
"""

from __future__ import annotations

import os
import types
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError


@dataclass(frozen=True)
class Family:
    name: str
    earliest: date
    years_ahead: int  # the latest allowed date is 31 December of this year plus these
    meaning: str

    def bounds(self, today: date | None = None) -> tuple[date, date]:
        env = self.name.upper()
        earliest = os.environ.get(f"OHTS_PLAUSIBLE_EARLIEST_{env}")
        ahead = os.environ.get(f"OHTS_PLAUSIBLE_YEARS_AHEAD_{env}")
        first = date.fromisoformat(earliest) if earliest else self.earliest
        year = (today or date.today()).year + (int(ahead) if ahead else self.years_ahead)
        return first, date(year, 12, 31)


# A certificate is valid from 1990 at the earliest and no later than next year; an event
# that happened (a project completed, a person registered or assessed, an inspection
# ended) lies in the past; a deadline or a due date lies within the next five years.
CERTIFICATE = Family("certificate", date(1990, 1, 1), 1, "证书有效期起始日")
VALIDITY_END = Family("validity_end", date(1990, 1, 1), 10, "证书有效期截止日")
HAPPENED = Family("happened", date(1990, 1, 1), 1, "已发生事项的日期")
ASSESSMENT = Family("assessment", date(1970, 1, 1), 1, "培训考核日期")
PERIOD = Family("period", date(1990, 1, 1), 1, "统计或自查期间")
DEADLINE = Family("deadline", date(1990, 1, 1), 5, "期限")


def _within(family: Family) -> Any:
    def check(value: date) -> date:
        first, last = family.bounds()
        if not first <= value <= last:
            raise PydanticCustomError(
                "date_range",
                "{meaning}须在 {first} 至 {last} 之间",
                {"meaning": family.meaning, "first": str(first), "last": str(last)},
            )
        return value

    return AfterValidator(check)


CertificateDate = Annotated[date, _within(CERTIFICATE)]
ValidityEndDate = Annotated[date, _within(VALIDITY_END)]
HappenedDate = Annotated[date, _within(HAPPENED)]
AssessmentDate = Annotated[date, _within(ASSESSMENT)]
PeriodDate = Annotated[date, _within(PERIOD)]
DeadlineDate = Annotated[date, _within(DEADLINE)]


def _numeric(annotation: Any) -> bool:
    """True when a field takes a number (int, float, Decimal, optionally None), not bool."""
    if annotation in (int, float, Decimal):
        return True
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _numeric(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(args) and all(_numeric(a) for a in args)
    return False


class StrictCommand(BaseModel):
    """No boolean as a number: `years_of_experience: true` was stored as 1."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_as_number(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and _numeric(field.annotation):
                raise PydanticCustomError("strict_number", "须为数字，不接受 true/false")
        return value
