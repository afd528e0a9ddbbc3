"""The registry's application core: load an aggregate, append its new events, keep views."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from contracts.envelope import Envelope, EventPayload
from ohts_kit.db import Conn
from ohts_kit.eventstore import Metadata, NewEvent
from ohts_kit.service import ServiceRuntime
from ohts_kit.workdays import WorkCalendar, china_date
from services.registry.adapters.views import Views
from services.registry.domain import institution
from services.registry.domain.policy import RegistryPolicy


class AggregateModule(Protocol):
    AGGREGATE: str

    def fold(self, aggregate_id: str, events: Iterable[EventPayload], /) -> Any: ...


@dataclass
class Registry:
    """Everything a registry handler needs, built once by bootstrap."""

    rt: ServiceRuntime
    policy: RegistryPolicy
    calendar: WorkCalendar
    personal_data_key: str

    def __post_init__(self) -> None:
        self.views = Views(self.calendar, self.policy)

    def now(self) -> Any:
        return self.rt.clock.now()

    def today(self) -> Any:
        return china_date(self.rt.clock.now())

    async def load(self, conn: Conn, module: AggregateModule, aggregate_id: str) -> Any:
        stored = await self.rt.store.load(conn, module.AGGREGATE, aggregate_id)
        return module.fold(aggregate_id, (e.payload for e in stored))

    async def load_institution(self, conn: Conn, institution_id: str) -> institution.Institution:
        state: institution.Institution = await self.load(conn, institution, institution_id)
        return state

    async def commit(
        self,
        conn: Conn,
        aggregate_type: str,
        aggregate_id: str,
        expected_version: int,
        events: Sequence[EventPayload],
        holder: institution.Institution,
        meta: Metadata,
    ) -> list[Envelope]:
        now = self.now()
        written = await self.rt.store.append(
            conn,
            aggregate_type,
            aggregate_id,
            expected_version,
            [NewEvent(e, holder.institution_id, holder.region_code, now) for e in events],
            meta,
        )
        for envelope, event in zip(written, events, strict=True):
            await self.views.project(conn, envelope, event)
        return written


def registry_of(rt: ServiceRuntime) -> Registry:
    registry: Registry = rt.extras["registry"]
    return registry
