"""The minimal hand-written pipeline the propagation figures are measured against:
append (one table) → relay (poll + NOTIFY, acks=all) → Kafka → consumer (inbox rows, one
transaction per fetched batch, offsets committed after it). No envelopes, no validation, no
handlers: what any outbox pipeline on these servers must at least pay.

`python -m bench.minimal DATABASE_URL BOOTSTRAP SCHEMA` runs relay and consumer until killed;
the bench process appends to SCHEMA.min_events and reads SCHEMA.min_inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

SETUP = """
CREATE SCHEMA IF NOT EXISTS {schema};
SET search_path TO {schema};
CREATE TABLE IF NOT EXISTS min_events (
    id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp());
CREATE TABLE IF NOT EXISTS min_inbox (
    id BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp());
CREATE OR REPLACE FUNCTION min_notify() RETURNS trigger LANGUAGE plpgsql AS
    $$ BEGIN PERFORM pg_notify('{schema}_min', ''); RETURN NULL; END $$;
DROP TRIGGER IF EXISTS min_notify ON min_events;
CREATE TRIGGER min_notify AFTER INSERT ON min_events FOR EACH STATEMENT
    EXECUTE FUNCTION min_notify();
"""


async def setup(database_url: str, schema: str) -> None:
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(SETUP.format(schema=schema))
    finally:
        await conn.close()


async def relay(database_url: str, bootstrap: str, schema: str, topic: str) -> None:
    # Ordering by id is enough here: the feeder commits one transaction at a time.
    conn = await asyncpg.connect(database_url, server_settings={"search_path": schema})
    wake = asyncio.Event()
    await conn.add_listener(f"{schema}_min", lambda *_: wake.set())
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    cursor = 0
    while True:
        rows = await conn.fetch(
            "SELECT id, payload FROM min_events WHERE id > $1 ORDER BY id LIMIT 500", cursor
        )
        if not rows:
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), 0.05)
            continue
        futures = [
            await producer.send(topic, r["payload"].encode(), key=str(r["id"]).encode())
            for r in rows
        ]
        await asyncio.gather(*futures)
        cursor = rows[-1]["id"]


async def consume(database_url: str, bootstrap: str, schema: str, topic: str) -> None:
    pool = await asyncpg.create_pool(
        database_url, server_settings={"search_path": schema}, min_size=1, max_size=2
    )
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"{schema}-min",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
    )
    await consumer.start()
    while True:
        batch = await consumer.getmany(timeout_ms=50, max_records=200)
        records = [r for rs in batch.values() for r in rs]
        if not records:
            continue
        async with pool.acquire() as conn, conn.transaction():
            await conn.executemany(
                "INSERT INTO min_inbox (id) VALUES ($1) ON CONFLICT DO NOTHING",
                [(int(r.key),) for r in records],
            )
        await consumer.commit()


async def main(database_url: str, bootstrap: str, schema: str) -> None:
    await setup(database_url, schema)
    topic = f"{schema}.min"
    await asyncio.gather(
        relay(database_url, bootstrap, schema, topic),
        consume(database_url, bootstrap, schema, topic),
    )


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:4]))
