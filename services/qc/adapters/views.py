"""qc's read tables: from its own events (inline, `project`) and from registry and
enforcement events (`learned`, the consumer's table). One handler per event type."""

from __future__ import annotations

from contracts import enforcement_v1 as enf
from contracts import qc_v1 as qc
from contracts import registry_v1 as reg
from contracts.envelope import Envelope, EventPayload
from ohts_kit.db import Conn
from ohts_kit.handlers import EventHandlers
from ohts_kit.workdays import china_date

# Handlers of both tables take no context: they only write qc's own tables.
views: EventHandlers[object] = EventHandlers("qc-views")
learned: EventHandlers[object] = EventHandlers("qc")


@views.on(qc.QcPlanGenerated)
async def plan_generated(_: object, conn: Conn, __: Envelope, e: qc.QcPlanGenerated) -> None:
    await conn.execute(
        "INSERT INTO plans (plan_id, province_code, year) VALUES ($1, $2, $3)",
        e.plan_id,
        e.province_code,
        e.year,
    )
    await conn.executemany(
        "INSERT INTO plan_entries (plan_id, institution_id, grp, reason) VALUES ($1, $2, $3, $4)",
        [(e.plan_id, x.institution_id, x.group, x.reason) for x in e.entries],
    )


@views.on(qc.QcActivityOpened)
async def activity_opened(_: object, conn: Conn, __: Envelope, e: qc.QcActivityOpened) -> None:
    await conn.execute(
        "INSERT INTO activities (activity_id, plan_id, kind, province_code, year)"
        " VALUES ($1, $2, $3, $4, $5)",
        e.activity_id,
        e.plan_id,
        e.kind,
        e.province_code,
        e.year,
    )


@views.on(qc.QcResultRecorded)
async def result_recorded(_: object, conn: Conn, __: Envelope, e: qc.QcResultRecorded) -> None:
    await conn.execute(
        "INSERT INTO results (activity_id, institution_id, kind, result, recorded_on)"
        " VALUES ($1, $2, $3, $4, $5)",
        e.activity_id,
        e.institution_id,
        e.activity_kind,
        e.result,
        e.recorded_on,
    )


@views.on(qc.QcFindingRecorded)
async def finding_recorded(_: object, conn: Conn, __: Envelope, e: qc.QcFindingRecorded) -> None:
    await conn.execute(
        "INSERT INTO findings (finding_id, activity_id, institution_id, category, severity,"
        " violation_clue, recorded_on) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        e.finding_id,
        e.activity_id,
        e.institution_id,
        e.category,
        e.severity,
        e.violation_clue,
        e.recorded_on,
    )


@views.on(qc.RectificationRequired)
async def rectification_required(
    _: object, conn: Conn, __: Envelope, e: qc.RectificationRequired
) -> None:
    await conn.execute(
        "INSERT INTO rectification_items (item_id, institution_id, finding_id, state, due_on)"
        " VALUES ($1, $2, $3, 'open', $4)",
        e.item_id,
        e.institution_id,
        e.finding_id,
        e.due_on,
    )


async def _item_state(conn: Conn, item_id: str, state: str) -> None:
    await conn.execute(
        "UPDATE rectification_items SET state = $2 WHERE item_id = $1", item_id, state
    )


@views.on(qc.RectificationSubmitted)
async def rectification_submitted(
    _: object, conn: Conn, __: Envelope, e: qc.RectificationSubmitted
) -> None:
    await _item_state(conn, e.item_id, "submitted")


@views.on(qc.RectificationRejected)
async def rectification_rejected(
    _: object, conn: Conn, __: Envelope, e: qc.RectificationRejected
) -> None:
    await _item_state(conn, e.item_id, "open")


@views.on(qc.RectificationReopened)
async def rectification_reopened(
    _: object, conn: Conn, __: Envelope, e: qc.RectificationReopened
) -> None:
    """Open again, not overdue, with the look-back's new due date (older events: the old)."""
    await conn.execute(
        "UPDATE rectification_items SET state = 'open', overdue = FALSE,"
        " due_on = coalesce($2, due_on) WHERE item_id = $1",
        e.item_id,
        e.due_on,
    )


@views.on(qc.RectificationVerified)
async def rectification_verified(
    _: object, conn: Conn, __: Envelope, e: qc.RectificationVerified
) -> None:
    await _item_state(conn, e.item_id, "closed")


@views.on(qc.RectificationOverdue)
async def rectification_overdue(
    _: object, conn: Conn, __: Envelope, e: qc.RectificationOverdue
) -> None:
    await conn.execute(
        "UPDATE rectification_items SET overdue = TRUE WHERE item_id = $1", e.item_id
    )


@views.on(qc.ViolationClueReferred)
async def clue_referred(_: object, conn: Conn, __: Envelope, e: qc.ViolationClueReferred) -> None:
    await conn.execute(
        "INSERT INTO referrals (referral_id, institution_id, supervision_region_code,"
        " reason, referred_on) VALUES ($1, $2, $3, $4, $5)",
        e.referral_id,
        e.institution_id,
        e.supervision_region_code,
        e.reason,
        e.referred_on,
    )


