"""Fault injection with the four services as processes on the real broker and PostgreSQL.

A stream of registry events is written to the registry's event store (as its commands would);
its relay publishes them and qc, enforcement and reporting apply them. Each test injects one
fault mid-stream and ends by checking that every stored event was applied exactly once by
every consumer (inbox counts per consumer equal the stored counts; the inbox's key makes a
second application impossible) and that reporting's read models equal a rebuild from the
topics. `make test` runs them on 2,000 events; `make faults` on 20,000, three times each.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from ohts.embedded import EmbeddedBroker, free_port
from ohts.launcher import System
from ohts_kit.db import create_pool
from ohts_kit.deadletters import read_dead_letters
from ohts_kit.eventstore import EventStore
from services.reporting.application.rebuild import rebuild
from tests.conftest import Servers
from tests.e2e.conftest import start_processes
from tests.integration.helpers import META, registered
from tests.poison import POISON_ID_PREFIX, poison

# The waits below end before this, so a stall fails with its counts and the services' logs.
pytestmark = [pytest.mark.faults, pytest.mark.timeout(1200)]
EVENTS = int(os.environ.get("OHTS_FAULT_EVENTS", "2000"))
CONSUMERS = ("qc", "enforcement", "reporting")


@pytest.fixture
def system(servers: Servers, request: pytest.FixtureRequest) -> Iterator[System]:
    running = start_processes(servers, f"faults-{request.node.name}")
    running.log_dir = servers.workdir / f"faults-{request.node.name}"  # type: ignore[attr-defined]
    try:
        yield running
    finally:
        running.stop()


class Feed(threading.Thread):
    """Writes `total` InstitutionRegistered events, 50 aggregates per transaction."""

    def __init__(self, system: System, total: int) -> None:
        super().__init__(daemon=True)
        self.system, self.total, self.written = system, total, 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            asyncio.run(self._feed())
        except BaseException as exc:  # reported by the test
            self.error = exc

    async def _feed(self) -> None:
        """Like a client: a batch cut off by a database restart is retried; what it had
        committed already (its commit's answer was lost) is not written twice."""
        settings = self.system.settings
        pool = await create_pool(settings, settings.schema_of("registry"))
        store = EventStore("registry")
        try:
            while self.written < self.total:
                batch = min(50, self.total - self.written)
                ids = [f"fault-{n}" for n in range(self.written, self.written + batch)]
                try:
                    async with pool.acquire() as conn, conn.transaction():
                        done = {
                            r["aggregate_id"]
                            for r in await conn.fetch(
                                "SELECT aggregate_id FROM events WHERE aggregate_id = ANY($1)", ids
                            )
                        }
                        for n, aggregate_id in enumerate(ids, start=self.written):
                            if aggregate_id not in done:
                                await store.append(
                                    conn,
                                    "Institution",
                                    aggregate_id,
                                    0,
                                    [registered(aggregate_id, n)],
                                    META,
                                )
                except (
                    OSError,
                    asyncpg.PostgresConnectionError,
                    asyncpg.InterfaceError,
                    asyncpg.CannotConnectNowError,
                    asyncpg.InternalClientError,  # a pooled connection cut mid-operation
                ):
                    await asyncio.sleep(0.5)
                    continue
                self.written += batch
        finally:
            await pool.close()


async def counts(system: System) -> dict[str, int]:
    settings = system.settings
    conn = await asyncpg.connect(settings.database_url)
    try:
        out = {
            "stored": await conn.fetchval(
                f'SELECT count(*) FROM "{settings.schema_of("registry")}".events'
            )
        }
        for service in CONSUMERS:
            schema = settings.schema_of(service)
            out[service] = await conn.fetchval(
                f'SELECT count(*) FROM "{schema}".inbox WHERE event_type = $1',
                "registry.InstitutionRegistered",
            )
        out["institutions"] = await conn.fetchval(
            f'SELECT count(DISTINCT institution_id) FROM "{settings.schema_of("reporting")}"'
            ".rp_institutions"
        )
        return out
    finally:
        await conn.close()


def applied_by(system: System, service: str) -> int:
    return asyncio.run(counts(system))[service]


def wait_for(check, what: str, timeout: float = 300) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not in time: {what}")
        time.sleep(0.2)


def log_tails(system: System, lines: int = 15) -> str:
    """The end of each service's log, for a failure message."""
    folder: Path = system.log_dir  # type: ignore[attr-defined]
    return "\n".join(
        f"--- {log.name}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
        for log in sorted(folder.glob("*.log"))
    )


def finish_and_check(system: System, feed: Feed, extra: int = 0) -> dict[str, int]:
    feed.join(timeout=400)
    assert not feed.is_alive(), f"the feed stalled at {feed.written}\n{log_tails(system)}"
    assert feed.error is None, feed.error
    total = EVENTS + extra
    last: dict[str, int] = {}

    def all_applied() -> bool:
        last.update(asyncio.run(counts(system)))
        return all(v == total for v in last.values())

    try:
        wait_for(all_applied, "every consumer applied every event", timeout=600)
    except AssertionError as exc:
        raise AssertionError(
            f"{exc}; last counts {last}, expected {total}\n{log_tails(system)}"
        ) from None
    seen = asyncio.run(counts(system))
    assert seen == {"stored": total, **{c: total for c in CONSUMERS}, "institutions": total}
    report = asyncio.run(rebuild(system.settings))
    assert report.equal, [t for t in report.tables if not t.equal]
    assert report.events >= total  # a relay crash may have published some twice
    print(f"checked {seen} and a rebuild of {report.events} records")
    return seen


def test_a_writer_holds_its_transaction_open_while_others_commit(system: System) -> None:
    feed = Feed(system, EVENTS)

    async def hold() -> None:
        settings = system.settings
        conn = await asyncpg.connect(
            settings.database_url,
            server_settings={"search_path": settings.schema_of("registry")},
        )
        try:
            async with conn.transaction():
                await EventStore("registry").append(
                    conn, "Institution", "held", 0, [registered("held", 10**6)], META
                )
                feed.start()  # later transactions commit while this one is open
                wait_for(lambda: feed.written > EVENTS // 3, "others committed")
                await asyncio.sleep(2)
        finally:
            await conn.close()

    asyncio.run(hold())
    finish_and_check(system, feed, extra=1)


def test_kill_9_a_consumer_mid_stream_and_restart(system: System) -> None:
    feed = Feed(system, EVENTS)
    feed.start()
    wait_for(lambda: applied_by(system, "reporting") > EVENTS // 4, "reporting under way")
    system.stop_service("reporting", kill=True)
    system.start_service("reporting", system.log_dir)  # type: ignore[attr-defined]
    system.wait_ready(("reporting",))
    finish_and_check(system, feed)


def test_kill_9_the_relay_between_publish_and_cursor_save(system: System) -> None:
    feed = Feed(system, EVENTS)
    feed.start()
    wait_for(lambda: applied_by(system, "qc") > EVENTS // 4, "relay under way")
    system.stop_service("registry", kill=True)  # the relay runs in the registry process
    time.sleep(0.5)
    system.start_service("registry", system.log_dir)  # type: ignore[attr-defined]
    system.wait_ready(("registry",))
    finish_and_check(system, feed)


def test_a_second_consumer_instance_joins_and_leaves_mid_stream(system: System) -> None:
    feed = Feed(system, EVENTS)
    feed.start()
    wait_for(lambda: applied_by(system, "reporting") > EVENTS // 5, "reporting under way")
    env = {**system.env, "OHTS_REPORTING_PORT": str(free_port())}
    log = Path(system.log_dir) / "reporting-2.log"  # type: ignore[attr-defined]
    with log.open("ab") as out:
        second = subprocess.Popen(
            [sys.executable, "-m", "ohts", "serve", "reporting"], env=env, stdout=out, stderr=out
        )
    try:
        wait_for(lambda: applied_by(system, "reporting") > EVENTS // 2, "rebalanced")
    finally:
        second.terminate()
        second.wait(timeout=30)
    finish_and_check(system, feed)


def test_poison_messages_go_to_the_dead_letter_topic_and_consumption_goes_on(
    system: System,
) -> None:
    """Two waves of poison (not JSON, truncated JSON, known types with broken payloads) land
    among the registry's events; each consumer dead-letters every one and applies the rest."""
    settings = system.settings
    sent = 0

    async def send(seed: int) -> None:
        nonlocal sent
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
        await producer.start()
        try:
            for value in poison(seed):
                await producer.send_and_wait(settings.topic_of("registry"), value, key=b"poison")
                sent += 1
        finally:
            await producer.stop()

    feed = Feed(system, EVENTS)
    feed.start()
    wait_for(lambda: applied_by(system, "reporting") > EVENTS // 4, "under way")
    asyncio.run(send(1))
    wait_for(lambda: applied_by(system, "reporting") > EVENTS // 2, "still under way")
    asyncio.run(send(2))
    finish_and_check(system, feed)

    def dead_letters() -> dict[str, int]:
        by_consumer: dict[str, int] = {}
        for letter in asyncio.run(read_dead_letters(settings, limit=100_000)):
            if letter["source"].startswith(settings.topic_of("registry")):
                by_consumer[letter["consumer"]] = by_consumer.get(letter["consumer"], 0) + 1
        return by_consumer

    last: dict[str, int] = {}

    def all_dead_lettered() -> bool:
        last.update(dead_letters())
        return last == dict.fromkeys(CONSUMERS, sent)

    try:
        wait_for(all_dead_lettered, "every consumer dead-lettered every poison", timeout=60)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; dead letters {last}, expected {sent} each") from None
    assert asyncio.run(applied_poison(system)) == 0
    print(f"dead-lettered {sent} poison messages by each of {last}")


async def applied_poison(system: System) -> int:
    conn = await asyncpg.connect(system.settings.database_url)
    try:
        total = 0
        for service in CONSUMERS:
            total += await conn.fetchval(
                f'SELECT count(*) FROM "{system.settings.schema_of(service)}".inbox'
                " WHERE event_id::text LIKE $1",
                POISON_ID_PREFIX + "%",
            )
        return int(total)
    finally:
        await conn.close()


def test_restart_postgresql_under_load(system: System, servers: Servers) -> None:
    if servers.postgres is None:
        pytest.skip("PostgreSQL is external (DATABASE_URL): this test restarts the embedded one")
    feed = Feed(system, EVENTS)
    feed.start()
    wait_for(lambda: applied_by(system, "reporting") > EVENTS // 4, "under way")
    servers.postgres.stop()  # fast shutdown: every connection of every service is cut
    time.sleep(1)
    servers.postgres.start()
    finish_and_check(system, feed)
    for service in ("registry", *CONSUMERS):
        system.wait_ready((service,), timeout=30)


def test_restart_the_broker_under_load(servers: Servers, request: pytest.FixtureRequest) -> None:
    """The embedded broker keeps nothing across a restart: topics, records and group offsets
    are gone. Relays notice, recreate the topics and republish from their event stores."""
    name = f"faults-{request.node.name}"
    broker = EmbeddedBroker(log_path=servers.workdir / f"{name}-broker.log")
    broker.start()
    system = start_processes(servers, name, KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap_servers)
    system.log_dir = servers.workdir / name  # type: ignore[attr-defined]
    try:
        feed = Feed(system, EVENTS)
        feed.start()
        wait_for(lambda: applied_by(system, "reporting") > EVENTS // 4, "under way")
        broker.stop(kill=True)
        time.sleep(1)
        broker.start()
        finish_and_check(system, feed)
        resets = asyncio.run(broker_resets(system))
        assert resets == 1, resets
        for service in ("registry", *CONSUMERS):
            system.wait_ready((service,), timeout=30)
    finally:
        system.stop()
        broker.stop()


async def broker_resets(system: System) -> int:
    conn = await asyncpg.connect(system.settings.database_url)
    try:
        schema = system.settings.schema_of("registry")
        return int(await conn.fetchval(f'SELECT broker_resets FROM "{schema}".relay_cursor'))
    finally:
        await conn.close()
