"""Enforcement read tables: its own events (inline) and facts learned from other services."""

from __future__ import annotations

from contracts.enforcement_v1 import (
    CaseClosed,
    CaseInvestigated,
    CaseOpened,
    CreditClassChanged,
    InspectionCompleted,
    InspectionMerged,
    InspectionPlanDefined,
    InspectionResultPublished,
    InspectionScheduled,
    LeadClosed,
    LeadOpened,
    PenaltyDecided,
    PenaltyExecuted,
)
from contracts.envelope import Envelope, EventPayload
from ohts_kit.db import Conn


async def project(conn: Conn, _: Envelope, e: EventPayload) -> None:
    """Each view in the same transaction as the events it shows."""
    await _leads(conn, e)
    await _inspections(conn, e)
    await _cases(conn, e)
    await _credit_classes(conn, e)


async def _leads(conn: Conn, e: EventPayload) -> None:
    match e:
        case LeadOpened():
            await conn.execute(
                "INSERT INTO leads (lead_id, institution_id, source, source_ref, category,"
                " description,"
                " jurisdiction_region_code, opened_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                e.lead_id,
                e.institution_id,
                e.source,
                e.source_ref,
                e.category,
                e.description,
                e.jurisdiction_region_code,
                e.opened_on,
            )
        case LeadClosed():
            await conn.execute(
                "UPDATE leads SET status = $2 WHERE lead_id = $1",
                e.lead_id,
                "case" if e.outcome == "case" else "closed",
            )


async def _inspections(conn: Conn, e: EventPayload) -> None:
    match e:
        case InspectionPlanDefined():
            await conn.execute(
                "INSERT INTO inspection_plans (plan_id, jurisdiction_region_code, year)"
                " VALUES ($1, $2, $3)",
                e.plan_id,
                e.jurisdiction_region_code,
                e.year,
            )
        case InspectionScheduled():
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
        case InspectionMerged():
            await conn.execute(
                "UPDATE inspections SET kinds = kinds || $2 WHERE inspection_id = $1",
                e.inspection_id,
                [e.kind],
            )
        case InspectionCompleted():
            await conn.execute(
                "UPDATE inspections SET ended_on = $2, result = $3 WHERE inspection_id = $1",
                e.inspection_id,
                e.ended_on,
                e.result,
            )
        case InspectionResultPublished():
            await conn.execute(
                "UPDATE inspections SET published_on = $2 WHERE inspection_id = $1",
                e.inspection_id,
                e.published_on,
            )


async def _cases(conn: Conn, e: EventPayload) -> None:
    match e:
        case CaseOpened():
            await conn.execute(
                "INSERT INTO cases (case_id, institution_id, violation, stage, opened_on)"
                " VALUES ($1, $2, $3, 'opened', $4)",
                e.case_id,
                e.institution_id,
                e.violation,
                e.opened_on,
            )
        case CaseInvestigated():
            await _stage(conn, e.case_id, "investigated")
        case PenaltyDecided():
            await _stage(conn, e.case_id, "penalty-decided")
            await conn.execute(
                "INSERT INTO penalties (case_id, institution_id, decision_number, decided_on,"
                " violation, penalties, fine_yuan, confiscation_yuan)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                e.case_id,
                e.institution_id,
                e.decision_number,
                e.decided_on,
                e.violation,
                e.penalties,
                e.fine_yuan,
                e.confiscation_yuan,
            )
        case PenaltyExecuted():
            await _stage(conn, e.case_id, "executed")
        case CaseClosed():
            await _stage(conn, e.case_id, "closed")


async def _credit_classes(conn: Conn, e: EventPayload) -> None:
    match e:
        case CreditClassChanged():
            await conn.execute(
                "INSERT INTO credit_classes (institution_id, credit_class, reasons)"
                " VALUES ($1, $2, $3) ON CONFLICT (institution_id)"
                " DO UPDATE SET credit_class = $2, reasons = $3",
                e.institution_id,
                e.credit_class,
                e.reasons,
            )


async def _stage(conn: Conn, case_id: str, stage: str) -> None:
    await conn.execute("UPDATE cases SET stage = $2 WHERE case_id = $1", case_id, stage)


async def repeat_decisions(conn: Conn, case_id: str) -> list[str]:
    """Later decisions against the same institution for the same violation (P2 repair)."""
    rows = await conn.fetch(
        "SELECT later.decision_number FROM penalties p JOIN penalties later"
        " ON later.institution_id = p.institution_id AND later.violation = p.violation"
        " AND later.decided_on > p.decided_on WHERE p.case_id = $1 ORDER BY later.decided_on",
        case_id,
    )
    return [r["decision_number"] for r in rows]
