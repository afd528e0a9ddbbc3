import asyncio
from typing import cast

import asyncpg
import pytest

from ohts_kit.db import Conn
from ohts_kit.deferred import DeferredWrites
from ohts_kit.errors import ConcurrencyConflict
from ohts_kit.eventstore import AppendOrderError, EventStore
from tests.integration.helpers import META, platform_pool, registered

pytestmark = pytest.mark.integration


async def test_append_then_load_and_read_log(settings) -> None:
    pool = await platform_pool(settings)
    store = EventStore("registry")
    try:
        async with pool.acquire() as conn, conn.transaction():
            written = await store.append(conn, "Institution", "i-1", 0, [registered("i-1")], META)
        assert [e.aggregate_version for e in written] == [1]
        async with pool.acquire() as conn:
            [loaded] = await store.load(conn, "Institution", "i-1")
            log = await store.read_log(conn)
        assert loaded.envelope.event_id == written[0].event_id
        assert loaded.envelope.actor == META.actor
        assert loaded.payload.name == "机构0"  # type: ignore[attr-defined]
        assert [e.envelope.event_id for e in log] == [written[0].event_id]
    finally:
        await pool.close()


async def test_two_writers_of_the_same_version_one_conflicts(settings) -> None:
    pool = await platform_pool(settings)
    store = EventStore("registry")

    async def write() -> str:
        async with pool.acquire() as conn, conn.transaction():
            await store.append(conn, "Institution", "i-2", 0, [registered("i-2")], META)
            await asyncio.sleep(0.2)  # both hold their transaction open at once
        return "ok"

    try:
        results = await asyncio.gather(write(), write(), return_exceptions=True)
        assert sorted(type(r).__name__ for r in results) == ["ConcurrencyConflict", "str"]
        conflict = next(r for r in results if isinstance(r, ConcurrencyConflict))
        assert conflict.details["expected_version"] == 0
        async with pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM events") == 1
    finally:
        await pool.close()


async def test_append_must_be_the_first_write_of_its_transaction(settings) -> None:
    pool = await platform_pool(settings)
    store = EventStore("registry")
    try:
        async with pool.acquire() as conn:
            with pytest.raises(AppendOrderError):
                async with conn.transaction():
                    await conn.execute("UPDATE relay_cursor SET published = published WHERE id = 1")
                    await store.append(conn, "Institution", "i-3", 0, [registered("i-3")], META)
            # Two appends in one transaction are fine: the first made the xid.
            async with conn.transaction():
                await store.append(conn, "Institution", "i-3", 0, [registered("i-3")], META)
                await store.append(conn, "Institution", "i-4", 0, [registered("i-4")], META)
            assert await conn.fetchval("SELECT count(*) FROM events") == 2
    finally:
        await pool.close()


async def test_migrations_are_safe_to_run_twice(settings) -> None:
    from ohts_kit.db import PLATFORM_MIGRATIONS, migrate

    schema = settings.schema_of("qc")
    first = await migrate(settings, schema, [PLATFORM_MIGRATIONS])
    second = await migrate(settings, schema, [PLATFORM_MIGRATIONS])
    assert first and not second
    conn = await asyncpg.connect(settings.database_url)
    try:
        assert await conn.fetchval(f'SELECT count(*) FROM "{schema}".schema_migrations') == len(
            first
        )
    finally:
        await conn.close()


async def test_a_runs_later_appends_wait_and_are_stored_as_they_were_returned(settings) -> None:
    """In a consumer run (DeferredWrites) the first append is sent; later ones wait and go as
    one statement for all their streams, stored exactly as the envelopes returned at once."""
    pool = await platform_pool(settings)
    store = EventStore("registry")
    try:
        async with pool.acquire() as conn, conn.transaction():
            writes = DeferredWrites(conn)
            run = cast(Conn, writes)
            written = await store.append(run, "Institution", "w-1", 0, [registered("w-1")], META)
            assert writes.statements == 1
            for name in ("w-2", "w-3"):
                written += await store.append(run, "Institution", name, 0, [registered(name)], META)
            two = [registered("w-1", 1), registered("w-1", 2)]
            written += await store.append(run, "Institution", "w-1", 1, two, META)
            assert writes.statements == 1  # the three later appends wait
            await writes.flush()
            assert writes.statements == 2  # and go as one
            log = await store.read_log(conn)
        assert [e.envelope for e in log] == written  # what was returned is what is stored
        assert [(e.aggregate_id, e.aggregate_version) for e in written] == [
            ("w-1", 1),
            ("w-2", 1),
            ("w-3", 1),
            ("w-1", 2),
            ("w-1", 3),
        ]
        times = [e.recorded_at for e in written]
        assert times == sorted(times) and written[1].recorded_at > written[0].recorded_at
    finally:
        await pool.close()


async def test_a_waiting_append_overtaken_or_clashing_fails_the_run_at_the_flush(settings) -> None:
    pool = await platform_pool(settings)
    store = EventStore("registry")
    try:
        async with pool.acquire() as conn:
            with pytest.raises(ConcurrencyConflict):  # a newer transaction wrote x-2 first
                async with conn.transaction():
                    writes = DeferredWrites(conn)
                    run = cast(Conn, writes)
                    await store.append(run, "Institution", "x-1", 0, [registered("x-1")], META)
                    async with pool.acquire() as other, other.transaction():
                        await store.append(
                            other, "Institution", "x-2", 0, [registered("x-2")], META
                        )
                    await store.append(run, "Institution", "x-2", 1, [registered("x-2")], META)
                    await store.append(run, "Institution", "x-3", 0, [registered("x-3")], META)
                    await writes.flush()
            with pytest.raises(ConcurrencyConflict):  # the version is taken
                async with conn.transaction():
                    writes = DeferredWrites(conn)
                    run = cast(Conn, writes)
                    await store.append(run, "Institution", "x-4", 0, [registered("x-4")], META)
                    await store.append(run, "Institution", "x-4", 0, [registered("x-4")], META)
                    await writes.flush()
            ids = await conn.fetch("SELECT aggregate_id FROM events ORDER BY position")
            assert [r["aggregate_id"] for r in ids] == ["x-2"]  # the runs left nothing
    finally:
        await pool.close()


async def test_an_append_in_a_savepoint_is_sent_at_once(settings) -> None:
    pool = await platform_pool(settings)
    store = EventStore("registry")
    try:
        async with pool.acquire() as conn, conn.transaction():
            writes = DeferredWrites(conn)
            run = cast(Conn, writes)
            await store.append(run, "Institution", "s-1", 0, [registered("s-1")], META)
            with pytest.raises(ConcurrencyConflict):
                async with writes.transaction():
                    await store.append(run, "Institution", "s-1", 0, [registered("s-1")], META)
            await store.append(run, "Institution", "s-2", 0, [registered("s-2")], META)
            await writes.flush()
            assert await conn.fetchval("SELECT count(*) FROM events") == 2
    finally:
        await pool.close()
