"""What enforcement does with events from the other services."""

from __future__ import annotations

from contracts.envelope import Envelope, EventPayload
from contracts.qc_v1 import ViolationClueReferred
from ohts_kit.application import Application
from ohts_kit.consumer import Handler
from ohts_kit.db import Conn
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from ohts_kit.service import ServiceRuntime
from services.enforcement.adapters.views import project
from services.enforcement.domain import lead


class Enforcement(Application):
    def __init__(self, rt: ServiceRuntime) -> None:
        super().__init__(rt, project)


def enforcement_of(rt: ServiceRuntime) -> Enforcement:
    app: Enforcement = rt.extras["enforcement"]
    return app


def handlers(rt: ServiceRuntime) -> dict[str, Handler]:
    async def referral(conn: Conn, env: Envelope, e: EventPayload) -> None:
        assert isinstance(e, ViolationClueReferred)
        app = enforcement_of(rt)
        lead_id = str(uuid7())
        meta = Metadata(
            actor=env.actor, correlation_id=env.correlation_id, causation_id=str(env.event_id)
        )
        await app.append(
            conn,
            lead.AGGREGATE,
            lead_id,
            0,
            lead.from_referral(lead_id, e, app.today()),
            e.institution_id,
            env.region_code,
            meta,
        )

    return {ViolationClueReferred.event_type: referral}
