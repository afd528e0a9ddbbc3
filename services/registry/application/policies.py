"""What the registry does with qc and enforcement events (it learns only through them)."""

from __future__ import annotations

from contracts import enforcement_v1 as enf
from contracts import qc_v1 as qc
from contracts.envelope import Envelope
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict
from ohts_kit.handlers import EventHandlers
from ohts_kit.logging import get_logger
from services.registry.application.unit import Registry
from services.registry.domain import institution, qualification

log = get_logger(__name__)

policies: EventHandlers[Registry] = EventHandlers("registry")


@policies.on(enf.QualificationRevocationOrdered, appends=True)
async def revocation_ordered(
    reg: Registry, conn: Conn, env: Envelope, e: enf.QualificationRevocationOrdered
) -> None:
    qualification_id = await conn.fetchval(
        "SELECT qualification_id FROM qualifications_view WHERE certificate_number = $1",
        e.certificate_number,
    )
    if qualification_id is None:
        raise Conflict(f"no certificate {e.certificate_number} to revoke")
    uow = reg.unit_in(conn, env)
    state = await uow.get(qualification, qualification_id)
    holder = await uow.get(institution, state.institution_id)
    events = qualification.revoke(state, e.case_id, e.decision_number, e.authority, uow.now)
    await uow.record(state, events, about=holder)
    if events:
        log.info("qualification.revoked", certificate_number=e.certificate_number)


_BLOCKING = "INSERT INTO blocking_items (kind, item_id, institution_id, opened_on)"


@policies.on(qc.RectificationRequired)
async def rectification_required(
    _: Registry, conn: Conn, __: Envelope, e: qc.RectificationRequired
) -> None:
    await conn.execute(
        _BLOCKING + " VALUES ('rectification', $1, $2, $3) ON CONFLICT DO NOTHING",
        e.item_id,
        e.institution_id,
        e.due_on,
    )


@policies.on(qc.RectificationReopened)
async def rectification_reopened(
    _: Registry, conn: Conn, __: Envelope, e: qc.RectificationReopened
) -> None:
    await conn.execute(
        _BLOCKING + " VALUES ('rectification', $1, $2, $3) ON CONFLICT DO NOTHING",
        e.item_id,
        e.institution_id,
        e.reopened_on,
    )


@policies.on(enf.CaseOpened)
async def case_opened(_: Registry, conn: Conn, __: Envelope, e: enf.CaseOpened) -> None:
    await conn.execute(
        _BLOCKING + " VALUES ('case', $1, $2, $3) ON CONFLICT DO NOTHING",
        e.case_id,
        e.institution_id,
        e.opened_on,
    )


@policies.on(qc.RectificationVerified)
async def rectification_verified(
    _: Registry, conn: Conn, __: Envelope, e: qc.RectificationVerified
) -> None:
    await conn.execute(
        "DELETE FROM blocking_items WHERE kind = 'rectification' AND item_id = $1", e.item_id
    )


@policies.on(enf.CaseClosed)
async def case_closed(_: Registry, conn: Conn, __: Envelope, e: enf.CaseClosed) -> None:
    await conn.execute("DELETE FROM blocking_items WHERE kind = 'case' AND item_id = $1", e.case_id)


@policies.on(qc.BlindSamplePassed)
async def blind_sample_passed(
    _: Registry, conn: Conn, __: Envelope, e: qc.BlindSamplePassed
) -> None:
    await conn.execute(
        "INSERT INTO blind_sample_passes (activity_id, institution_id, passed_on)"
        " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        e.activity_id,
        e.institution_id,
        e.passed_on,
    )


@policies.on(enf.InspectionCompleted)
async def inspection_completed(
    _: Registry, conn: Conn, __: Envelope, e: enf.InspectionCompleted
) -> None:
    if e.full_evaluation:
        await conn.execute(
            "INSERT INTO full_inspections (inspection_id, institution_id, ended_on)"
            " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            e.inspection_id,
            e.institution_id,
            e.ended_on,
        )


@policies.on(enf.UnreportedProjectFound)
async def unreported(_: Registry, conn: Conn, __: Envelope, e: enf.UnreportedProjectFound) -> None:
    await conn.execute(
        "INSERT INTO unreported_projects"
        " (institution_id, report_number, inspection_id, client_name, found_on)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        e.institution_id,
        e.report_number,
        e.inspection_id,
        e.client_name,
        e.found_on,
    )


