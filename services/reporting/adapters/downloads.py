"""Public lists as downloads: CSV and XLSX with Chinese headers in the standard's field order,
written row by row as the rows arrive, so a national list never sits in memory whole.

Every value goes through `cell()`: the one place where a value becomes spreadsheet text
(where spreadsheet-formula neutralisation applies to all downloads at once).
"""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from services.reporting.adapters import exports
from services.reporting.application import public as P
from services.reporting.domain import disclosure as D

CHUNK = 64 * 1024
FIELDS = {
    "institutions": D.INSTITUTION_FIELDS,
    "penalties": D.PENALTY_FIELDS,
    "qc-list": D.LISTED_FIELDS,
    "revoked": D.LISTED_FIELDS,
}
TITLES = {
    "institutions": "职业卫生／放射卫生技术服务机构名录",
    "penalties": "行政处罚信息（双公示）",
    "qc-list": "年度质控不合格且未整改机构名单",
    "revoked": "被吊销资质证书名单",
}


def cell(value: Any) -> Any:
    """A value as written into a download cell: text, a number, or a date."""
    neutralise = getattr(exports, "neutralise", None)  # issue 18's formula guard, if present
    if value is None:
        return ""
    if isinstance(value, list):
        value = "；".join(str(v) for v in value)
    if isinstance(value, str) and neutralise is not None:
        return neutralise(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def values(name: str, item: Any) -> list[Any]:
    """A public model as the row of its list, in the header's order."""
    if name == "institutions":
        return [cell(v) for v in _institution(item)]
    return [cell(getattr(item, attr)) for attr, _ in FIELDS[name]]


def _institution(i: P.PublicInstitution) -> list[Any]:
    certificates = [
        f"{q.certificate_number}（{q.kind_label}，{q.status_label}，{q.valid_from}至{q.valid_until}）"
        for q in i.qualifications
    ]
    scopes = sorted({s for q in i.qualifications for s in q.scope_names})
    row = {**i.model_dump(), "certificates": certificates, "scope_names": scopes}
    return [row[attr] for attr, _ in D.INSTITUTION_FIELDS]


def headers(name: str) -> list[str]:
    return [header for _, header in FIELDS[name]]


async def csv_rows(name: str, items: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    """UTF-8 with a BOM (spreadsheet programs then read the Chinese), one line per row."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers(name))
    yield ("\ufeff" + out.getvalue()).encode()
    async for item in items:
        out.seek(0)
        out.truncate()
        writer.writerow([_text(v) for v in values(name, item)])
        yield out.getvalue().encode()


async def xlsx_file(name: str, items: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    """An XLSX written in openpyxl's write-only mode (rows go to a temporary file as they
    come), then sent in chunks."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=name)
    for c in range(1, len(FIELDS[name]) + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 18
    bold = Font(bold=True)
    header_cells = []
    for header in headers(name):
        h = WriteOnlyCell(sheet, value=header)
        h.font = bold
        header_cells.append(h)
    sheet.append(header_cells)
    async for item in items:
        sheet.append(_xlsx_row(values(name, item)))
    with tempfile.TemporaryFile() as buffer:
        await asyncio.to_thread(book.save, buffer)
        buffer.seek(0)
        while chunk := buffer.read(CHUNK):
            yield chunk


def _xlsx_row(row: Sequence[Any]) -> list[Any]:
    return [float(v) if isinstance(v, Decimal) else v for v in row]
