"""The four public lists (institutions, penalties, QC list, revoked certificates) as one kind
of query: filters, a sort on a main column, a page with its total, or every row streamed in
batches through a server-side cursor (downloads, the open-data feed).

Each list is a `ListQuery`: the SQL of its rows at a moment (P6), and how a batch of rows
becomes public models. Column names in ORDER BY come from the SORTS tables, never input.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

import asyncpg
from pydantic import BaseModel

from ohts_kit import regions
from ohts_kit.db import Conn
from services.reporting.application import public as P
from services.reporting.application.moment import Moment
from services.reporting.domain import labels as L
from services.reporting.projections.temporal import as_of_clause

LISTS = ("institutions", "penalties", "qc-list", "revoked")
BATCH = 500
# A download holds a pool connection while the client reads; at most this many at once, so
# the pages and the API always find a connection (the others wait their turn).
STREAMS = 3
_gates: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = WeakKeyDictionary()
# Per list: sort key → SQL expression, and the default (key, order).
SORTS: dict[str, dict[str, str]] = {
    "institutions": {
        "name": "i.name",
        "uscc": "i.uscc",
        "region": "i.region_code",
        "kind": "i.kind",
    },
    "penalties": {
        "decided_on": "p.decided_on",
        "name": "i.name",
        "fine": "p.fine_yuan",
        "public_until": "p.public_until",
        "authority": "p.authority",
    },
    "qc-list": {"since": "x.concluded_on", "name": "i.name", "region": "i.region_code"},
    "revoked": {"since": "x.changed_on", "name": "i.name", "region": "i.region_code"},
}
DEFAULT_SORT = {
    "institutions": ("name", "asc"),
    "penalties": ("decided_on", "desc"),
    "qc-list": ("since", "desc"),
    "revoked": ("since", "desc"),
}
TIEBREAK = {
    "institutions": "i.institution_id",
    "penalties": "p.case_id",
    "qc-list": "x.event_id",
    "revoked": "x.event_id",
}

Build = Callable[[Conn, list[asyncpg.Record]], Awaitable[Sequence[BaseModel]]]


@dataclass(frozen=True)
class Filters:
    """What a person asked for, resolved: `regions` are GB/T 2260 codes (any of them), and
    `scopes` None for "any scope" or the codes a scope name or code stands for."""

    q: str | None = None
    regions: tuple[str, ...] = ()
    scopes: tuple[str, ...] | None = None


@dataclass
class ListQuery:
    name: str
    sql: str  # SELECT … FROM … WHERE …, without ORDER BY
    args: list[Any]
    build: Build
    sort: str = ""
    order: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def ordered(self, counted: bool = False) -> str:
        """The rows in order; `counted` adds each row's total of matching rows."""
        column = SORTS[self.name][self.sort]
        nulls = " NULLS LAST" if self.sort == "fine" else ""
        sql = (
            self.sql.replace("SELECT ", "SELECT count(*) OVER () AS matching, ", 1)
            if counted
            else self.sql
        )
        return f"{sql} ORDER BY {column} {self.order.upper()}{nulls}, {TIEBREAK[self.name]}"


def _region_clause(args: list[Any], codes: tuple[str, ...]) -> str:
    args.append([P.region_prefix(c) + "%" for c in codes])
    return f" AND i.region_code LIKE ANY(${len(args)}::text[])"


def _institutions(m: Moment, f: Filters) -> ListQuery:
    args: list[Any] = [m.at]
    where = [as_of_clause("i", 1)]
    if f.q:
        # Candidates through the trigram indexes (migration 0004): the version valid at the
        # moment by name or USCC, or a qualification valid then by its number.
        args.append(f"%{f.q.strip()}%")
        n = len(args)
        where.append(
            "i.institution_id IN (SELECT m.institution_id FROM rp_institutions m"
            f" WHERE (m.name ILIKE ${n} OR m.uscc ILIKE ${n}) AND {as_of_clause('m', 1)}"
            " UNION SELECT q.institution_id FROM rp_qualifications q"
            f" WHERE q.certificate_number ILIKE ${n} AND {as_of_clause('q', 1)})"
        )
    clause = " AND ".join(where)
    if f.regions:
        clause += _region_clause(args, f.regions)
    if f.scopes is not None:
        args.append(list(f.scopes))
        clause += (
            " AND EXISTS (SELECT 1 FROM rp_qualifications q WHERE q.institution_id ="
            f" i.institution_id AND {as_of_clause('q', 1)} AND q.scope_codes && ${len(args)})"
        )

    async def build(conn: Conn, rows: list[asyncpg.Record]) -> list[P.PublicInstitution]:
        items = [P._institution(r) for r in rows]
        await P._attach_qualifications(conn, m, items, history=False)
        return items

    return ListQuery(
        "institutions", f"SELECT i.* FROM rp_institutions i WHERE {clause}", args, build
    )


