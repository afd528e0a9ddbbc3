"""Idempotent consumers against the real broker: redelivery is a no-op, poison goes to the DLQ."""

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from contracts.enforcement_v1 import PenaltyDecided
from contracts.envelope import Envelope, EventPayload
from contracts.registry_v1 import InstitutionRegistered
from ohts_kit.consumer import IdempotentConsumer
from ohts_kit.deadletters import read_dead_letters
from ohts_kit.ids import uuid7
from ohts_kit.kafka import ensure_topics, make_broker
from tests.integration.helpers import SYSTEM, eventually, platform_pool, read_topic, registered

pytestmark = pytest.mark.integration


def envelope_bytes(institution_id: str, **override: object) -> tuple[str, bytes]:
    new = registered(institution_id)
    env = Envelope(
        event_id=uuid7(),
        event_type=new.payload.event_type,
        schema_version=1,
        occurred_at=datetime.now(UTC),
        recorded_at=datetime.now(UTC),
        producer="registry",
        aggregate_type="Institution",
        aggregate_id=institution_id,
        aggregate_version=1,
        institution_id=institution_id,
        region_code="330106",
        correlation_id="c-1",
        actor=SYSTEM,
        payload=json.loads(new.payload.model_dump_json()),
    )
    data = json.loads(env.model_dump_json())
    data.update(override)
    return str(env.event_id), json.dumps(data).encode()


class Harness:
    """A consumer whose handler counts applications in its own table."""

    def __init__(
        self,
        settings,
        pool: asyncpg.Pool,
        group: str,
        fail_on: set[str] | None = None,
        trouble: Mapping[str, Callable[[asyncpg.Connection], Awaitable[None]]] | None = None,
    ):
        self.settings = settings
        self.broker = make_broker(settings, "consumer-test")
        self.fail_on = fail_on or set()
        self.trouble = trouble or {}

        async def count(conn: asyncpg.Connection, env: Envelope, event: EventPayload) -> None:
            assert isinstance(event, InstitutionRegistered)
            await conn.execute(
                "INSERT INTO applied (institution_id, times) VALUES ($1, 1) ON CONFLICT"
                " (institution_id) DO UPDATE SET times = applied.times + 1",
                env.institution_id,
            )
            if env.institution_id in self.fail_on:  # after a write: none of it may stay
                raise RuntimeError("handler bug")
            if env.institution_id in self.trouble:
                await self.trouble[env.institution_id](conn)

        self.consumer = IdempotentConsumer(
            pool,
            self.broker,
            name="reporting",
            topics=[settings.topic_of("registry")],
            group_id=group,
            handlers={InstitutionRegistered.event_type: count},
            dlq_topic=settings.dlq_topic,
            max_attempts=3,
            backoff_seconds=0.01,
        )

    async def __aenter__(self) -> "Harness":
        await self.broker.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.broker.stop()


async def prepared(settings):
    pool = await platform_pool(settings, "reporting")
    async with pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE applied (institution_id TEXT PRIMARY KEY, times INTEGER NOT NULL)"
        )
    await ensure_topics(settings)
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    await producer.start()
    return pool, producer


async def applied(pool: asyncpg.Pool) -> dict[str, int]:
    async with pool.acquire() as conn:
        return {r["institution_id"]: r["times"] for r in await conn.fetch("SELECT * FROM applied")}


async def test_redelivery_is_a_no_op(settings) -> None:
    pool, producer = await prepared(settings)
    topic = settings.topic_of("registry")
    try:
        _, first = envelope_bytes("i-1")
        _, second = envelope_bytes("i-2")
        for value in (first, first, second):  # the broker delivers `first` twice
            await producer.send_and_wait(topic, value, key=b"i-1")
        async with Harness(settings, pool, group=f"{settings.namespace}g1") as h:
            await eventually(lambda: _stats_at_least(h, applied=2, duplicates=1))
        assert await applied(pool) == {"i-1": 1, "i-2": 1}

        # A new consumer group re-reads the topic from the start, as after a lost offset
        # commit: the inbox turns every message into a no-op.
        async with Harness(settings, pool, group=f"{settings.namespace}g2") as h:
            await eventually(lambda: _stats_at_least(h, applied=0, duplicates=3))
            assert h.consumer.stats.applied == 0
        assert await applied(pool) == {"i-1": 1, "i-2": 1}
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM inbox") == 2
    finally:
        await producer.stop()
        await pool.close()


