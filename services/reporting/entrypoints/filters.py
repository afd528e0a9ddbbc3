"""Query parameters of the public side, and what they resolve to: a region by code or name,
or picked by province/city/district; a scope by code or name; a sort; a page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

from ohts_kit import regions
from ohts_kit.errors import InvalidCommand
from services.reporting.application import listing
from services.reporting.domain import vocabulary as V

Q = Annotated[str | None, Query(max_length=100, description="name, USCC or certificate number")]
RegionText = Annotated[
    str | None,
    Query(
        max_length=30,
        description="GB/T 2260 code (330100) or a region's name (杭州, 西湖区: every region of"
        " that name)",
    ),
]
Picked = Annotated[str | None, Query(pattern=r"^\d{6}$", description="region picker code")]
Scope = Annotated[
    str | None, Query(max_length=40, description="business scope code (OH-01) or part of its name")
]
Sort = Annotated[
    str | None,
    Query(pattern=r"^[a-z_]{1,20}$", description="column to sort by (see each list's keys)"),
]
Order = Annotated[str | None, Query(pattern="^(asc|desc)$", description="asc or desc")]
PageNo = Annotated[int, Query(ge=1, le=100_000, description="page number, from 1")]
PER_PAGE = 50


@dataclass(frozen=True)
class Asked:
    """The filters as given (for the form and the links) and as resolved."""

    q: str | None
    region: str | None
    province: str | None
    city: str | None
    district: str | None
    scope: str | None
    filters: listing.Filters

    def query(self, **more: object) -> str:
        given = {
            "q": self.q,
            "region": self.region,
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "scope": self.scope,
            **more,
        }
        return urlencode({k: v for k, v in given.items() if v not in (None, "")})


def _code(value: str, field: str) -> str:
    code = value.ljust(6, "0")
    if not regions.is_valid(code):
        raise InvalidCommand.of(field, "GB/T 2260", f"没有代码为 {value} 的行政区划")
    return code


def resolve_regions(
    region: str | None, province: str | None, city: str | None, district: str | None
) -> tuple[str, ...]:
    """The picker's most precise choice wins over the text field."""
    for field, picked in (("district", district), ("city", city), ("province", province)):
        if picked:
            return (_code(picked, field),)
    if not region or not region.strip():
        return ()
    text = region.strip()
    if text.isdigit():
        return (_code(text, "region"),)
    found = V.regions_named(text)
    if not found:
        raise InvalidCommand.of(
            "region", "行政区划名称或代码", f"没有名为「{text}」的行政区划，请换一个名称或代码"
        )
    return tuple(r.code for r in found)


def resolve_scope(scope: str | None) -> tuple[str, ...] | None:
    if not scope or not scope.strip():
        return None
    return tuple(V.scopes_matching(scope))


def asked(
    q: str | None,
    region: str | None,
    province: str | None = None,
    city: str | None = None,
    district: str | None = None,
    scope: str | None = None,
) -> Asked:
    filters = listing.Filters(
        q=q.strip() if q and q.strip() else None,
        regions=resolve_regions(region, province, city, district),
        scopes=resolve_scope(scope),
    )
    return Asked(q, region, province, city, district, scope, filters)


def check_sort(name: str, sort: str | None) -> None:
    if sort and sort not in listing.SORTS[name]:
        keys = "、".join(listing.SORTS[name])
        raise InvalidCommand.of("sort", f"one of {keys}", f"不能按 {sort} 排序，可选：{keys}")


def picker(a: Asked) -> dict[str, object]:
    """Options of the three selects: provinces always, the chosen province's cities, the
    chosen city's districts (a form without JavaScript: choose, press 查询, choose on)."""
    city = a.city or (regions.parent_of(a.district) if a.district else None)
    if city and regions.parent_of(city) is None:  # a municipality's county sits in "city"
        city = a.district
    province = a.province or (
        regions.province_of(city or a.district or "") if (city or a.district) else None
    )
    return {
        "provinces": regions.of_level("province"),
        "cities": regions.children_of(province) if province else [],
        "districts": regions.children_of(city) if city else [],
        "province": province,
        "city": city,
        "district": a.district,
    }


def pages(total: int, page: int, per_page: int) -> dict[str, object]:
    """Page numbers around the current one, with the first and the last."""
    last = max(1, -(-total // per_page))
    near = range(max(1, page - 3), min(last, page + 3) + 1)
    numbers = sorted({1, last, *near})
    return {"page": page, "last": last, "numbers": numbers, "total": total, "per_page": per_page}
