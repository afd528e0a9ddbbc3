"""Shared pieces for tests against the real PostgreSQL and broker."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer

from contracts.envelope import Actor, Envelope, EventPayload, Role
from contracts.registry_v1 import InstitutionKind, InstitutionRegistered
from ohts_kit.db import PLATFORM_MIGRATIONS, create_pool, migrate
from ohts_kit.eventstore import Metadata, NewEvent
from ohts_kit.ids import uuid7
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


def envelope_of(
    producer: str,
    payload: EventPayload,
    institution_id: str,
    region_code: str = "330106",
    actor: Actor = SYSTEM,
    occurred_at: datetime | None = None,
) -> Envelope:
    """A contract event as the producer's relay would put it on its topic."""
    when = occurred_at or datetime.now(UTC)
    return Envelope(
        event_id=uuid7(),
        event_type=payload.event_type,
        schema_version=payload.schema_version,
        occurred_at=when,
        recorded_at=when,
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

    env = envelope_of(producer, payload, institution_id, region_code, actor)
    kafka = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    await kafka.start()
    try:
        await kafka.send_and_wait(
            settings.topic_of(producer), env.model_dump_json().encode(), key=institution_id.encode()
        )
    finally:
        await kafka.stop()
    return str(env.event_id)


class Service:
    """A service app started in this process on the real servers, driven over HTTP."""

    def __init__(self, app: Any, client: Any, clock: Any) -> None:
        self.app = app
        self.runtime = app.state.runtime
        self.http = client
        self.clock = clock

    async def call(
        self,
        method: str,
        path: str,
        token: dict[str, str],
        body: Any = None,
        expect: int | None = None,
    ) -> Any:
        response = await self.http.request(method, path, json=body, headers=token)
        if expect is not None:
            assert response.status_code == expect, response.text
        return response

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        async with self.runtime.pool.acquire() as conn:
            rows = await conn.fetch(
                "SELECT payload::text AS payload FROM events WHERE event_type = $1 ORDER BY position",
                event_type,
            )
        return [json.loads(r["payload"]) for r in rows]


@asynccontextmanager
async def running(
    create_app: Any, settings: Settings, now: datetime | None = None
) -> AsyncIterator[Service]:
    import httpx

    from ohts_kit.clock import FixedClock

    clock = FixedClock(now or datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    app = create_app(settings, clock)
    await app.state.runtime.start()
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://svc"
        ) as client:
            yield Service(app, client, clock)
    finally:
        await app.state.runtime.stop()


def token(
    settings: Settings, role: Role, region: str, institution_id: str | None = None
) -> dict[str, str]:
    from ohts_kit.auth import issue_token

    return {
        "Authorization": "Bearer "
        + issue_token(settings, role=role, region_code=region, institution_id=institution_id)
    }