@policies.on(enf.PenaltyDecided)
async def penalty_decided(_: Registry, conn: Conn, env: Envelope, e: enf.PenaltyDecided) -> None:
    """F2: every decision reaches the institution's record, so its home licensing authority
    sees decisions taken where the violation happened (Yunnan §二(三), Guangxi §三(四))."""
    await conn.execute(
        "INSERT INTO penalty_notices (case_id, institution_id, decision_number, decided_on,"
        " authority, deciding_region_code, violation, penalties, fine_yuan, on_person)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
        e.case_id,
        e.institution_id,
        e.decision_number,
        e.decided_on,
        e.authority,
        e.jurisdiction_region_code or env.region_code,
        e.violation,
        e.penalties,
        e.fine_yuan,
        e.person_ref is not None,
    )


@policies.on(enf.PracticeBanImposed)
async def ban_imposed(_: Registry, conn: Conn, __: Envelope, e: enf.PracticeBanImposed) -> None:
    """E6: the registry refuses to register the person anywhere while the ban lasts."""
    await conn.execute(
        "INSERT INTO practice_bans (case_id, person_ref, decision_number, starts_on, ends_on)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        e.case_id,
        e.person_ref,
        e.decision_number,
        e.starts_on,
        e.ends_on,
    )


@policies.on(enf.PenaltyAnnulled)
async def penalty_annulled(_: Registry, conn: Conn, __: Envelope, e: enf.PenaltyAnnulled) -> None:
    """F3: an annulled decision stops counting: its ban no longer binds."""
    for table in ("practice_bans", "penalty_notices"):
        await conn.execute(
            f"UPDATE {table} SET annulled_on = $2 WHERE case_id = $1", e.case_id, e.annulled_on
        )


@policies.on(qc.QcResultSentToHomeAuthority)
async def home_qc_notice(
    _: Registry, conn: Conn, env: Envelope, e: qc.QcResultSentToHomeAuthority
) -> None:
    """QC results on its institutions from other provinces, for the licensing authority."""
    await conn.execute(
        "INSERT INTO home_qc_notices (activity_id, institution_id, region_code, activity_kind,"
        " result, qc_province_code, home_province_code, finding_categories, sent_on)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        e.activity_id,
        e.institution_id,
        env.region_code,
        e.activity_kind,
        e.result,
        e.qc_province_code,
        e.home_province_code,
        e.finding_categories,
        e.sent_on,
    )


# What the registry does not need, on purpose: the blocking items above only open and close,
# and a revocation reaches it as an order, not as the penalty that caused it.
policies.ignore(
    qc.QcPlanGenerated,
    qc.QcActivityOpened,
    qc.QcResultRecorded,
    qc.QcFindingRecorded,
    qc.RectificationSubmitted,
    qc.RectificationRejected,
    qc.RectificationOverdue,
    qc.ViolationClueReferred,
    qc.AnnualQcConcluded,
    qc.AnnualQcConclusionRevised,
    qc.QcPublicListEntered,
    qc.QcPublicListLeft,
    qc.QcFollowUpRecorded,
    qc.QcFollowUpConcluded,
    qc.CapabilityAssessed,
    why="QC's own work: the registry needs only what opens or closes a blocking item (R4)",
)
policies.ignore(
    enf.CaseTransferredToJudiciary,
    enf.JudicialTransferStatusChanged,
    why="移送司法 leaves the case open, and an open case already blocks changes (R4)",
)
policies.ignore(
    enf.InspectionPlanDefined,
    enf.InspectionDrawPublished,
    enf.InspectionScheduled,
    enf.InspectionMerged,
    enf.InspectionResultPublished,
    enf.LeadOpened,
    enf.LeadClosed,
    enf.ReferralAcknowledged,
    enf.ReferralAcknowledgedByUnit,
    enf.CaseMarkedTypical,
    enf.CaseInvestigated,
    enf.PenaltyExecuted,
    enf.CreditClassChanged,
    enf.CreditRepairGranted,
    why="supervision's own work: the registry acts on revocation orders, opened and closed"
    " cases (R4), completed full inspections (R9) and unreported projects (R8)",
)
