"""Transactional outbox relay: the event store's log, in order, onto the service's topic.

No event is skipped: rows are read only below `pg_snapshot_xmin(pg_current_snapshot())`,
the oldest transaction still running, ordered by (tx_id, position). A transaction that
commits late has a tx_id at or above that horizon until it ends, so the cursor never passes
it. The cursor is saved only after the broker acknowledged (acks=all) the whole batch: a
crash in between republishes, it never loses; consumers are idempotent.

A broker that lost its data (the embedded one keeps nothing across a restart) is noticed
within a second by a `BrokerWatch`: the relay rewinds its cursor to the start of the event
store, recreates the topics and republishes everything. The relay cannot know what each
consumer applied (that is in other services' tables), so it sends all of it; inboxes make the
repeats no-ops, and consumer groups whose offsets were lost start again from the earliest.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner, murmur2

from ohts_kit import metrics
from ohts_kit.db import lock_key
from ohts_kit.kafka import BrokerWatch, client_options
from ohts_kit.logging import get_logger
from ohts_kit.settings import Settings

log = get_logger(__name__)


class Publisher:
    """What the relay needs of a broker: send one record and get a future for its ack."""

    async def send(self, topic: str, value: bytes, key: bytes, headers: dict[str, str]) -> Any:
        raise NotImplementedError

    async def close(self) -> None:
        return None


class FastStreamPublisher(Publisher):
    def __init__(self, broker: Any) -> None:
        self.broker = broker

    async def send(self, topic: str, value: bytes, key: bytes, headers: dict[str, str]) -> Any:
        return await self.broker.publish(value, topic, key=key, headers=headers, no_confirm=True)


@functools.lru_cache(maxsize=1 << 16)
def _key_hash(key: bytes) -> int:
    return murmur2(key) & 0x7FFFFFFF


def partition_of(key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
    """aiokafka's DefaultPartitioner (the Java client's murmur2), each key's hash kept: keys
    are institution ids, few and repeated, and the pure-Python murmur2 was 6% of a busy
    service's CPU (issue 22). The same key still goes to the same partition."""
    if key is None:
        return int(DefaultPartitioner()(key, all_partitions, available))
    return all_partitions[_key_hash(key) % len(all_partitions)]


