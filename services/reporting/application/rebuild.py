"""Rebuild every read model from the event history (P6, issue "rebuild").

The history is replayed from the producers' topics, from the first offset to their end, into
a fresh schema through the same handlers as the live consumer. The result is compared table
by table with the live schema; `replace` swaps the rebuilt schema in (the reporting service
must be stopped, so its committed offsets lie within the replay).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast
from uuid import UUID

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import ValidationError

from contracts.envelope import (
    Envelope,
    EventPayload,
    UnknownEventType,
    all_event_types,
    decode_json,
)
from ohts_kit.consumer import Handler, event_id_of, event_type_of, institution_of
from ohts_kit.db import PLATFORM_MIGRATIONS, Conn, migrate
from ohts_kit.deferred import DeferredWrites
from ohts_kit.errors import DomainError
from ohts_kit.kafka import client_options, drain
from ohts_kit.settings import Settings
from services.reporting.application.copying import insert_rows
from services.reporting.projections import Bulk, Projecting
from services.reporting.projections.catalog import READ_MODELS, bulk, context, handlers

log = structlog.get_logger()
MIGRATIONS = Path(__file__).parent.parent / "migrations"
PRODUCERS = ("registry", "qc", "enforcement")


@dataclass
class TableComparison:
    table: str
    live_rows: int
    rebuilt_rows: int
    equal: bool


@dataclass
class RebuildReport:
    schema: str
    events: int
    skipped: int
    seconds: float
    tables: list[TableComparison] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return all(t.equal for t in self.tables)


class Progress(Protocol):
    def advance(self, amount: int = 1) -> None: ...

    def set_total(self, total: int | None) -> None: ...


async def rebuild(
    settings: Settings, *, replace: bool = False, progress: Progress | None = None
) -> RebuildReport:
    live = settings.schema_of("reporting")
    target = f"{live}_rebuild"
    await fresh_schema(settings, target)
    started = time.perf_counter()
    events, skipped = await replay(settings, target, progress)
    report = RebuildReport(target, events, skipped, time.perf_counter() - started)
    report.tables = await compare(settings, live, target)
    if replace:
        await swap(settings, live, target)
        report.schema = live
    log.info("reporting.rebuilt", events=events, skipped=skipped, equal=report.equal)
    return report


async def fresh_schema(settings: Settings, schema: str) -> None:
    """`schema` dropped if it exists, then migrated: empty read models to replay into."""
    await drop_schemas(settings, schema)
    await migrate(settings, schema, [PLATFORM_MIGRATIONS, MIGRATIONS])


async def drop_schemas(settings: Settings, *schemas: str) -> None:
    admin = await asyncpg.connect(settings.database_url)
    try:
        for schema in schemas:
            await admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await admin.close()


async def replay(
    settings: Settings, schema: str, progress: Progress | None = None
) -> tuple[int, int]:
    """Apply every event of the producers' topics to `schema`; returns (applied, skipped).

    Each topic is replayed on its own connection, concurrently: the projections of one
    producer's events write tables that no other producer's events write (but
    rp_publications, keyed by decision) and read none, and the live consumer applies the
    topics in any interleaving too. One topic's failure cancels the others."""
    topics = [settings.topic_of(s) for s in PRODUCERS]
    if progress is not None:
        progress.set_total(await _records_in(settings, topics))
    runs = [_Run(handlers(settings), context(settings)) for _ in topics]
    with _fewer_collections():
        async with asyncio.TaskGroup() as tasks:
            for run, topic in zip(runs, topics, strict=True):
                tasks.create_task(run.replay(settings, schema, topic, progress))
    return sum(r.applied for r in runs), sum(r.skipped for r in runs)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Decoding allocates many short-lived objects beside the batches in flight: at the
    default thresholds the cyclic collector ran so often that it took half of the decoding
    time (measured: 5.9 s of 109,200 decodes, 2.7 s with these). Restored afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


async def _records_in(settings: Settings, topics: list[str]) -> int:
    """How many records the topics hold now (a progress bar's total)."""
    consumer = _consumer(settings)
    await consumer.start()
    try:
        await consumer.topics()  # fresh metadata
        partitions = [
            TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
        ]
        if not partitions:
            return 0
        ends = await consumer.end_offsets(partitions)
        starts = await consumer.beginning_offsets(partitions)
        return sum(ends[tp] - starts[tp] for tp in partitions)
    finally:
        await consumer.stop()


