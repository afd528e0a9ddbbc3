"""Enforcement's own read tables, written in the transaction of the events they reflect,
one handler per event type (facts learned from other services: `known`, `facts`)."""

from __future__ import annotations

from contracts import enforcement_v1 as enf
from contracts.envelope import Envelope, EventPayload
from ohts_kit.db import Conn
from ohts_kit.handlers import EventHandlers
from ohts_kit.workdays import china_date

views: EventHandlers[None] = EventHandlers("enforcement-views")


@views.on(enf.LeadOpened)
async def lead_opened(_: None, conn: Conn, __: Envelope, e: enf.LeadOpened) -> None:
    await conn.execute(
        "INSERT INTO leads (lead_id, institution_id, source, source_ref, category,"
        " description, jurisdiction_region_code, opened_on)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        e.lead_id,
        e.institution_id,
        e.source,
        e.source_ref,
        e.category,
        e.description,
        e.jurisdiction_region_code,
        e.opened_on,
    )


@views.on(enf.LeadClosed)
async def lead_closed(_: None, conn: Conn, __: Envelope, e: enf.LeadClosed) -> None:
    await conn.execute(
        "UPDATE leads SET status = $2 WHERE lead_id = $1",
        e.lead_id,
        "case" if e.outcome == "case" else "closed",
    )


@views.on(enf.ReferralAcknowledgedByUnit)
async def referral_acknowledged_by_unit(
    _: None, conn: Conn, __: Envelope, e: enf.ReferralAcknowledgedByUnit
) -> None:
    await conn.execute(
        "UPDATE leads SET acknowledged_by = $2, acknowledged_on = $3 WHERE lead_id = $1",
        e.lead_id,
        e.acknowledged_by,
        e.acknowledged_on,
    )


@views.on(enf.InspectionPlanDefined)
async def plan_defined(_: None, conn: Conn, __: Envelope, e: enf.InspectionPlanDefined) -> None:
    await conn.execute(
        "INSERT INTO inspection_plans (plan_id, jurisdiction_region_code, year)"
        " VALUES ($1, $2, $3)",
        e.plan_id,
        e.jurisdiction_region_code,
        e.year,
    )


@views.on(enf.InspectionScheduled)
async def scheduled(_: None, conn: Conn, __: Envelope, e: enf.InspectionScheduled) -> None:
    await conn.execute(
        "INSERT INTO inspections (inspection_id, institution_id, period, kinds, inspectors,"
        " scheduled_on) VALUES ($1, $2, $3, $4, $5, $6)",
        e.inspection_id,
        e.institution_id,
        e.period,
        [e.kind],
        e.inspectors,
        e.scheduled_on,
    )


@views.on(enf.InspectionMerged)
async def merged(_: None, conn: Conn, __: Envelope, e: enf.InspectionMerged) -> None:
    await conn.execute(
        "UPDATE inspections SET kinds = kinds || $2 WHERE inspection_id = $1",
        e.inspection_id,
        [e.kind],
    )


@views.on(enf.InspectionCompleted)
async def completed(_: None, conn: Conn, __: Envelope, e: enf.InspectionCompleted) -> None:
    await conn.execute(
        "UPDATE inspections SET ended_on = $2, result = $3 WHERE inspection_id = $1",
        e.inspection_id,
        e.ended_on,
        e.result,
    )


@views.on(enf.InspectionResultPublished)
async def published(_: None, conn: Conn, __: Envelope, e: enf.InspectionResultPublished) -> None:
    await conn.execute(
        "UPDATE inspections SET published_on = $2 WHERE inspection_id = $1",
        e.inspection_id,
        e.published_on,
    )


@views.on(enf.CaseOpened)
async def case_opened(_: None, conn: Conn, __: Envelope, e: enf.CaseOpened) -> None:
    await conn.execute(
        "INSERT INTO cases (case_id, institution_id, violation, stage, opened_on,"
        " jurisdiction_region_code, person_ref) VALUES ($1, $2, $3, 'opened', $4, $5, $6)",
        e.case_id,
        e.institution_id,
        e.violation,
        e.opened_on,
        e.jurisdiction_region_code,
        e.person_ref,
    )


# The stage a case reaches with each step after its opening.
STAGES: dict[type[EventPayload], str] = {
    enf.CaseInvestigated: "investigated",
    enf.PenaltyDecided: "penalty-decided",
    enf.PenaltyExecuted: "executed",
    enf.CaseClosed: "closed",
}


@views.on(*STAGES)
async def case_stage(
    _: None,
    conn: Conn,
    __: Envelope,
    e: enf.CaseInvestigated | enf.PenaltyDecided | enf.PenaltyExecuted | enf.CaseClosed,
) -> None:
    await conn.execute("UPDATE cases SET stage = $2 WHERE case_id = $1", e.case_id, STAGES[type(e)])