async def test_poison_messages_are_dead_lettered_and_consumption_goes_on(settings) -> None:
    pool, producer = await prepared(settings)
    topic = settings.topic_of("registry")
    try:
        _, unknown_type = envelope_bytes("i-u", event_type="registry.NoSuchEvent")
        _, bad_payload = envelope_bytes("i-p", payload={"institution_id": 42})
        _, handler_fails = envelope_bytes("i-fail")
        _, good = envelope_bytes("i-good")
        key = b"same-partition"  # keeps the order, so `good` comes after every poison
        for value in (
            b"\x00\xffnot json",
            b'{"json": "but no envelope"}',
            unknown_type,
            bad_payload,
            handler_fails,
            good,
        ):
            await producer.send_and_wait(topic, value, key=key)
        async with Harness(settings, pool, group=f"{settings.namespace}g", fail_on={"i-fail"}) as h:
            await eventually(lambda: _stats_at_least(h, applied=1, dead_lettered=5))
        assert await applied(pool) == {"i-good": 1}
        assert h.consumer.stats.retried == 2  # attempts 1 and 2 retried, the 3rd gave up

        async with pool.acquire() as conn:
            rows = await conn.fetch(
                'SELECT reason, attempts, event_id FROM dead_letters ORDER BY "offset"'
            )
        assert [r["reason"] for r in rows] == [
            "invalid-envelope",
            "invalid-envelope",
            "unknown-type",
            "invalid-payload",
            "handler-failed",
        ]
        assert rows[4]["attempts"] == 3  # retried with backoff before giving up
        assert rows[3]["event_id"] is None  # undecodable: no event id to trust

        letters = await read_dead_letters(settings)
        assert [letter["reason"] for letter in letters] == [r["reason"] for r in rows]
        dlq_records = await read_topic(settings, settings.dlq_topic, expected=5)
        assert dlq_records[0].value == b"\x00\xffnot json"  # the original bytes, untouched
    finally:
        await producer.stop()
        await pool.close()


async def test_a_failing_event_rolls_back_its_run_and_every_other_event_applies_once(
    settings,
) -> None:
    """Events of one fetch share a transaction without savepoints; a handler that wrote and
    then failed rolls that run back, and the run is applied again one event at a time."""
    pool, producer = await prepared(settings)
    topic = settings.topic_of("registry")
    try:
        names = ["i-a", "i-b", "i-half", "i-c", "i-d"]
        for name in names:
            await producer.send_and_wait(topic, envelope_bytes(name)[1], key=b"one-partition")
        async with Harness(settings, pool, group=f"{settings.namespace}g", fail_on={"i-half"}) as h:
            await eventually(lambda: _stats_at_least(h, applied=4, dead_lettered=1))
            assert h.consumer.stats.applied == 4
        assert await applied(pool) == {"i-a": 1, "i-b": 1, "i-c": 1, "i-d": 1}
        async with pool.acquire() as conn:
            kinds = sorted(r["event_type"] for r in await conn.fetch("SELECT * FROM inbox"))
        assert kinds == sorted(
            [InstitutionRegistered.event_type] * 4
            + [f"dead-letter:{InstitutionRegistered.event_type}"]
        )
    finally:
        await producer.stop()
        await pool.close()


