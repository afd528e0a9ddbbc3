"""One-statement commands against the real PostgreSQL: reads, then the append and its views
in one statement, all of it or nothing; what cannot be joined goes as a transaction."""

from collections.abc import AsyncIterator
from typing import Any, cast

import pytest

from ohts_kit.db import Conn
from ohts_kit.errors import ConcurrencyConflict
from ohts_kit.eventstore import EventStore
from ohts_kit.one_statement import OneStatement, ReadAfterWrite, joinable, renumbered
from tests.integration.helpers import META, platform_pool, registered

pytestmark = pytest.mark.integration

VIEW = "INSERT INTO one_view (k, v) VALUES ($1, $2)"
OTHER = "INSERT INTO one_other (k) VALUES ($1)"
UPDATE = "UPDATE one_view SET v = v + 1 WHERE k = $1"


def test_parameters_move_up_outside_quoted_literals() -> None:
    query = "UPDATE t SET s = '$1', v = $1 WHERE k = $2 AND n = 'it''s $2'"
    assert renumbered(query, 14) == (
        "UPDATE t SET s = '$1', v = $15 WHERE k = $16 AND n = 'it''s $2'"
    )


def test_only_writes_that_cannot_read_each_other_are_joined() -> None:
    assert joinable([]) and joinable([(UPDATE, (1,))])
    assert joinable([(VIEW, (1, 2)), (OTHER, (1,))])  # plain inserts, two tables
    assert not joinable([(VIEW, (1, 2)), (VIEW, (2, 2))])  # one table twice
    assert not joinable([(VIEW, (1, 2)), (UPDATE, (1,))])  # an update may read the insert
    assert not joinable([("UPDATE x SET n = (SELECT count(*) FROM events)", ())])
    assert not joinable([("SELECT 1", ())])


async def _command(pool: Any, name: str, writes: list[tuple[str, tuple[Any, ...]]]) -> int:
    """Append one event to stream `name` with `writes` as its views; the statements sent."""
    store = EventStore("registry")
    async with pool.acquire() as conn:
        command = OneStatement(conn)
        one = cast(Conn, command)
        await store.append(one, "Institution", name, 0, [registered(name)], META)
        for query, args in writes:
            await one.execute(query, *args)
        await command.send()
        return command.statements


@pytest.fixture
async def pool(settings) -> AsyncIterator[Any]:
    pool = await platform_pool(settings)
    async with pool.acquire() as conn:
        await conn.execute(
            "CREATE TABLE one_view (k INT PRIMARY KEY, v INT NOT NULL);"
            " CREATE TABLE one_other (k INT PRIMARY KEY)"
        )
    try:
        yield pool
    finally:
        await pool.close()


async def test_the_append_and_its_views_go_as_one_statement_or_not_at_all(pool) -> None:
    assert await _command(pool, "o-1", [(VIEW, (1, 10)), (OTHER, (1,))]) == 1
    with pytest.raises(Exception, match="one_other"):  # the view's key is taken
        await _command(pool, "o-2", [(VIEW, (2, 20)), (OTHER, (1,))])
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM events") == 1
        assert await conn.fetch("SELECT k, v FROM one_view") == [(1, 10)]
        [stored] = await EventStore("registry").load(conn, "Institution", "o-1")
        assert stored.envelope.aggregate_version == 1


async def test_writes_that_may_not_be_joined_go_as_one_transaction(pool) -> None:
    writes = [(VIEW, (1, 10)), (UPDATE, (1,))]
    assert await _command(pool, "t-1", writes) == 5  # BEGIN, the append, 2 writes, COMMIT
    with pytest.raises(Exception, match="one_view"):
        await _command(pool, "t-2", [(OTHER, (5,)), (VIEW, (1, 0))])
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT v FROM one_view WHERE k = 1") == 11
        assert await conn.fetchval("SELECT count(*) FROM one_other") == 0
        assert await conn.fetchval("SELECT count(*) FROM events") == 1


async def test_a_version_taken_is_a_conflict_and_reads_come_first(pool) -> None:
    await _command(pool, "c-1", [])
    with pytest.raises(ConcurrencyConflict) as conflict:
        await _command(pool, "c-1", [(VIEW, (7, 7))])
    assert conflict.value.details["expected_version"] == 0
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM one_view") == 0
        command = OneStatement(conn)
        with pytest.raises(ReadAfterWrite):
            await command.execute(VIEW, 8, 8)  # a write that is no view of an append
        await EventStore("registry").append(
            cast(Conn, command), "Institution", "c-2", 0, [registered("c-2")], META
        )
        with pytest.raises(ReadAfterWrite):
            await command.fetchval("SELECT 1")
