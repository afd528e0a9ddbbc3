"""A command that reads, decides and records once, in two round trips (issue 22, point 3).

Its reads go as single statements outside a transaction: under READ COMMITTED a read inside
one sees no more than that (each statement takes its own snapshot), and the append's version
is what refuses a stale decision. Its append and inline views then go as one statement, its
own transaction: `WITH e AS (INSERT INTO events …), w1 AS (INSERT INTO view …) SELECT …`.
BEGIN and COMMIT are gone, and so is a round trip per view row.

In one statement every part sees the same snapshot, taken before any of them writes, so
parts are joined only when none could read another's write: at most one view write, or plain
inserts into different tables, and none that names `events`. Anything else goes as a
transaction (BEGIN, the append, the writes in order, COMMIT), which is always right.

The append is the transaction's first write either way, and no newer transaction can have
written its streams unseen (a newer transaction id is not in the statement's snapshot), so
the relay's order holds without the overtaking check (README, "One-statement commands"). A
version already taken is the events key's unique violation: a ConcurrencyConflict naming
the command's first stream, as an append sent at once names its own.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg

from ohts_kit.db import Conn
from ohts_kit.deferred import _table_of
from ohts_kit.errors import ConcurrencyConflict
from ohts_kit.eventstore import APPEND_ROWS

_PARAM = re.compile(r"\$(\d+)")
_WRITE = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
_EVENTS = re.compile(r"\bevents\b", re.IGNORECASE)
_APPEND = APPEND_ROWS + " ORDER BY u.n"  # positions in the command's order


class ReadAfterWrite(RuntimeError):
    """A one-statement command read or wrote after it recorded (use a plain unit)."""


def renumbered(query: str, offset: int) -> str:
    """`query` with its parameters moved up by `offset`, outside quoted literals."""
    parts = query.split("'")
    for i in range(0, len(parts), 2):  # the even parts are outside quotes
        parts[i] = _PARAM.sub(lambda m: f"${int(m.group(1)) + offset}", parts[i])
    return "'".join(parts)


def joinable(writes: Sequence[tuple[str, Sequence[Any]]]) -> bool:
    """Whether the views' writes may ride in the append's statement (module docstring)."""
    for query, _ in writes:
        if not _WRITE.match(query) or "$$" in query or _EVENTS.search(query):
            return False
    if len(writes) <= 1:
        return True
    tables = [_table_of(q) for q, _ in writes]
    return None not in tables and len(set(tables)) == len(tables)


def joined(
    rows: Sequence[Sequence[Any]], writes: Sequence[tuple[str, Sequence[Any]]]
) -> tuple[str, list[Any]]:
    """The one statement and its arguments: the append's columns, then each write's."""
    parts = [f"WITH e AS ({_APPEND} RETURNING 1)"]
    args: list[Any] = [list(column) for column in zip(*rows, strict=True)]
    for n, (query, values) in enumerate(writes, start=1):
        parts.append(f", w{n} AS ({renumbered(query, len(args))})")
        args.extend(values)
    parts.append(" SELECT count(*) FROM e")
    return "".join(parts), args


class OneStatement:
    """The command's connection: reads pass through until it records; the append's rows
    and the views' writes wait for `send`."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self._rows: list[Sequence[Any]] = []
        self._writes: list[tuple[str, Sequence[Any]]] = []
        self.statements = 0  # sent to the server (the tests count them)

    # The event store's side (EventStore._waiting).
    def one_statement(self) -> OneStatement:
        return self

    def recorded_now(self) -> datetime:
        return datetime.now(UTC)

    def add(self, _query: str, rows: Sequence[Sequence[Any]]) -> None:
        self._rows.extend(rows)

    def is_in_transaction(self) -> bool:
        return False

    def _read(self) -> None:
        if self._rows or self._writes:
            raise ReadAfterWrite("a one-statement command reads only before it records")
        self.statements += 1

    async def fetch(self, query: str, *args: Any, timeout: float | None = None) -> list[Any]:
        self._read()
        return list(await self._conn.fetch(query, *args, timeout=timeout))

    async def fetchrow(self, query: str, *args: Any, timeout: float | None = None) -> Any:
        self._read()
        return await self._conn.fetchrow(query, *args, timeout=timeout)

    async def fetchval(
        self, query: str, *args: Any, column: int = 0, timeout: float | None = None
    ) -> Any:
        self._read()
        return await self._conn.fetchval(query, *args, column=column, timeout=timeout)

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        if not self._rows:
            raise ReadAfterWrite("a one-statement command writes only what it records")
        self._writes.append((query, args))
        return "DEFERRED"  # no projector reads the status of a write

    async def send(self) -> None:
        """The append and the views' writes, in one statement when they may be joined."""
        if not self._rows:
            return
        try:
            if joinable(self._writes):
                query, args = joined(self._rows, self._writes)
                self.statements += 1
                await self._conn.fetchval(query, *args)
            else:
                await self._in_transaction()
        except asyncpg.UniqueViolationError as exc:
            if exc.table_name == "events":
                _, kind, name, version, *_ = self._rows[0]
                raise ConcurrencyConflict(f"{kind}-{name}", version - 1) from exc
            raise

    async def _in_transaction(self) -> None:
        async with self._conn.transaction():
            self.statements += 3 + len(self._writes)
            await self._conn.execute(
                _APPEND, *(list(column) for column in zip(*self._rows, strict=True))
            )
            for query, args in self._writes:
                await self._conn.execute(query, *args)


@asynccontextmanager
async def one_statement(conn: Conn) -> AsyncIterator[OneStatement]:
    """`conn` as a one-statement command's; its writes go when the block ends unraised."""
    command = OneStatement(conn)
    yield command
    await command.send()
