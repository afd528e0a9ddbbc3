"""A consumer-driven append that races another writer of the same stream is decided again
from a fresh load, never dead-lettered (issue 15, point 1), against the real PostgreSQL and
broker."""

import asyncio
from datetime import date

import pytest

from contracts.enforcement_v1 import QualificationRevocationOrdered
from contracts.envelope import Envelope, EventPayload
from contracts.registry_v1 import InstitutionRegistered
from ohts_kit.consumer import may_append
from ohts_kit.db import Conn
from ohts_kit.deferred import DeferredWrites
from ohts_kit.errors import ConcurrencyConflict
from ohts_kit.eventstore import EventStore
from tests.integration.helpers import META, eventually, publish_event, read_topic, registered
from tests.integration.registry_client import running_registry
from tests.integration.test_consumer import Harness, envelope_bytes, prepared

pytestmark = pytest.mark.integration

ROUNDS = 30


async def test_a_conflicting_append_is_retried_and_applied_once(settings) -> None:
    """Each event's handler loads a stream, and before it appends another writer commits to
    that stream, twice: the batch's attempt and the event's first attempt alone conflict (a
    conflict used to be dead-lettered there), the retry from a fresh load applies it."""
    pool, producer = await prepared(settings)
    store = EventStore("reporting")
    rivals: dict[str, int] = {}

    @may_append
    async def append_after_a_rival(conn: Conn, env: Envelope, _: EventPayload) -> None:
        stream = env.institution_id
        version = len(await store.load(conn, "Institution", stream))
        if rivals.get(stream, 0) < 2:  # a command over HTTP gets there first
            rivals[stream] = rivals.get(stream, 0) + 1
            async with pool.acquire() as rival, rival.transaction():
                await store.append(
                    rival, "Institution", stream, version, [registered(stream)], META
                )
        await store.append(conn, "Institution", stream, version, [registered(stream, 1)], META)

    try:
        for n in range(ROUNDS):
            await producer.send_and_wait(
                settings.topic_of("registry"), envelope_bytes(f"i-{n}")[1], key=b"k"
            )
        async with Harness(settings, pool, group=f"{settings.namespace}g") as h:
            h.consumer.handlers[InstitutionRegistered.event_type] = append_after_a_rival
            h.consumer.appending.add(InstitutionRegistered.event_type)
            await eventually(lambda: _applied(h, ROUNDS))
            assert h.consumer.stats.dead_lettered == 0
            assert h.consumer.stats.retried >= ROUNDS  # every first attempt conflicted
        async with pool.acquire() as conn:
            lengths = await conn.fetch(
                "SELECT aggregate_id, count(*) AS n FROM events GROUP BY aggregate_id"
            )
            assert {r["aggregate_id"]: r["n"] for r in lengths} == {
                f"i-{n}": 3 for n in range(ROUNDS)
            }
            assert await conn.fetchval("SELECT count(*) FROM inbox") == ROUNDS
            assert await conn.fetchval("SELECT count(*) FROM dead_letters") == 0
    finally:
        await producer.stop()
        await pool.close()


async def _applied(h: Harness, n: int) -> bool:
    return h.consumer.stats.applied >= n


async def test_revocation_orders_race_http_commands_on_the_same_qualification(settings) -> None:
    """The registry applies enforcement's revocation orders while a clerk publishes the same
    qualifications' grant decisions over HTTP: every order is applied exactly once, every
    publication lands (a 409 is retried by the client), nothing is dead-lettered."""
    async with running_registry(settings) as reg:
        institutions = [await reg.register(n, region="330106") for n in range(1, 9)]
        qualifications = [await reg.qualify(iid, n) for n, iid in enumerate(institutions, start=1)]
        grants = {e["aggregate_id"]: e["event_id"] for e in await _grant_events(reg)}

        async def order(n: int, iid: str) -> None:
            await publish_event(
                settings,
                "enforcement",
                QualificationRevocationOrdered(
                    case_id=f"case-{n}",
                    institution_id=iid,
                    certificate_number=f"(浙)卫职技字(2026)第{n:04d}号",
                    decision_number=f"浙卫罚〔2026〕{n}号",
                    authority="浙江省卫生健康委员会",
                    decided_on=date(2026, 2, 20),
                ),
                iid,
            )

        async def publish(qid: str) -> None:
            while True:
                r = await reg.post(
                    f"/api/v1/qualifications/{qid}/publications",
                    {"decision_event_id": grants[qid]},
                )
                if r.status_code != 409:
                    assert r.status_code == 204, r.text
                    return
                await asyncio.sleep(0.01)

        await asyncio.gather(
            *(order(n, iid) for n, iid in enumerate(institutions, start=1)),
            *(publish(qid) for qid in qualifications),
        )

        async def settled() -> bool:
            return len(await reg.events("registry.QualificationRevoked")) == len(institutions)

        await eventually(settled)
        assert len(await reg.events("registry.QualificationDecisionPublished")) == len(
            qualifications
        )
        consumer = reg.runtime.consumer
        assert consumer is not None and consumer.stats.dead_lettered == 0
        async with reg.runtime.pool.acquire() as conn:
            orders = await conn.fetchval(
                "SELECT count(*) FROM inbox WHERE event_type = $1",
                QualificationRevocationOrdered.event_type,
            )
            assert orders == len(institutions)
            assert await conn.fetchval("SELECT count(*) FROM dead_letters") == 0
        assert await read_topic(settings, settings.dlq_topic, expected=0) == []


