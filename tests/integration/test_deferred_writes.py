"""A consumer run's deferred writes against the real PostgreSQL: fewer statements, the same
rows, every read seeing what was written before it, a savepoint taking only its own."""

import asyncpg
import pytest

from ohts_kit.deferred import DeferredWrites, _table_of

pytestmark = pytest.mark.integration

INSERT_A = "INSERT INTO a (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = a.v + $2"
INSERT_B = 'INSERT INTO "b" (k) VALUES ($1)'


@pytest.fixture
async def conn(settings):
    conn = await asyncpg.connect(settings.database_url)
    schema = f"{settings.namespace}deferred"
    await conn.execute(f'CREATE SCHEMA "{schema}"; SET search_path = "{schema}"')
    await conn.execute("CREATE TABLE a (k INT PRIMARY KEY, v INT NOT NULL)")
    await conn.execute("CREATE TABLE b (k INT CHECK (k > 0))")
    try:
        yield conn
    finally:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()


def test_only_plain_inserts_with_values_may_wait() -> None:
    assert _table_of(INSERT_A) == "a"
    assert _table_of(INSERT_B) == "b"
    assert _table_of("INSERT INTO a (k) SELECT k FROM b") is None  # reads another table
    assert _table_of("INSERT INTO a (k) VALUES ($1) RETURNING k") is None  # a read
    assert _table_of("UPDATE a SET v = 1") is None


async def test_interleaved_inserts_go_as_one_statement_per_table(conn) -> None:
    async with conn.transaction():
        writes = DeferredWrites(conn)
        for k in range(1, 51):  # as a run of alternating event types would write
            await writes.execute(INSERT_A, k % 10, 1)
            await writes.execute(INSERT_B, k)
        assert writes.statements == 0
        await writes.flush()
        assert writes.statements == 2
    assert await conn.fetchval("SELECT sum(v) FROM a") == 50
    assert await conn.fetchval("SELECT count(*) FROM a") == 10  # the upserts in their order
    assert await conn.fetchval("SELECT count(*) FROM b") == 50


async def test_a_read_sends_what_waits_and_other_writes_keep_their_order(conn) -> None:
    bump = "UPDATE a SET v = v * $1"
    async with conn.transaction():
        writes = DeferredWrites(conn)
        await writes.execute(INSERT_A, 1, 1)
        assert await writes.fetchval("SELECT v FROM a WHERE k = 1") == 1  # its own write
        await writes.execute(bump, 10)  # waits, after what came before it
        await writes.execute(INSERT_A, 2, 1)  # may not pass the update: it would be bumped
        await writes.execute(bump, 10)
        await writes.execute(INSERT_A, 3, 1)
        await writes.execute("INSERT INTO a (k, v) VALUES ($1, $2)", 4, 1)  # same table
        await writes.execute(INSERT_A, 5, 1)  # may not pass that other insert into `a`
        sent = writes.statements
        await writes.flush()
        assert writes.statements - sent == 6
    rows = await conn.fetch("SELECT k, v FROM a ORDER BY k")
    assert [(r["k"], r["v"]) for r in rows] == [(1, 100), (2, 10), (3, 1), (4, 1), (5, 1)]


async def test_a_run_of_one_update_goes_as_one_statement(conn) -> None:
    async with conn.transaction():
        writes = DeferredWrites(conn)
        await writes.executemany(INSERT_A, [(k, 1) for k in range(1, 6)])
        for k in range(1, 6):
            await writes.execute("UPDATE a SET v = v + $2 WHERE k = $1", k, k)
        sent = writes.statements
        await writes.flush()
        assert writes.statements - sent == 1
    rows = await conn.fetch("SELECT k, v FROM a ORDER BY k")
    assert [r["v"] for r in rows] == [2, 3, 4, 5, 6]


async def test_a_savepoint_rolled_back_takes_only_its_own_writes(conn) -> None:
    async with conn.transaction():
        writes = DeferredWrites(conn)
        await writes.execute(INSERT_B, 1)  # before the savepoint: must stay
        with pytest.raises(asyncpg.CheckViolationError):
            async with writes.transaction():
                await writes.execute(INSERT_B, 2)
                await writes.execute(INSERT_B, -1)  # inside a savepoint nothing waits
        await writes.flush()
    assert [r["k"] for r in await conn.fetch("SELECT k FROM b")] == [1]


async def test_a_waiting_insert_that_fails_fails_at_the_flush(conn) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        async with conn.transaction():
            writes = DeferredWrites(conn)
            await writes.execute(INSERT_B, 1)
            await writes.execute(INSERT_B, -1)  # accepted for now: nothing was sent
            await writes.flush()
    assert await conn.fetchval("SELECT count(*) FROM b") == 0


async def test_appends_after_the_first_leave_what_waits_waiting(conn) -> None:
    """The first append sends what waits before it (the first-write rule); later ones read
    and write `events` alone, so the inline views' rows wait until the run's end."""
    count_b = "SELECT count(*) AS n FROM b"  # stands in for the append's statement
    async with conn.transaction():
        writes = DeferredWrites(conn)
        await writes.execute(INSERT_B, 1)
        assert (await writes.fetch_from_events(count_b))[0]["n"] == 1  # sent first
        await writes.execute(INSERT_B, 2)
        await writes.execute(INSERT_B, 3)
        assert (await writes.fetch_from_events(count_b))[0]["n"] == 1  # still waiting
        await writes.flush()
        assert await writes.fetchval(count_b) == 3
        assert writes.statements == 5  # 1 insert, 2 appends, 1 insert of two rows, 1 read
