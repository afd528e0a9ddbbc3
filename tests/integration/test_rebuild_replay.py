"""The rebuild's replay on the real broker and PostgreSQL (issue 22.4): insert-only projections
are copied in batches, yet a duplicate delivery is applied once, an undecodable record is
skipped, a later event sees the rows copied before it, and a refused event is rolled back
alone while the rest of its batch stays applied."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from contracts import registry_v1 as reg
from contracts.envelope import Envelope, EventPayload
from ohts_kit.consumer import Handler
from ohts_kit.db import PLATFORM_MIGRATIONS, migrate
from ohts_kit.deferred import DeferredWrites
from ohts_kit.errors import DomainError
from ohts_kit.ids import uuid7
from ohts_kit.settings import Settings
from services.reporting.application import copying, rebuild
from services.reporting.projections.registry import ERASED
from tests.integration.helpers import envelope_of

INST, OTHER = "inst-r", "inst-refused"
DAY = date(2026, 3, 2)
STAFF = copying.FEW + 50  # enough for the COPY path


def institution(institution_id: str) -> reg.InstitutionRegistered:
    return reg.InstitutionRegistered(
        institution_id=institution_id,
        uscc="91330106MA00000001",
        name="杭州重建检测有限公司",
        address="杭州市西湖区",
        legal_representative="李四",
        nature="企业",
        kind=reg.InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE,
        region_code="330106",
        registered_at=datetime(2026, 3, 2, 2, 0, tzinfo=UTC),
    )


def staff(i: int) -> reg.StaffRegistered:
    return reg.StaffRegistered(
        staff_id=f"s{i}",
        institution_id=INST,
        person_ref=f"ref{i}",
        masked_name="张*",
        title="senior",
        specialty="检测",
        years_of_experience=5,
        role="staff",
        full_time=True,
        registered_on=DAY,
    )


def card(i: int) -> reg.ServiceReportCardFiled:
    return reg.ServiceReportCardFiled(
        card_id=f"c{i}",
        institution_id=INST,
        report_number=f"R-{i}",
        service_kind="detection",
        client_name="某厂",
        client_uscc="91530100MA00000002",
        client_region_code="530100",
        completion_date=DAY,
        staff_ids=["s1"],
        filed_on=DAY,
        due_on=DAY,
        late=False,
    )


Raw = tuple[bytes, list[tuple[str, bytes]]]  # a record's value and headers as given


async def publish(settings: Settings, records: list[bytes | Envelope | Raw]) -> None:
    """In order on one partition (one key); envelopes with the relay's event_type header."""
    kafka = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all")
    await kafka.start()
    try:
        for record in records:
            if isinstance(record, bytes):
                await kafka.send_and_wait(settings.topic_of("registry"), record, key=b"k")
                continue
            if isinstance(record, tuple):
                value, given = record
                await kafka.send_and_wait(
                    settings.topic_of("registry"), value, key=b"k", headers=given
                )
                continue
            headers = [("event_type", record.event_type.encode())]
            await kafka.send_and_wait(
                settings.topic_of("registry"),
                record.model_dump_json().encode(),
                key=b"k",
                headers=headers,
            )
    finally:
        await kafka.stop()


def of(payload: EventPayload) -> Envelope:
    return envelope_of("registry", payload, payload.institution_id)  # type: ignore[attr-defined]


async def replay_into_fresh(settings: Settings) -> tuple[int, int, asyncpg.Connection]:
    schema = f"{settings.schema_of('reporting')}_replayed"
    await migrate(settings, schema, [PLATFORM_MIGRATIONS, rebuild.MIGRATIONS])
    applied, skipped = await rebuild.replay(settings, schema)
    conn = await asyncpg.connect(settings.database_url, server_settings={"search_path": schema})
    return applied, skipped, conn


def replace_registered(
    monkeypatch: pytest.MonkeyPatch, handler: Callable[..., Awaitable[None]]
) -> None:
    """The replay's InstitutionRegistered handler becomes `handler(real_handler, conn, env,
    e)`."""
    real: Callable[[Settings], dict[str, Handler]] = rebuild.handlers

    def table_of(s: Settings) -> dict[str, Handler]:
        table = real(s)
        table[reg.InstitutionRegistered.event_type] = functools.partial(
            handler, table[reg.InstitutionRegistered.event_type]
        )
        return table

    monkeypatch.setattr(rebuild, "handlers", table_of)