async def _stats_at_least(
    h: Harness, applied: int = 0, duplicates: int = 0, dead_lettered: int = 0
) -> bool:
    s = h.consumer.stats
    await asyncio.sleep(0)
    return s.applied >= applied and s.duplicates >= duplicates and s.dead_lettered >= dead_lettered


async def test_an_outage_inside_a_handler_rewinds_and_an_unencodable_argument_dead_letters(
    settings,
) -> None:
    """A cut connection or a pool left inconsistent (InternalClientError) is an outage: the
    batch is tried again and applies once. Invalid data (DataError) is the handler's fault:
    retrying would stall the partition, so it is dead-lettered at once."""
    pool, producer = await prepared(settings)
    topic = settings.topic_of("registry")
    cuts = {"left": 2}

    async def cut_twice(conn: asyncpg.Connection) -> None:
        if cuts["left"]:
            cuts["left"] -= 1
            raise asyncpg.InternalClientError("holder released twice")

    async def bad_argument(conn: asyncpg.Connection) -> None:
        await conn.fetchval("SELECT $1::int", "not a number")

    try:
        for name in ("i-a", "i-cut", "i-bad", "i-b"):
            await producer.send_and_wait(topic, envelope_bytes(name)[1], key=b"one-partition")
        trouble = {"i-cut": cut_twice, "i-bad": bad_argument}
        async with Harness(settings, pool, group=f"{settings.namespace}g", trouble=trouble) as h:
            await eventually(lambda: _stats_at_least(h, applied=3, dead_lettered=1))
            assert h.consumer.stats.rewound == 2
            assert h.consumer.stats.dead_lettered == 1
        assert await applied(pool) == {"i-a": 1, "i-cut": 1, "i-b": 1}
        async with pool.acquire() as conn:
            letters = await conn.fetch("SELECT reason, error FROM dead_letters")
        assert [
            (d["reason"], "invalid input for query argument" in d["error"]) for d in letters
        ] == [("rejected", True)]
    finally:
        await producer.stop()
        await pool.close()


async def test_an_unforeseen_error_escaping_a_batch_rewinds_it_instead_of_skipping_it(
    settings,
) -> None:
    """Were the exception left to the subscriber, it would fetch on past the batch and the
    batch would be applied only after a restart."""
    pool, producer = await prepared(settings)
    topic = settings.topic_of("registry")
    try:
        for name in ("i-a", "i-b"):
            await producer.send_and_wait(topic, envelope_bytes(name)[1], key=b"one-partition")
        async with Harness(settings, pool, group=f"{settings.namespace}g") as h:
            consumer, real, calls = h.consumer, h.consumer._apply_batch, {"n": 0}

            async def breaks_once(items, *rest):
                calls["n"] += 1
                if calls["n"] == 1:
                    raise KeyError("unforeseen")
                await real(items, *rest)

            consumer._apply_batch = breaks_once  # type: ignore[method-assign]
            await eventually(lambda: _stats_at_least(h, applied=2))
            assert consumer.stats.rewound == 1
        assert await applied(pool) == {"i-a": 1, "i-b": 1}
    finally:
        await producer.stop()
        await pool.close()


