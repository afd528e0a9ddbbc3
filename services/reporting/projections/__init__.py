"""Read models of the reporting service, one module per producing service."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from contracts.envelope import Envelope, EventPayload
from ohts_kit.db import Conn


@dataclass(frozen=True)
class Projecting:
    """What the projections need beyond the event: the context their handlers are bound to."""

    fine_threshold_yuan: Decimal  # P2: a warning or fine below it is minor, not published


@dataclass(frozen=True)
class Bulk:
    """An insert-only projection: one row of one table per event, a duplicate ignored. The
    live consumer inserts it one event at a time; a rebuild copies a batch of them at once."""

    payload: type[EventPayload]
    table: str
    columns: tuple[str, ...]
    row: Callable[[Projecting, Envelope, Any], tuple[Any, ...]]
    # Event types whose handlers change this table's rows later: a rebuild copies what it
    # gathered before one of them runs (tests/unit/test_reporting_projections.py checks the
    # list against every handler's source).
    changed_by: tuple[type[EventPayload], ...] = ()

    async def apply(self, ctx: Projecting, conn: Conn, env: Envelope, e: Any) -> None:
        """The live consumer's handler: `views.on(T)(BULK.apply)`."""
        await conn.execute(self.insert, *self.row(ctx, env, e))

    @functools.cached_property
    def insert(self) -> str:
        return insert_statement(self.table, self.columns)


def insert_statement(table: str, columns: tuple[str, ...]) -> str:
    """One row into `table`, nothing when it meets a unique key."""
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    return f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING"
