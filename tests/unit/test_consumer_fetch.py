"""The consumer's fetch: no sleep after a fetch that waited for records and got none (FastStream
sleeps there, delaying the next record), a sleep after one that came back empty at once."""

import asyncio
import contextlib
from typing import Any

import anyio
import pytest
from aiokafka.errors import ConsumerStoppedError
from pydantic import ValidationError

from ohts_kit.consumer import IdempotentConsumer
from ohts_kit.kafka import make_broker
from ohts_kit.settings import Settings


class _Consumer:
    def __init__(self, answers: list[dict[str, list[str]]], waits: bool) -> None:
        self.answers, self.waits, self.calls = answers, waits, []

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[str, list[str]]:
        self.calls.append((timeout_ms, max_records))
        answer = self.answers.pop(0)
        if not answer and self.waits:  # as aiokafka: wait up to the timeout for records
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.Event().wait(), timeout_ms / 1000)
        return answer


def _consumer(**options: Any) -> IdempotentConsumer:
    broker = make_broker(Settings(), "fetch-test")
    return IdempotentConsumer(
        None, broker, name="t", topics=["a"], group_id="g", handlers={}, dlq_topic="d", **options
    )


@pytest.fixture
def get_msg() -> Any:
    return _consumer(fetch_max_wait_ms=40, batch_size=7).subscriber.get_msg


async def test_records_come_back_in_partition_order_without_sleeping(get_msg, monkeypatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(asyncio, "sleep", lambda s: slept.append(s) or _done())
    fake = _Consumer([{"p0": ["a", "b"], "p1": ["c"]}], waits=True)
    assert await get_msg(fake) == ("a", "b", "c")
    assert fake.calls == [(40, 7)] and slept == []


async def test_an_empty_fetch_that_waited_is_not_followed_by_a_sleep(get_msg, monkeypatch) -> None:
    slept: list[float] = []
    fake = _Consumer([{}], waits=True)
    monkeypatch.setattr(asyncio, "sleep", lambda s: slept.append(s) or _done())
    assert await get_msg(fake) == ()
    assert slept == [0]  # one turn of the loop for the other tasks, no wait


async def test_an_empty_fetch_at_once_sleeps_so_the_loop_does_not_spin(
    get_msg, monkeypatch
) -> None:
    slept: list[float] = []
    fake = _Consumer([{}], waits=False)
    monkeypatch.setattr(asyncio, "sleep", lambda s: slept.append(s) or _done())
    assert await get_msg(fake) == ()
    assert slept == [0.04]


async def test_faststreams_loop_fetches_through_it(monkeypatch) -> None:
    """The subscriber's consume loop calls the replacement, not FastStream's own fetch (which
    sleeps `batch_timeout_ms` after every empty fetch)."""
    consumer = _consumer(fetch_max_wait_ms=40)
    slept: list[float] = []
    monkeypatch.setattr(asyncio, "sleep", lambda s: slept.append(s) or _done())
    monkeypatch.setattr(anyio, "sleep", lambda s: slept.append(s) or _done())

    class _Stopping(_Consumer):
        async def getmany(self, timeout_ms: int, max_records: int) -> dict[str, list[str]]:
            if not self.answers:
                raise ConsumerStoppedError
            return await super().getmany(timeout_ms, max_records)

    fake = _Stopping([{}, {}], waits=True)
    consumer.subscriber.running = True
    await consumer.subscriber._run_consume_loop(fake)
    assert len(fake.calls) == 2 and slept == [0, 0]


def test_a_fetch_must_wait_at_least_a_millisecond() -> None:
    """With no wait an empty fetch would come back at once, forever."""
    with pytest.raises(ValidationError):
        Settings(consumer_fetch_max_wait_ms=0)


async def _done() -> None:
    return None
