"""The registry's own read tables, written in the transaction of the events they reflect.

Rebuildable: replaying the event log through `project` gives the same tables.
"""

from __future__ import annotations

from typing import Any

from contracts.envelope import Envelope, EventPayload
from contracts.registry_v1 import (
    InstitutionDetailsChanged,
    InstitutionRegistered,
    OutOfProvinceFilingRegistered,
    QualificationApplied,
    QualificationChanged,
    QualificationDecisionPublished,
    QualificationExpired,
    QualificationGranted,
    QualificationRenewalAccepted,
    QualificationRenewed,
    ServiceReportCardFiled,
    Source,
    StaffLeft,
    StaffRegistered,
    WorkSummarySubmitted,
)
from ohts_kit.db import Conn
from ohts_kit.workdays import WorkCalendar, china_date
from services.registry.domain.policy import RegistryPolicy
from services.registry.domain.qualification import DECISIONS, Status

# Decision event type → the status it leaves the qualification in (None: unchanged).
_STATUS_AFTER = {
    "granted": Status.GRANTED,
    "rejected": Status.REJECTED,
    "cancelled": Status.CANCELLED,
    "revoked": Status.REVOKED,
    "withdrawn": Status.WITHDRAWN,
}


class Views:
    def __init__(self, calendar: WorkCalendar, policy: RegistryPolicy) -> None:
        self.calendar = calendar
        self.policy = policy

    async def project(self, conn: Conn, env: Envelope, e: EventPayload) -> None:
        match e:
            case InstitutionRegistered():
                await conn.execute(
                    "INSERT INTO institutions_view VALUES ($1, $2, $3, $4, $5, $6, $7)"
                    " ON CONFLICT DO NOTHING",
                    e.institution_id,
                    e.uscc,
                    e.name,
                    e.kind.value,
                    e.region_code,
                    e.website,
                    e.registered_at,
                )
            case InstitutionDetailsChanged():
                await conn.execute(
                    "UPDATE institutions_view SET name = coalesce($2, name),"
                    " website = coalesce($3, website) WHERE institution_id = $1",
                    e.institution_id,
                    e.name,
                    e.website,
                )
            case QualificationApplied():
                await conn.execute(
                    "INSERT INTO qualifications_view (qualification_id, institution_id, kind,"
                    " status, scope_codes) VALUES ($1, $2, $3, 'applied', $4)"
                    " ON CONFLICT DO NOTHING",
                    e.qualification_id,
                    e.institution_id,
                    e.kind.value,
                    e.scope_codes,
                )
            case QualificationGranted():
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
            case QualificationRenewalAccepted():
                await self._set(conn, e.qualification_id, "renewal_pending = TRUE")
            case QualificationRenewed():
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
            case QualificationChanged():
                await conn.execute(
                    "UPDATE qualifications_view SET scope_codes = scope_codes || $2::text[]"
                    " WHERE qualification_id = $1",
                    e.qualification_id,
                    e.added_scope_codes,
                )
            case QualificationExpired():
                await self._set(conn, e.qualification_id, "status = 'expired'")
            case QualificationDecisionPublished():
                await conn.execute(
                    "UPDATE decisions SET published_at = $2, lag_working_days = $3,"
                    " lag_provisional = $4 WHERE decision_event_id = $1",
                    e.decision_event_id,
                    e.published_at,
                    e.lag_working_days,
                    e.provisional,
                )
            case StaffRegistered():
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
                        "INSERT INTO full_time_staff VALUES ($1, $2, $3)",
                        e.person_ref,
                        e.staff_id,
                        e.institution_id,
                    )
            case StaffLeft():
                await conn.execute(
                    "UPDATE staff_view SET active = FALSE, left_on = $2 WHERE staff_id = $1",
                    e.staff_id,
                    e.left_on,
                )
                await conn.execute("DELETE FROM full_time_staff WHERE staff_id = $1", e.staff_id)
            case OutOfProvinceFilingRegistered():
                await conn.execute(
                    "INSERT INTO filings_view VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    e.filing_id,
                    e.institution_id,
                    e.province_code,
                    e.certificate_number,
                    china_date(e.filed_at),
                )
            case WorkSummarySubmitted():
                await conn.execute(
                    "INSERT INTO work_summaries VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                    e.filing_id,
                    e.period,
                    e.submitted_on,
                    e.due_on,
                    e.late,
                )
            case ServiceReportCardFiled():
                await conn.execute(
                    "INSERT INTO report_cards VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    e.card_id,
                    e.institution_id,
                    e.report_number,
                    e.completion_date,
                    e.filed_on,
                    e.due_on,
                    e.late,
                )
        decision = DECISIONS.get(type(e))
        # Legacy imports are records of old decisions, not decisions to publish now (R3).
        if decision is not None and getattr(e, "source", None) != Source.LEGACY_IMPORT:
            await self._record_decision(conn, env, e, decision)

    async def _record_decision(self, conn: Conn, env: Envelope, e: Any, decision: str) -> None:
        """`e` is one of the DECISIONS event types: all carry the ids and `decided_at`."""
        decided = china_date(e.decided_at)
        due, provisional = self.calendar.add_working_days(
            decided, self.policy.publication_working_days
        )
        await conn.execute(
            "INSERT INTO decisions (decision_event_id, qualification_id, institution_id,"
            " decision_type, decided_at, due_on, due_provisional)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)"
            " ON CONFLICT DO NOTHING",
            str(env.event_id),
            e.qualification_id,
            e.institution_id,
            decision,
            e.decided_at,
            due,
            provisional,
        )
        status = _STATUS_AFTER.get(decision)
        if status is not None and decision != "granted":
            await self._set(
                conn,
                e.qualification_id,
                f"status = '{status.value}', renewal_pending = FALSE",
            )
        if decision == "renewal-rejected":
            await self._set(conn, e.qualification_id, "renewal_pending = FALSE")

    @staticmethod
    async def _set(conn: Conn, qualification_id: str, assignment: str) -> None:
        await conn.execute(
            f"UPDATE qualifications_view SET {assignment} WHERE qualification_id = $1",
            qualification_id,
        )
