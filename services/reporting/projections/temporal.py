"""Versioned rows: a change closes the current version at the event's time and opens the next.

Tables using this have `event_id` (the event that wrote the version), `sys_from` and `sys_to`.
Reading "as of" an instant T takes the version with sys_from < T and (sys_to is null or
sys_to >= T). Names of tables and columns here are constants of this package, never input.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from ohts_kit.db import Conn

_columns: dict[str, list[str]] = {}


async def _columns_of(conn: Conn, table: str) -> list[str]:
    if table not in _columns:
        rows = await conn.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = $1"
            " AND table_schema = current_schema() ORDER BY ordinal_position",
            table,
        )
        _columns[table] = [r["column_name"] for r in rows]
    return _columns[table]


async def start(
    conn: Conn, table: str, event_id: UUID, at: datetime, row: Mapping[str, Any]
) -> None:
    cols = ["event_id", "sys_from", *row]
    values = [event_id, at, *row.values()]
    marks = ", ".join(f"${i}" for i in range(1, len(cols) + 1))
    await conn.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks}) ON CONFLICT DO NOTHING",
        *values,
    )


Change = Mapping[str, Any] | Callable[[Mapping[str, Any]], Mapping[str, Any]]


async def revise(
    conn: Conn,
    table: str,
    key: Mapping[str, Any],
    event_id: UUID,
    at: datetime,
    change: Change,
) -> bool:
    """Close the current version of the row with `key` and open one with `change` applied.
    Returns False when there is no current version (nothing known to change)."""
    where = " AND ".join(f"{k} = ${i}" for i, k in enumerate(key, start=1))
    current = await conn.fetchrow(
        f"SELECT * FROM {table} WHERE {where} AND sys_to IS NULL FOR UPDATE", *key.values()
    )
    if current is None:
        return False
    if current["event_id"] == event_id:
        return True  # this very event wrote the current version
    changes = change(dict(current)) if callable(change) else change
    await conn.execute(
        f"UPDATE {table} SET sys_to = $1 WHERE event_id = $2", at, current["event_id"]
    )
    row = {
        c: changes.get(c, current[c])
        for c in await _columns_of(conn, table)
        if c not in ("event_id", "sys_from", "sys_to")
    }
    await start(conn, table, event_id, at, row)
    return True


async def record(
    conn: Conn,
    table: str,
    key: Mapping[str, Any],
    event_id: UUID,
    at: datetime,
    row: Mapping[str, Any],
) -> None:
    """The row's next version, or its first when none is current."""
    if not await revise(conn, table, key, event_id, at, row):
        await start(conn, table, event_id, at, row)


def as_of_clause(alias: str, param: int) -> str:
    """The SQL condition selecting the version of `alias` valid at the instant ${param}."""
    return f"{alias}.sys_from < ${param} AND ({alias}.sys_to IS NULL OR {alias}.sys_to >= ${param})"
