"""Enforcement events: leads, cases, penalties with their publicity (P2), inspections, credit."""

from __future__ import annotations

from decimal import Decimal

from contracts.enforcement_v1 import (
    CaseClosed,
    CaseInvestigated,
    CaseOpened,
    CreditClassChanged,
    CreditRepairGranted,
    InspectionCompleted,
    InspectionResultPublished,
    InspectionScheduled,
    LeadClosed,
    LeadOpened,
    PenaltyAnnulled,
    PenaltyDecided,
    PenaltyExecuted,
    UnreportedProjectFound,
)
from contracts.envelope import Envelope, EventPayload
from contracts.publicity import publicity_of
from ohts_kit.consumer import Handler
from ohts_kit.db import Conn
from services.reporting.projections import handling
from services.reporting.projections.temporal import record


async def lead_or_case(conn: Conn, env: Envelope, e: EventPayload) -> None:
    # The acting unit's region is the jurisdiction that handles it (an out-of-area
    # institution is handled where it worked: form 附表2 counts it there).
    jurisdiction, at = env.actor.region_code, env.occurred_at
    match e:
        case LeadOpened():
            await conn.execute(
                "INSERT INTO rp_leads (lead_id, institution_id, source, category,"
                " jurisdiction_code, opened_on, known_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT DO NOTHING",
                e.lead_id,
                e.institution_id,
                e.source,
                e.category,
                e.jurisdiction_region_code,
                e.opened_on,
                at,
            )
        case LeadClosed():
            await conn.execute(
                "UPDATE rp_leads SET outcome = $2, closed_on = $3, closed_known_at = $4"
                " WHERE lead_id = $1",
                e.lead_id,
                e.outcome,
                e.closed_on,
                at,
            )
        case CaseOpened():
            await conn.execute(
                "INSERT INTO rp_cases (case_id, institution_id, violation, jurisdiction_code,"
                " opened_on, known_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                e.case_id,
                e.institution_id,
                e.violation,
                jurisdiction,
                e.opened_on,
                at,
            )
        case CaseClosed():
            await conn.execute(
                "UPDATE rp_cases SET closed_on = $2, closed_known_at = $3 WHERE case_id = $1",
                e.case_id,
                e.closed_on,
                at,
            )
        case CaseInvestigated():
            # The investigation's findings are the decision's 违法事实 once it is public.
            await conn.execute(
                "UPDATE rp_cases SET facts = $2 WHERE case_id = $1", e.case_id, e.summary
            )


def penalties(fine_threshold_yuan: Decimal) -> Handler:
    async def project(conn: Conn, env: Envelope, e: EventPayload) -> None:
        at = env.occurred_at
        match e:
            case PenaltyDecided():
                p = publicity_of(
                    e.decided_on, e.penalties, e.fine_yuan, e.ban_years, fine_threshold_yuan
                )
                await conn.execute(
                    "INSERT INTO rp_penalties (case_id, institution_id, jurisdiction_code,"
                    " decision_number, decided_on, authority, violation, legal_basis, penalties,"
                    " fine_yuan, confiscation_yuan, banned_staff_id, ban_years, severity,"
                    " published, public_until, publicity_rule, known_at, certificate_number) VALUES"
                    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
                    " $17, $18, $19)"
                    " ON CONFLICT DO NOTHING",
                    e.case_id,
                    e.institution_id,
                    env.actor.region_code,
                    e.decision_number,
                    e.decided_on,
                    e.authority,
                    e.violation,
                    e.legal_basis,
                    e.penalties,
                    e.fine_yuan,
                    e.confiscation_yuan,
                    e.banned_staff_id,
                    e.ban_years,
                    p.severity,
                    p.published,
                    p.public_until,
                    p.rule,
                    at,
                    e.certificate_number,
                )
            case PenaltyExecuted():
                await conn.execute(
                    "UPDATE rp_penalties SET executed_on = $2, executed_known_at = $3"
                    " WHERE case_id = $1",
                    e.case_id,
                    e.executed_on,
                    at,
                )
            case PenaltyAnnulled():
                await conn.execute(
                    "UPDATE rp_penalties SET annulled_on = $2, annulled_known_at = $3"
                    " WHERE case_id = $1",
                    e.case_id,
                    e.annulled_on,
                    at,
                )
            case CreditRepairGranted():
                await conn.execute(
                    "UPDATE rp_penalties SET repaired_on = $2, repaired_known_at = $3"
                    " WHERE case_id = $1",
                    e.case_id,
                    e.granted_on,
                    at,
                )

    return project


async def inspection(conn: Conn, env: Envelope, e: EventPayload) -> None:
    at = env.occurred_at
    match e:
        case InspectionScheduled():
            await conn.execute(
                "INSERT INTO rp_inspections (inspection_id, institution_id, kind, period,"
                " jurisdiction_code, scheduled_on, known_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT DO NOTHING",
                e.inspection_id,
                e.institution_id,
                e.kind,
                e.period,
                env.actor.region_code,
                e.scheduled_on,
                at,
            )
        case InspectionCompleted():
            await conn.execute(
                "UPDATE rp_inspections SET ended_on = $2, result = $3, completed_known_at = $4"
                " WHERE inspection_id = $1",
                e.inspection_id,
                e.ended_on,
                e.result,
                at,
            )
        case InspectionResultPublished():
            await conn.execute(
                "INSERT INTO rp_publications VALUES ($1, 'inspection', $2, $3, $4, $5, $6)"
                " ON CONFLICT DO NOTHING",
                e.inspection_id,
                e.institution_id,
                e.published_on,
                e.lag_working_days,
                e.provisional,
                at,
            )
        case UnreportedProjectFound():
            await conn.execute(
                "INSERT INTO rp_unreported_projects VALUES ($1, $2, $3, $4, $5)"
                " ON CONFLICT DO NOTHING",
                e.inspection_id,
                e.report_number,
                e.institution_id,
                e.found_on,
                at,
            )


async def credit(conn: Conn, env: Envelope, e: EventPayload) -> None:
    assert isinstance(e, CreditClassChanged)
    row = {
        "institution_id": e.institution_id,
        "credit_class": e.credit_class,
        "reasons": e.reasons,
        "changed_on": e.changed_on,
    }
    key = {"institution_id": e.institution_id}
    await record(conn, "rp_credit_classes", key, env.event_id, env.occurred_at, row)


def handlers(fine_threshold_yuan: Decimal) -> dict[str, Handler]:
    return {
        **handling(lead_or_case, LeadOpened, LeadClosed, CaseOpened, CaseClosed, CaseInvestigated),
        **handling(
            penalties(fine_threshold_yuan),
            PenaltyDecided,
            PenaltyExecuted,
            CreditRepairGranted,
            PenaltyAnnulled,
        ),
        **handling(
            inspection,
            InspectionScheduled,
            InspectionCompleted,
            InspectionResultPublished,
            UnreportedProjectFound,
        ),
        **handling(credit, CreditClassChanged),
    }