@views.on(enf.PenaltyDecided)
async def penalty_decided(_: None, conn: Conn, env: Envelope, e: enf.PenaltyDecided) -> None:
    # recorded_on (the system's date) beside decided_on (the world's): late entry shows (F1)
    await conn.execute(
        "INSERT INTO penalties (case_id, institution_id, decision_number, decided_on,"
        " violation, penalties, fine_yuan, confiscation_yuan, person_ref,"
        " jurisdiction_region_code, recorded_on, severity)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        e.case_id,
        e.institution_id,
        e.decision_number,
        e.decided_on,
        e.violation,
        e.penalties,
        e.fine_yuan,
        e.confiscation_yuan,
        e.person_ref,
        e.jurisdiction_region_code or env.region_code,
        china_date(env.recorded_at),
        e.severity,
    )


@views.on(enf.PracticeBanImposed)
async def ban_imposed(_: None, conn: Conn, __: Envelope, e: enf.PracticeBanImposed) -> None:
    await conn.execute(
        "INSERT INTO practice_bans (case_id, person_ref, masked_name, institution_id,"
        " decision_number, starts_on, ends_on) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        e.case_id,
        e.person_ref,
        e.person_masked_name,
        e.institution_id,
        e.decision_number,
        e.starts_on,
        e.ends_on,
    )


@views.on(enf.PenaltyAnnulled)
async def annulled(_: None, conn: Conn, __: Envelope, e: enf.PenaltyAnnulled) -> None:
    """F3: the decision stops counting from its annulment on (credit, repeats, bans)."""
    await conn.execute(
        "UPDATE penalties SET annulled_on = $2 WHERE case_id = $1", e.case_id, e.annulled_on
    )
    await conn.execute(
        "UPDATE practice_bans SET annulled_on = $2 WHERE case_id = $1", e.case_id, e.annulled_on
    )


@views.on(enf.CreditClassChanged)
async def credit_class_changed(
    _: None, conn: Conn, __: Envelope, e: enf.CreditClassChanged
) -> None:
    await conn.execute(
        "INSERT INTO credit_classes (institution_id, credit_class, reasons)"
        " VALUES ($1, $2, $3) ON CONFLICT (institution_id)"
        " DO UPDATE SET credit_class = $2, reasons = $3",
        e.institution_id,
        e.credit_class,
        e.reasons,
    )


@views.on(enf.CaseTransferredToJudiciary)
async def transferred(_: None, conn: Conn, __: Envelope, e: enf.CaseTransferredToJudiciary) -> None:
    await conn.execute(
        "INSERT INTO judicial_transfers (transfer_id, case_id, institution_id,"
        " receiving_authority, suspected_offence, transferred_on, jurisdiction_region_code,"
        " status_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $6)",
        e.transfer_id,
        e.case_id,
        e.institution_id,
        e.receiving_authority,
        e.suspected_offence,
        e.transferred_on,
        e.jurisdiction_region_code,
    )


@views.on(enf.JudicialTransferStatusChanged)
async def judicial_status(
    _: None, conn: Conn, __: Envelope, e: enf.JudicialTransferStatusChanged
) -> None:
    await conn.execute(
        "UPDATE judicial_transfers SET status = $2, status_on = $3, note = $4"
        " WHERE transfer_id = $1",
        e.transfer_id,
        e.status,
        e.on,
        e.note,
    )


views.ignore(
    enf.ReferralAcknowledged,
    enf.UnreportedProjectFound,
    enf.InspectionDrawPublished,
    enf.QualificationRevocationOrdered,
    why="read from the event store itself (draw verification) or by other services"
    " (qc, registry, reporting); no enforcement list shows them",
)
views.ignore(
    enf.CaseMarkedTypical,
    why="the QC centres, who receive typical cases, list them (qc); the case list is as decided",
)
views.ignore(
    enf.CreditRepairGranted,
    why="publicity and its end are reporting's (public lists); enforcement's penalty list"
    " keeps each decision as it was decided",
)

_TABLE = views.bind(None)


async def project(conn: Conn, env: Envelope, e: EventPayload) -> None:
    """The inline projector: called with each appended event, in its transaction."""
    handler = _TABLE.get(e.event_type)
    if handler is not None:
        await handler(conn, env, e)


async def repeat_decisions(conn: Conn, case_id: str) -> list[str]:
    """Later decisions against the same institution for the same violation (P2 repair)."""
    rows = await conn.fetch(
        "SELECT later.decision_number FROM penalties p JOIN penalties later"
        " ON later.institution_id = p.institution_id AND later.violation = p.violation"
        " AND later.decided_on > p.decided_on AND later.annulled_on IS NULL"
        " AND later.person_ref IS NOT DISTINCT FROM p.person_ref"
        " WHERE p.case_id = $1 ORDER BY later.decided_on",
        case_id,
    )
    return [r["decision_number"] for r in rows]
