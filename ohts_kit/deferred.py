"""A consumer run's connection: its writes wait and go as one `executemany` per statement,
so a run of 200 events sends a few statements instead of 200.

A write is an `execute` with arguments (no handler reads its status). Writes wait in the
order they were made, and a write joins the last waiting group when it is the same
statement, so the rows of a run of one event type go together, in order. A plain
`INSERT INTO t (…) VALUES (…)` (no SELECT, no RETURNING) may also join an earlier group of
its statement past groups that are plain inserts into other tables: such a row depends on
nothing but its arguments, and read models have no foreign keys or triggers between them.
So the alternating CaseOpened and PenaltyDecided of a run go as two statements.

Any read, a statement without arguments, a savepoint or an `executemany` sends what waits
first, so a handler always reads its run's own writes. The run's first append is sent after
what waited then, so it is still the transaction's first write (`fetch_from_events`). Later
appends wait too (`waiting_appends`): the event store builds their envelopes and leaves
their rows here, and they go first at the next flush, as one statement for all their
streams. An append reads and writes only `events`, so the other writes may wait past it.

A failure surfaces at the flush, inside the run's transaction: the run rolls back and the
consumer applies its events one by one on a plain connection, as for any other failure. A
failed flush is kept and raised again by every later call, so a handler that catches it
cannot let the run commit without what failed (an append refused on its stream leaves the
transaction itself healthy).
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from ohts_kit.db import Conn
from ohts_kit.errors import ConcurrencyConflict

_PLAIN_INSERT = re.compile(r"\s*INSERT\s+INTO\s+\"?(\w+)\"?\s*\(", re.IGNORECASE)


@functools.lru_cache(maxsize=512)  # a service has a few dozen statements
def _table_of(query: str) -> str | None:
    """The table of a plain insert (which may join an earlier group), or None."""
    match = _PLAIN_INSERT.match(query)
    if match is None or "SELECT" in query.upper() or "RETURNING" in query.upper():
        return None
    return match.group(1).lower()


@dataclass
class _Group:
    query: str
    table: str | None  # a plain insert's table
    rows: list[Sequence[Any]]


@dataclass
class _Appends:
    """The run's appends after its first one: one row per event, sent as one statement."""

    recorded_at: datetime  # the run's first append's recording time (the server's clock)
    since: float  # time.monotonic() then
    query: str = ""
    rows: list[Sequence[Any]] = field(default_factory=list)

    def recorded_now(self) -> datetime:
        """The recording time of an append made now, on the server's clock."""
        return self.recorded_at + timedelta(seconds=time.monotonic() - self.since)

    def add(self, query: str, rows: Sequence[Sequence[Any]]) -> None:
        self.query = query
        self.rows.extend(rows)


