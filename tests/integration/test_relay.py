"""The outbox relay never skips an event, even when transactions commit out of order."""

import asyncio
import functools
import json
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import cast

import pytest

from contracts.envelope import Envelope
from ohts_kit.db import Conn
from ohts_kit.deferred import DeferredWrites
from ohts_kit.errors import ConcurrencyConflict
from ohts_kit.eventstore import EventStore
from ohts_kit.kafka import ensure_topics, make_broker
from ohts_kit.relay import FastStreamPublisher, KafkaPublisher, OutboxRelay
from tests.integration.helpers import META, eventually, platform_pool, read_topic, registered

pytestmark = pytest.mark.integration


async def test_no_event_is_skipped_when_a_writer_holds_its_transaction_open(settings) -> None:
    pool = await platform_pool(settings)
    await ensure_topics(settings)
    broker = make_broker(settings, "relay-test")
    await broker.start()
    topic = settings.topic_of("registry")
    relay = OutboxRelay(
        pool,
        KafkaPublisher(settings, "relay-test"),
        producer="registry",
        schema=settings.schema_of("registry"),
        topic=topic,
        batch_size=7,
        poll_seconds=0.02,
    )
    stop = asyncio.Event()
    relay_task = asyncio.create_task(relay.run(stop))
    store = EventStore("registry")
    held_open = asyncio.Event()
    release = asyncio.Event()
    cursor_while_held: list[tuple[str, str]] = []

    async def slow_writer() -> None:
        async with pool.acquire() as conn, conn.transaction():
            await store.append(conn, "Institution", "slow", 0, [registered("slow", 999)], META)
            held_xid = await conn.fetchval("SELECT pg_current_xact_id()::text")
            held_open.set()
            await release.wait()
            async with pool.acquire() as other:
                cursor = await other.fetchval("SELECT tx_id::text FROM relay_cursor")
            cursor_while_held.append((held_xid, cursor))

    async def fast_writer(w: int) -> None:
        for i in range(5):  # several appends in one transaction, as a consumer's run makes
            async with pool.acquire() as conn, conn.transaction():
                for part in ("a", "b"):
                    stream = f"w{w}-{i}{part}"
                    await store.append(
                        conn, "Institution", stream, 0, [registered(stream, w * 100 + i)] * 2, META
                    )

    try:
        slow = asyncio.create_task(slow_writer())
        await held_open.wait()
        await asyncio.gather(*(fast_writer(w) for w in range(4)))  # 80 events commit first

        async def later_events_are_waiting() -> bool:
            async with pool.acquire() as conn:
                return await conn.fetchval("SELECT published FROM relay_cursor") == 0

        await asyncio.sleep(0.5)  # the relay polls many times while the slow writer holds on
        assert await later_events_are_waiting(), "relay passed an open transaction"
        release.set()
        await slow

        async def all_published() -> bool:
            async with pool.acquire() as conn:
                return await conn.fetchval("SELECT published FROM relay_cursor") == 81

        await eventually(all_published)

        records = await read_topic(settings, topic, expected=81)
        async with pool.acquire() as conn:
            stored = [str(r["event_id"]) for r in await conn.fetch("SELECT event_id FROM events")]
        published = Counter(json.loads(r.value)["event_id"] for r in records)
        assert len(stored) == 81
        assert published == Counter(stored), "every stored event exactly once on the topic"
        # The slow writer's event, older in xid, is sent first once it commits (producer
        # timestamps have millisecond resolution, so later events of the batch may tie).
        slow_sent = next(
            r.timestamp for r in records if json.loads(r.value)["aggregate_id"] == "slow"
        )
        assert all(slow_sent <= r.timestamp for r in records)
        held_xid, cursor = cursor_while_held[0]
        assert int(cursor) < int(held_xid)
        assert all(r.key == json.loads(r.value)["institution_id"].encode() for r in records)
        envelopes = [Envelope.model_validate_json(r.value) for r in records]  # as consumers do
        assert all(e.producer == "registry" and e.actor == META.actor for e in envelopes)
        by_stream: dict[str, list[int]] = {}
        for e in envelopes:
            by_stream.setdefault(e.aggregate_id, []).append(e.aggregate_version)
        assert all(v == sorted(v) for v in by_stream.values()), "each stream in version order"
    finally:
        release.set()
        stop.set()
        await relay_task
        await broker.stop()
        await pool.close()


class FailingPublisher(FastStreamPublisher):
    """Sends everything, then fails before the cursor is saved: a crash at the worst time."""

    async def send(self, topic, value, key, headers):  # type: ignore[no-untyped-def]
        future = await super().send(topic, value, key, headers)
        self.sent = getattr(self, "sent", 0) + 1
        if self.sent == 3:
            await future
            raise ConnectionError("relay died after publishing, before saving its cursor")
        return future


async def test_a_crash_between_publish_and_cursor_save_duplicates_never_loses(settings) -> None:
    pool = await platform_pool(settings)
    await ensure_topics(settings)
    broker = make_broker(settings, "relay-crash-test")
    await broker.start()
    topic = settings.topic_of("registry")
    store = EventStore("registry")
    try:
        for i in range(5):
            async with pool.acquire() as conn, conn.transaction():
                await store.append(conn, "Institution", f"c{i}", 0, [registered(f"c{i}", i)], META)
        crashing = OutboxRelay(
            pool,
            FailingPublisher(broker),
            producer="registry",
            schema=settings.schema_of("registry"),
            topic=topic,
        )
        with pytest.raises(ConnectionError):
            await crashing.relay_once()
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT published FROM relay_cursor") == 0
        restarted = OutboxRelay(
            pool,
            FastStreamPublisher(broker),
            producer="registry",
            schema=settings.schema_of("registry"),
            topic=topic,
        )
        assert await restarted.relay_once() == 5
        records = await read_topic(settings, topic, expected=8)
        ids = Counter(json.loads(r.value)["event_id"] for r in records)
        assert len(ids) == 5 and sum(ids.values()) == 8  # 3 duplicates, nothing lost
    finally:
        await broker.stop()
        await pool.close()


