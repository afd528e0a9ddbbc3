"""Statistical forms (P4) as data: a header tree as in the seed, rows of cells, notes.

The grid of header rows and its merged cells are derived from the tree, so JSON, CSV and
XLSX show the same headers the seed prints, merged where the seed merges them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from services.reporting.domain.form_extras import SignOff

Cell = str | int | Decimal | date | None
DASH = "——"  # the seed's mark for a cell that does not apply


@dataclass(frozen=True)
class Header:
    label: str
    children: tuple[Header, ...] = ()

    def leaves(self) -> list[Header]:
        if not self.children:
            return [self]
        return [leaf for child in self.children for leaf in child.leaves()]

    def depth(self) -> int:
        return 1 + max((c.depth() for c in self.children), default=0)


def H(label: str, *children: Header | str) -> Header:
    return Header(label, tuple(c if isinstance(c, Header) else Header(c) for c in children))


@dataclass(frozen=True)
class Merge:
    first_row: int
    first_col: int
    last_row: int
    last_col: int


def header_grid(columns: list[Header]) -> tuple[list[list[str]], list[Merge]]:
    """Rows of header labels (blank where a merged cell continues) and the merges."""
    depth = max(c.depth() for c in columns)
    width = sum(len(c.leaves()) for c in columns)
    grid = [[""] * width for _ in range(depth)]
    merges: list[Merge] = []

    def place(h: Header, row: int, col: int) -> None:
        span = len(h.leaves())
        grid[row][col] = h.label
        last_row = row if h.children else depth - 1
        if span > 1 or last_row > row:
            merges.append(Merge(row, col, last_row, col + span - 1))
        for child in h.children:
            place(child, row + 1, col)
            col += len(child.leaves())

    col = 0
    for h in columns:
        place(h, 0, col)
        col += len(h.leaves())
    return grid, merges


@dataclass
class Form:
    code: str  # e.g. hangzhou-2
    title: str
    jurisdiction: str
    period_from: date
    period_to: date
    as_of: date | None
    columns: list[Header]
    rows: list[list[Cell]] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)  # 填报单位... lines above the table
    notes: list[str] = field(default_factory=list)
    signoff: SignOff = field(default_factory=SignOff)  # 填表人, 联系电话, 填表时间

    def leaf_labels(self) -> list[str]:
        """Each column's full header path, e.g. 行政处罚情况/罚款（万元）."""
        paths: list[str] = []

        def walk(h: Header, prefix: str) -> None:
            path = f"{prefix}/{h.label}" if prefix else h.label
            if not h.children:
                paths.append(path)
            for c in h.children:
                walk(c, path)

        for h in self.columns:
            walk(h, "")
        return paths


class WanYuan(Decimal):
    """An amount in 万元: exports print it with four decimals (exact to the yuan) and XLSX
    gives it a fixed number format."""

    __slots__ = ()

    def __new__(cls, value: Decimal | int | str = 0) -> WanYuan:
        return super().__new__(cls, Decimal(value).quantize(WAN_PLACES))


WAN_PLACES = Decimal("0.0001")
WAN_FORMAT = "0.0000"  # the XLSX number format of 万元 cells


def wan_yuan(yuan: Decimal | None) -> WanYuan:
    """Amounts in 万元 as the seed's 附表2 asks, exact to the yuan."""
    return WanYuan((yuan or Decimal(0)) / Decimal(10_000))