class DeferredWrites:
    """Wraps the run's connection for its handlers (see the module's docstring)."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self._waiting: list[_Group] = []
        self._savepoints = 0
        self._appended = False  # an append was sent: the transaction's first write is made
        self._appends: _Appends | None = None  # set once the run's first append returned
        self.statements = 0  # sent to the server (the tests count them)
        self._failed: BaseException | None = None  # a flush that failed, raised again

    @property
    def connection(self) -> Conn:
        """The connection itself, for what only it offers (COPY): flush first."""
        return self._conn

    def _raise_if_failed(self) -> None:
        if self._failed is not None:
            raise self._failed

    async def flush(self) -> None:
        self._raise_if_failed()
        try:
            await self._flush_appends()
            waiting, self._waiting = self._waiting, []
            for group in waiting:
                self.statements += 1
                if len(group.rows) == 1:
                    await self._conn.execute(group.query, *group.rows[0])
                else:
                    await self._conn.executemany(group.query, group.rows)
        except BaseException as exc:
            self._failed = exc
            raise

    async def _flush_appends(self) -> None:
        if self._appends is None or not self._appends.rows:
            return
        query, rows = self._appends.query, self._appends.rows
        self._appends.rows = []
        self.statements += 1
        try:
            status = await self._conn.execute(
                query, *(list(column) for column in zip(*rows, strict=True))
            )
        except asyncpg.UniqueViolationError as exc:  # a version taken, as for an append sent
            raise ConcurrencyConflict("a stream of the run", 0) from exc
        if int(status.rsplit(" ", 1)[1]) != len(rows):  # "INSERT 0 n"
            raise ConcurrencyConflict("a stream of the run", 0)  # overtaken on its stream

    def waiting_appends(self) -> _Appends | None:
        """Where an append may wait: after the run's first one, outside a savepoint (the
        event store builds its envelopes and leaves its rows here)."""
        self._raise_if_failed()
        return None if self._savepoints else self._appends

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        if not args or self._savepoints:
            await self.flush()
            self.statements += 1
            return str(await self._conn.execute(query, *args, timeout=timeout))
        self._raise_if_failed()
        self._wait(query, args)
        return "DEFERRED"  # no caller reads the status of a write

    def _wait(self, query: str, args: Sequence[Any]) -> None:
        table = _table_of(query)
        for group in reversed(self._waiting):
            if group.query == query:
                group.rows.append(args)
                return
            if table is None or group.table is None or group.table == table:
                break  # only a plain insert passes, and only plain inserts elsewhere
        self._waiting.append(_Group(query, table, [args]))

    async def executemany(
        self, query: str, args: Iterable[Sequence[Any]], *, timeout: float | None = None
    ) -> None:
        await self.flush()
        self.statements += 1
        await self._conn.executemany(query, args, timeout=timeout)

    async def fetch(self, query: str, *args: Any, timeout: float | None = None) -> list[Any]:
        await self.flush()
        self.statements += 1
        return list(await self._conn.fetch(query, *args, timeout=timeout))

    async def fetch_from_events(self, query: str, *args: Any) -> list[Any]:
        """The event store's append. The first one sends what waits before it (an append
        must be its transaction's first write, and stays refused if it is not); later ones
        read and write `events` alone, so what waits goes on waiting."""
        self._raise_if_failed()
        if not self._appended:
            await self.flush()
            self._appended = True
        self.statements += 1
        rows = list(await self._conn.fetch(query, *args))
        # Later appends may wait once this one is in (not in a savepoint, which may roll back).
        if self._appends is None and not self._savepoints and rows and "recorded_at" in rows[0]:
            latest = max(r["recorded_at"] for r in rows)
            self._appends = _Appends(latest, time.monotonic())
        return rows

    async def fetchrow(self, query: str, *args: Any, timeout: float | None = None) -> Any:
        await self.flush()
        self.statements += 1
        return await self._conn.fetchrow(query, *args, timeout=timeout)

    async def fetchval(
        self, query: str, *args: Any, column: int = 0, timeout: float | None = None
    ) -> Any:
        await self.flush()
        self.statements += 1
        return await self._conn.fetchval(query, *args, column=column, timeout=timeout)

    def transaction(self, **kwargs: Any) -> _Savepoint:
        return _Savepoint(self, self._conn.transaction(**kwargs))

    def __getattr__(self, name: str) -> Any:
        # Anything else (is_in_transaction, …) is the connection's own; a method that
        # writes or reads would bypass what waits, so none is used by a handler.
        return getattr(self._conn, name)


class _Savepoint:
    """What waits goes before the savepoint; inside it nothing waits, so a savepoint rolled
    back takes exactly its own writes with it."""

    def __init__(self, deferred: DeferredWrites, inner: Any) -> None:
        self._deferred = deferred
        self._inner = inner

    async def __aenter__(self) -> Any:
        await self._deferred.flush()
        entered = await self._inner.__aenter__()
        self._deferred._savepoints += 1
        return entered

    async def __aexit__(self, *exc: Any) -> Any:
        self._deferred._savepoints -= 1
        return await self._inner.__aexit__(*exc)
