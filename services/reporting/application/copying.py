"""Rows into a table by COPY, with the table's own conflict rule (a rebuild's bulk path).

COPY has no ON CONFLICT: the rows are copied straight into the table inside a savepoint, and
only when that meets a unique key (a duplicate delivery, rare) are they copied into a
session-local stage and moved on with INSERT … SELECT … ON CONFLICT DO NOTHING. A few rows
go by one executemany of the table's INSERT instead: COPY pays off from a few hundred.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from services.reporting.projections import insert_statement

FEW = 200  # below this many rows, one executemany beats COPY's extra round trips


async def insert_rows(
    conn: asyncpg.Connection,
    table: str,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    *,
    returning: str | None = None,
) -> list[Any]:
    """Insert `rows`, skipping those that meet a unique key; with `returning`, the values of
    that column of the rows inserted."""
    if not rows:
        return []
    if len(rows) < FEW and returning is None:
        await conn.executemany(insert_statement(table, columns), rows)
        return []
    try:
        async with conn.transaction():
            await conn.copy_records_to_table(table, columns=list(columns), records=rows)
    except asyncpg.UniqueViolationError:
        return await _through_stage(conn, table, columns, rows, returning)
    if returning is None:
        return []
    index = columns.index(returning)
    return [row[index] for row in rows]


async def _through_stage(
    conn: asyncpg.Connection,
    table: str,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    returning: str | None,
) -> list[Any]:
    stage = f"stage_{table}"
    names = ", ".join(f'"{c}"' for c in columns)
    await conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP"
    )
    await conn.execute(f"TRUNCATE {stage}")
    await conn.copy_records_to_table(stage, columns=list(columns), records=rows)
    tail = f' RETURNING "{returning}"' if returning else ""
    moved = await conn.fetch(
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} ON CONFLICT DO NOTHING{tail}"
    )
    return [r[0] for r in moved] if returning else []