async def _grant_events(reg) -> list[dict[str, str]]:
    async with reg.runtime.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT aggregate_id, event_id::text FROM events"
            " WHERE event_type = 'registry.QualificationGranted'"
        )
    return [dict(r) for r in rows]


@pytest.mark.parametrize("rival", ["takes the version", "overtakes, conflict swallowed"])
async def test_a_waiting_append_overtaken_in_a_run_is_applied_again_alone(settings, rival) -> None:
    """In a run, an append after the first waits (ohts_kit.deferred). A rival writes its
    stream after the load it was decided on, so the conflict comes at the next flush, not at
    the call: the run rolls back and each event is applied once, alone.
    - "takes the version": the rival writes the same version (a unique violation, which
      also aborts the transaction);
    - "overtakes": the rival, a newer transaction, writes a later version, so the waiting
      row is refused by the overtaking check and the transaction stays healthy. The handler
      catches the conflict at that flush, and the run must still not commit without the
      refused event (a failed flush is raised again)."""
    pool, producer = await prepared(settings)
    store = EventStore("reporting")
    overtaken: set[str] = set()
    swallowed = 0

    @may_append
    async def append_then_a_rival(conn: Conn, env: Envelope, _: EventPayload) -> None:
        nonlocal swallowed
        stream = env.institution_id
        try:
            await conn.fetchval("SELECT 1")  # sends what waits: an earlier event's append
        except ConcurrencyConflict:
            swallowed += 1  # a handler that gets this wrong
        loaded = await store.load(conn, "Institution", stream)
        version = max((e.envelope.aggregate_version for e in loaded), default=0)
        await store.append(conn, "Institution", stream, version, [registered(stream, 1)], META)
        waiting = conn.waiting_appends() if isinstance(conn, DeferredWrites) else None
        if waiting is not None and waiting.rows and not overtaken:  # ours waits
            # A command over HTTP writes the stream meanwhile; once, so the run's last flush
            # does not fail afresh and only the caught conflict stands between the refused
            # event and a commit without it.
            overtaken.add(stream)
            at = version if rival == "takes the version" else version + 1
            async with pool.acquire() as other, other.transaction():
                await store.append(other, "Institution", stream, at, [registered(stream)], META)

    try:
        for n in range(ROUNDS):
            await producer.send_and_wait(
                settings.topic_of("registry"), envelope_bytes(f"w-{n}")[1], key=b"k"
            )
        async with Harness(settings, pool, group=f"{settings.namespace}g") as h:
            h.consumer.handlers[InstitutionRegistered.event_type] = append_then_a_rival
            h.consumer.appending.add(InstitutionRegistered.event_type)
            await eventually(lambda: _applied(h, ROUNDS))
            assert h.consumer.stats.dead_lettered == 0
        assert overtaken, "some append waited and was overtaken"
        if rival != "takes the version":
            assert swallowed >= 1
        async with pool.acquire() as conn:
            lengths = await conn.fetch(
                "SELECT aggregate_id, count(*) AS n FROM events GROUP BY aggregate_id"
            )
            assert {r["aggregate_id"]: r["n"] for r in lengths} == {
                f"w-{n}": 2 if f"w-{n}" in overtaken else 1 for n in range(ROUNDS)
            }  # the rival's and ours, once each; one stream overtaken
            assert await conn.fetchval("SELECT count(*) FROM inbox") == ROUNDS
            assert await conn.fetchval("SELECT count(*) FROM dead_letters") == 0
    finally:
        await producer.stop()
        await pool.close()
