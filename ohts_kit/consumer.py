"""Idempotent consumers on FastStream with manual acknowledgement and a dead-letter topic.

Each incoming event is applied in a PostgreSQL transaction together with an inbox row keyed
by (consumer, event_id); offsets are committed only after those transactions, so a
redelivery finds the inbox row and is a no-op. A fetched batch is applied in as few
transactions as the event store allows (one commit, one fsync, one inbox statement for many
events), without savepoints: failures are rare, so a failing event rolls its run back and the
run's events are applied again one by one. An event whose handler may append (`may_append`)
starts a transaction unless the run's transaction was opened by an append: an append must be
its transaction's first write, and later appends may follow it (the event store refuses one
that a newer transaction overtook on its stream, with a conflict that sends the run one by
one; README, "Several appends in one transaction"). Bytes that do not decode, unknown types
and payloads failing validation go to `ohts.dlq` with the error and the original bytes; a
known type without a handler, told by the relay's headers, is not decoded: only its inbox
row is written. The run's writes wait, and those of one statement go as one `executemany`
(`ohts_kit.deferred`). A handler error is retried alone with backoff, then dead-lettered. A
conflict with another writer of the same stream (optimistic concurrency) is never
dead-lettered: the event is applied again from a fresh load, with jittered backoff, and a
conflict that persists rewinds the batch like an outage. An outage of the database or the
broker is never a reason to dead-letter: the batch is rewound (nack) and
tried again, and what was committed before the outage is skipped by the inbox.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast
from uuid import UUID

import asyncpg
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import ValidationError

from contracts.envelope import (
    Envelope,
    EventPayload,
    UnknownEventType,
    all_event_types,
    decode_json,
    decode_payload,
)
from ohts_kit.db import Conn
from ohts_kit.deferred import DeferredWrites
from ohts_kit.errors import ConcurrencyConflict, DomainError
from ohts_kit.eventstore import AppendOrderError, appends_so_far
from ohts_kit.logging import about_event, get_logger

log = get_logger(__name__)

Handler = Callable[[Conn, Envelope, EventPayload], Awaitable[None]]


def header_of(record: Any, name: str) -> str:
    """A header the relay sets on each record (`event_type`, `event_id`; "" when absent)."""
    for key, value in record.headers or ():
        if key == name:
            return str(value, "utf-8", "replace")
    return ""


def event_type_of(record: Any) -> str:
    return header_of(record, "event_type")


def event_id_of(record: Any) -> UUID | None:
    """The relay's `event_id` header, or None when absent or not a UUID."""
    try:
        return UUID(header_of(record, "event_id"))
    except ValueError:
        return None


def institution_of(payload: EventPayload | None) -> str | None:
    """The institution an event is about, as its payload names it, kept in its inbox row (a
    portal page changes with its institution's events only, reporting migration 0012). Not
    the Kafka key: a QC activity's events are keyed by province. None when the payload
    names none or was not decoded (a type the consumer does not use)."""
    found = getattr(payload, "institution_id", None)
    return found if isinstance(found, str) else None


_OUTAGES: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,  # class 08
    asyncpg.OperatorInterventionError,  # class 57: shutdown, crash, cannot connect now
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,  # a connection or pool cut off mid-use
    asyncpg.InternalClientError,  # the driver's own state broken, e.g. by a cut connection
)


H = TypeVar("H", bound=Handler)


def may_append(handler: H) -> H:
    """Marks a handler that may append events: it starts a transaction of its own (unless the
    run's transaction was opened by an append), so its append is never preceded by another
    write. An unmarked handler that appends still works,
    at the price of a rolled-back run (logged as consumer.unmarked_appending_handler)."""
    handler.may_append = True  # type: ignore[attr-defined]
    return handler


