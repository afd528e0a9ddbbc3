"""A report card command in as few round trips as its rules allow (issue 22, point 3)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import pytest

from ohts_kit.application import Ports
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, InvalidCommand
from ohts_kit.one_statement import one_statement
from services.registry.application.filings import file_report_card
from services.registry.application.unit import Registry, registry_of
from services.registry.domain.commands import FileReportCard
from services.registry.domain.uscc import make_uscc
from tests.integration.helpers import META
from tests.integration.registry_client import running_registry

pytestmark = pytest.mark.integration


class CountingDatabase:
    """One connection of the service's pool, with every statement a unit of work sends on it
    written down (one connection: asyncpg looks up a result type once per connection, with
    statements of its own, so a warmed-up connection shows only the command's)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.statements: list[str] = []
        conn.add_query_logger(self._log)

    def _log(self, record: Any) -> None:
        self.statements.append(" ".join(record.query.split())[:60])

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Conn]:
        yield self.conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        async with self.conn.transaction():
            yield self.conn

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[Conn]:
        async with one_statement(self.conn) as command:
            yield command  # type: ignore[misc]


def card(institution_id: str, number: str, staff: list[str] | None = None) -> FileReportCard:
    return FileReportCard(
        institution_id=institution_id,
        report_number=number,
        service_kind="detection",
        client_name="某化工",
        client_uscc=make_uscc("330106", "000000001", "91"),
        client_region_code="330106",
        completion_date=date(2026, 2, 20),
        staff_ids=staff or [],
    )


async def test_a_card_is_one_read_and_one_write(settings) -> None:
    async with running_registry(settings) as client:
        iid = await client.register()
        staff = await client.staff_up(iid, 1, count=2)
        reg = registry_of(client.runtime)
        async with client.runtime.pool.acquire() as one:
            db = CountingDatabase(one)
            counted = Registry(
                Ports(reg.store, db, reg.clock), reg.policy, reg.calendar, reg.personal_data_key
            )
            await file_report_card(counted, card(iid, "RT-0", staff), META)  # warms `one` up
            await asyncio.sleep(0)  # asyncpg calls query loggers on the next loop turn
            db.statements.clear()
            card_id = await file_report_card(counted, card(iid, "RT-1", staff), META)
            await asyncio.sleep(0)
            one.remove_query_logger(db._log)
        assert [s.split()[0].rstrip(";") for s in db.statements] == [
            "WITH",  # the institution's stream, duplicate, staff, filings, first qualification
            "WITH",  # the append and the inline view's row, one statement and transaction
        ], db.statements
        assert db.statements[1].startswith("WITH e AS (INSERT INTO events"), db.statements
        async with client.runtime.pool.acquire() as conn:
            assert (
                await conn.fetchval(
                    "SELECT report_number FROM report_cards WHERE card_id = $1", card_id
                )
                == "RT-1"
            )
        # The one statement still feeds every rule it replaced.
        with pytest.raises(Conflict):  # R8 one card per project
            await file_report_card(reg, card(iid, "RT-1"), META)
        with pytest.raises(InvalidCommand) as unknown:  # staff of no record
            await file_report_card(reg, card(iid, "RT-2", [staff[0], "nobody"]), META)
        (violation,) = unknown.value.violations
        assert violation.field == "staff_ids" and "nobody" in violation.message
        with pytest.raises(InvalidCommand) as missing:  # no such institution
            await file_report_card(reg, card("no-such-institution", "RT-3"), META)
        assert missing.value.violations[0].field == "institution_id"
        await client.qualify(iid, 2, valid_from="2026-02-25")  # after the project's completion
        with pytest.raises(InvalidCommand) as early:
            await file_report_card(reg, card(iid, "RT-4"), META)
        assert [v.field for v in early.value.violations] == ["completion_date"]
