"""Enforcement events: leads, cases, penalties with their publicity (P2), inspections, credit."""

from __future__ import annotations

from typing import Any

from contracts.enforcement_v1 import (
    CaseClosed,
    CaseInvestigated,
    CaseMarkedTypical,
    CaseOpened,
    CaseTransferredToJudiciary,
    CreditClassChanged,
    CreditRepairGranted,
    InspectionCompleted,
    InspectionMerged,
    InspectionPlanDefined,
    InspectionResultPublished,
    InspectionScheduled,
    JudicialTransferStatusChanged,
    LeadClosed,
    LeadOpened,
    PenaltyAnnulled,
    PenaltyDecided,
    PenaltyExecuted,
    PracticeBanImposed,
    QualificationRevocationOrdered,
    ReferralAcknowledged,
    ReferralAcknowledgedByUnit,
    UnreportedProjectFound,
)
from contracts.envelope import Envelope
from contracts.publicity import Publicity, SeverityNotAllowed, publicity_of
from ohts_kit.db import Conn
from ohts_kit.handlers import EventHandlers
from services.reporting.projections import Bulk, Projecting
from services.reporting.projections.temporal import record

views: EventHandlers[Projecting] = EventHandlers("reporting.enforcement")
views.ignore(
    InspectionPlanDefined,
    why="a plan is the supervision unit's own work; the public sees its draws (projections"
    "/draws: the published record is complete) and the inspections scheduled from them",
)
views.ignore(
    CaseTransferredToJudiciary,
    JudicialTransferStatusChanged,
    why="a case transferred to the judiciary is a criminal matter, not published here; the"
    " administrative decision, when there is one, is published as a penalty",
)
views.ignore(
    InspectionMerged,
    why="a merged reason joins an inspection already shown (E3 one per period)",
)
views.ignore(
    CaseMarkedTypical,
    why="a typical case goes back to the QC centres (qc lists it); the public sees the"
    " penalty decision itself",
)
views.ignore(
    ReferralAcknowledged,
    ReferralAcknowledgedByUnit,
    why="the lead opened for the referral arrives as LeadOpened; its receipt and"
    " acknowledgement are between qc and supervision (Q5 dashboard in qc)",
)
views.ignore(
    QualificationRevocationOrdered,
    why="the registry carries it out; the directory changes on its QualificationRevoked",
)
views.ignore(
    PracticeBanImposed,
    why="the ban is part of its PenaltyDecided (kinds, ban years); the registry enforces it",
)

# The acting unit's region is the jurisdiction that handles a case, penalty or inspection
# (an out-of-area institution is handled where it worked: form 附表2 counts it there).


LEADS = Bulk(
    LeadOpened,
    "rp_leads",
    (
        "lead_id",
        "institution_id",
        "source",
        "category",
        "jurisdiction_code",
        "opened_on",
        "known_at",
    ),
    lambda _, env, e: (
        e.lead_id,
        e.institution_id,
        e.source,
        e.category,
        e.jurisdiction_region_code,
        e.opened_on,
        env.occurred_at,
    ),
    changed_by=(LeadClosed,),
)
views.on(LeadOpened)(LEADS.apply)


@views.on(LeadClosed)
async def lead_closed(_: Projecting, conn: Conn, env: Envelope, e: LeadClosed) -> None:
    await conn.execute(
        "UPDATE rp_leads SET outcome = $2, closed_on = $3, closed_known_at = $4 WHERE lead_id = $1",
        e.lead_id,
        e.outcome,
        e.closed_on,
        env.occurred_at,
    )


CASES = Bulk(
    CaseOpened,
    "rp_cases",
    ("case_id", "institution_id", "violation", "jurisdiction_code", "opened_on", "known_at"),
    lambda _, env, e: (
        e.case_id,
        e.institution_id,
        e.violation,
        env.actor.region_code,
        e.opened_on,
        env.occurred_at,
    ),
    changed_by=(CaseInvestigated, CaseClosed),
)
views.on(CaseOpened)(CASES.apply)


@views.on(CaseInvestigated)
async def case_investigated(_: Projecting, conn: Conn, __: Envelope, e: CaseInvestigated) -> None:
    # The investigation's findings are the decision's 违法事实 once it is public.
    await conn.execute("UPDATE rp_cases SET facts = $2 WHERE case_id = $1", e.case_id, e.summary)


@views.on(CaseClosed)
async def case_closed(_: Projecting, conn: Conn, env: Envelope, e: CaseClosed) -> None:
    await conn.execute(
        "UPDATE rp_cases SET closed_on = $2, closed_known_at = $3 WHERE case_id = $1",
        e.case_id,
        e.closed_on,
        env.occurred_at,
    )


