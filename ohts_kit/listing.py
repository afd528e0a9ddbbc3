"""Paged lists and audit histories for the staff pages: one shape in every service.

A list answers `{"items": [...], "total": n, "page": p, "size": s, "sort": key}`; the sort
keys are a whitelist per list, so a sort never reaches SQL as text. A history is the
aggregate's own events, oldest first: what happened, when, who did it, and what caused it
(the causing event's type when it is in this service's log, else its id).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query

from ohts_kit.db import Conn
from ohts_kit.errors import InvalidCommand


@dataclass(frozen=True)
class Paging:
    page: int
    size: int
    sort: str | None
    descending: bool

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size


def _paging(
    page: Annotated[int, Query(ge=1, le=100_000, description="1-based")] = 1,
    size: Annotated[int, Query(ge=1, le=100, description="rows per page")] = 20,
    sort: Annotated[str | None, Query(max_length=40, pattern=r"^-?[a-z_]+$")] = None,
) -> Paging:
    descending = bool(sort and sort.startswith("-"))
    return Paging(page, size, sort.lstrip("-") if sort else None, descending)


PagingQ = Annotated[Paging, Depends(_paging)]


async def paged(
    conn: Conn,
    select: str,
    where: str,
    args: list[Any],
    paging: Paging,
    sorts: dict[str, str],
) -> dict[str, Any]:
    """One page of `select ... where ...`, ordered by a whitelisted key (the first is the
    default); `sorts` maps a key to its SQL expression."""
    key = paging.sort or next(iter(sorts))
    if key not in sorts:
        raise InvalidCommand.of(
            "sort", f"one of {', '.join(sorts)}", f"不能按 {key} 排序，可选：{'、'.join(sorts)}"
        )
    direction = "DESC" if paging.descending else "ASC"
    total = await conn.fetchval(f"SELECT count(*) FROM ({select} WHERE {where}) t", *args)
    n = len(args)
    rows = await conn.fetch(
        f"{select} WHERE {where} ORDER BY {sorts[key]} {direction}, 1"
        f" LIMIT ${n + 1} OFFSET ${n + 2}",
        *args,
        paging.size,
        paging.offset,
    )
    return {
        "items": [dict(r) for r in rows],
        "total": total,
        "page": paging.page,
        "size": paging.size,
        "sort": ("-" if paging.descending else "") + key,
    }


async def history(
    conn: Conn, aggregate_type: str, aggregate_id: str, *related: tuple[str, str]
) -> list[dict[str, Any]]:
    """The audit trail of one aggregate from its events: who, when, what, and the cause;
    with the events of `related` aggregates (type, id) that act on it, in recording order."""
    types = [aggregate_type, *(t for t, _ in related)]
    ids = [aggregate_id, *(i for _, i in related)]
    rows = await conn.fetch(
        "SELECT e.aggregate_version AS version, e.event_type, e.occurred_at, e.recorded_at,"
        " e.actor::text AS actor, e.correlation_id, e.causation_id,"
        " c.event_type AS caused_by, e.payload::text AS payload"
        " FROM events e LEFT JOIN events c ON c.event_id = CASE"
        " WHEN e.causation_id ~* '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$'"
        " THEN e.causation_id::uuid END"
        " WHERE (e.aggregate_type, e.aggregate_id) IN"
        " (SELECT * FROM unnest($1::text[], $2::text[])) ORDER BY e.position",
        types,
        ids,
    )
    return [
        {**dict(r), "actor": json.loads(r["actor"]), "payload": json.loads(r["payload"])}
        for r in rows
    ]
