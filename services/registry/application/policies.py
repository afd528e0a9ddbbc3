"""What the registry does with qc and enforcement events (it learns only through them)."""

from __future__ import annotations

from contracts.enforcement_v1 import (
    CaseClosed,
    CaseOpened,
    InspectionCompleted,
    QualificationRevocationOrdered,
    UnreportedProjectFound,
)
from contracts.envelope import Envelope, EventPayload
from contracts.qc_v1 import (
    BlindSamplePassed,
    RectificationReopened,
    RectificationRequired,
    RectificationVerified,
)
from ohts_kit.consumer import Handler, may_append
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict
from ohts_kit.eventstore import Metadata
from ohts_kit.logging import get_logger
from ohts_kit.service import ServiceRuntime
from services.registry.application.unit import registry_of
from services.registry.domain import qualification

log = get_logger(__name__)


def handlers(rt: ServiceRuntime) -> dict[str, Handler]:
    @may_append
    async def revocation_ordered(conn: Conn, env: Envelope, e: EventPayload) -> None:
        assert isinstance(e, QualificationRevocationOrdered)
        reg = registry_of(rt)
        qualification_id = await conn.fetchval(
            "SELECT qualification_id FROM qualifications_view WHERE certificate_number = $1",
            e.certificate_number,
        )
        if qualification_id is None:
            raise Conflict(f"no certificate {e.certificate_number} to revoke")
        state = await reg.load(conn, qualification, qualification_id)
        if state.status is qualification.Status.REVOKED:
            return  # already carried out
        holder = await reg.load_institution(conn, state.institution_id)
        events = qualification.revoke(state, e.case_id, e.decision_number, e.authority, reg.now())
        meta = Metadata(
            actor=env.actor, correlation_id=env.correlation_id, causation_id=str(env.event_id)
        )
        await reg.commit(
            conn, qualification.AGGREGATE, qualification_id, state.version, events, holder, meta
        )
        log.info("qualification.revoked", certificate_number=e.certificate_number)

    async def block(conn: Conn, _: Envelope, e: EventPayload) -> None:
        match e:
            case RectificationRequired():
                row = ("rectification", e.item_id, e.institution_id, e.due_on)
            case RectificationReopened():
                row = ("rectification", e.item_id, e.institution_id, e.reopened_on)
            case CaseOpened():
                row = ("case", e.case_id, e.institution_id, e.opened_on)
            case _:
                return
        await conn.execute(
            "INSERT INTO blocking_items VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", *row
        )

    async def unblock(conn: Conn, _: Envelope, e: EventPayload) -> None:
        match e:
            case RectificationVerified():
                key = ("rectification", e.item_id)
            case CaseClosed():
                key = ("case", e.case_id)
            case _:
                return
        await conn.execute("DELETE FROM blocking_items WHERE kind = $1 AND item_id = $2", *key)

    async def blind_sample_passed(conn: Conn, _: Envelope, e: EventPayload) -> None:
        assert isinstance(e, BlindSamplePassed)
        await conn.execute(
            "INSERT INTO blind_sample_passes VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            e.activity_id,
            e.institution_id,
            e.passed_on,
        )

    async def inspection_completed(conn: Conn, _: Envelope, e: EventPayload) -> None:
        assert isinstance(e, InspectionCompleted)
        if e.full_evaluation:
            await conn.execute(
                "INSERT INTO full_inspections VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                e.inspection_id,
                e.institution_id,
                e.ended_on,
            )

    async def unreported(conn: Conn, _: Envelope, e: EventPayload) -> None:
        assert isinstance(e, UnreportedProjectFound)
        await conn.execute(
            "INSERT INTO unreported_projects VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            e.institution_id,
            e.report_number,
            e.inspection_id,
            e.client_name,
            e.found_on,
        )

    return {
        QualificationRevocationOrdered.event_type: revocation_ordered,
        RectificationRequired.event_type: block,
        RectificationReopened.event_type: block,
        CaseOpened.event_type: block,
        RectificationVerified.event_type: unblock,
        CaseClosed.event_type: unblock,
        BlindSamplePassed.event_type: blind_sample_passed,
        InspectionCompleted.event_type: inspection_completed,
        UnreportedProjectFound.event_type: unreported,
    }