def _consumer(settings: Settings) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_auto_commit=False,
        group_id=None,
        max_partition_fetch_bytes=8 * 1024 * 1024,  # a replay reads the whole history
        **client_options(settings),
    )


class _Careful(Exception):
    """A handler refused an event: the batch is applied again, each event on its own."""


Decoded = tuple[Envelope, EventPayload]


@dataclass(frozen=True, slots=True)
class _Ignored:
    """A known type the read models do not use, told by the relay's headers: not decoded,
    only its inbox row written, as the live consumer does."""

    event_id: UUID
    event_type: str


Batch = list[tuple[Any, Decoded | _Ignored | None]]
INBOX_COLUMNS = (
    "consumer",
    "event_id",
    "event_type",
    "topic",
    "partition",
    "offset",
    "institution_id",
)


@dataclass
class _Run:
    """One topic's replay. A fetched batch is one transaction: its inbox rows go in first
    (the rows that were new tell which records are not duplicate deliveries), then its events
    in order. The rows of insert-only projections (`bulk`) are gathered and copied at the end,
    or before a handler that changes rows of their table (`Bulk.changed_by`), so every
    handler sees what came before it."""

    apply: dict[str, Handler]
    context: Projecting
    bulk: dict[str, Bulk] = field(default_factory=bulk)
    applied: int = 0
    skipped: int = 0

    @functools.cached_property
    def ignored(self) -> frozenset[str]:
        return frozenset(t for t, _ in all_event_types()) - set(self.apply)

    async def replay(
        self, settings: Settings, schema: str, topic: str, progress: Progress | None
    ) -> None:
        conn = await asyncpg.connect(settings.database_url, server_settings={"search_path": schema})
        batches: asyncio.Queue[Batch | None] = asyncio.Queue(maxsize=2)
        fetching = asyncio.create_task(self._fetch(settings, topic, batches))
        try:
            while (batch := await batches.get()) is not None:
                try:
                    async with conn.transaction():
                        applied, skipped = await self._batch(conn, batch, careful=False)
                except _Careful:
                    async with conn.transaction():
                        applied, skipped = await self._batch(conn, batch, careful=True)
                self.applied += applied
                self.skipped += skipped
                if progress is not None:
                    progress.advance(len(batch))
            await fetching  # its error, if it stopped on one
        finally:
            fetching.cancel()
            await asyncio.wait({fetching})  # its consumer stopped, whatever ended the replay
            await conn.close()

    async def _fetch(
        self, settings: Settings, topic: str, out: asyncio.Queue[Batch | None]
    ) -> None:
        """Fetch and decode the next batch while the last one is being written."""
        consumer = _consumer(settings)
        await consumer.start()
        try:
            async for records in drain(consumer, [topic]):
                decoded: Batch = []
                for start in range(0, len(records), 256):
                    decoded += [(r, _decode(r, self.ignored)) for r in records[start : start + 256]]
                    await asyncio.sleep(0)  # the writer's statements go on meanwhile
                await out.put(decoded)
        except Exception:
            await out.put(None)  # the writer stops; `await fetching` raises this
            raise
        else:
            await out.put(None)
        finally:  # also when cancelled (the writer failed): then nobody waits for the end
            await consumer.stop()

    async def _batch(
        self, conn: asyncpg.Connection, batch: Batch, careful: bool
    ) -> tuple[int, int]:
        events = [(r, d) for r, d in batch if d is not None]
        inbox = [_inbox_row(d, r) for r, d in events]
        fresh = set(await insert_rows(conn, "inbox", INBOX_COLUMNS, inbox, returning="event_id"))
        applied, skipped = 0, len(batch) - len(events)
        rows: dict[Bulk, list[tuple[Any, ...]]] = {}
        # The other handlers' writes wait and go as one executemany per statement, as in the
        # live consumer's runs (a run of decisions sends a few statements, not one each).
        writes = DeferredWrites(conn)
        for _, decoded in events:
            event_id, _ = _identity(decoded)
            if event_id not in fresh:
                skipped += 1  # a duplicate delivery in the topic (a relay crash may duplicate)
                continue
            fresh.discard(event_id)  # twice in one batch: the first one counts
            if isinstance(decoded, _Ignored):
                applied += 1  # its inbox row only
                continue
            envelope, payload = decoded
            insert_only = self.bulk.get(envelope.event_type)
            if insert_only is not None:
                rows.setdefault(insert_only, []).append(
                    insert_only.row(self.context, envelope, payload)
                )
                applied += 1
                continue
            handler = self.apply.get(envelope.event_type)
            if handler is not None:
                await _copy(writes, rows, before=type(payload))
                if not await _handle(writes, handler, envelope, payload, careful):
                    skipped += 1
                    continue
            applied += 1
        await _copy(writes, rows)
        await writes.flush()
        return applied, skipped


