"""The health authority of a region at its own level (issue 16 point 9), as data.

Province and city: 卫生健康委员会; district/county: 卫生健康局 (a district with its city's
name). A province overrides its rows (e.g. where this supervision moved to a disease-control
administration) by adding rows with its region prefix: the longest matching prefix wins, then
a row with a matching name suffix over one without. Used by the registry (the issuing
authority of a certificate) and by enforcement (the deciding authority of a penalty).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ohts_kit import regions

TABLE = Path(__file__).parent / "data" / "authority_names.csv"


@dataclass(frozen=True)
class NameRule:
    region_prefix: str
    level: str  # province | prefecture | county
    name_suffix: str
    pattern: str  # {name}: the region's name, {parent}: the region above it
    source: str


@cache
def rules(path: Path = TABLE) -> tuple[NameRule, ...]:
    with path.open(encoding="utf-8") as f:
        return tuple(NameRule(**row) for row in csv.DictReader(f))


def _rule(code: str, level: str, name: str, table: tuple[NameRule, ...]) -> NameRule:
    fits = [
        r
        for r in table
        if r.level == level and code.startswith(r.region_prefix) and name.endswith(r.name_suffix)
    ]
    if not fits:
        raise LookupError(f"no authority name rule for region {code} ({level})")
    return max(fits, key=lambda r: (len(r.region_prefix), len(r.name_suffix)))


def authority_name(region_code: str, path: Path = TABLE) -> str:
    """E.g. 330000 -> 浙江省卫生健康委员会, 330100 -> 杭州市卫生健康委员会,
    330106 -> 杭州市西湖区卫生健康局, 330182 -> 建德市卫生健康局."""
    region = regions.lookup(region_code)
    if region is None:  # not a listed code: the province's authority decides
        region = regions.lookup(regions.province_of(region_code))
        if region is None:
            return f"{region_code}卫生健康委员会"
    parent = regions.parent_of(region.code)
    rule = _rule(region.code, region.level, region.name, rules(path))
    return rule.pattern.format(name=region.name, parent=regions.name_of(parent) if parent else "")
