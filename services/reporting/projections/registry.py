"""Registry events into the public directory (P1), staff (P3), cards, filings and campaigns."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from contracts.envelope import Envelope, EventPayload
from contracts.registry_v1 import (
    InstitutionConditionsChanged,
    InstitutionDetailsChanged,
    InstitutionRegistered,
    OutOfProvinceFilingRegistered,
    PersonalDataErased,
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
    StaffLeft,
    StaffRegistered,
    UnfiledWorkDetected,
    WorkSummarySubmitted,
)
from ohts_kit.db import Conn
from ohts_kit.handlers import EventHandlers
from ohts_kit.workdays import china_date
from services.reporting.projections import Bulk, Projecting
from services.reporting.projections.temporal import Change, revise, start

views: EventHandlers[Projecting] = EventHandlers("reporting.registry")
views.ignore(
    QualificationApplied,
    QualificationReviewStarted,
    why="an application under review is not public (P1 shows decisions only)",
)
views.ignore(
    UnfiledWorkDetected,
    why="unfiled work is a lead for supervision (R7), not public; a case it leads to is",
)
views.ignore(
    QualificationRejected,
    why="a refused application never enters the directory; its publication (R3) arrives"
    " as QualificationDecisionPublished",
)


@views.on(InstitutionRegistered)
async def institution_registered(
    _: Projecting, conn: Conn, env: Envelope, e: InstitutionRegistered
) -> None:
    await start(
        conn,
        "rp_institutions",
        env.event_id,
        env.occurred_at,
        {
            "institution_id": e.institution_id,
            "uscc": e.uscc,
            "name": e.name,
            "address": e.address,
            "legal_representative": e.legal_representative,
            "nature": e.nature,
            "kind": e.kind.value,
            "region_code": e.region_code,
            "conditions_met": True,
            "unmet": [],
        },
    )


@views.on(InstitutionDetailsChanged)
async def institution_details_changed(
    _: Projecting, conn: Conn, env: Envelope, e: InstitutionDetailsChanged
) -> None:
    fields = ("name", "address", "legal_representative")
    change = {f: getattr(e, f) for f in fields if getattr(e, f) is not None}
    key = {"institution_id": e.institution_id}
    await revise(conn, "rp_institutions", key, env.event_id, env.occurred_at, change)


@views.on(InstitutionConditionsChanged)
async def institution_conditions_changed(
    _: Projecting, conn: Conn, env: Envelope, e: InstitutionConditionsChanged
) -> None:
    change = {"conditions_met": e.conditions_met, "unmet": e.unmet}
    key = {"institution_id": e.institution_id}
    await revise(conn, "rp_institutions", key, env.event_id, env.occurred_at, change)


ERASED = "（已删除）"  # shown instead of a masked name once the person's data is erased

STATUS_OF: dict[type[EventPayload], tuple[str, str]] = {
    QualificationRenewalAccepted: ("renewal-pending", "renewal-accepted"),
    QualificationRenewalRejected: ("granted", "renewal-rejected"),
    QualificationCancelled: ("cancelled", "cancelled"),
    QualificationRevoked: ("revoked", "revoked"),
    QualificationWithdrawn: ("withdrawn", "withdrawn"),
    QualificationExpired: ("expired", "expired"),
}


@views.on(QualificationGranted)
async def qualification_granted(
    _: Projecting, conn: Conn, env: Envelope, e: QualificationGranted
) -> None:
    await start(
        conn,
        "rp_qualifications",
        env.event_id,
        env.occurred_at,
        {
            "qualification_id": e.qualification_id,
            "institution_id": e.institution_id,
            "certificate_number": e.certificate_number,
            "kind": e.kind.value,
            "scope_codes": e.scope_codes,
            "valid_from": e.valid_from,
            "valid_until": e.valid_until,
            "status": "granted",
            "issuing_authority": e.issuing_authority,
            "change": "granted",
            "changed_on": china_date(e.decided_at),
        },
    )


@views.on(QualificationRenewed)
async def qualification_renewed(
    _: Projecting, conn: Conn, env: Envelope, e: QualificationRenewed
) -> None:
    change = {
        "status": "granted",
        "change": "renewed",
        "scope_codes": e.scope_codes,
        "valid_from": e.valid_from,
        "valid_until": e.valid_until,
        "certificate_number": e.certificate_number,
        "changed_on": china_date(env.occurred_at),
    }
    await _revise_qualification(conn, env, e.qualification_id, change)


@views.on(QualificationChanged)
async def qualification_changed(
    _: Projecting, conn: Conn, env: Envelope, e: QualificationChanged
) -> None:
    added, day = e.added_scope_codes, china_date(env.occurred_at)

    def change(cur: Mapping[str, Any]) -> Mapping[str, Any]:
        scope = list(cur["scope_codes"]) + [s for s in added if s not in cur["scope_codes"]]
        return {"scope_codes": scope, "change": "changed", "changed_on": day}

    await _revise_qualification(conn, env, e.qualification_id, change)


StatusChange = (
    QualificationRenewalAccepted
    | QualificationRenewalRejected
    | QualificationCancelled
    | QualificationRevoked
    | QualificationWithdrawn
    | QualificationExpired
)


@views.on(*STATUS_OF)
async def qualification_status(_: Projecting, conn: Conn, env: Envelope, e: StatusChange) -> None:
    status, what = STATUS_OF[type(e)]
    # F1: the decision's own date where the event has one, else when it was recorded.
    when = getattr(e, "decided_at", None) or env.occurred_at
    change = {"status": status, "change": what, "changed_on": china_date(when)}
    await _revise_qualification(conn, env, e.qualification_id, change)


async def _revise_qualification(
    conn: Conn, env: Envelope, qualification_id: str, change: Change
) -> None:
    key = {"qualification_id": qualification_id}
    await revise(conn, "rp_qualifications", key, env.event_id, env.occurred_at, change)


@views.on(QualificationDecisionPublished)
async def published(
    _: Projecting, conn: Conn, env: Envelope, e: QualificationDecisionPublished
) -> None:
    await conn.execute(
        "INSERT INTO rp_publications (decision_ref, source, institution_id, published_on,"
        " lag_working_days, provisional, known_at)"
        " VALUES ($1, 'qualification', $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        e.decision_event_id,
        e.institution_id,
        china_date(e.published_at),
        e.lag_working_days,
        e.provisional,
        env.occurred_at,
    )


STAFF = Bulk(
    StaffRegistered,
    "rp_staff",
    ("staff_id", "institution_id", "masked_name", "title", "role", "registered_on", "known_at"),
    lambda _, env, e: (
        e.staff_id,
        e.institution_id,
        e.masked_name,
        e.title,
        e.role,
        e.registered_on,
        env.occurred_at,
    ),
    changed_by=(PersonalDataErased, StaffLeft),
)
views.on(StaffRegistered)(STAFF.apply)


@views.on(PersonalDataErased)
async def personal_data_erased(
    _: Projecting, conn: Conn, __: Envelope, e: PersonalDataErased
) -> None:
    await conn.execute(
        "UPDATE rp_staff SET masked_name = $2 WHERE staff_id = $1", e.staff_id, ERASED
    )


@views.on(StaffLeft)
async def staff_left(_: Projecting, conn: Conn, env: Envelope, e: StaffLeft) -> None:
    await conn.execute(
        "UPDATE rp_staff SET left_on = $2, left_known_at = $3 WHERE staff_id = $1",
        e.staff_id,
        e.left_on,
        env.occurred_at,
    )


@views.on(OutOfProvinceFilingRegistered)
async def filing_registered(
    _: Projecting, conn: Conn, env: Envelope, e: OutOfProvinceFilingRegistered
) -> None:
    await conn.execute(
        "INSERT INTO rp_filings (filing_id, institution_id, province_code, certificate_number,"
        " issuing_authority, valid_until, scope_codes, contacts, receiving_qc_centre,"
        " filed_on, known_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        " ON CONFLICT DO NOTHING",
        e.filing_id,
        e.institution_id,
        e.province_code,
        e.certificate_number,
        e.issuing_authority,
        e.valid_until,
        e.scope_codes,
        json.dumps([c.model_dump() for c in e.contacts], ensure_ascii=False),
        e.receiving_qc_centre,
        china_date(e.filed_at),
        env.occurred_at,
    )


@views.on(WorkSummarySubmitted)
async def work_summary(_: Projecting, conn: Conn, env: Envelope, e: WorkSummarySubmitted) -> None:
    await conn.execute(
        "INSERT INTO rp_work_summaries (filing_id, period, institution_id, projects,"
        " submitted_on, late, known_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT DO NOTHING",
        e.filing_id,
        e.period,
        e.institution_id,
        json.dumps([p.model_dump(mode="json") for p in e.projects], ensure_ascii=False),
        e.submitted_on,
        e.late,
        env.occurred_at,
    )


def card_row(_: Projecting, env: Envelope, e: ServiceReportCardFiled) -> tuple[Any, ...]:
    return (
        e.card_id,
        e.institution_id,
        e.service_kind,
        e.client_region_code,
        e.completion_date,
        e.filed_on,
        e.late,
        env.occurred_at,
        e.report_number,
    )


CARDS = Bulk(
    ServiceReportCardFiled,
    "rp_report_cards",
    (
        "card_id",
        "institution_id",
        "service_kind",
        "client_region_code",
        "completion_date",
        "filed_on",
        "late",
        "known_at",
        "report_number",
    ),
    card_row,
)
views.on(ServiceReportCardFiled)(CARDS.apply)


@views.on(SelfInspectionCampaignLaunched)
async def campaign_launched(
    _: Projecting, conn: Conn, env: Envelope, e: SelfInspectionCampaignLaunched
) -> None:
    await conn.execute(
        "INSERT INTO rp_self_inspection_campaigns (campaign_id, title, region_code,"
        " period_from, period_to, deadline, known_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        " ON CONFLICT DO NOTHING",
        e.campaign_id,
        e.title,
        e.region_code,
        e.period_from,
        e.period_to,
        e.deadline,
        env.occurred_at,
    )


@views.on(SelfInspectionReported)
async def self_inspection_reported(
    _: Projecting, conn: Conn, env: Envelope, e: SelfInspectionReported
) -> None:
    await conn.execute(
        "INSERT INTO rp_self_inspections (campaign_id, institution_id, technical_staff,"
        " detection_reports, evaluation_reports, detection_report_problems,"
        " evaluation_report_problems, problems, notes, submitted_on, late, known_at) VALUES"
        " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
        e.campaign_id,
        e.institution_id,
        e.technical_staff,
        e.detection_reports,
        e.evaluation_reports,
        e.detection_report_problems,
        e.evaluation_report_problems,
        e.problems,
        e.notes,
        e.submitted_on,
        e.late,
        env.occurred_at,
    )


# Insert-only projections a rebuild may copy in batches (the bulk of a national history).
BULK = (CARDS, STAFF)
