"""The registry's own read tables, written in the transaction of the events they reflect.

Rebuildable: replaying the event log through `project` gives the same tables. One handler
per event type; a decision also gets its publication record (`decision`, after the event's
own handler).
"""

from __future__ import annotations

from typing import Any

from contracts.envelope import Envelope, EventPayload
from contracts.registry_v1 import (
    InstitutionDetailsChanged,
    InstitutionRegistered,
    OutOfProvinceFilingRegistered,
    QualificationApplied,
    QualificationCancelled,
    QualificationChanged,
    QualificationDecisionPublished,
    QualificationExpired,
    QualificationGranted,
    QualificationRejected,
    QualificationRenewalAccepted,
    QualificationRenewalRejected,
    QualificationRenewed,
    QualificationReviewStarted,
    QualificationRevoked,
    QualificationWithdrawn,
    SelfInspectionCampaignLaunched,
    SelfInspectionReported,
    ServiceReportCardFiled,
    Source,
    StaffLeft,
    StaffRegistered,
    WorkSummarySubmitted,
)
from ohts_kit import regions
from ohts_kit.db import Conn
from ohts_kit.handlers import EventHandlers
from ohts_kit.workdays import WorkCalendar, china_date
from services.registry.domain.policy import RegistryPolicy
from services.registry.domain.qualification import DECISIONS

# A certificate's life ends with a status and no renewal pending any more.
_ENDED = "status = '{}', renewal_pending = FALSE"


class Views:
    """The inline projector: `project` is called with each appended event, in its
    transaction."""

    def __init__(self, calendar: WorkCalendar, policy: RegistryPolicy) -> None:
        self.calendar = calendar
        self.policy = policy
        self._table = views.bind(self)

    async def project(self, conn: Conn, env: Envelope, e: EventPayload) -> None:
        handler = self._table.get(e.event_type)
        if handler is not None:
            await handler(conn, env, e)


views: EventHandlers[Views] = EventHandlers("registry-views")


@views.on(InstitutionRegistered)
async def institution_registered(
    _: Views, conn: Conn, _env: Envelope, e: InstitutionRegistered
) -> None:
    await conn.execute(
        "INSERT INTO institutions_view (institution_id, uscc, name, kind,"
        " region_code, website, registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT DO NOTHING",
        e.institution_id,
        e.uscc,
        e.name,
        e.kind.value,
        e.region_code,
        e.website,
        e.registered_at,
    )


@views.on(InstitutionDetailsChanged)
async def institution_details_changed(
    _: Views, conn: Conn, _env: Envelope, e: InstitutionDetailsChanged
) -> None:
    await conn.execute(
        "UPDATE institutions_view SET name = coalesce($2, name),"
        " website = coalesce($3, website) WHERE institution_id = $1",
        e.institution_id,
        e.name,
        e.website,
    )


@views.on(QualificationApplied)
async def qualification_applied(
    _: Views, conn: Conn, _env: Envelope, e: QualificationApplied
) -> None:
    await conn.execute(
        "INSERT INTO qualifications_view (qualification_id, institution_id, kind,"
        " status, scope_codes) VALUES ($1, $2, $3, 'applied', $4)"
        " ON CONFLICT DO NOTHING",
        e.qualification_id,
        e.institution_id,
        e.kind.value,
        e.scope_codes,
    )


@views.on(QualificationReviewStarted)
async def qualification_review_started(
    _: Views, conn: Conn, _env: Envelope, e: QualificationReviewStarted
) -> None:
    """Under review: the authority's to-do list tells a decision to take from one to open."""
    await _set(conn, e.qualification_id, "status = 'under-review'")


@views.on(QualificationGranted)
async def qualification_granted(
    _: Views, conn: Conn, _env: Envelope, e: QualificationGranted
) -> None:
    await conn.execute(
        "INSERT INTO qualifications_view (qualification_id, institution_id,"
        " certificate_number, kind, status, scope_codes, valid_from, valid_until)"
        " VALUES ($1, $2, $3, $4, 'granted', $5, $6, $7)"
        " ON CONFLICT (qualification_id) DO UPDATE SET status = 'granted',"
        " certificate_number = $3, scope_codes = $5, valid_from = $6, valid_until = $7",
        e.qualification_id,
        e.institution_id,
        e.certificate_number,
        e.kind.value,
        e.scope_codes,
        e.valid_from,
        e.valid_until,
    )


