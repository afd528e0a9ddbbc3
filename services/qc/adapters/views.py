"""qc's read tables: from its own events (inline) and from registry and enforcement events."""

from __future__ import annotations

from contracts.enforcement_v1 import ReferralAcknowledged
from contracts.envelope import Envelope, EventPayload
from contracts.qc_v1 import (
    AnnualQcConcluded,
    QcActivityOpened,
    QcFindingRecorded,
    QcPlanGenerated,
    QcResultRecorded,
    RectificationOverdue,
    RectificationRejected,
    RectificationReopened,
    RectificationRequired,
    RectificationSubmitted,
    RectificationVerified,
    ViolationClueReferred,
)
from contracts.registry_v1 import (
    InstitutionRegistered,
    OutOfProvinceFilingRegistered,
    QualificationCancelled,
    QualificationExpired,
    QualificationGranted,
    QualificationRevoked,
    QualificationWithdrawn,
    ServiceReportCardFiled,
)
from ohts_kit.consumer import Handler
from ohts_kit.db import Conn
from ohts_kit.workdays import china_date


async def project(conn: Conn, _: Envelope, e: EventPayload) -> None:
    match e:
        case QcPlanGenerated():
            await conn.execute(
                "INSERT INTO plans VALUES ($1, $2, $3)", e.plan_id, e.province_code, e.year
            )
            await conn.executemany(
                "INSERT INTO plan_entries VALUES ($1, $2, $3, $4)",
                [(e.plan_id, x.institution_id, x.group, x.reason) for x in e.entries],
            )
        case QcActivityOpened():
            await conn.execute(
                "INSERT INTO activities VALUES ($1, $2, $3, $4, $5)",
                e.activity_id,
                e.plan_id,
                e.kind,
                e.province_code,
                e.year,
            )
        case QcResultRecorded():
            await conn.execute(
                "INSERT INTO results VALUES ($1, $2, $3, $4, $5)",
                e.activity_id,
                e.institution_id,
                e.activity_kind,
                e.result,
                e.recorded_on,
            )
        case QcFindingRecorded():
            await conn.execute(
                "INSERT INTO findings VALUES ($1, $2, $3, $4, $5, $6, $7)",
                e.finding_id,
                e.activity_id,
                e.institution_id,
                e.category,
                e.severity,
                e.violation_clue,
                e.recorded_on,
            )
        case RectificationRequired():
            await conn.execute(
                "INSERT INTO rectification_items VALUES ($1, $2, $3, 'open', $4)",
                e.item_id,
                e.institution_id,
                e.finding_id,
                e.due_on,
            )
        case RectificationSubmitted():
            await _item(conn, e.item_id, "submitted")
        case RectificationRejected() | RectificationReopened():
            await _item(conn, e.item_id, "open")
        case RectificationVerified():
            await _item(conn, e.item_id, "closed")
        case RectificationOverdue():
            await conn.execute(
                "UPDATE rectification_items SET overdue = TRUE WHERE item_id = $1", e.item_id
            )
        case ViolationClueReferred():
            await conn.execute(
                "INSERT INTO referrals (referral_id, institution_id, supervision_region_code,"
                " reason, referred_on) VALUES ($1, $2, $3, $4, $5)",
                e.referral_id,
                e.institution_id,
                e.supervision_region_code,
                e.reason,
                e.referred_on,
            )
        case AnnualQcConcluded():
            await conn.execute(
                "INSERT INTO conclusions VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                e.institution_id,
                e.year,
                e.province_code,
                e.result,
                e.rectified,
                e.on_public_list,
            )


async def _item(conn: Conn, item_id: str, state: str) -> None:
    await conn.execute(
        "UPDATE rectification_items SET state = $2 WHERE item_id = $1", item_id, state
    )


async def learn(conn: Conn, _: Envelope, e: EventPayload) -> None:
    """Registry and enforcement facts qc needs, learned from their events only."""
    match e:
        case InstitutionRegistered():
            await conn.execute(
                "INSERT INTO known_institutions VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                e.institution_id,
                e.name,
                e.kind.value,
                e.region_code,
                china_date(e.registered_at),
            )
        case QualificationGranted():
            await conn.execute(
                "INSERT INTO known_qualifications VALUES ($1, $2, 'granted')"
                " ON CONFLICT (qualification_id) DO UPDATE SET status = 'granted'",
                e.qualification_id,
                e.institution_id,
            )
        case (
            QualificationCancelled()
            | QualificationRevoked()
            | QualificationWithdrawn()
            | QualificationExpired()
        ):
            await conn.execute(
                "UPDATE known_qualifications SET status = 'ended' WHERE qualification_id = $1",
                e.qualification_id,
            )
        case OutOfProvinceFilingRegistered():
            await conn.execute(
                "INSERT INTO known_filings VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                e.filing_id,
                e.institution_id,
                e.province_code,
                china_date(e.filed_at),
            )
        case ServiceReportCardFiled():
            await conn.execute(
                "INSERT INTO known_report_cards VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                e.card_id,
                e.institution_id,
                e.report_number,
                e.filed_on,
            )
        case ReferralAcknowledged():
            await conn.execute(
                "UPDATE referrals SET acknowledged_on = $2, lead_id = $3 WHERE referral_id = $1",
                e.referral_id,
                e.acknowledged_on,
                e.lead_id,
            )


HANDLERS: dict[str, Handler] = {
    t.event_type: learn
    for t in (
        InstitutionRegistered,
        QualificationGranted,
        QualificationCancelled,
        QualificationRevoked,
        QualificationWithdrawn,
        QualificationExpired,
        OutOfProvinceFilingRegistered,
        ServiceReportCardFiled,
        ReferralAcknowledged,
    )
}
