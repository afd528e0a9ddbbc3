"""A consumer run's connection: plain inserts wait and go as one `executemany` per
statement, so a run of 200 events sends a few statements instead of 200.

What may wait is narrow on purpose: `INSERT INTO t (...) VALUES (...)` with arguments and
no SELECT in it. Such a row depends on nothing but its arguments, so inserts into different
tables may go in any order (read models have no foreign keys between them). Everything else
keeps the order it was written in: any other statement, any read, a savepoint or a second
insert statement into a table already waiting sends what waits first. A handler therefore
reads its run's own writes. The one read past which they may wait is an append after the
run's first one (`fetch_from_events`): an append reads and writes only `events`, and the
first-write rule holds since the first append of the run was sent after what waited then.
So a run of appending events sends its appends one by one and their inline views' rows
together at the end.

A failure surfaces at the flush, inside the run's transaction: the run rolls back and the
consumer applies its events one by one on a plain connection, as for any other failure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ohts_kit.db import Conn

_PLAIN_INSERT = re.compile(r"\s*INSERT\s+INTO\s+\"?(\w+)\"?\s*\(", re.IGNORECASE)


def _table_of(query: str) -> str | None:
    """The table of an insert that may wait, or None."""
    match = _PLAIN_INSERT.match(query)
    if match is None or "SELECT" in query.upper() or "RETURNING" in query.upper():
        return None
    return match.group(1).lower()


class DeferredWrites:
    """Wraps the run's connection for its handlers (see the module's docstring)."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn
        self._waiting: dict[str, list[Sequence[Any]]] = {}  # statement → rows, in order
        self._tables: dict[str, str] = {}  # table → its waiting statement
        self._savepoints = 0
        self._appended = False  # an append was sent: the transaction's first write is made
        self.statements = 0  # sent to the server, for tests and the bench

    async def flush(self) -> None:
        waiting, self._waiting, self._tables = self._waiting, {}, {}
        for query, rows in waiting.items():
            self.statements += 1
            if len(rows) == 1:
                await self._conn.execute(query, *rows[0])
            else:
                await self._conn.executemany(query, rows)

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:
        table = _table_of(query) if args and not self._savepoints else None
        if table is not None and self._tables.setdefault(table, query) == query:
            self._waiting.setdefault(query, []).append(args)
            return "INSERT 0 1"  # as the server would say; no caller reads it
        await self.flush()
        self.statements += 1
        return str(await self._conn.execute(query, *args, timeout=timeout))

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
        if not self._appended:
            await self.flush()
            self._appended = True
        self.statements += 1
        return list(await self._conn.fetch(query, *args))

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
        self._deferred._savepoints += 1
        return await self._inner.__aenter__()

    async def __aexit__(self, *exc: Any) -> Any:
        self._deferred._savepoints -= 1
        return await self._inner.__aexit__(*exc)
