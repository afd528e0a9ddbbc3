"""Spreadsheet-safe text (issue 18.3): the one function every CSV and XLSX export passes
its text cells through.

As OWASP's CSV injection guidance recommends, a text cell a spreadsheet program could read
as a formula or a DDE command (starting with `=`, `+`, `-`, `@`, tab or carriage return) is
prefixed with a single quote, so it is shown as the text it is. Numbers are not text and
pass unchanged (a negative amount stays a number).
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_cell(value: Any) -> Any:
    """A cell value as written: text neutralised, anything else unchanged."""
    return neutralise(value) if isinstance(value, str) else value
