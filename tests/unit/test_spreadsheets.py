"""Issue 18.3: the one neutralising function, on every text position of a form (title,
preamble, header labels, rows, notes), in CSV and XLSX; numbers stay numbers."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ohts_kit.spreadsheets import FORMULA_STARTS, neutralise
from services.reporting.adapters.exports import to_csv, to_xlsx
from services.reporting.domain.forms import Form, H


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_each_formula_start_is_quoted(start: str) -> None:
    assert neutralise(f"{start}1+1") == f"'{start}1+1"


def test_plain_and_chinese_text_is_unchanged() -> None:
    for text in ("杭州甲检测有限公司", "1+1", "a=b", "", "'=already"):
        assert neutralise(text) == text


def _hostile_form() -> Form:
    return Form(
        code="test",
        title="=title()",
        jurisdiction="330100",
        period_from=date(2026, 1, 1),
        period_to=date(2026, 6, 30),
        as_of=None,
        columns=[H("@header", "+child", "名称"), H("金额")],
        rows=[['=HYPERLINK("http://evil.example")', "-1+2", "甲", Decimal("-1.5")]],
        preamble=["-preamble"],
        notes=["\tnote"],
    )


def test_csv_and_xlsx_neutralise_every_text_position_and_keep_numbers() -> None:
    form = _hostile_form()
    fields = [f for line in csv.reader(io.StringIO(to_csv(form).lstrip("\ufeff"))) for f in line]
    assert [f for f in fields if f.startswith(FORMULA_STARTS)] == ["-1.5"]  # the number
    assert {"'=title()", "'-preamble", "'@header", "'+child", "'-1+2", "'\tnote"} <= set(fields)
    sheet = load_workbook(io.BytesIO(to_xlsx(form))).active
    assert sheet is not None
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert not [t for t in texts if t.startswith(FORMULA_STARTS)]
    assert '\'=HYPERLINK("http://evil.example")' in texts
    assert -1.5 in [c.value for c in cells]