class KafkaPublisher(Publisher):
    """aiokafka's producer, without FastStream's publish path: the relay's records are
    already serialised, and FastStream's per-message work (a correlation uuid, header
    building, its middleware chain) was a third of the relay's time (issue 22's profile).
    Same guarantees as `make_broker`: acks=all, idempotence as configured."""

    def __init__(self, settings: Settings, client_id: str) -> None:
        self.settings = settings
        self.client_id = client_id
        self._producer: AIOKafkaProducer | None = None

    async def _started(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = AIOKafkaProducer(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                client_id=self.client_id,
                acks="all",  # published only when every in-sync replica has it
                enable_idempotence=self.settings.kafka_idempotence,
                request_timeout_ms=15_000,
                linger_ms=1,
                max_batch_size=256 * 1024,
                partitioner=partition_of,
                **client_options(self.settings),
            )
            try:
                await producer.start()
            except Exception:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def send(self, topic: str, value: bytes, key: bytes, headers: dict[str, str]) -> Any:
        producer = await self._started()
        pairs = [(k, v.encode()) for k, v in headers.items()]
        return await producer.send(topic, value, key=key, headers=pairs)

    async def close(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            with contextlib.suppress(Exception):
                await producer.stop()


# The envelope is built by PostgreSQL from the stored columns, in the shape of
# `contracts.envelope.Envelope` (consumers validate it): no decode and re-encode per event.
_ENVELOPE = (
    "json_build_object('event_id', event_id, 'event_type', event_type,"
    " 'schema_version', schema_version, 'occurred_at', occurred_at,"
    " 'recorded_at', recorded_at, 'producer', $5::text, 'aggregate_type', aggregate_type,"
    " 'aggregate_id', aggregate_id, 'aggregate_version', aggregate_version,"
    " 'institution_id', institution_id, 'region_code', region_code,"
    " 'correlation_id', correlation_id, 'causation_id', causation_id,"
    " 'actor', actor, 'payload', payload)::text"
)

# One round trip per batch: the previous batch's cursor is saved by the statement that
# reads the next one (a data-modifying CTE always runs; `$4 > 0` skips it when idle).
_NEXT_BATCH = (
    "WITH saved AS (UPDATE relay_cursor SET tx_id = $1, position = $2,"
    " published = published + $4 WHERE id = 1 AND $4 > 0 RETURNING 1)"
    " SELECT tx_id, position, event_id::text AS event_id, event_type, institution_id,"
    f" correlation_id, {_ENVELOPE} AS envelope FROM events"
    " WHERE (tx_id, position) > ($1::xid8, $2::bigint)"
    "   AND tx_id < pg_snapshot_xmin(pg_current_snapshot())"
    " ORDER BY tx_id, position LIMIT $3"
)


class OutboxRelay:
    def __init__(
        self,
        pool: asyncpg.Pool,
        publisher: Publisher,
        *,
        producer: str,
        schema: str,
        topic: str,
        batch_size: int = 500,
        poll_seconds: float = 0.2,
        coalesce_seconds: float = 0.005,
        watch: BrokerWatch | None = None,
    ) -> None:
        self.pool = pool
        self.publisher = publisher
        self.producer = producer
        self.schema = schema
        self.topic = topic
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.coalesce_seconds = coalesce_seconds
        self.running = False
        self.standby = False  # waiting for another instance's relay to let go of the lock
        self.watch = watch
        self._wake = asyncio.Event()
        self._checked = 0.0
        # Where the relay is (published and acknowledged) and how many of those the stored
        # cursor does not count yet; only this relay writes the cursor (advisory lock).
        self._cursor: tuple[Any, int] | None = None
        self._unsaved = 0

    async def _rewind_if_broker_lost_history(self) -> bool:
        """Once a second, not before every batch: events sent to a broker that lost its
        data in between are sent again by the rewind, so the timer never loses any."""
        if self.watch is None or time.monotonic() - self._checked < 1.0:
            return False
        self._checked = time.monotonic()
        if await self.watch.holds_history():
            return False
        async with self.pool.acquire() as conn:
            # Rewind first, mark second: a crash in between rewinds again, never skips.
            previous = await conn.fetchval(
                "UPDATE relay_cursor SET tx_id = '0', position = 0,"
                " broker_resets = broker_resets + (published + $1 > 0)::int,"
                " published = published + $1 WHERE id = 1 RETURNING published",
                self._unsaved,
            )
        self._cursor, self._unsaved = (0, 0), 0  # xid8 goes as an int
        await self.watch.mark()
        if previous:
            log.warning("relay.broker_lost_history", topic=self.topic, republishing=True)
        return True

    async def relay_once(self) -> int:
        """Publish the next batch below the horizon; returns how many were published."""
        await self._rewind_if_broker_lost_history()
        rows = await self._next_batch()
        if not rows:
            return 0
        futures = []
        for row in rows:
            futures.append(
                await self.publisher.send(
                    self.topic,
                    row["envelope"].encode(),
                    row["institution_id"].encode(),
                    {
                        "event_type": row["event_type"],
                        "event_id": row["event_id"],
                        "correlation_id": row["correlation_id"],
                    },
                )
            )
        await asyncio.gather(*futures)  # every record acknowledged by the broker
        last = rows[-1]
        self._cursor = (last["tx_id"], last["position"])
        self._unsaved += len(rows)
        metrics.relay_published(self.producer, len(rows))
        return len(rows)

    async def _next_batch(self) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            if self._cursor is None:
                cursor = await conn.fetchrow(
                    "SELECT tx_id, position FROM relay_cursor WHERE id = 1"
                )
                assert cursor is not None, "relay_cursor row is created by the platform migration"
                self._cursor = (cursor["tx_id"], cursor["position"])
            rows = await conn.fetch(
                _NEXT_BATCH, *self._cursor, self.batch_size, self._unsaved, self.producer
            )
            self._unsaved = 0  # saved by the statement above
            return rows

    async def save_cursor(self) -> None:
        """Store the acknowledged position now (on stop; otherwise the next batch does it)."""
        if self._unsaved and self._cursor is not None:
            async with self.pool.acquire() as conn:
                await conn.execute(
                    "UPDATE relay_cursor SET tx_id = $1, position = $2,"
                    " published = published + $3 WHERE id = 1",
                    *self._cursor,
                    self._unsaved,
                )
            self._unsaved = 0

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set. One relay per schema: others wait on an advisory lock."""
        async with self.pool.acquire() as lock_conn:
            self.standby = True
            try:
                while not await lock_conn.fetchval(
                    "SELECT pg_try_advisory_lock($1)", lock_key(f"relay:{self.schema}")
                ):
                    if await _wait(stop, 1.0):
                        return
            finally:
                self.standby = False
            channel = f"{self.schema}_events"
            await lock_conn.add_listener(channel, self._on_notify)
            self.running = True
            self._cursor, self._unsaved = None, 0  # read again: the lock's last holder moved it
            log.info("relay.started", topic=self.topic)
            try:
                await self._loop(stop)
            finally:
                self.running = False
                await self._let_go(lock_conn, channel)

    async def _loop(self, stop: asyncio.Event) -> None:
        """Publish at once when idle; under load at most one batch per `coalesce_seconds`
        (commits arriving meanwhile share the next batch) unless a full batch shows a backlog."""
        while not stop.is_set():
            started = time.monotonic()
            try:
                published = await self.relay_once()
            except Exception:  # the broker or database is away: back off, retry
                log.exception("relay.error")
                published = 0
                await _wait(stop, 1.0)
            if published == 0:
                await self._idle(stop)
            elif published < self.batch_size:
                pause = self.coalesce_seconds - (time.monotonic() - started)
                if pause > 0:
                    await asyncio.sleep(pause)

    async def _idle(self, stop: asyncio.Event) -> None:
        self._wake.clear()
        waker = asyncio.ensure_future(self._wake.wait())
        stopper = asyncio.ensure_future(stop.wait())
        await asyncio.wait(
            {waker, stopper}, timeout=self.poll_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        waker.cancel()
        stopper.cancel()

    async def _let_go(self, lock_conn: Any, channel: str) -> None:
        with contextlib.suppress(Exception):
            await self.save_cursor()
        await self.publisher.close()
        if self.watch is not None:
            await self.watch.close()
        try:  # the pool does not reset sessions (ohts_kit.db): leave nothing behind
            await lock_conn.remove_listener(channel, self._on_notify)
            await lock_conn.execute("SELECT pg_advisory_unlock_all(); UNLISTEN *")
        except Exception:
            lock_conn.terminate()

    def _on_notify(self, *_: object) -> None:
        self._wake.set()


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
        return True
    except TimeoutError:
        return False
