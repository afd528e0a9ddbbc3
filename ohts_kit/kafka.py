"""Kafka plumbing set once for every service: durable producers and topic creation.

FastStream's defaults do not fit an event-sourced system (acks=1; ack-first consumers), so
every broker is built here. Tansu, the embedded broker, rejects idempotent producers;
against Apache Kafka set OHTS_KAFKA_IDEMPOTENCE=true (the compose file does).
"""

from __future__ import annotations

import asyncio
import contextlib

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError
from faststream.kafka import KafkaBroker

from ohts_kit.settings import SERVICES, Settings


def make_broker(settings: Settings, client_id: str) -> KafkaBroker:
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",  # an event is published only when every in-sync replica has it
        enable_idempotence=settings.kafka_idempotence,
        request_timeout_ms=15_000,
        logger=None,  # our own structured logs carry the context that matters
    )


def all_topics(settings: Settings) -> list[str]:
    return [settings.topic_of(s) for s in SERVICES if s != "reporting"] + [settings.dlq_topic]


async def ensure_topics(settings: Settings, attempts: int = 30) -> None:
    """Create the event topics and the dead-letter topic if missing (idempotent)."""
    last: Exception | None = None
    for _ in range(attempts):
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.kafka_bootstrap_servers)
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