async def test_a_later_append_overtaken_on_its_stream_is_a_conflict(settings) -> None:
    """A transaction's xid is fixed at its first append; a newer transaction that wrote a
    stream first would be relayed after this one's later version of it: refused."""
    pool = await platform_pool(settings)
    store = EventStore("registry")
    try:
        async with pool.acquire() as conn:
            with pytest.raises(ConcurrencyConflict):
                async with conn.transaction():
                    await store.append(conn, "Institution", "o1", 0, [registered("o1", 1)], META)
                    async with pool.acquire() as other, other.transaction():
                        await store.append(
                            other, "Institution", "o2", 0, [registered("o2", 2)], META
                        )
                    await store.append(conn, "Institution", "o2", 1, [registered("o2", 3)], META)
            async with conn.transaction():  # a stream nobody newer wrote: both appends kept
                await store.append(conn, "Institution", "o3", 0, [registered("o3", 4)], META)
                await store.append(conn, "Institution", "o4", 0, [registered("o4", 5)], META)
            assert (
                await conn.fetchval(
                    "SELECT count(*) FROM events WHERE aggregate_id IN ('o1', 'o2', 'o3', 'o4')"
                )
                == 3
            )  # o2 (other writer), o3, o4; o1 rolled back with its transaction
    finally:
        await pool.close()


@pytest.mark.parametrize("run", ["sent at once", "waiting (a consumer run)"])
async def test_racing_multi_append_transactions_reach_the_topic_in_stream_order(
    settings, run: str
) -> None:
    """The relay race with streams that several multi-append transactions write. Each
    transaction first appends to a stream of its own (its xid is fixed there), then, after a
    pause in which newer transactions may commit, to a shared stream at the version it
    loads; a conflict makes the writer start over from a fresh load, as the consumer's
    one-by-one fallback does. Writer "late" is overtaken for certain: "early" commits its
    shared version between late's first append and late's load. On the topic every shared
    stream must arrive in version order, each version once; without the store's overtaking
    check late's version would be sent before early's (smaller xid, later version). In a
    consumer run (DeferredWrites) the shared append waits for the run's end and goes in one
    statement with the check: the same order must hold."""
    pool = await platform_pool(settings)
    await ensure_topics(settings)
    topic = settings.topic_of("registry")
    relay = OutboxRelay(
        pool,
        KafkaPublisher(settings, "relay-race-test"),
        producer="registry",
        schema=settings.schema_of("registry"),
        topic=topic,
        batch_size=5,
        poll_seconds=0.02,
    )
    stop = asyncio.Event()
    relay_task = asyncio.create_task(relay.run(stop))
    store = EventStore("registry")
    rng = random.Random(22)
    conflicts = Counter[str]()
    late_has_xid, early_committed = asyncio.Event(), asyncio.Event()

    async def transaction(name: str, shared: str, pause: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                async with pool.acquire() as raw, raw.transaction():
                    writes = DeferredWrites(raw)
                    conn = cast(Conn, writes) if run.startswith("waiting") else raw
                    await store.append(conn, "Institution", name, 0, [registered(name)], META)
                    await pause()
                    version = len(await store.load(conn, "Institution", shared))
                    await store.append(
                        conn, "Institution", shared, version, [registered(shared)], META
                    )
                    await writes.flush()
                    assert writes.statements == (3 if conn is writes else 0)  # append, load, rest
                return
            except ConcurrencyConflict:
                conflicts[name] += 1

    async def late_pause() -> None:
        late_has_xid.set()
        await early_committed.wait()

    async def early() -> None:
        await late_has_xid.wait()
        await transaction("early", "shared0", _no_pause)
        early_committed.set()

    async def writer(w: int) -> None:
        for i in range(6):
            pause = functools.partial(asyncio.sleep, rng.uniform(0, 0.03))
            await transaction(f"m{w}-{i}", f"shared{i % 2}", pause)

    try:
        await asyncio.gather(
            transaction("late", "shared0", late_pause), early(), *(writer(w) for w in range(4))
        )
        async with pool.acquire() as conn:
            stored = [str(r["event_id"]) for r in await conn.fetch("SELECT event_id FROM events")]
        assert len(stored) == 2 * 26  # 26 transactions of two appends each, retries rolled back

        async def all_published() -> bool:
            async with pool.acquire() as conn:
                return await conn.fetchval("SELECT published FROM relay_cursor") == len(stored)

        await eventually(all_published)
        records = await read_topic(settings, topic, expected=len(stored))
        envelopes = [Envelope.model_validate_json(r.value) for r in records]
        assert Counter(str(e.event_id) for e in envelopes) == Counter(stored)
        for shared, written in (("shared0", 2 + 12), ("shared1", 12)):
            versions = [e.aggregate_version for e in envelopes if e.aggregate_id == shared]
            assert versions == list(range(1, written + 1)), f"{shared} in version order"
        assert conflicts["late"] >= 1, "late was overtaken on shared0 and started over"
    finally:
        stop.set()
        await relay_task
        await pool.close()


async def _no_pause() -> None:
    return None