@views.on(qc.AnnualQcConcluded)
async def year_concluded(_: object, conn: Conn, __: Envelope, e: qc.AnnualQcConcluded) -> None:
    await conn.execute(
        "INSERT INTO conclusions (institution_id, year, province_code, result, rectified,"
        " on_public_list, pending_items, overdue_items) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT DO NOTHING",
        e.institution_id,
        e.year,
        e.province_code,
        e.result,
        e.rectified,
        e.on_public_list,
        e.pending_items,
        e.overdue_items,
    )


@views.on(qc.AnnualQcConclusionRevised)
async def conclusion_revised(
    _: object, conn: Conn, __: Envelope, e: qc.AnnualQcConclusionRevised
) -> None:
    await conn.execute(
        "UPDATE conclusions SET result = $3, rectified = $4, on_public_list = $5,"
        " pending_items = $6, overdue_items = $7 WHERE institution_id = $1 AND year = $2",
        e.institution_id,
        e.year,
        e.result,
        e.rectified,
        e.on_public_list,
        e.pending_items,
        e.overdue_items,
    )


@views.on(qc.QcPublicListEntered)
async def list_entered(_: object, conn: Conn, __: Envelope, e: qc.QcPublicListEntered) -> None:
    await conn.execute(
        "INSERT INTO public_list_history (institution_id, year, province_code, reason,"
        " entered_on) VALUES ($1, $2, $3, $4, $5)",
        e.institution_id,
        e.year,
        e.province_code,
        e.reason,
        e.entered_on,
    )


@views.on(qc.QcPublicListLeft)
async def list_left(_: object, conn: Conn, __: Envelope, e: qc.QcPublicListLeft) -> None:
    await conn.execute(
        "UPDATE public_list_history SET left_on = $3"
        " WHERE institution_id = $1 AND year = $2 AND left_on IS NULL",
        e.institution_id,
        e.year,
        e.left_on,
    )


@views.on(qc.QcFollowUpRecorded)
async def follow_up_recorded(_: object, conn: Conn, __: Envelope, e: qc.QcFollowUpRecorded) -> None:
    await conn.execute(
        "INSERT INTO follow_ups (follow_up_id, institution_id, province_code, kind, held_on,"
        " subject, outcome, due_on, concluded_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        e.follow_up_id,
        e.institution_id,
        e.province_code,
        e.kind,
        e.held_on,
        e.subject,
        e.outcome,
        e.due_on,
        e.held_on if e.outcome is not None else None,
    )


@views.on(qc.QcFollowUpConcluded)
async def follow_up_concluded(
    _: object, conn: Conn, __: Envelope, e: qc.QcFollowUpConcluded
) -> None:
    await conn.execute(
        "UPDATE follow_ups SET outcome = $2, concluded_on = $3 WHERE follow_up_id = $1",
        e.follow_up_id,
        e.outcome,
        e.concluded_on,
    )


views.ignore(
    qc.CapabilityAssessed,
    why="the capability register is a form (Yunnan 附表1), kept by reporting",
)
views.ignore(
    qc.QcResultSentToHomeAuthority,
    why="the home province's registry lists what it was sent; qc's record shows the result",
)
views.ignore(
    qc.BlindSamplePassed, why="no qc list shows blind-sample passes (the registry keeps them, R6)"
)

_PROJECTIONS = views.bind(None)


async def project(conn: Conn, env: Envelope, e: EventPayload) -> None:
    """The inline views of one of qc's own events, in the append's transaction."""
    handler = _PROJECTIONS.get(e.event_type)
    if handler is not None:
        await handler(conn, env, e)


# What qc learns from registry and enforcement events (it reads no other service's tables).


@learned.on(reg.InstitutionRegistered)
async def institution_registered(
    _: object, conn: Conn, __: Envelope, e: reg.InstitutionRegistered
) -> None:
    await conn.execute(
        "INSERT INTO known_institutions (institution_id, name, kind, region_code, registered_on)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        e.institution_id,
        e.name,
        e.kind.value,
        e.region_code,
        china_date(e.registered_at),
    )


@learned.on(reg.QualificationGranted)
async def qualification_granted(
    _: object, conn: Conn, __: Envelope, e: reg.QualificationGranted
) -> None:
    await conn.execute(
        "INSERT INTO known_qualifications (qualification_id, institution_id, status)"
        " VALUES ($1, $2, 'granted')"
        " ON CONFLICT (qualification_id) DO UPDATE SET status = 'granted'",
        e.qualification_id,
        e.institution_id,
    )


@learned.on(
    reg.QualificationCancelled,
    reg.QualificationRevoked,
    reg.QualificationWithdrawn,
    reg.QualificationExpired,
)
async def qualification_ended(
    _: object,
    conn: Conn,
    __: Envelope,
    e: reg.QualificationCancelled
    | reg.QualificationRevoked
    | reg.QualificationWithdrawn
    | reg.QualificationExpired,
) -> None:
    """Each of the four ends of a qualification's life takes it out of the QC universe."""
    await conn.execute(
        "UPDATE known_qualifications SET status = 'ended' WHERE qualification_id = $1",
        e.qualification_id,
    )