def _publicity(ctx: Projecting, e: PenaltyDecided) -> Publicity:
    """The chosen severity (law16's optional field) or, for older events, the suggested one;
    a choice the rule does not know falls back to the suggestion rather than stop the view."""
    chosen = getattr(e, "severity", None)
    args = (e.decided_on, e.penalties, e.fine_yuan, e.ban_years, ctx.fine_threshold_yuan)
    try:
        return publicity_of(*args, severity=chosen, violation=e.violation)
    except SeverityNotAllowed:
        return publicity_of(*args, violation=e.violation)
    except LookupError:  # before the first rule of the table: long out of any period
        return Publicity("none", "general", False, None, None, "no publicity rule in force")


def penalty_row(ctx: Projecting, env: Envelope, e: PenaltyDecided) -> tuple[Any, ...]:
    p = _publicity(ctx, e)
    return (
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
        env.occurred_at,
        e.certificate_number,
        e.person_ref is not None,  # E6: on a person, never on an institution's credit page
        p.name,
        p.chosen,
        getattr(e, "severity_basis", None),
    )


PENALTIES = Bulk(
    PenaltyDecided,
    "rp_penalties",
    (
        "case_id",
        "institution_id",
        "jurisdiction_code",
        "decision_number",
        "decided_on",
        "authority",
        "violation",
        "legal_basis",
        "penalties",
        "fine_yuan",
        "confiscation_yuan",
        "banned_staff_id",
        "ban_years",
        "severity",
        "published",
        "public_until",
        "publicity_rule",
        "known_at",
        "certificate_number",
        "on_person",
        "severity_name",
        "severity_chosen",
        "severity_basis",
    ),
    penalty_row,
    changed_by=(PenaltyExecuted, PenaltyAnnulled, CreditRepairGranted),
)
views.on(PenaltyDecided)(PENALTIES.apply)
# Insert-only projections a rebuild may copy in batches (later events update their rows:
# the rebuild copies what it gathered before any other handler runs).
BULK = (LEADS, CASES, PENALTIES)


@views.on(PenaltyExecuted)
async def penalty_executed(_: Projecting, conn: Conn, env: Envelope, e: PenaltyExecuted) -> None:
    await conn.execute(
        "UPDATE rp_penalties SET executed_on = $2, executed_known_at = $3 WHERE case_id = $1",
        e.case_id,
        e.executed_on,
        env.occurred_at,
    )


@views.on(PenaltyAnnulled)
async def penalty_annulled(_: Projecting, conn: Conn, env: Envelope, e: PenaltyAnnulled) -> None:
    await conn.execute(
        "UPDATE rp_penalties SET annulled_on = $2, annulled_known_at = $3 WHERE case_id = $1",
        e.case_id,
        e.annulled_on,
        env.occurred_at,
    )


@views.on(CreditRepairGranted)
async def credit_repaired(_: Projecting, conn: Conn, env: Envelope, e: CreditRepairGranted) -> None:
    await conn.execute(
        "UPDATE rp_penalties SET repaired_on = $2, repaired_known_at = $3 WHERE case_id = $1",
        e.case_id,
        e.granted_on,
        env.occurred_at,
    )


@views.on(InspectionScheduled)
async def inspection_scheduled(
    _: Projecting, conn: Conn, env: Envelope, e: InspectionScheduled
) -> None:
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
        env.occurred_at,
    )


@views.on(InspectionCompleted)
async def inspection_completed(
    _: Projecting, conn: Conn, env: Envelope, e: InspectionCompleted
) -> None:
    await conn.execute(
        "UPDATE rp_inspections SET ended_on = $2, result = $3, completed_known_at = $4"
        " WHERE inspection_id = $1",
        e.inspection_id,
        e.ended_on,
        e.result,
        env.occurred_at,
    )


@views.on(InspectionResultPublished)
async def inspection_published(
    _: Projecting, conn: Conn, env: Envelope, e: InspectionResultPublished
) -> None:
    await conn.execute(
        "INSERT INTO rp_publications (decision_ref, source, institution_id, published_on,"
        " lag_working_days, provisional, known_at)"
        " VALUES ($1, 'inspection', $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        e.inspection_id,
        e.institution_id,
        e.published_on,
        e.lag_working_days,
        e.provisional,
        env.occurred_at,
    )


@views.on(UnreportedProjectFound)
async def unreported_project(
    _: Projecting, conn: Conn, env: Envelope, e: UnreportedProjectFound
) -> None:
    await conn.execute(
        "INSERT INTO rp_unreported_projects (inspection_id, report_number, institution_id,"
        " found_on, known_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        e.inspection_id,
        e.report_number,
        e.institution_id,
        e.found_on,
        env.occurred_at,
    )


@views.on(CreditClassChanged)
async def credit(_: Projecting, conn: Conn, env: Envelope, e: CreditClassChanged) -> None:
    row = {
        "institution_id": e.institution_id,
        "credit_class": e.credit_class,
        "reasons": e.reasons,
        "changed_on": e.changed_on,
    }
    key = {"institution_id": e.institution_id}
    await record(conn, "rp_credit_classes", key, env.event_id, env.occurred_at, row)
