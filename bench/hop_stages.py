"""Where a hop's time goes: the relay (event recorded → record produced) and the broker with
the consumer (record produced → event applied), at a given rate (bench/RESULTS.md, issue 22):

    .venv/bin/python -m bench.hop_stages 200      # events/s, for 6 s, on the county dataset

The produce time is the record's Kafka timestamp (set by the relay's producer); the recording
time and the applying time come from the producer's events and the consumer's inbox.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer

from bench import system_figures as sf
from ohts.launcher import System
from ohts.national import SCALES

HOPS = (("qc", "enforcement", "referrals"), ("enforcement", "reporting", "penalties"))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def produced_at(system: System, producer: str, wanted: set[str]) -> dict[str, float]:
    """Each wanted event's Kafka timestamp (seconds), read from its topic's beginning."""
    s = system.settings
    consumer = AIOKafkaConsumer(
        s.topic_of(producer),
        bootstrap_servers=s.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    found: dict[str, float] = {}
    try:
        for _ in range(60):
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    event_id = dict(record.headers).get("event_id", b"").decode()
                    if event_id in wanted:
                        found[event_id] = record.timestamp / 1000
            if len(found) >= len(wanted):
                break
    finally:
        await consumer.stop()
    return found


async def stages(system: System, producer: str, consumer: str, ids: list[str]) -> None:
    s = system.settings
    produced = await produced_at(system, producer, set(ids))
    conn = await asyncpg.connect(s.database_url)
    try:
        rows = await conn.fetch(
            "SELECT e.event_id::text AS id, extract(epoch FROM e.recorded_at)::float8 AS rec,"
            " extract(epoch FROM i.applied_at)::float8 AS app"
            f' FROM "{s.schema_of(producer)}".events e'
            f' JOIN "{s.schema_of(consumer)}".inbox i ON i.event_id = e.event_id'
            " WHERE e.event_id = ANY($1::uuid[])",
            ids,
        )
    finally:
        await conn.close()
    seen = [r for r in rows if r["id"] in produced]
    print(f"{producer} → {consumer}: {len(rows)} applied, {len(seen)} found on the topic")
    for name, values in (
        ("recorded → produced (relay)", [produced[r["id"]] - r["rec"] for r in seen]),
        ("produced → applied (broker, consumer)", [r["app"] - produced[r["id"]] for r in seen]),
        ("recorded → applied (the hop)", [r["app"] - r["rec"] for r in rows]),
    ):
        ms = [1000 * v for v in values]
        print(
            f"  {name:38} p50 {percentile(ms, 0.5):7.1f}   p90 {percentile(ms, 0.9):7.1f}"
            f"   p99 {percentile(ms, 0.99):7.1f} ms"
        )


async def main(rate: float) -> None:
    work = Path(tempfile.mkdtemp(prefix="hop-stages-"))
    system = await asyncio.to_thread(sf.start, work, dict(os.environ))
    try:
        await sf.load_dataset(system, SCALES["county"])
        await sf.wait_quiet(system, seconds=3)
        feeder = sf.Feeder(system, await sf.institutions_of(system))
        await feeder.open()
        try:
            await sf.paced(rate, 6, feeder.write)
        finally:
            await feeder.close()
        await sf.wait_quiet(system, seconds=3)
        print(f"\n{rate:.0f} events/s for 6 s:")
        for producer, consumer, ids in HOPS:
            await stages(system, producer, consumer, getattr(feeder, ids))
    finally:
        system.stop()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 200))
