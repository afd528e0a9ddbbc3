"""What a person types, resolved to codes: business scopes by name or code, regions by name
(杭州, 西湖区) or GB/T 2260 code; and the names shown instead of the codes."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

from ohts_kit import regions
from ohts_kit.regions import Region

MAX_REGIONS = 20  # a name shared by more regions than this is too vague to filter by
_SUFFIXES = ("", "市", "省", "区", "县", "自治区", "自治州", "自治县", "特别行政区")


@cache
def scope_names() -> dict[str, str]:
    """The published business-scope catalogue (the registry's /scope-codes list), a data file
    shipped with the code: reading it is not reading the registry's tables."""
    text = (resources.files("services.registry") / "data" / "scope_codes.csv").read_text("utf-8")
    return {row["code"]: row["name"] for row in csv.DictReader(text.splitlines())}


def scope_name(code: str) -> str:
    return scope_names().get(code, code)


def scopes_matching(text: str) -> list[str]:
    """A code (any case), or every scope whose name contains the text."""
    wanted = text.strip()
    names = scope_names()
    for code in names:
        if code.lower() == wanted.lower():
            return [code]
    return [code for code, name in names.items() if wanted and wanted in name]


@cache
def _all_regions() -> tuple[Region, ...]:
    return tuple(
        r for level in ("province", "prefecture", "county") for r in regions.of_level(level)
    )


def regions_named(text: str) -> list[Region]:
    """Regions whose name is the text, or the text with a usual suffix (杭州 → 杭州市); failing
    that, whose name starts with it. Several counties may share a name (西湖区): all match."""
    wanted = text.strip()
    if not wanted:
        return []
    exact = {wanted + s for s in _SUFFIXES}
    found = [r for r in _all_regions() if r.name in exact]
    if not found:
        found = [r for r in _all_regions() if r.name.startswith(wanted)]
    return found[:MAX_REGIONS]


def region_label(code: str) -> str:
    """Province, prefecture and county names: 浙江省杭州市西湖区."""
    names: list[str] = []
    current: str | None = code
    while current:
        names.append(regions.name_of(current))
        current = regions.parent_of(current)
    return "".join(reversed(names))