async def _copy(
    writes: DeferredWrites,
    rows: dict[Bulk, list[tuple[Any, ...]]],
    before: type[EventPayload] | None = None,
) -> None:
    """Copy the gathered rows; `before` a handler of that type, only the rows of tables it
    changes (every other handler leaves them alone, so they may wait). What the handlers'
    writes left waiting goes first: the copy must come after every earlier event's writes."""
    for projection in list(rows):
        if before is None or before in projection.changed_by:
            await writes.flush()
            await insert_rows(
                cast(asyncpg.Connection, writes.connection),
                projection.table,
                projection.columns,
                rows.pop(projection),
            )


async def _handle(
    writes: DeferredWrites,
    handler: Handler,
    envelope: Envelope,
    payload: EventPayload,
    careful: bool,
) -> bool:
    """Apply one event; False when its handler refused it (careful: in a savepoint, where
    nothing waits)."""
    conn = cast(Conn, writes)
    if not careful:
        try:
            await handler(conn, envelope, payload)
        except DomainError:
            raise _Careful from None
        return True
    try:
        async with conn.transaction():
            await handler(conn, envelope, payload)
    except DomainError:
        return False
    return True


def _decode(record: Any, ignored: frozenset[str]) -> Decoded | _Ignored | None:
    event_type = event_type_of(record)
    if event_type in ignored and (event_id := event_id_of(record)) is not None:
        return _Ignored(event_id, event_type)  # (without the header: decoded as any record)
    try:
        return decode_json(record.value, event_type)
    except (ValidationError, UnknownEventType):
        return None  # the live consumer dead-lettered it too


def _identity(decoded: Decoded | _Ignored) -> tuple[UUID, str]:
    """The event's id and type, decoded or told by the headers."""
    if isinstance(decoded, _Ignored):
        return decoded.event_id, decoded.event_type
    return decoded[0].event_id, decoded[0].event_type


def _inbox_row(decoded: Decoded | _Ignored, record: Any) -> tuple[Any, ...]:
    event_id, event_type = _identity(decoded)
    about = None if isinstance(decoded, _Ignored) else institution_of(decoded[1])
    return ("reporting", event_id, event_type, record.topic, record.partition, record.offset, about)


async def compare(settings: Settings, live: str, rebuilt: str) -> list[TableComparison]:
    """Row-for-row equality of every read model in two schemas."""
    conn = await asyncpg.connect(settings.database_url)
    try:
        out = []
        for table in READ_MODELS:
            counts = []
            digests = []
            for schema in (live, rebuilt):
                row = await conn.fetchrow(
                    "SELECT count(*) AS n, md5(coalesce(string_agg(t::text, '|'"
                    f" ORDER BY t::text), '')) AS digest FROM \"{schema}\".{table} t"
                )
                assert row is not None
                counts.append(row["n"])
                digests.append(row["digest"])
            out.append(TableComparison(table, counts[0], counts[1], digests[0] == digests[1]))
        return out
    finally:
        await conn.close()


async def swap(settings: Settings, live: str, rebuilt: str) -> None:
    conn = await asyncpg.connect(settings.database_url)
    try:
        async with conn.transaction():
            await conn.execute(f'ALTER SCHEMA "{live}" RENAME TO "{live}_replaced"')
            await conn.execute(f'ALTER SCHEMA "{rebuilt}" RENAME TO "{live}"')
            await conn.execute(f'DROP SCHEMA "{live}_replaced" CASCADE')
    finally:
        await conn.close()
