"""The application core every service shares: load an aggregate by folding its events,
append what it decided, and keep the service's inline read tables in the same transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from contracts.envelope import Envelope, EventPayload
from ohts_kit.db import Conn
from ohts_kit.eventstore import Metadata, NewEvent
from ohts_kit.service import ServiceRuntime
from ohts_kit.workdays import china_date

Projector = Callable[[Conn, Envelope, EventPayload], Awaitable[None]]


class AggregateModule(Protocol):
    AGGREGATE: str

    def fold(self, aggregate_id: str, events: Iterable[EventPayload], /) -> Any: ...


async def _no_projection(conn: Conn, envelope: Envelope, event: EventPayload) -> None:
    return None


class Application:
    def __init__(self, rt: ServiceRuntime, project: Projector = _no_projection) -> None:
        self.rt = rt
        self.project = project

    def now(self) -> datetime:
        return self.rt.clock.now()

    def today(self) -> date:
        return china_date(self.rt.clock.now())

    async def load(self, conn: Conn, module: AggregateModule, aggregate_id: str) -> Any:
        stored = await self.rt.store.load(conn, module.AGGREGATE, aggregate_id)
        return module.fold(aggregate_id, (e.payload for e in stored))

    async def append(
        self,
        conn: Conn,
        aggregate_type: str,
        aggregate_id: str,
        expected_version: int,
        events: Sequence[EventPayload],
        institution_id: str,
        region_code: str,
        meta: Metadata,
    ) -> list[Envelope]:
        now = self.now()
        written = await self.rt.store.append(
            conn,
            aggregate_type,
            aggregate_id,
            expected_version,
            [NewEvent(e, institution_id, region_code, now) for e in events],
            meta,
        )
        for envelope, event in zip(written, events, strict=True):
            await self.project(conn, envelope, event)
        return written
