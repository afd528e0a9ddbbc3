"""Issue 18.6: strict numbers on every command; dates bounded per field family."""

from __future__ import annotations

import importlib
import inspect
from datetime import date
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from ohts_kit.plausible import CERTIFICATE, DEADLINE, HAPPENED, StrictCommand, _numeric
from services.enforcement.domain.commands import CompleteInspection
from services.qc.domain.commands import Command as QcCommand
from services.registry.domain.commands import (
    FileReportCard,
    GrantQualification,
    LaunchSelfInspection,
    RegisterStaff,
)


def _commands() -> list[type[BaseModel]]:
    found = []
    for service in ("registry", "qc", "enforcement"):
        module = importlib.import_module(f"services.{service}.domain.commands")
        found += [
            c
            for _, c in inspect.getmembers(module, inspect.isclass)
            if issubclass(c, StrictCommand) and c.__module__ == module.__name__
        ]
    return found


def test_every_command_refuses_a_boolean_for_every_number_field() -> None:
    checked = 0
    for command in _commands():
        for name, field in command.model_fields.items():
            if not _numeric(field.annotation):
                continue
            for flag in (True, False):
                with pytest.raises(ValidationError) as refused:
                    command.model_validate({name: flag})
                errors = [e for e in refused.value.errors() if e["loc"] == (name,)]
                assert errors and errors[0]["type"] == "strict_number", (command, name)
                checked += 1
    assert checked >= 20  # every count, year and amount of the three services
    assert issubclass(QcCommand, StrictCommand)


def _staff(**changes: Any) -> dict[str, Any]:
    return {
        "institution_id": "i",
        "name": "张三",
        "id_number": "x",
        "title": "senior",
        "specialty": "职业卫生",
        "years_of_experience": 3,
        **changes,
    }


def _error(model: type[BaseModel], body: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(ValidationError) as refused:
        model.model_validate(body)
    first: dict[str, Any] = refused.value.errors()[0]
    return first


def test_years_of_experience_true_is_not_a_number() -> None:
    assert _error(RegisterStaff, _staff(years_of_experience=True))["type"] == "strict_number"
    assert RegisterStaff.model_validate(_staff()).years_of_experience == 3


CASES = [
    # (model, body, field, refused values, accepted value)
    (
        GrantQualification,
        {"certificate_number": "(浙)卫职技字(2026)第1号"},
        "valid_from",
        ["0001-01-01", "1989-12-31", f"{date.today().year + 2}-01-01"],
        "2026-01-01",
    ),
    (
        GrantQualification,
        {"certificate_number": "(浙)卫职技字(2026)第1号", "valid_from": "2026-01-01"},
        "valid_until",
        ["1900-01-01", f"{date.today().year + 11}-01-01"],
        "2030-12-31",
    ),
    (
        FileReportCard,
        {
            "institution_id": "i",
            "report_number": "R-1",
            "service_kind": "detection",
            "client_name": "某公司",
            "client_uscc": "9" * 18,
            "client_region_code": "330106",
        },
        "completion_date",
        ["0001-06-01", "1900-06-01", "9999-12-31"],
        "2026-02-20",
    ),
    (RegisterStaff, _staff(), "registered_on", ["9999-12-31", "1900-01-01"], "2026-02-01"),
    (
        LaunchSelfInspection,
        {
            "title": "自查",
            "region_code": "330100",
            "period_from": "2026-01-01",
            "period_to": "2026-06-30",
        },
        "deadline",
        ["9999-01-01", f"{date.today().year + 6}-01-01", "1980-01-01"],
        "2026-09-30",
    ),
    (
        CompleteInspection,
        {"result": "compliant"},
        "ended_on",
        ["0001-01-01", "9999-12-31"],
        "2026-05-01",
    ),
]


@pytest.mark.parametrize(("model", "body", "field", "refused", "accepted"), CASES)
def test_dates_outside_their_family_bounds_are_refused_naming_the_field(
    model: type[BaseModel], body: dict[str, Any], field: str, refused: list[str], accepted: str
) -> None:
    for value in refused:
        error = _error(model, {**body, field: value})
        assert (error["loc"], error["type"]) == ((field,), "date_range"), value
    assert str(getattr(model.model_validate({**body, field: accepted}), field)) == accepted


def test_family_bounds_are_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    today = date(2026, 6, 1)
    assert CERTIFICATE.bounds(today) == (date(1990, 1, 1), date(2027, 12, 31))
    assert DEADLINE.bounds(today)[1] == date(2031, 12, 31)
    monkeypatch.setenv("OHTS_PLAUSIBLE_EARLIEST_HAPPENED", "2000-01-01")
    monkeypatch.setenv("OHTS_PLAUSIBLE_YEARS_AHEAD_HAPPENED", "0")
    assert HAPPENED.bounds(today) == (date(2000, 1, 1), date(2026, 12, 31))
    error = _error(CompleteInspection, {"result": "compliant", "ended_on": "1999-05-01"})
    assert error["type"] == "date_range"
