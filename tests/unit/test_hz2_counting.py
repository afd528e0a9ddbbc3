"""Issue 16 point 8: 附表2 counted by rule: the controlled violation vocabulary mapped to the
form's columns, and 万元 as numbers with a fixed XLSX format and exact decimals elsewhere."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from services.enforcement.domain.law import statutory_table
from services.reporting.adapters.exports import to_csv, to_json, to_xlsx
from services.reporting.application.forms import (
    HZ2_COLUMN_ORDER,
    HZ2_NOTES,
    _sum,
    hz2_mapping,
)
from services.reporting.domain.forms import WAN_FORMAT, Form, H, WanYuan, wan_yuan


def test_every_statutory_violation_has_one_column_of_the_form() -> None:
    mapping = hz2_mapping()
    assert set(mapping) == set(statutory_table())  # the same controlled vocabulary
    for row, column in mapping.values():
        assert row in {"institution", "person"}
        assert column in HZ2_COLUMN_ORDER
    assert mapping["prohibited-practice"] == ("person", "ban")
    assert mapping["staff-signing"] == ("person", "work")
    assert mapping["certificate-misuse"] == ("institution", "certificate")


def test_the_attribution_rules_are_printed_under_the_form() -> None:
    notes = "".join(HZ2_NOTES)
    for rule in ("职业卫生技术服务机构", "注册地", "作出决定的执法机关", "未在本省备案", "撤销"):
        assert rule in notes


def _form() -> Form:
    return Form(
        "hangzhou-2",
        "表",
        "330100",
        date(2022, 1, 1),
        date(2022, 12, 31),
        None,
        [H("数"), H("罚款（万元）")],
        rows=[[3, wan_yuan(Decimal("12345.67"))], [1, wan_yuan(Decimal(40000))]],
    )


def test_amounts_in_wan_yuan_are_exact_in_csv_and_json() -> None:
    assert wan_yuan(Decimal("12345.67")) == Decimal("1.234567").quantize(Decimal("0.0001"))
    total = _sum((wan_yuan(Decimal("12345")), wan_yuan(Decimal("5")), "——"))
    assert isinstance(total, WanYuan) and format(total, "f") == "1.2350"
    rows = to_json(_form())["rows"]
    assert [r["罚款（万元）"] for r in rows] == ["1.2346", "4.0000"]
    body = list(csv.reader(io.StringIO(to_csv(_form()).lstrip("\ufeff"))))
    data = [r for r in body if len(r) == 2 and r[0].isdigit()]  # sign-off lines follow
    assert data == [["3", "1.2346"], ["1", "4.0000"]]


def test_amounts_in_wan_yuan_are_numbers_with_a_fixed_format_in_xlsx() -> None:
    sheet = load_workbook(io.BytesIO(to_xlsx(_form()))).active
    assert sheet is not None
    rows = [
        r
        for r in range(1, sheet.max_row + 1)
        if isinstance(sheet.cell(row=r, column=2).value, int | float)
    ]
    cells = [sheet.cell(row=r, column=2) for r in rows]
    assert [c.value for c in cells] == [1.2346, 4]
    assert all(c.number_format == WAN_FORMAT == "0.0000" for c in cells)
    assert sheet.cell(row=rows[0], column=1).number_format == "General"
