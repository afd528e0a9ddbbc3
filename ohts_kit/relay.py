"""Transactional outbox relay: the event store's log, in order, onto the service's topic.

No event is skipped: rows are read only below `pg_snapshot_xmin(pg_current_snapshot())`,
the oldest transaction still running, ordered by (tx_id, position). A transaction that
commits late has a tx_id at or above that horizon until it ends, so the cursor never passes
it. The cursor is saved only after the broker acknowledged (acks=all) the whole batch: a
crash in between republishes, it never loses; consumers are idempotent.

A broker that lost its data (the embedded one keeps nothing across a restart) is noticed
before each batch by a `BrokerWatch`: the relay rewinds its cursor to the start of the event
store, recreates the topics and republishes everything. The relay cannot know what each
consumer applied (that is in other services' tables), so it sends all of it; inboxes make the
repeats no-ops, and consumer groups whose offsets were lost start again from the earliest.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import asyncpg

from ohts_kit import metrics
from ohts_kit.db import lock_key
from ohts_kit.eventstore import _COLUMNS, row_to_envelope
from ohts_kit.kafka import BrokerWatch
from ohts_kit.logging import get_logger

log = get_logger(__name__)


class Publisher:
    """What the relay needs of a broker: send one record and get a future for its ack."""

    async def send(self, topic: str, value: bytes, key: bytes, headers: dict[str, str]) -> Any:
        raise NotImplementedError


class FastStreamPublisher(Publisher):
    def __init__(self, broker: Any) -> None:
        self.broker = broker

    async def send(self, topic: str, value: bytes, key: bytes, headers: dict[str, str]) -> Any:
        return await self.broker.publish(value, topic, key=key, headers=headers, no_confirm=True)


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
        watch: BrokerWatch | None = None,
    ) -> None:
        self.pool = pool
        self.publisher = publisher
        self.producer = producer
        self.schema = schema
        self.topic = topic
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.running = False
        self.watch = watch
        self._wake = asyncio.Event()
        self._checked = 0.0

    async def _rewind_if_broker_lost_history(self, idle: bool) -> bool:
        """Before a batch, and once a second while idle (the lost events may be old ones)."""
        if self.watch is None or (idle and time.monotonic() - self._checked < 1.0):
            return False
        self._checked = time.monotonic()
        if await self.watch.holds_history():
            return False
        async with self.pool.acquire() as conn:
            # Rewind first, mark second: a crash in between rewinds again, never skips.
            previous = await conn.fetchval(
                "UPDATE relay_cursor SET tx_id = '0', position = 0,"
                " broker_resets = broker_resets + (published > 0)::int"
                " WHERE id = 1 RETURNING published"
            )
        await self.watch.mark()
        if previous:
            log.warning("relay.broker_lost_history", topic=self.topic, republishing=True)
        return True

    async def relay_once(self) -> int:
        """Publish the next batch below the horizon; returns how many were published."""
        rows = await self._next_batch()
        if await self._rewind_if_broker_lost_history(idle=not rows):
            rows = await self._next_batch()
        if not rows:
            return 0
        futures = []
        for row in rows:
            env = row_to_envelope(row, self.producer)
            futures.append(
                await self.publisher.send(
                    self.topic,
                    env.model_dump_json().encode(),
                    env.institution_id.encode(),
                    {
                        "event_type": env.event_type,
                        "event_id": str(env.event_id),
                        "correlation_id": env.correlation_id,
                    },
                )
            )
        await asyncio.gather(*futures)  # every record acknowledged by the broker
        last = rows[-1]
        async with self.pool.acquire() as conn:
            await conn.execute(
                "UPDATE relay_cursor SET tx_id = $1, position = $2, published = published + $3"
                " WHERE id = 1",
                last["tx_id"],
                last["position"],
                len(rows),
            )
        metrics.relay_published(self.producer, len(rows))
        return len(rows)

    async def _next_batch(self) -> list[asyncpg.Record]:
        async with self.pool.acquire() as conn:
            cursor = await conn.fetchrow("SELECT tx_id, position FROM relay_cursor WHERE id = 1")
            assert cursor is not None, "relay_cursor row is created by the platform migration"
            return await conn.fetch(
                f"SELECT tx_id, {_COLUMNS} FROM events"
                " WHERE (tx_id, position) > ($1::xid8, $2::bigint)"
                "   AND tx_id < pg_snapshot_xmin(pg_current_snapshot())"
                " ORDER BY tx_id, position LIMIT $3",
                cursor["tx_id"],
                cursor["position"],
                self.batch_size,
            )

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set. One relay per schema: others wait on an advisory lock."""
        async with self.pool.acquire() as lock_conn:
            while not await lock_conn.fetchval(
                "SELECT pg_try_advisory_lock($1)", lock_key(f"relay:{self.schema}")
            ):
                if await _wait(stop, 1.0):
                    return
            channel = f"{self.schema}_events"
            await lock_conn.add_listener(channel, self._on_notify)
            self.running = True
            log.info("relay.started", topic=self.topic)
            try:
                while not stop.is_set():
                    try:
                        published = await self.relay_once()
                    except Exception:  # the broker or database is away: back off, retry
                        log.exception("relay.error")
                        published = 0
                        await _wait(stop, 1.0)
                    if published == 0:
                        self._wake.clear()
                        waker = asyncio.ensure_future(self._wake.wait())
                        stopper = asyncio.ensure_future(stop.wait())
                        await asyncio.wait(
                            {waker, stopper},
                            timeout=self.poll_seconds,
                            return_when=asyncio.FIRST_COMPLETED,
                        )
                        waker.cancel()
                        stopper.cancel()
            finally:
                self.running = False
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