def _penalties(m: Moment, f: Filters) -> ListQuery:
    args: list[Any] = [m.at, m.day]
    where = P.penalty_visible("p", 1, 2)
    if f.regions:
        where += _region_clause(args, f.regions)

    async def build(conn: Conn, rows: list[asyncpg.Record]) -> list[P.PublicPenalty]:
        return [P._penalty(r) for r in rows]

    return ListQuery("penalties", f"{P.PENALTY_SELECT} WHERE {where}", args, build)


def _listed(
    name: str, m: Moment, f: Filters, source: str, condition: str, detail: Callable[..., str]
) -> ListQuery:
    """Rows of `source` (alias x, versioned) meeting `condition` at the moment, with their
    institution as it was then."""
    args: list[Any] = [m.at]
    where = f"{as_of_clause('x', 1)} AND {condition}"
    if f.regions:
        where += _region_clause(args, f.regions)
    since = "concluded_on" if name == "qc-list" else "changed_on"

    async def build(conn: Conn, rows: list[asyncpg.Record]) -> list[P.ListedInstitution]:
        return [
            P.ListedInstitution(
                institution_id=r["institution_id"],
                name=r["name"],
                uscc=r["uscc"],
                region_code=r["region_code"],
                region_name=regions.name_of(r["region_code"]),
                detail=detail(r),
                since=r[since],
            )
            for r in rows
        ]

    sql = (
        f"SELECT x.*, i.name, i.uscc, i.region_code FROM {source} x JOIN rp_institutions i"
        f" ON i.institution_id = x.institution_id AND {as_of_clause('i', 1)} WHERE {where}"
    )
    return ListQuery(name, sql, args, build)


def _qc_detail(r: asyncpg.Record) -> str:
    return f"{r['year']}年度省级质控{L.label(L.QC_RESULT, r['result'])}，未按要求整改"


def _revoked_detail(r: asyncpg.Record) -> str:
    kind = L.label(L.QUALIFICATION_KIND, r["kind"])
    return f"资质证书 {r['certificate_number']}（{kind}）已吊销"


def query(name: str, m: Moment, f: Filters, sort: str | None, order: str | None) -> ListQuery:
    """The list `name` with its filters and sort (defaults per list; unknown keys are refused
    by the HTTP layer, which offers only SORTS' keys)."""
    if name == "institutions":
        q = _institutions(m, f)
    elif name == "penalties":
        q = _penalties(m, f)
    elif name == "qc-list":
        q = _listed(name, m, f, "rp_annual_qc", "x.on_public_list", _qc_detail)
    else:
        q = _listed(name, m, f, "rp_qualifications", "x.status = 'revoked'", _revoked_detail)
    default_sort, default_order = DEFAULT_SORT[name]
    q.sort = sort if sort in SORTS[name] else default_sort
    q.order = order if order in ("asc", "desc") else default_order
    return q


async def page(conn: Conn, q: ListQuery, limit: int, offset: int) -> tuple[int, list[Any]]:
    """One page and the total, in one scan; only a page past the end counts on its own."""
    limit = max(1, min(limit, P.MAX_PAGE))
    rows = await conn.fetch(
        f"{q.ordered(counted=True)} LIMIT {limit} OFFSET {max(0, offset)}",
        *q.args,
    )
    if rows:
        total = rows[0]["matching"]
    elif offset <= 0:
        total = 0
    else:
        total = await conn.fetchval(f"SELECT count(*) FROM ({q.sql}) t", *q.args)
    return total, list(await q.build(conn, list(rows)))


async def stream(pool: asyncpg.Pool, q: ListQuery, batch: int = BATCH) -> AsyncIterator[Any]:
    """Every row of the list, in order, a batch at a time from a server-side cursor in one
    read-only snapshot: memory stays at one batch whatever the list's length."""
    gate = _gates.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(STREAMS))
    async with (
        gate,
        pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        rows: list[asyncpg.Record] = []
        async for row in conn.cursor(q.ordered(), *q.args, prefetch=batch):
            rows.append(row)
            if len(rows) == batch:
                for item in await q.build(conn, rows):
                    yield item
                rows = []
        for item in await q.build(conn, rows):
            yield item
