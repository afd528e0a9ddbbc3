"""What enforcement learns from registry events: institutions, their certificates with each
qualification's own lifecycle, and out-of-province filings (for the draw universe, E1)."""

from __future__ import annotations

from typing import Any

from contracts import registry_v1 as reg
from contracts.envelope import Envelope, EventPayload
from ohts_kit.db import Conn
from ohts_kit.handlers import EventHandlers

known: EventHandlers[Any] = EventHandlers("enforcement-known")

known.ignore(
    reg.QualificationApplied,
    reg.QualificationReviewStarted,
    reg.QualificationRejected,
    reg.QualificationRenewalAccepted,
    reg.QualificationRenewalRejected,
    why="only granted qualifications count for the draw universe; steps before a decision"
    " (and a refused renewal, which leaves the qualification as it is) change nothing",
)
known.ignore(
    reg.QualificationChanged,
    reg.QualificationDecisionPublished,
    why="a change of scope or details, or a decision's publication, leaves the qualification"
    " granted or ended as it was",
)
known.ignore(
    reg.InstitutionDetailsChanged,
    reg.InstitutionConditionsChanged,
    why="enforcement needs an institution's region, which these do not change",
)
known.ignore(
    reg.StaffLeft,
    reg.PersonalDataErased,
    why="a penalty on a person names the keyed hash, which neither leaving nor erasure of"
    " the clear data changes (enforcement never holds a name in clear)",
)


@known.on(reg.StaffRegistered)
async def staff_registered(_: object, conn: Conn, __: Envelope, e: reg.StaffRegistered) -> None:
    """E6: whom a case or a practice ban may target, by the registry's keyed hash."""
    await conn.execute(
        "INSERT INTO known_staff (staff_id, person_ref, institution_id, masked_name)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        e.staff_id,
        e.person_ref,
        e.institution_id,
        e.masked_name,
    )


known.ignore(
    reg.WorkSummarySubmitted,
    reg.ServiceReportCardFiled,
    reg.SelfInspectionCampaignLaunched,
    reg.SelfInspectionReported,
    why="filings and self-inspections are the registry's; enforcement finds unreported"
    " projects on its own inspections",
)


@known.on(reg.InstitutionRegistered)
async def institution_registered(
    _: object, conn: Conn, __: Envelope, e: reg.InstitutionRegistered
) -> None:
    await conn.execute(
        "INSERT INTO known_institutions (institution_id, name, region_code) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING",
        e.institution_id,
        e.name,
        e.region_code,
    )


@known.on(reg.QualificationGranted, reg.QualificationRenewed)
async def granted(
    _: object, conn: Conn, __: Envelope, e: reg.QualificationGranted | reg.QualificationRenewed
) -> None:
    await conn.execute(
        "INSERT INTO known_certificates (certificate_number, institution_id, qualification_id,"
        " status) VALUES ($1, $2, $3, 'granted') ON CONFLICT (certificate_number)"
        " DO UPDATE SET status = 'granted', qualification_id = $3",
        e.certificate_number,
        e.institution_id,
        e.qualification_id,
    )


# How a qualification's life ends; it ends alone, not with the institution's others.
ENDS: dict[type[EventPayload], str] = {
    reg.QualificationRevoked: "revoked",
    reg.QualificationExpired: "expired",
    reg.QualificationCancelled: "cancelled",
    reg.QualificationWithdrawn: "withdrawn",
}


@known.on(*ENDS)
async def ended(
    _: object,
    conn: Conn,
    __: Envelope,
    e: reg.QualificationRevoked
    | reg.QualificationExpired
    | reg.QualificationCancelled
    | reg.QualificationWithdrawn,
) -> None:
    await conn.execute(
        "UPDATE known_certificates SET status = $2 WHERE qualification_id = $1",
        e.qualification_id,
        ENDS[type(e)],
    )


@known.on(reg.OutOfProvinceFilingRegistered)
async def filed(_: object, conn: Conn, __: Envelope, e: reg.OutOfProvinceFilingRegistered) -> None:
    await conn.execute(
        "INSERT INTO known_filings (filing_id, institution_id, province_code)"
        " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        e.filing_id,
        e.institution_id,
        e.province_code,
    )


async def active_institutions(conn: Conn, jurisdiction: str, prefix: str) -> list[str]:
    """E1: institutions of the jurisdiction holding a granted certificate, and, for a
    province, those that filed out-of-province work into it."""
    rows = await conn.fetch(
        "SELECT DISTINCT i.institution_id FROM known_institutions i"
        " JOIN known_certificates k USING (institution_id)"
        " WHERE k.status = 'granted' AND i.region_code LIKE $1",
        prefix + "%",
    )
    active = [r["institution_id"] for r in rows]
    if jurisdiction.endswith("0000"):
        rows = await conn.fetch(
            "SELECT DISTINCT institution_id FROM known_filings WHERE province_code = $1",
            jurisdiction,
        )
        active += [r["institution_id"] for r in rows]
    return active