@views.on(QualificationRenewalAccepted)
async def qualification_renewal_accepted(
    _: Views, conn: Conn, _env: Envelope, e: QualificationRenewalAccepted
) -> None:
    await _set(conn, e.qualification_id, "renewal_pending = TRUE")


@views.on(QualificationRenewed)
async def qualification_renewed(
    _: Views, conn: Conn, _env: Envelope, e: QualificationRenewed
) -> None:
    await conn.execute(
        "UPDATE qualifications_view SET renewal_pending = FALSE, scope_codes = $2,"
        " valid_from = $3, valid_until = $4, certificate_number = $5"
        " WHERE qualification_id = $1",
        e.qualification_id,
        e.scope_codes,
        e.valid_from,
        e.valid_until,
        e.certificate_number,
    )


@views.on(QualificationChanged)
async def qualification_changed(
    _: Views, conn: Conn, _env: Envelope, e: QualificationChanged
) -> None:
    await conn.execute(
        "UPDATE qualifications_view SET scope_codes = scope_codes || $2::text[]"
        " WHERE qualification_id = $1",
        e.qualification_id,
        e.added_scope_codes,
    )


@views.on(QualificationExpired)
async def qualification_expired(
    _: Views, conn: Conn, _env: Envelope, e: QualificationExpired
) -> None:
    await _set(conn, e.qualification_id, "status = 'expired'")


@views.on(QualificationRejected)
async def qualification_rejected(
    _: Views, conn: Conn, _env: Envelope, e: QualificationRejected
) -> None:
    await _set(conn, e.qualification_id, "status = 'rejected'")


@views.on(QualificationRenewalRejected)
async def qualification_renewal_rejected(
    _: Views, conn: Conn, _env: Envelope, e: QualificationRenewalRejected
) -> None:
    await _set(conn, e.qualification_id, "renewal_pending = FALSE")


@views.on(QualificationCancelled)
async def qualification_cancelled(
    _: Views, conn: Conn, _env: Envelope, e: QualificationCancelled
) -> None:
    await _set(conn, e.qualification_id, _ENDED.format("cancelled"))


@views.on(QualificationRevoked)
async def qualification_revoked(
    _: Views, conn: Conn, _env: Envelope, e: QualificationRevoked
) -> None:
    await _set(conn, e.qualification_id, _ENDED.format("revoked"))


@views.on(QualificationWithdrawn)
async def qualification_withdrawn(
    _: Views, conn: Conn, _env: Envelope, e: QualificationWithdrawn
) -> None:
    await _set(conn, e.qualification_id, _ENDED.format("withdrawn"))


@views.on(QualificationDecisionPublished)
async def qualification_decision_published(
    _: Views, conn: Conn, _env: Envelope, e: QualificationDecisionPublished
) -> None:
    await conn.execute(
        "UPDATE decisions SET published_at = $2, lag_working_days = $3,"
        " lag_provisional = $4 WHERE decision_event_id = $1",
        e.decision_event_id,
        e.published_at,
        e.lag_working_days,
        e.provisional,
    )


@views.on(StaffRegistered)
async def staff_registered(_: Views, conn: Conn, _env: Envelope, e: StaffRegistered) -> None:
    await conn.execute(
        "INSERT INTO staff_view (staff_id, institution_id, person_ref, masked_name,"
        " title, specialty, years, role, full_time, assessment_date, active,"
        " registered_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, TRUE, $11)"
        " ON CONFLICT DO NOTHING",
        e.staff_id,
        e.institution_id,
        e.person_ref,
        e.masked_name,
        e.title,
        e.specialty,
        e.years_of_experience,
        e.role,
        e.full_time,
        e.assessment_date,
        e.registered_on,
    )
    if e.full_time:
        await conn.execute(
            "INSERT INTO full_time_staff (person_ref, staff_id, institution_id)"
            " VALUES ($1, $2, $3)",
            e.person_ref,
            e.staff_id,
            e.institution_id,
        )


