"""Registry events into the public directory (P1), staff (P3), cards, filings and campaigns."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from contracts.envelope import Envelope, EventPayload
from contracts.registry_v1 import (
    InstitutionConditionsChanged,
    InstitutionDetailsChanged,
    InstitutionRegistered,
    OutOfProvinceFilingRegistered,
    PersonalDataErased,
    QualificationCancelled,
    QualificationChanged,
    QualificationDecisionPublished,
    QualificationExpired,
    QualificationGranted,
    QualificationRenewalAccepted,
    QualificationRenewalRejected,
    QualificationRenewed,
    QualificationRevoked,
    QualificationWithdrawn,
    SelfInspectionCampaignLaunched,
    SelfInspectionReported,
    ServiceReportCardFiled,
    StaffLeft,
    StaffRegistered,
    WorkSummarySubmitted,
)
from ohts_kit.consumer import Handler
from ohts_kit.db import Conn
from ohts_kit.workdays import china_date
from services.reporting.projections import handling
from services.reporting.projections.temporal import revise, start


async def institution(conn: Conn, env: Envelope, e: EventPayload) -> None:
    at, key = env.occurred_at, {"institution_id": env.institution_id}
    match e:
        case InstitutionRegistered():
            await start(
                conn,
                "rp_institutions",
                env.event_id,
                at,
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
        case InstitutionDetailsChanged():
            fields = ("name", "address", "legal_representative")
            change = {f: getattr(e, f) for f in fields if getattr(e, f) is not None}
            await revise(conn, "rp_institutions", key, env.event_id, at, change)
        case InstitutionConditionsChanged():
            change = {"conditions_met": e.conditions_met, "unmet": e.unmet}
            await revise(conn, "rp_institutions", key, env.event_id, at, change)


ERASED = "（已删除）"  # shown instead of a masked name once the person's data is erased

STATUS_OF: dict[type[EventPayload], tuple[str, str]] = {
    QualificationRenewalAccepted: ("renewal-pending", "renewal-accepted"),
    QualificationRenewalRejected: ("granted", "renewal-rejected"),
    QualificationCancelled: ("cancelled", "cancelled"),
    QualificationRevoked: ("revoked", "revoked"),
    QualificationWithdrawn: ("withdrawn", "withdrawn"),
    QualificationExpired: ("expired", "expired"),
}


async def qualification(conn: Conn, env: Envelope, e: EventPayload) -> None:
    at, day = env.occurred_at, china_date(env.occurred_at)
    match e:
        case QualificationGranted():
            await start(
                conn,
                "rp_qualifications",
                env.event_id,
                at,
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
            return
        case QualificationRenewed():
            change: Any = {
                "status": "granted",
                "change": "renewed",
                "scope_codes": e.scope_codes,
                "valid_from": e.valid_from,
                "valid_until": e.valid_until,
                "certificate_number": e.certificate_number,
                "changed_on": day,
            }
        case QualificationChanged():
            added = e.added_scope_codes

            def change(cur: Mapping[str, Any]) -> Mapping[str, Any]:
                scope = list(cur["scope_codes"]) + [s for s in added if s not in cur["scope_codes"]]
                return {"scope_codes": scope, "change": "changed", "changed_on": day}
        case _ if type(e) in STATUS_OF:
            status, what = STATUS_OF[type(e)]
            change = {"status": status, "change": what, "changed_on": day}
        case _:
            return
    key = {"qualification_id": getattr(e, "qualification_id")}  # noqa: B009 - all the cases have it
    await revise(conn, "rp_qualifications", key, env.event_id, at, change)


async def published(conn: Conn, env: Envelope, e: EventPayload) -> None:
    assert isinstance(e, QualificationDecisionPublished)
    await conn.execute(
        "INSERT INTO rp_publications VALUES ($1, 'qualification', $2, $3, $4, $5, $6)"
        " ON CONFLICT DO NOTHING",
        e.decision_event_id,
        e.institution_id,
        china_date(e.published_at),
        e.lag_working_days,
        e.provisional,
        env.occurred_at,
    )


async def staff(conn: Conn, env: Envelope, e: EventPayload) -> None:
    match e:
        case StaffRegistered():
            await conn.execute(
                "INSERT INTO rp_staff (staff_id, institution_id, masked_name, title, role,"
                " registered_on, known_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT DO NOTHING",
                e.staff_id,
                e.institution_id,
                e.masked_name,
                e.title,
                e.role,
                e.registered_on,
                env.occurred_at,
            )
        case PersonalDataErased():
            await conn.execute(
                "UPDATE rp_staff SET masked_name = $2 WHERE staff_id = $1", e.staff_id, ERASED
            )
        case StaffLeft():
            await conn.execute(
                "UPDATE rp_staff SET left_on = $2, left_known_at = $3 WHERE staff_id = $1",
                e.staff_id,
                e.left_on,
                env.occurred_at,
            )


async def filing(conn: Conn, env: Envelope, e: EventPayload) -> None:
    match e:
        case OutOfProvinceFilingRegistered():
            await conn.execute(
                "INSERT INTO rp_filings VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
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
        case WorkSummarySubmitted():
            await conn.execute(
                "INSERT INTO rp_work_summaries VALUES ($1, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT DO NOTHING",
                e.filing_id,
                e.period,
                e.institution_id,
                json.dumps([p.model_dump(mode="json") for p in e.projects], ensure_ascii=False),
                e.submitted_on,
                e.late,
                env.occurred_at,
            )


CARD_INSERT = (
    "INSERT INTO rp_report_cards VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING"
)


def card_row(env: Envelope, e: EventPayload) -> tuple[Any, ...]:
    assert isinstance(e, ServiceReportCardFiled)
    return (
        e.card_id,
        e.institution_id,
        e.service_kind,
        e.client_region_code,
        e.completion_date,
        e.filed_on,
        e.late,
        env.occurred_at,
    )


async def report_card(conn: Conn, env: Envelope, e: EventPayload) -> None:
    await conn.execute(CARD_INSERT, *card_row(env, e))


async def self_inspection(conn: Conn, env: Envelope, e: EventPayload) -> None:
    match e:
        case SelfInspectionCampaignLaunched():
            await conn.execute(
                "INSERT INTO rp_self_inspection_campaigns VALUES ($1, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT DO NOTHING",
                e.campaign_id,
                e.title,
                e.region_code,
                e.period_from,
                e.period_to,
                e.deadline,
                env.occurred_at,
            )
        case SelfInspectionReported():
            await conn.execute(
                "INSERT INTO rp_self_inspections VALUES"
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


HANDLERS: dict[str, Handler] = {
    **handling(
        institution,
        InstitutionRegistered,
        InstitutionDetailsChanged,
        InstitutionConditionsChanged,
    ),
    **handling(qualification, QualificationGranted, QualificationRenewed, QualificationChanged),
    **handling(qualification, *STATUS_OF),
    **handling(published, QualificationDecisionPublished),
    **handling(staff, StaffRegistered, StaffLeft, PersonalDataErased),
    **handling(filing, OutOfProvinceFilingRegistered, WorkSummarySubmitted),
    **handling(report_card, ServiceReportCardFiled),
    **handling(self_inspection, SelfInspectionCampaignLaunched, SelfInspectionReported),
}

# Insert-only projections a rebuild may apply in batches: (statement, row of an event). The
# statements are idempotent (ON CONFLICT DO NOTHING), so a duplicate delivery changes nothing.
BULK: dict[str, tuple[str, Callable[[Envelope, EventPayload], tuple[Any, ...]]]] = {
    ServiceReportCardFiled.event_type: (CARD_INSERT, card_row),
}