async def test_copied_rows_duplicates_and_a_later_update(settings: Settings) -> None:
    staff_events = [of(staff(i)) for i in range(STAFF)]
    erased = of(
        reg.PersonalDataErased(staff_id="s5", institution_id=INST, person_ref="ref5", erased_on=DAY)
    )
    inst = of(institution(INST))
    cards = [of(card(i)) for i in range(3)]
    await publish(
        settings,
        [
            inst,
            *staff_events,
            staff_events[7],  # a relay crash republished it: in the COPY's batch, a duplicate
            erased,  # must see the copied staff rows before it
            b"{not an envelope",
            inst,  # a duplicate of an event with its own handler
            *cards,
        ],
    )
    applied, skipped, conn = await replay_into_fresh(settings)
    try:
        assert applied == 1 + STAFF + 1 + 3
        assert skipped == 3  # the two duplicates and the undecodable record
        assert await conn.fetchval("SELECT count(*) FROM rp_staff") == STAFF
        assert await conn.fetchval("SELECT masked_name FROM rp_staff WHERE staff_id = 's5'") == (
            ERASED
        )
        assert await conn.fetchval("SELECT masked_name FROM rp_staff WHERE staff_id = 's6'") == (
            "张*"
        )
        assert await conn.fetchval("SELECT count(*) FROM rp_report_cards") == 3
        assert await conn.fetchval("SELECT count(*) FROM rp_institutions") == 1
        assert await conn.fetchval("SELECT count(*) FROM inbox") == applied
    finally:
        await conn.close()


async def test_a_refused_event_is_rolled_back_alone(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def refuse(registered: Handler, conn: Any, env: Envelope, e: Any) -> None:
        await registered(conn, env, e)  # its write must not stay
        if e.institution_id == OTHER:
            raise DomainError("refused")

    replace_registered(monkeypatch, refuse)
    await publish(settings, [of(institution(INST)), of(institution(OTHER)), of(card(1))])
    applied, skipped, conn = await replay_into_fresh(settings)
    try:
        assert (applied, skipped) == (2, 1)
        ids = {r[0] for r in await conn.fetch("SELECT institution_id FROM rp_institutions")}
        assert ids == {INST}
        assert await conn.fetchval("SELECT count(*) FROM rp_report_cards") == 1
    finally:
        await conn.close()


async def test_a_failing_write_stops_the_replay_with_its_error(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def fail(_: Handler, conn: Any, env: Envelope, e: Any) -> None:
        raise RuntimeError("the database refused it")

    replace_registered(monkeypatch, fail)
    await publish(settings, [of(institution(INST)), *[of(card(i)) for i in range(50)]])
    with pytest.raises(ExceptionGroup) as raised:
        await asyncio.wait_for(replay_into_fresh(settings), timeout=60)  # no hang either
    assert raised.group_contains(RuntimeError, match="refused")


async def test_the_writes_of_handled_events_go_together(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Events with their own handlers (not insert-only) write through the run's deferred
    writes, as in the live consumer: 300 registrations in one batch send a few statements,
    and a copy of insert-only rows still comes after the writes of the events before it."""
    seen: list[Any] = []

    async def watch(registered: Handler, conn: Any, env: Envelope, e: Any) -> None:
        seen.append(conn)
        await registered(conn, env, e)

    replace_registered(monkeypatch, watch)
    institutions = [of(institution(f"inst-{i:03d}")) for i in range(300)]
    erased = of(
        reg.PersonalDataErased(staff_id="s5", institution_id=INST, person_ref="ref5", erased_on=DAY)
    )
    staff_events = [of(staff(i)) for i in range(STAFF)]
    await publish(settings, [*institutions, *staff_events, erased])
    applied, skipped, conn = await replay_into_fresh(settings)
    try:
        assert (applied, skipped) == (300 + STAFF + 1, 0)
        assert await conn.fetchval("SELECT count(*) FROM rp_institutions") == 300
        assert await conn.fetchval("SELECT masked_name FROM rp_staff WHERE staff_id = 's5'") == (
            ERASED
        )
        runs = {id(c): c for c in seen}.values()
        assert all(isinstance(c, DeferredWrites) for c in runs)
        assert sum(c.statements for c in runs) <= 10 * len(runs)  # not one or more per event
    finally:
        await conn.close()


async def test_a_type_the_read_models_ignore_is_not_decoded(settings: Settings) -> None:
    """As in the live consumer: a known type no projection uses, told by the relay's headers,
    gets its inbox row without being decoded; without an event_id header it is decoded, and
    a body that does not decode is skipped."""
    ignored = "registry.QualificationApplied"
    event_id = uuid7()
    headers = [("event_type", ignored.encode()), ("event_id", str(event_id).encode())]
    await publish(
        settings,
        [
            (b"{not decoded}", headers),
            (b"{not decoded either}", [("event_type", ignored.encode())]),
            of(institution(INST)),
        ],
    )
    applied, skipped, conn = await replay_into_fresh(settings)
    try:
        assert (applied, skipped) == (2, 1)
        rows = await conn.fetch("SELECT event_id, event_type FROM inbox ORDER BY event_id")
        assert (event_id, ignored) in [(r["event_id"], r["event_type"]) for r in rows]
        assert len(rows) == 2
    finally:
        await conn.close()
