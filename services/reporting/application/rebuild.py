"""Rebuild every read model from the event history (P6, issue "rebuild").

The history is replayed from the producers' topics, from the first offset to their end, into
a fresh schema through the same handlers as the live consumer. The result is compared table
by table with the live schema; `replace` swaps the rebuilt schema in (the reporting service
must be stopped, so its committed offsets lie within the replay).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic import ValidationError

from contracts.envelope import Envelope, EventPayload, UnknownEventType, decode_payload
from ohts_kit.consumer import Handler
from ohts_kit.db import PLATFORM_MIGRATIONS, migrate
from ohts_kit.errors import DomainError
from ohts_kit.kafka import client_options, drain
from ohts_kit.settings import Settings
from services.reporting.projections.catalog import READ_MODELS, bulk, handlers

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
    admin = await asyncpg.connect(settings.database_url)
    try:
        await admin.execute(f'DROP SCHEMA IF EXISTS "{target}" CASCADE')
    finally:
        await admin.close()
    await migrate(settings, target, [PLATFORM_MIGRATIONS, MIGRATIONS])
    started = time.perf_counter()
    events, skipped = await replay(settings, target, progress)
    report = RebuildReport(target, events, skipped, time.perf_counter() - started)
    report.tables = await compare(settings, live, target)
    if replace:
        await swap(settings, live, target)
        report.schema = live
    log.info("reporting.rebuilt", events=events, skipped=skipped, equal=report.equal)
    return report


async def replay(
    settings: Settings, schema: str, progress: Progress | None = None
) -> tuple[int, int]:
    """Apply every event of the producers' topics to `schema`; returns (applied, skipped)."""
    apply = handlers(settings)
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_auto_commit=False,
        group_id=None,
        **client_options(settings),
    )
    await consumer.start()
    conn = await asyncpg.connect(settings.database_url, server_settings={"search_path": schema})
    applied = skipped = 0
    try:
        batched = bulk()
        topics = [settings.topic_of(s) for s in PRODUCERS]
        if progress is not None:
            progress.set_total(await _records_in(consumer, topics))
        async for records in drain(consumer, topics):
            if progress is not None:
                progress.advance(len(records))
            async with conn.transaction():
                pending = _Pending()
                for record in records:
                    decoded = _decode(record)
                    if decoded is None:
                        skipped += 1
                    elif decoded[0].event_type in batched:
                        statement, row = batched[decoded[0].event_type]
                        pending.add(statement, row(*decoded), _inbox_row(decoded[0], record))
                        applied += 1
                    else:
                        await pending.flush(conn)  # everything else keeps its order after them
                        if await _apply(conn, apply, record, decoded):
                            applied += 1
                        else:
                            skipped += 1
                await pending.flush(conn)
    finally:
        await conn.close()
        await consumer.stop()
    return applied, skipped


async def _records_in(consumer: AIOKafkaConsumer, topics: list[str]) -> int:
    """How many records the topics hold now (a progress bar's total)."""
    await consumer.topics()  # fresh metadata
    partitions = [
        TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
    ]
    if not partitions:
        return 0
    ends = await consumer.end_offsets(partitions)
    starts = await consumer.beginning_offsets(partitions)
    return sum(ends[tp] - starts[tp] for tp in partitions)


@dataclass
class _Pending:
    """Rows of batched (insert-only, idempotent) projections, and their inbox rows."""

    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    inbox: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, statement: str, row: tuple[Any, ...], inbox_row: tuple[Any, ...]) -> None:
        self.rows.setdefault(statement, []).append(row)
        self.inbox.append(inbox_row)

    async def flush(self, conn: asyncpg.Connection) -> None:
        if self.inbox:
            await conn.executemany(INBOX_INSERT, self.inbox)
        for statement, values in self.rows.items():
            await conn.executemany(statement, values)
        self.rows.clear()
        self.inbox.clear()


INBOX_INSERT = (
    'INSERT INTO inbox (consumer, event_id, event_type, topic, partition, "offset")'
    " VALUES ('reporting', $1, $2, $3, $4, $5) ON CONFLICT DO NOTHING"
)


def _decode(record: Any) -> tuple[Envelope, EventPayload] | None:
    try:
        envelope = Envelope.model_validate_json(record.value)
        payload = decode_payload(envelope.event_type, envelope.schema_version, envelope.payload)
    except (ValidationError, UnknownEventType):
        return None  # the live consumer dead-lettered it too
    return envelope, payload


def _inbox_row(envelope: Envelope, record: Any) -> tuple[Any, ...]:
    return (envelope.event_id, envelope.event_type, record.topic, record.partition, record.offset)


async def _apply(
    conn: asyncpg.Connection,
    apply: dict[str, Handler],
    record: Any,
    decoded: tuple[Envelope, EventPayload],
) -> bool:
    envelope, payload = decoded
    inserted = await conn.fetchval(INBOX_INSERT + " RETURNING 1", *_inbox_row(envelope, record))
    if not inserted:
        return False  # a duplicate delivery in the topic (a relay crash may duplicate)
    handler = apply.get(envelope.event_type)
    if handler is not None:
        try:
            async with conn.transaction():
                await handler(conn, envelope, payload)
        except DomainError:
            return False
    return True


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
