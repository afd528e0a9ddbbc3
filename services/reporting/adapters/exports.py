"""A form as JSON, CSV (header rows as printed) or XLSX (merged header cells, as the seed)."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from ohts_kit.spreadsheets import safe_cell
from services.reporting.domain.forms import WAN_FORMAT, Cell, Form, WanYuan, header_grid


def _plain(value: Cell) -> Any:
    if isinstance(value, WanYuan):  # exact, with the form's four decimals
        return format(value, "f")
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_json(form: Form) -> dict[str, Any]:
    labels = form.leaf_labels()
    return {
        "form": form.code,
        "title": form.title,
        "jurisdiction": form.jurisdiction,
        "period_from": form.period_from.isoformat(),
        "period_to": form.period_to.isoformat(),
        "as_of": form.as_of.isoformat() if form.as_of else None,
        "columns": labels,
        "rows": [dict(zip(labels, map(_plain, row), strict=True)) for row in form.rows],
        "notes": form.notes,
        "filled_by": form.signoff.filled_by,
        "phone": form.signoff.phone,
        "filled_on": form.signoff.filled_on.isoformat() if form.signoff.filled_on else None,
    }


def to_csv(form: Form) -> str:
    """Every text cell through `safe_cell` (formula neutralisation); numbers as numbers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(form.title)])
    for line in [*form.preamble, form.signoff.header()]:
        writer.writerow([safe_cell(line)])
    grid, _ = header_grid(form.columns)
    writer.writerows([[safe_cell(label) for label in labels] for labels in grid])
    writer.writerows([[_csv(c) for c in row] for row in form.rows])
    for note in [form.signoff.footer(), *form.notes]:
        writer.writerow([safe_cell(note)])
    return "\ufeff" + out.getvalue()  # a BOM so spreadsheet programs read UTF-8 Chinese


def to_xlsx(form: Form) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = form.code
    grid, merges = header_grid(form.columns)
    width = len(grid[0])
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    sheet.cell(row=1, column=1, value=safe_cell(form.title)).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).alignment = center
    top = 2
    for line in [*form.preamble, form.signoff.header()]:
        sheet.cell(row=top, column=1, value=safe_cell(line))
        sheet.merge_cells(start_row=top, start_column=1, end_row=top, end_column=width)
        top += 1
    for r, labels in enumerate(grid):
        for c, label in enumerate(labels):
            cell = sheet.cell(row=top + r, column=c + 1, value=safe_cell(label) or None)
            cell.alignment, cell.border, cell.font = center, box, Font(bold=True)
    for m in merges:
        sheet.merge_cells(
            start_row=top + m.first_row,
            start_column=m.first_col + 1,
            end_row=top + m.last_row,
            end_column=m.last_col + 1,
        )
    first_data = top + len(grid)
    for r, row in enumerate(form.rows):
        for c, value in enumerate(row):
            cell = sheet.cell(row=first_data + r, column=c + 1, value=_xlsx(value))
            cell.border, cell.alignment = box, Alignment(wrap_text=True, vertical="center")
            if isinstance(value, WanYuan):
                cell.number_format = WAN_FORMAT
    last = first_data + len(form.rows)
    for n, note in enumerate([form.signoff.footer(), *form.notes]):
        sheet.cell(row=last + n, column=1, value=safe_cell(note))
        sheet.merge_cells(start_row=last + n, start_column=1, end_row=last + n, end_column=width)
    for c in range(1, width + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _csv(value: Cell) -> Any:
    return "" if value is None else safe_cell(value) if isinstance(value, str) else _plain(value)


def _xlsx(value: Cell) -> Any:
    return float(value) if isinstance(value, Decimal) else safe_cell(value)


# Yunnan 附表2 as the seed prints it: one registration card per institution. Each line of
# the card is (label, column of the list form, or None for a field the list has not).
CardLine = list[tuple[str, str | None]]
CARDS: dict[str, list[CardLine]] = {
    "yunnan-2": [
        [("机构名称", "机构名称")],
        [("注册地址", "注册地址")],
        [("法人代表", "法人代表"), ("单位性质", "单位性质")],
        [("联 系 人", "联系人"), ("职务", None), ("联系电话", "联系电话")],
        [("电子邮箱", None)],
        [("资质证书/批准机构", "资质证书/批准机构")],
        [("资质证书/证书编号", "资质证书/证书编号")],
        [("资质证书/有 效 期", "资质证书/有效期")],
        [("业务范围", "业务范围")],
        [("承办人", None), ("联系电话", None)],
        [("承办单位意见（盖章）", "承办单位")],
    ]
}


def to_xlsx_cards(form: Form, card: list[CardLine]) -> bytes:
    """One sheet per row of the list form, laid out as the seed's card: label, value pairs
    on the card's lines, then the header fields and the seed's notes."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    labels = form.leaf_labels()
    for n, row in enumerate(form.rows, start=1):
        values = dict(zip(labels, row, strict=True))
        sheet = book.create_sheet(_sheet_name(n, values.get("机构名称")))
        sheet.cell(row=1, column=1, value=safe_cell(form.title)).font = Font(bold=True, size=14)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
        for r, line in enumerate(card, start=2):
            for k, (label, column) in enumerate(line):
                value = _plain(values[column]) if column is not None else None
                sheet.cell(row=r, column=1 + 2 * k, value=label).font = Font(bold=True)
                sheet.cell(row=r, column=2 + 2 * k, value=safe_cell(value))
        last = 2 + len(card)
        for k, note in enumerate([form.signoff.footer(), form.signoff.header(), *form.notes]):
            sheet.cell(row=last + k, column=1, value=safe_cell(note))
        for c in range(1, 7):
            sheet.column_dimensions[get_column_letter(c)].width = 20
    if not form.rows:
        book.create_sheet("无登记")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(n: int, name: Cell) -> str:
    """A sheet per institution, named by its number and name (Excel: 31 characters, none
    of []:*?/\\)."""
    clean = "".join(ch for ch in str(name or "") if ch not in "[]:*?/\\")
    return f"{n}-{clean}"[:31]
