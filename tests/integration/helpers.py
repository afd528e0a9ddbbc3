"""Shared pieces for tests against the real PostgreSQL and broker."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaConsumer

from contracts.envelope import Actor, EventPayload, Role
from contracts.registry_v1 import InstitutionKind, InstitutionRegistered
from ohts_kit.db import PLATFORM_MIGRATIONS, create_pool, migrate
from ohts_kit.eventstore import Metadata, NewEvent
from ohts_kit.settings import Settings

SYSTEM = Actor(subject="test", role=Role.SYSTEM, region_code="330000")
META = Metadata(actor=SYSTEM, correlation_id="test-correlation")


async def platform_pool(settings: Settings, service: str = "registry") -> asyncpg.Pool:
    schema = settings.schema_of(service)
    await migrate(settings, schema, [PLATFORM_MIGRATIONS])
    return await create_pool(settings, schema)


def registered(institution_id: str, n: int = 0) -> NewEvent:
    return NewEvent(
        InstitutionRegistered(
            institution_id=institution_id,
            uscc=f"USCC{n:014d}",
            name=f"机构{n}",
            address="杭州市",
            legal_representative="王",
            nature="企业",
            kind=InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE,
            region_code="330106",
            registered_at=datetime(2026, 1, 1, tzinfo=UTC),
        ),
        institution_id,
        "330106",
        datetime(2026, 1, 1, tzinfo=UTC),
    )


async def read_topic(settings: Settings, topic: str, expected: int, timeout: float = 30) -> list:
    """Every record of a topic from the beginning, waiting until `expected` have arrived."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
    )
    await consumer.start()
    records = []
    deadline = time.monotonic() + timeout
    try:
        while len(records) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for items in batch.values():
                records.extend(items)
        # A short grace period shows there are no extra records (duplicates).
        batch = await consumer.getmany(timeout_ms=300)
        for items in batch.values():
            records.extend(items)
    finally:
        await consumer.stop()
    return records


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def publish_event(
    settings: Settings,
    producer: str,
    payload: EventPayload,
    institution_id: str,
    region_code: str = "330106",
    actor: Actor = SYSTEM,
) -> str:
    """Put one contract event on a producer's topic, as that service's relay would."""
    from aiokafka import AIOKafkaProducer

    from contracts.envelope import Envelope
    from ohts_kit.ids import uuid7

    now = datetime.now(UTC)
    env = Envelope(
        event_id=uuid7(),
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        occurred_at=now,
        recorded_at=now,
        producer=producer,
        aggregate_type=payload.aggregate_type,
        aggregate_id=institution_id,
        aggregate_version=1,
        institution_id=institution_id,
        region_code=region_code,
        correlation_id="test",
        actor=actor,
        payload=json.loads(payload.model_dump_json()),
    )
    kafka = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    await kafka.start()
    try:
        await kafka.send_and_wait(
            settings.topic_of(producer), env.model_dump_json().encode(), key=institution_id.encode()
        )
    finally:
        await kafka.stop()
    return str(env.event_id)