@learned.on(reg.OutOfProvinceFilingRegistered)
async def filing_registered(
    _: object, conn: Conn, __: Envelope, e: reg.OutOfProvinceFilingRegistered
) -> None:
    await conn.execute(
        "INSERT INTO known_filings (filing_id, institution_id, province_code, filed_on)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        e.filing_id,
        e.institution_id,
        e.province_code,
        china_date(e.filed_at),
    )


@learned.on(reg.ServiceReportCardFiled)
async def report_card_filed(
    _: object, conn: Conn, __: Envelope, e: reg.ServiceReportCardFiled
) -> None:
    await conn.execute(
        "INSERT INTO known_report_cards (card_id, institution_id, report_number, filed_on)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        e.card_id,
        e.institution_id,
        e.report_number,
        e.filed_on,
    )


@learned.on(enf.ReferralAcknowledged)
async def referral_received(
    _: object, conn: Conn, __: Envelope, e: enf.ReferralAcknowledged
) -> None:
    """Q5: the automatic receipt, a lead opened; not yet an acknowledgement."""
    await conn.execute(
        "UPDATE referrals SET received_on = $2, lead_id = $3 WHERE referral_id = $1",
        e.referral_id,
        e.acknowledged_on,
        e.lead_id,
    )


@learned.on(enf.ReferralAcknowledgedByUnit)
async def referral_acknowledged(
    _: object, conn: Conn, __: Envelope, e: enf.ReferralAcknowledgedByUnit
) -> None:
    """Q5: a person of the receiving unit acknowledged it."""
    await conn.execute(
        "UPDATE referrals SET acknowledged_on = $2, acknowledged_by = $3, lead_id = $4"
        " WHERE referral_id = $1",
        e.referral_id,
        e.acknowledged_on,
        e.acknowledged_by,
        e.lead_id,
    )


@learned.on(enf.CaseMarkedTypical)
async def typical_case(_: object, conn: Conn, env: Envelope, e: enf.CaseMarkedTypical) -> None:
    """Typical cases back to QC (seed 001 §二(三)3): the centres check for the same problem."""
    await conn.execute(
        "INSERT INTO typical_cases (case_id, institution_id, region_code, violation, summary,"
        " marked_by_region_code, marked_on) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT DO NOTHING",
        e.case_id,
        e.institution_id,
        env.region_code,
        e.violation,
        e.summary,
        e.marked_by_region_code,
        e.marked_on,
    )


learned.ignore(
    reg.InstitutionDetailsChanged,
    why="qc keeps an institution's name, kind and region as registered",
)


@learned.on(reg.InstitutionConditionsChanged)
async def conditions_changed(
    _: object, conn: Conn, __: Envelope, e: reg.InstitutionConditionsChanged
) -> None:
    """R6a: an institution flagged as no longer keeping its conditions is a QC priority."""
    await conn.execute(
        "INSERT INTO known_conditions (institution_id, conditions_met, changed_on)"
        " VALUES ($1, $2, $3) ON CONFLICT (institution_id) DO UPDATE"
        " SET conditions_met = $2, changed_on = $3",
        e.institution_id,
        e.conditions_met,
        e.changed_on,
    )


learned.ignore(
    reg.QualificationApplied,
    reg.QualificationReviewStarted,
    reg.QualificationRejected,
    reg.QualificationRenewalAccepted,
    reg.QualificationRenewed,
    reg.QualificationRenewalRejected,
    reg.QualificationChanged,
    reg.QualificationDecisionPublished,
    why="the QC universe needs only whether a qualification is granted or ended",
)
learned.ignore(
    reg.StaffRegistered,
    reg.StaffLeft,
    reg.PersonalDataErased,
    why="qc keeps no staff and no personal data",
)
learned.ignore(
    reg.WorkSummarySubmitted,
    reg.SelfInspectionCampaignLaunched,
    reg.SelfInspectionReported,
    why="work summaries and self-inspections are the registry's and enforcement's business",
)
learned.ignore(
    enf.CaseTransferredToJudiciary,
    enf.JudicialTransferStatusChanged,
    why="a transfer to the judiciary is supervision's and the judiciary's business",
)
learned.ignore(
    reg.UnfiledWorkDetected,
    why="work without a filing is a lead for supervision (R7), which enforcement opens",
)
learned.ignore(
    enf.CaseOpened,
    enf.CaseClosed,
    enf.QualificationRevocationOrdered,
    enf.InspectionCompleted,
    enf.UnreportedProjectFound,
    enf.LeadOpened,
    enf.InspectionPlanDefined,
    enf.InspectionDrawPublished,
    enf.InspectionScheduled,
    enf.InspectionMerged,
    enf.InspectionResultPublished,
    enf.LeadClosed,
    enf.CaseInvestigated,
    enf.PenaltyDecided,
    enf.PracticeBanImposed,
    enf.PenaltyExecuted,
    enf.CreditClassChanged,
    enf.CreditRepairGranted,
    enf.PenaltyAnnulled,
    why="qc learns from enforcement only its referrals' receipt and acknowledgement, and"
    " typical cases",
)
