"""Kafka plumbing set once for every service: durable producers and topic creation.

FastStream's defaults do not fit an event-sourced system (acks=1; ack-first consumers), so
every broker is built here. Tansu, the embedded broker, rejects idempotent producers;
against Apache Kafka set OHTS_KAFKA_IDEMPOTENCE=true (the compose file does).
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from faststream.kafka import KafkaBroker
from faststream.security import BaseSecurity, SASLScram512

from ohts_kit.settings import SERVICES, Settings


def _tls(settings: Settings) -> ssl.SSLContext | None:
    if not settings.kafka_use_tls:
        return None
    return ssl.create_default_context(cafile=settings.kafka_tls_cafile or None)


def client_options(settings: Settings) -> dict[str, Any]:
    """aiokafka keyword arguments for the configured authentication (none by default)."""
    context = _tls(settings)
    if not settings.kafka_sasl_username:
        return {"security_protocol": "SSL", "ssl_context": context} if context else {}
    return {
        "security_protocol": "SASL_SSL" if context else "SASL_PLAINTEXT",
        "sasl_mechanism": "SCRAM-SHA-512",
        "sasl_plain_username": settings.kafka_sasl_username,
        "sasl_plain_password": settings.kafka_sasl_password,
        **({"ssl_context": context} if context else {}),
    }


def _security(settings: Settings) -> BaseSecurity | None:
    context = _tls(settings)
    if settings.kafka_sasl_username:
        return SASLScram512(
            settings.kafka_sasl_username,
            settings.kafka_sasl_password,
            ssl_context=context,
            use_ssl=context is not None,
        )
    return BaseSecurity(ssl_context=context, use_ssl=True) if context else None


def make_broker(settings: Settings, client_id: str) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        security=_security(settings),
        client_id=client_id,
        acks="all",  # an event is published only when every in-sync replica has it
        enable_idempotence=settings.kafka_idempotence,
        request_timeout_ms=15_000,
        logger=None,  # our own structured logs carry the context that matters
    )


# Topics keep every record: `ohts reporting rebuild` replays them from offset 0, so a topic
# that dropped old records would rebuild an incomplete history. (The event stores hold the
# same history; `ohts republish` refills a topic from them.)
TOPIC_RETENTION = {"retention.ms": "-1", "retention.bytes": "-1"}


def all_topics(settings: Settings) -> list[str]:
    return [settings.topic_of(s) for s in SERVICES if s != "reporting"] + [settings.dlq_topic]


async def ensure_topics(settings: Settings, attempts: int = 30) -> None:
    """Create the event topics and the dead-letter topic if missing (idempotent)."""
    last: Exception | None = None
    for _ in range(attempts):
        admin = AIOKafkaAdminClient(
            bootstrap_servers=settings.kafka_bootstrap_servers, **client_options(settings)
        )
        try:
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [t for t in all_topics(settings) if t not in existing]
            if missing:
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics(
                        [
                            NewTopic(
                                t,
                                num_partitions=settings.kafka_partitions,
                                replication_factor=settings.kafka_replication_factor,
                                topic_configs=TOPIC_RETENTION,
                            )
                            for t in missing
                        ]
                    )
            return
        except (KafkaError, OSError) as exc:
            last = exc
            await asyncio.sleep(0.5)
        finally:
            await admin.close()
    raise RuntimeError(f"could not create topics on {settings.kafka_bootstrap_servers}: {last!r}")


class BrokerWatch:
    """Tells the relay whether the broker still holds what it published.

    A marker topic, created only here and never written to, stands for "this broker has our
    history". Listing topics never creates one (a metadata request naming a topic may, on
    brokers that auto-create), so a missing marker is proof the broker lost its data.
    """

    def __init__(self, settings: Settings, service: str) -> None:
        self.settings = settings
        self.marker = settings.marker_topic_of(service)
        self._admin: AIOKafkaAdminClient | None = None

    async def _client(self) -> AIOKafkaAdminClient:
        if self._admin is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                **client_options(self.settings),
            )
            await admin.start()
            self._admin = admin
        return self._admin

    async def holds_history(self) -> bool:
        try:
            return self.marker in await (await self._client()).list_topics()
        except Exception:
            await self.close()  # a fresh client on the next call; the caller retries
            raise

    async def mark(self) -> None:
        """Recreate the topics, then the marker: called after the relay rewound its cursor."""
        await ensure_topics(self.settings)
        with contextlib.suppress(TopicAlreadyExistsError):
            await (await self._client()).create_topics(
                [
                    NewTopic(
                        self.marker,
                        num_partitions=1,
                        replication_factor=self.settings.kafka_replication_factor,
                    )
                ]
            )

    async def close(self) -> None:
        if self._admin is not None:
            admin, self._admin = self._admin, None
            with contextlib.suppress(Exception):
                await admin.close()


async def _partitions(consumer: AIOKafkaConsumer, topics: Sequence[str]) -> list[TopicPartition]:
    if any(consumer.partitions_for_topic(t) is None for t in topics):
        await consumer._client.force_metadata_update()  # topics the client has not seen yet
    return [
        TopicPartition(t, p) for t in topics for p in sorted(consumer.partitions_for_topic(t) or ())
    ]


async def drain(
    consumer: AIOKafkaConsumer, topics: Sequence[str], quiet_ms: int = 200
) -> AsyncIterator[list[ConsumerRecord[Any, Any]]]:
    """Every record of `topics` from their beginning, in batches, without a consumer group:
    up to the end offsets, then on until a poll comes back empty, because a broker's reported
    end (Tansu's) can lag behind what a fetch returns."""
    partitions = await _partitions(consumer, topics)
    if not partitions:
        return
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    ends = await consumer.end_offsets(partitions)
    behind = {tp for tp in partitions if ends[tp] > 0}
    while True:
        batch = await consumer.getmany(timeout_ms=1000 if behind else quiet_ms)
        records = [r for tp in sorted(batch, key=str) for r in batch[tp]]
        if records:
            yield records
        for tp in list(behind):
            if await consumer.position(tp) >= ends[tp]:
                behind.discard(tp)
        if not behind and not records:
            return
