"""In-memory ports for unit tests of application handlers: an event store with the same
optimistic-concurrency rule as PostgreSQL's unique key, and transactions that keep
nothing of a block that raised."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from contracts.envelope import Envelope
from ohts_kit.application import Application, Ports, Projector, _no_projection
from ohts_kit.clock import Clock, FixedClock
from ohts_kit.errors import ConcurrencyConflict
from ohts_kit.eventstore import Metadata, NewEvent, StoredEvent
from ohts_kit.ids import uuid7

Key = tuple[str, str]


class MemoryConn:
    """A transaction's pending appends; the store keeps them only on commit."""

    def __init__(self) -> None:
        self.pending: list[tuple[Key, int, list[Envelope]]] = []

    def is_in_transaction(self) -> bool:
        return True


class MemoryStore:
    def __init__(self, producer: str) -> None:
        self.producer = producer
        self.streams: dict[Key, list[Envelope]] = {}
        self.log: list[Envelope] = []

    def _stream(self, conn: Any, key: Key) -> list[Envelope]:
        pending = [e for k, _, es in getattr(conn, "pending", []) if k == key for e in es]
        return self.streams.get(key, []) + pending

    async def load(self, conn: Any, aggregate_type: str, aggregate_id: str) -> list[StoredEvent]:
        stream = self._stream(conn, (aggregate_type, aggregate_id))
        return [StoredEvent(i + 1, env) for i, env in enumerate(stream)]

    async def append(
        self,
        conn: Any,
        aggregate_type: str,
        aggregate_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        meta: Metadata,
    ) -> list[Envelope]:
        key = (aggregate_type, aggregate_id)
        if len(self._stream(conn, key)) != expected_version:
            raise ConcurrencyConflict(f"{aggregate_type}-{aggregate_id}", expected_version)
        written = [
            _envelope(self.producer, key, expected_version + n, e, meta)
            for n, e in enumerate(events, start=1)
        ]
        conn.pending.append((key, expected_version, written))
        return written

    def commit(self, conn: MemoryConn) -> None:
        for key, expected, _ in conn.pending:
            if len(self.streams.get(key, [])) > expected:  # another unit committed first
                raise ConcurrencyConflict(f"{key[0]}-{key[1]}", expected)
        for key, _, written in conn.pending:
            self.streams.setdefault(key, []).extend(written)
            self.log.extend(written)

    def events(self, aggregate_type: str | None = None) -> list[Envelope]:
        return [e for e in self.log if aggregate_type in (None, e.aggregate_type)]


def _envelope(producer: str, key: Key, version: int, e: NewEvent, meta: Metadata) -> Envelope:
    return Envelope(
        event_id=uuid7(),
        event_type=e.payload.event_type,
        schema_version=e.payload.schema_version,
        occurred_at=e.occurred_at,
        recorded_at=e.occurred_at,
        producer=producer,
        aggregate_type=key[0],
        aggregate_id=key[1],
        aggregate_version=version,
        institution_id=e.institution_id,
        region_code=e.region_code,
        correlation_id=meta.correlation_id,
        causation_id=meta.causation_id,
        actor=meta.actor,
        payload=e.payload.model_dump(mode="json"),
    )


class MemoryDatabase:
    def __init__(self, store: MemoryStore) -> None:
        self.store = store

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Any]:
        yield MemoryConn()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        conn = MemoryConn()
        yield conn
        self.store.commit(conn)

    def one_statement(self) -> Any:
        return self.transaction()  # in memory a transaction is already one step


def memory_ports(producer: str, at: datetime | None = None, clock: Clock | None = None) -> Ports:
    store = MemoryStore(producer)
    return Ports(store=store, db=MemoryDatabase(store), clock=clock or FixedClock(at or _NOON))


_NOON = datetime.fromisoformat("2026-06-01T04:00:00+00:00")


def memory_application(producer: str, project: Projector = _no_projection) -> Application:
    return Application(memory_ports(producer), project)