async def test_a_type_the_consumer_ignores_is_known_by_its_headers_and_not_decoded(
    settings,
) -> None:
    """A known type with no handler, named by the relay's headers, gets its inbox row and
    is not decoded (its body here is not even JSON). Without an event id header it is
    decoded as any record; an unknown type still goes to the dead-letter topic."""
    pool, producer = await prepared(settings)
    topic = settings.topic_of("registry")
    try:
        ignored_id = str(uuid7())
        ignored = [
            ("event_type", PenaltyDecided.event_type.encode()),
            ("event_id", ignored_id.encode()),
        ]
        no_id = [("event_type", PenaltyDecided.event_type.encode())]
        unknown = [("event_type", b"registry.NoSuchEvent"), ("event_id", str(uuid7()).encode())]
        good_id, good = envelope_bytes("i-good")
        key = b"one-partition"
        for value, headers in (
            (b"not json at all", ignored),
            (b"not json at all", ignored),  # redelivered: the inbox skips it
            (b"not json either", no_id),
            (b"nor this", unknown),
            (good, []),
        ):
            await producer.send_and_wait(topic, value, key=key, headers=headers)
        async with Harness(settings, pool, group=f"{settings.namespace}g") as h:
            await eventually(lambda: _stats_at_least(h, applied=1, dead_lettered=2))
            assert (h.consumer.stats.ignored, h.consumer.stats.duplicates) == (1, 1)
        assert await applied(pool) == {"i-good": 1}
        async with pool.acquire() as conn:
            inbox = {str(r["event_id"]) for r in await conn.fetch("SELECT * FROM inbox")}
            reasons = [r["reason"] for r in await conn.fetch("SELECT reason FROM dead_letters")]
        assert inbox == {ignored_id, good_id}
        assert reasons == ["invalid-envelope", "invalid-envelope"]
    finally:
        await producer.stop()
        await pool.close()


async def test_a_run_whose_waiting_insert_fails_at_the_end_is_applied_one_by_one(
    settings,
) -> None:
    """A run's plain inserts wait until its end (ohts_kit.deferred): one that breaks a
    constraint fails there, after its handler returned. The run rolls back, and one by one
    the others apply once and the bad one is dead-lettered."""
    pool, producer = await prepared(settings)
    async with pool.acquire() as conn:
        await conn.execute("CREATE TABLE checked (n INTEGER CHECK (n > 0))")
    topic = settings.topic_of("registry")

    async def breaks_a_check(conn: asyncpg.Connection) -> None:
        await conn.execute("INSERT INTO checked (n) VALUES ($1)", -1)

    try:
        for name in ("i-a", "i-bad", "i-b"):
            await producer.send_and_wait(topic, envelope_bytes(name)[1], key=b"one-partition")
        trouble = {"i-bad": breaks_a_check}
        async with Harness(settings, pool, group=f"{settings.namespace}g", trouble=trouble) as h:
            await eventually(lambda: _stats_at_least(h, applied=2, dead_lettered=1))
        assert await applied(pool) == {"i-a": 1, "i-b": 1}
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM checked") == 0
            letters = await conn.fetch("SELECT reason, error FROM dead_letters")
        assert [(d["reason"], "CheckViolation" in d["error"]) for d in letters] == [
            ("handler-failed", True)
        ]
    finally:
        await producer.stop()
        await pool.close()


async def test_a_batch_applied_in_python_lets_the_event_loop_serve_other_tasks(settings) -> None:
    """Handlers whose writes wait until the run's flush never reach a socket: a batch of
    them held the event loop for all of its Python (every HTTP request of the process
    waited). The consumer now gives the loop a turn every TURN_SECONDS."""
    pool, producer = await prepared(settings)
    topic = settings.topic_of("registry")
    names = [f"i-{n}" for n in range(100)]

    async def python_work(conn: asyncpg.Connection) -> None:
        time.sleep(0.003)  # a handler's Python: decoding, deciding, building its rows

    gaps: list[float] = []

    async def ticker() -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            gaps.append(time.perf_counter() - started)

    try:
        for name in names:
            await producer.send_and_wait(topic, envelope_bytes(name)[1], key=b"one-partition")
        trouble = dict.fromkeys(names, python_work)
        async with Harness(settings, pool, group=f"{settings.namespace}g", trouble=trouble) as h:
            ticking = asyncio.create_task(ticker())
            await eventually(lambda: _stats_at_least(h, applied=len(names)))
            ticking.cancel()
        assert await applied(pool) == dict.fromkeys(names, 1)
        # 100 events of 3 ms: 0.3 s in one stretch without turns.
        assert max(gaps) < 0.1, f"the loop waited {max(gaps) * 1000:.0f} ms"
    finally:
        await producer.stop()
        await pool.close()
