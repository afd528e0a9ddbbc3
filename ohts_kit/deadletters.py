"""Reading the dead-letter topic (operators: `ohts dlq list`)."""

from __future__ import annotations

import base64
from typing import Any

from aiokafka import AIOKafkaConsumer

from ohts_kit.kafka import client_options, drain
from ohts_kit.settings import Settings


async def read_dead_letters(settings: Settings, limit: int = 100) -> list[dict[str, Any]]:
    """Every dead letter from the start of the topic to its end (no consumer group)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_auto_commit=False,
        **client_options(settings),
    )
    await consumer.start()
    letters: list[dict[str, Any]] = []
    try:
        async for records in drain(consumer, [settings.dlq_topic]):
            for record in records:
                headers = {k: v.decode("utf-8", "replace") for k, v in record.headers or ()}
                letters.append(
                    {
                        "partition": record.partition,
                        "offset": record.offset,
                        "consumer": headers.get("dlq_consumer"),
                        "reason": headers.get("dlq_reason"),
                        "error": headers.get("dlq_error"),
                        "source": f"{headers.get('dlq_topic')}[{headers.get('dlq_partition')}]"
                        f"@{headers.get('dlq_offset')}",
                        "value_base64": base64.b64encode(record.value or b"").decode(),
                    }
                )
            if len(letters) >= limit:
                break
    finally:
        await consumer.stop()
    return letters[:limit]
