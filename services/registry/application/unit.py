"""The registry's application core: the kit's, plus its policy, calendar and views."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.envelope import Envelope, EventPayload
from ohts_kit.application import Application
from ohts_kit.db import Conn
from ohts_kit.eventstore import Metadata
from ohts_kit.service import ServiceRuntime
from ohts_kit.workdays import WorkCalendar
from services.registry.adapters.views import Views
from services.registry.domain import institution
from services.registry.domain.policy import RegistryPolicy


class Registry(Application):
    """Everything a registry handler needs, built once by bootstrap."""

    def __init__(
        self,
        rt: ServiceRuntime,
        policy: RegistryPolicy,
        calendar: WorkCalendar,
        personal_data_key: str,
    ) -> None:
        self.views = Views(calendar, policy)
        super().__init__(rt, self.views.project)
        self.policy = policy
        self.calendar = calendar
        self.personal_data_key = personal_data_key

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
        return await self.append(
            conn,
            aggregate_type,
            aggregate_id,
            expected_version,
            events,
            holder.institution_id,
            holder.region_code,
            meta,
        )


def registry_of(rt: ServiceRuntime) -> Registry:
    registry: Registry = rt.extras["registry"]
    return registry
