"""The progress helper off a terminal, and the legacy import's chunking."""

from __future__ import annotations

import csv
import io
import re

from ohts.cli import IMPORT_CHUNK_ROWS, _csv_records, _csv_text
from ohts.progress import PlainLines, progress


def test_plain_lines_say_count_total_rate_and_time_left() -> None:
    out = io.StringIO()
    with progress("restore", 40, "tables", out=out) as bar:
        assert isinstance(bar, PlainLines)
        bar.every = 0.0  # a line on every advance
        for _ in range(10):
            bar.advance(2)
    lines = out.getvalue().splitlines()
    assert len(lines) == 11  # ten periodic lines and the final one
    first = re.fullmatch(r"restore: 2/40 tables \(5%\), (\d+)/s, (\d+) s left, \d+ s", lines[0])
    assert first, lines[0]
    assert lines[-1].startswith("restore: 20/40 tables (50%), ")


def test_plain_lines_without_a_total_count_and_rate() -> None:
    out = io.StringIO()
    with progress("rebuild", None, "events", out=out) as bar:
        bar.advance(7)
        bar.set_total(None)
    assert re.fullmatch(r"rebuild: 7 events, \d+/s, \d+ s\n", out.getvalue()), out.getvalue()


def test_import_chunks_keep_every_record_and_quoted_newlines() -> None:
    rows = [[f"机构{n}", "地址\n第二行" if n % 7 == 0 else "杭州", str(n)] for n in range(450)]
    text = _csv_text(["name", "address", "serial"], rows)
    header, records = _csv_records(text)
    assert header == ["name", "address", "serial"] and records == rows
    chunks = [
        list(csv.reader(io.StringIO(_csv_text(header, records[i : i + IMPORT_CHUNK_ROWS]))))
        for i in range(0, len(records), IMPORT_CHUNK_ROWS)
    ]
    assert [len(c) - 1 for c in chunks] == [200, 200, 50]
    assert [r for c in chunks for r in c[1:]] == rows and all(c[0] == header for c in chunks)