@views.on(StaffLeft)
async def staff_left(_: Views, conn: Conn, _env: Envelope, e: StaffLeft) -> None:
    await conn.execute(
        "UPDATE staff_view SET active = FALSE, left_on = $2 WHERE staff_id = $1",
        e.staff_id,
        e.left_on,
    )
    await conn.execute("DELETE FROM full_time_staff WHERE staff_id = $1", e.staff_id)


@views.on(OutOfProvinceFilingRegistered)
async def out_of_province_filing_registered(
    _: Views, conn: Conn, _env: Envelope, e: OutOfProvinceFilingRegistered
) -> None:
    await conn.execute(
        "INSERT INTO filings_view (filing_id, institution_id, province_code,"
        " certificate_number, filed_on, valid_until, work_region_code)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        e.filing_id,
        e.institution_id,
        e.province_code,
        e.certificate_number,
        china_date(e.filed_at),
        e.valid_until,
        e.work_region_code,
    )


@views.on(WorkSummarySubmitted)
async def work_summary_submitted(
    _: Views, conn: Conn, _env: Envelope, e: WorkSummarySubmitted
) -> None:
    await conn.execute(
        "INSERT INTO work_summaries (filing_id, period, submitted_on, due_on, late)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        e.filing_id,
        e.period,
        e.submitted_on,
        e.due_on,
        e.late,
    )


@views.on(SelfInspectionCampaignLaunched)
async def self_inspection_campaign_launched(
    _: Views, conn: Conn, _env: Envelope, e: SelfInspectionCampaignLaunched
) -> None:
    await conn.execute(
        "INSERT INTO campaigns_view (campaign_id, title, region_code, region_prefix,"
        " period_from, period_to, deadline, launched_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT DO NOTHING",
        e.campaign_id,
        e.title,
        e.region_code,
        regions.prefix(e.region_code),
        e.period_from,
        e.period_to,
        e.deadline,
        e.launched_on,
    )


@views.on(SelfInspectionReported)
async def self_inspection_reported(
    _: Views, conn: Conn, _env: Envelope, e: SelfInspectionReported
) -> None:
    await conn.execute(
        "INSERT INTO campaign_reports (campaign_id, institution_id, reported_on)"
        " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        e.campaign_id,
        e.institution_id,
        e.submitted_on,
    )


@views.on(ServiceReportCardFiled)
async def service_report_card_filed(
    _: Views, conn: Conn, _env: Envelope, e: ServiceReportCardFiled
) -> None:
    await conn.execute(
        "INSERT INTO report_cards (card_id, institution_id, report_number,"
        " completion_date, filed_on, due_on, late) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        e.card_id,
        e.institution_id,
        e.report_number,
        e.completion_date,
        e.filed_on,
        e.due_on,
        e.late,
    )


@views.on(*DECISIONS)
async def decision(v: Views, conn: Conn, env: Envelope, e: Any) -> None:
    """The decision's publication record (R3); the status itself is the event's own handler
    above. `e` is one of the DECISIONS types: all carry the ids and `decided_at`. Legacy
    imports are records of old decisions, not decisions to publish now."""
    if getattr(e, "source", None) == Source.LEGACY_IMPORT:
        return
    decided = china_date(e.decided_at)
    due, provisional = v.calendar.add_working_days(decided, v.policy.publication_working_days)
    await conn.execute(
        "INSERT INTO decisions (decision_event_id, qualification_id, institution_id,"
        " decision_type, decided_at, due_on, due_provisional)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT DO NOTHING",
        str(env.event_id),
        e.qualification_id,
        e.institution_id,
        DECISIONS[type(e)],
        e.decided_at,
        due,
        provisional,
    )


async def _set(conn: Conn, qualification_id: str, assignment: str) -> None:
    await conn.execute(
        f"UPDATE qualifications_view SET {assignment} WHERE qualification_id = $1",
        qualification_id,
    )