def _fetch_without_idle_sleep(subscriber: Any) -> None:
    """FastStream's batch subscriber sleeps `batch_timeout_ms` after every empty fetch, on top
    of the fetch's own wait: a record arriving then waited up to 50 ms more, about half of a
    hop's latency at 200 events/s. aiokafka's `getmany` already waits up to its timeout for
    records and returns as soon as some come, so the sleep is kept only for a fetch that came
    back empty at once (no assignment yet), where it stops a busy loop."""
    wait_ms = subscriber.batch_timeout_ms

    async def get_msg(consumer: Any) -> tuple[Any, ...]:
        started = time.monotonic()
        fetched = await consumer.getmany(timeout_ms=wait_ms, max_records=subscriber.max_records)
        if not fetched:
            # At least one turn of the loop for the other tasks (heartbeats, HTTP, relay).
            quick = time.monotonic() - started < wait_ms / 2000
            await asyncio.sleep(wait_ms / 1000 if quick else 0)
            return ()
        return tuple(record for records in fetched.values() for record in records)

    subscriber.get_msg = get_msg


# The longest the consumer runs Python without letting the event loop serve anything else.
TURN_SECONDS = 0.005


class _Turns:
    """Lets the event loop run other tasks once the consumer has held it for TURN_SECONDS.
    Decoding a batch and applying a run are Python with few awaits that reach a socket (a
    run's writes wait until its flush): without turns, the HTTP requests of the same
    process (the portal, in reporting) waited for the whole batch."""

    def __init__(self, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.since = clock()

    async def take(self) -> None:
        if self.clock() - self.since >= TURN_SECONDS:
            await asyncio.sleep(0)
            self.since = self.clock()


@dataclass
class ConsumerStats:
    applied: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    rewound: int = 0
    retried: int = 0
    ignored: int = 0


class _Duplicate(Exception):
    pass


class _Rewind(Exception):
    """The database or broker is away: rewind the batch and try it again later."""


def _rewind_for(outage: BaseException) -> _Rewind:
    """The database or the network is away: try the same events again later."""
    log.warning("consumer.infrastructure_error", error=repr(outage))
    return _Rewind()


@dataclass
class _Item:
    record: Any
    envelope: Envelope | None = None
    payload: EventPayload | None = None
    bad: _Undecodable | None = None
    # A known type this consumer has no handler for, identified by the relay's headers: it
    # is not decoded, and only its inbox row is written.
    ignored: bool = False
    event_id: UUID | None = None
    event_type: str = ""

    def __post_init__(self) -> None:
        if self.envelope is not None:
            self.event_id, self.event_type = self.envelope.event_id, self.envelope.event_type


class _Undecodable(Exception):
    def __init__(self, reason: str, error: str) -> None:
        super().__init__(error)
        self.reason = reason
        self.error = error


async def _raw_bytes(msg: Any) -> Any:
    """Custom decoder: hand the handler the original bytes; decoding is ours to judge."""
    return msg.body


class IdempotentConsumer:
    def __init__(
        self,
        pool: asyncpg.Pool | None,
        broker: KafkaBroker,
        *,
        name: str,
        topics: list[str],
        group_id: str,
        handlers: Mapping[str, Handler],
        dlq_topic: str,
        max_attempts: int = 5,
        backoff_seconds: float = 0.2,
        fetch_max_wait_ms: int = 500,
        batch_size: int = 200,
        session_timeout_ms: int = 10_000,
        heartbeat_interval_ms: int = 3_000,
        acquire_timeout: float = 30.0,
    ) -> None:
        self.pool = pool
        self.broker = broker
        self.name = name
        self.topics = topics
        self.group_id = group_id
        self.handlers = dict(handlers)
        self.appending = {t for t, h in self.handlers.items() if getattr(h, "may_append", False)}
        # Known types without a handler are ignored on purpose (each service's test): such a
        # record, known by its headers, is not decoded (its inbox row is still written).
        self.known = {t for t, _ in all_event_types()}
        self.dlq_topic = dlq_topic
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        # A connection that never comes is an outage (logged, rewound), not a silent stall.
        self.acquire_timeout = acquire_timeout
        self.stats = ConsumerStats()
        self.subscriber = broker.subscriber(
            *topics,
            group_id=group_id,
            batch=True,
            max_records=batch_size,
            batch_timeout_ms=fetch_max_wait_ms,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=fetch_max_wait_ms,
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=heartbeat_interval_ms,
            decoder=_raw_bytes,
            title=f"{name}:consume",
            description=f"{name} applies {', '.join(sorted(self.handlers)) or 'no'} events",
        )
        self.subscriber(self.handle)
        _fetch_without_idle_sleep(self.subscriber)

    async def handle(self, bodies: list[bytes], msg: KafkaMessage) -> None:
        turns = _Turns()
        items = []
        for record in msg.raw_message:
            items.append(self._item(record))
            await turns.take()
        try:
            await self._apply_batch(items, turns)
        except _Rewind:
            await self._rewind(msg)
            return
        except Exception:
            # Unforeseen, so not judged: an exception escaping here would let the
            # subscriber fetch on past the batch, which would then be applied only after a
            # restart. Rewinding keeps it; the inbox makes the retry safe.
            log.exception("consumer.batch_failed")
            await self._rewind(msg)
            return
        await msg.ack()

    def _item(self, record: Any) -> _Item:
        event_type = event_type_of(record)
        ignored = event_type in self.known and event_type not in self.handlers
        if ignored and (event_id := event_id_of(record)) is not None:
            return _Item(record, ignored=True, event_id=event_id, event_type=event_type)
        try:
            envelope, payload = self._decode(record.value, event_type)
        except _Undecodable as bad:
            return _Item(record, bad=bad)
        return _Item(record, envelope, payload)

    async def _apply_batch(self, items: list[_Item], turns: _Turns) -> None:
        assert self.pool is not None, "consumer started before its pool"
        ids = [i.event_id for i in items if i.event_id is not None]
        try:
            async with self.pool.acquire(timeout=self.acquire_timeout) as conn:
                rows = await conn.fetch(
                    "SELECT event_id FROM inbox WHERE consumer = $1 AND event_id = ANY($2)",
                    self.name,
                    ids,
                )
        except _OUTAGES as exc:
            raise _rewind_for(exc) from exc
        seen = {r["event_id"] for r in rows}
        at = 0
        while at < len(items):
            stop, failed = await self._apply_run(items, at, seen, turns)
            if failed:  # rolled back: each of those items on its own, with retries
                for item in items[at:stop]:
                    if item.event_id is None or item.event_id not in seen:
                        await self._apply_alone(item)
            at = stop

    async def _apply_run(
        self, items: list[_Item], start: int, seen: set[Any], turns: _Turns
    ) -> tuple[int, bool]:
        """Apply items from `start` in one transaction, without savepoints; returns where it
        stopped and whether it failed. A failure rolls the whole run back (nothing partial
        stays), and the caller applies items[start:stop] one at a time."""
        assert self.pool is not None
        applied: list[_Item] = []
        at, in_handler, duplicates, ignored, event_type = start, False, 0, 0, ""
        opened_by_append = False  # the run's first write was an append: more may follow
        try:
            async with self.pool.acquire(timeout=self.acquire_timeout) as conn, conn.transaction():
                writes = DeferredWrites(conn)  # the run's writes, a statement each
                run_conn = cast(Conn, writes)  # the connection methods handlers use
                while at < len(items):
                    item = items[at]
                    if item.event_id in seen:
                        duplicates += 1
                        at += 1
                        continue
                    if item.ignored:  # its inbox row only
                        applied.append(item)
                        ignored += 1
                        at += 1
                        continue
                    if item.envelope is None or item.payload is None:
                        if not applied:
                            return at + 1, True  # dead-lettered on its own
                        break
                    event_type = item.envelope.event_type
                    wrote = len(applied) > ignored  # inbox rows come last: not writes yet
                    if wrote and event_type in self.appending and not opened_by_append:
                        break  # an append must be its transaction's first write
                    before = appends_so_far()
                    handler = self.handlers.get(event_type)
                    if handler is not None:
                        in_handler = True
                        with about_event(item.envelope):
                            await handler(run_conn, item.envelope, item.payload)
                        in_handler = False
                    applied.append(item)
                    at += 1
                    await turns.take()
                    if appends_so_far() != before and not wrote:
                        opened_by_append = True  # later appends keep the order (README)
                    elif appends_so_far() != before and not opened_by_append:
                        break  # an append after another write ends its transaction
                await writes.flush()
                if applied and await self._record_in_inbox(conn, applied) < len(applied):
                    raise _Duplicate  # a concurrent delivery won: roll everything back
        except _OUTAGES as exc:
            raise _rewind_for(exc) from exc
        except Exception as exc:
            if isinstance(exc, AppendOrderError):
                log.warning("consumer.unmarked_appending_handler", event_type=event_type)
            return (at + 1 if in_handler else at), True
        self.stats.applied += len(applied) - ignored
        self.stats.ignored += ignored
        self.stats.duplicates += duplicates
        for item in applied:
            seen.add(item.event_id)
        return at, False

    async def _record_in_inbox(self, conn: Conn, applied: list[_Item]) -> int:
        """One statement for the run's inbox rows; returns how many were new."""
        rows = await conn.fetch(
            "INSERT INTO inbox (consumer, event_id, event_type, topic, partition,"
            ' "offset", institution_id) SELECT $1, * FROM unnest($2::uuid[], $3::text[],'
            " $4::text[], $5::int[], $6::bigint[], $7::text[]) ON CONFLICT DO NOTHING RETURNING 1",
            self.name,
            [i.event_id for i in applied],
            [i.event_type for i in applied],
            [i.record.topic for i in applied],
            [i.record.partition for i in applied],
            [i.record.offset for i in applied],
            [institution_of(i.payload) for i in applied],
        )
        return len(rows)

    async def _apply_alone(self, item: _Item) -> None:
        if item.ignored:
            await self._inbox_alone(item)
            return
        if item.bad is not None:
            await self._dead_letter(item.record, None, item.bad.reason, item.bad.error, 0)
            return
        assert item.envelope is not None and item.payload is not None
        with about_event(item.envelope):
            await self._apply_with_retry(item.record, item.envelope, item.payload)

    async def _inbox_alone(self, item: _Item) -> None:
        assert self.pool is not None
        try:
            async with self.pool.acquire(timeout=self.acquire_timeout) as conn:
                fresh = await self._record_in_inbox(conn, [item])
        except _OUTAGES as exc:
            raise _rewind_for(exc) from exc
        self.stats.ignored += fresh
        self.stats.duplicates += 1 - fresh

    def _decode(self, body: Any, event_type: str = "") -> tuple[Envelope, EventPayload]:
        if not isinstance(body, bytes | bytearray):
            raise _Undecodable("undecodable", f"body is {type(body).__name__}, not bytes")
        try:
            return decode_json(body, event_type)  # one validation of both, mostly
        except (ValidationError, UnknownEventType):
            pass  # the long way below says which part is wrong
        try:
            envelope = Envelope.model_validate_json(body)
        except ValidationError as exc:
            raise _Undecodable("invalid-envelope", str(exc)) from exc
        try:
            payload = decode_payload(envelope.event_type, envelope.schema_version, envelope.payload)
        except UnknownEventType as exc:
            raise _Undecodable("unknown-type", str(exc)) from exc
        except ValidationError as exc:
            raise _Undecodable("invalid-payload", str(exc)) from exc
        return envelope, payload

    async def _apply_with_retry(
        self, record: Any, envelope: Envelope, payload: EventPayload
    ) -> None:
        attempt = 0
        while True:
            attempt += 1
            try:
                applied = await self.apply(envelope, payload, record)
            except _OUTAGES as exc:
                raise _rewind_for(exc) from exc
            except ConcurrencyConflict as exc:
                # Another writer appended to the stream first: the handler loads it again
                # and decides anew. A stream that stays contended is rewound, never lost.
                if attempt >= self.max_attempts:
                    log.warning("consumer.conflict_persists", attempts=attempt, error=repr(exc))
                    raise _Rewind from exc
                self.stats.retried += 1
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1) * random.random())
                continue
            except (DomainError, ValidationError, asyncpg.DataError) as exc:
                # deterministic (a rule, a schema, invalid data: class 22): retrying cannot help
                await self._dead_letter(record, envelope, "rejected", repr(exc), attempt)
                return
            except Exception as exc:
                if attempt >= self.max_attempts:
                    log.exception("consumer.giving_up", attempts=attempt)
                    await self._dead_letter(record, envelope, "handler-failed", repr(exc), attempt)
                    return
                log.warning("consumer.retry", attempt=attempt, error=repr(exc))
                self.stats.retried += 1
                await asyncio.sleep(self.backoff_seconds * 2 ** (attempt - 1))
                continue
            if applied:
                self.stats.applied += 1
            else:
                self.stats.duplicates += 1
            return

    async def apply(self, envelope: Envelope, payload: EventPayload, record: Any) -> bool:
        """Apply once; returns False when the inbox shows the event was applied before."""
        assert self.pool is not None, "consumer started before its pool"
        try:
            async with self.pool.acquire(timeout=self.acquire_timeout) as conn, conn.transaction():
                seen = await conn.fetchval(
                    "SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2",
                    self.name,
                    envelope.event_id,
                )
                if seen:
                    return False
                await self._apply_in(conn, envelope, payload, record)
        except _Duplicate:
            return False
        return True

    async def _apply_in(
        self, conn: Conn, envelope: Envelope, payload: EventPayload, record: Any
    ) -> None:
        """The handler's effects and the inbox row, in the caller's transaction."""
        handler = self.handlers.get(envelope.event_type)
        if handler is not None:
            await handler(conn, envelope, payload)
        # Written last: a handler's append must be its transaction's first write.
        inserted = await conn.fetchval(
            "INSERT INTO inbox (consumer, event_id, event_type, topic, partition,"
            ' "offset", institution_id) VALUES ($1, $2, $3, $4, $5, $6, $7)'
            " ON CONFLICT DO NOTHING RETURNING 1",
            self.name,
            envelope.event_id,
            envelope.event_type,
            record.topic,
            record.partition,
            record.offset,
            institution_of(payload),
        )
        if not inserted:
            raise _Duplicate  # a concurrent delivery won: roll our effects back

    async def _dead_letter(
        self,
        record: Any,
        envelope: Envelope | None,
        reason: str,
        error: str,
        attempts: int,
    ) -> None:
        headers = {
            "dlq_consumer": self.name,
            "dlq_reason": reason,
            "dlq_error": error[:2000],
            "dlq_topic": str(record.topic),
            "dlq_partition": str(record.partition),
            "dlq_offset": str(record.offset),
        }
        try:
            # Published first: a crash after this republishes (a duplicate dead letter),
            # never loses one.
            await self.broker.publish(
                record.value or b"", self.dlq_topic, key=record.key, headers=headers
            )
            assert self.pool is not None, "consumer started before its pool"
            async with self.pool.acquire(timeout=self.acquire_timeout) as conn, conn.transaction():
                await conn.execute(
                    'INSERT INTO dead_letters (consumer, topic, partition, "offset", event_id,'
                    " reason, error, attempts, value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                    " ON CONFLICT DO NOTHING",
                    self.name,
                    record.topic,
                    record.partition,
                    record.offset,
                    envelope.event_id if envelope else None,
                    reason,
                    error,
                    attempts,
                    record.value,
                )
                if envelope is not None:
                    await conn.execute(
                        "INSERT INTO inbox (consumer, event_id, event_type, topic, partition,"
                        ' "offset", institution_id) VALUES ($1, $2, $3, $4, $5, $6, $7)'
                        " ON CONFLICT DO NOTHING",
                        self.name,
                        envelope.event_id,
                        f"dead-letter:{envelope.event_type}",
                        record.topic,
                        record.partition,
                        record.offset,
                        None,  # applied nothing (migration 0012)
                    )
        except Exception as exc:
            log.warning("consumer.dead_letter_failed", error=repr(exc))
            raise _Rewind from exc
        self.stats.dead_lettered += 1
        log.error("consumer.dead_lettered", reason=reason, error=error[:500], offset=record.offset)

    async def _rewind(self, msg: Any) -> None:
        """Seek back to the batch's first records after a pause, so no ack passes over them."""
        self.stats.rewound += 1
        await asyncio.sleep(max(self.backoff_seconds, 0.5))
        await msg.nack()
