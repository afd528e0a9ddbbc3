"""What enforcement learns from registry events: institutions, their certificates with each
qualification's own lifecycle, and out-of-province filings (for the draw universe, E1)."""

from __future__ import annotations

from datetime import date
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
    why="enforcement needs an institution's region, which this does not change",
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
        "INSERT INTO known_filings (filing_id, institution_id, province_code,"
        " work_region_code, valid_until) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        e.filing_id,
        e.institution_id,
        e.province_code,
        e.work_region_code,
        e.valid_until,
    )


@known.on(reg.ServiceReportCardFiled, reg.UnfiledWorkDetected)
async def worked(
    _: object,
    conn: Conn,
    __: Envelope,
    e: reg.ServiceReportCardFiled | reg.UnfiledWorkDetected,
) -> None:
    """E1: where an institution worked, by its report cards (the client's region)."""
    region = (
        e.client_region_code if isinstance(e, reg.ServiceReportCardFiled) else e.work_region_code
    )
    await conn.execute(
        "INSERT INTO known_work_places (institution_id, region_code) VALUES ($1, $2)"
        " ON CONFLICT DO NOTHING",
        e.institution_id,
        region,
    )


@known.on(reg.InstitutionConditionsChanged)
async def conditions(
    _: object, conn: Conn, __: Envelope, e: reg.InstitutionConditionsChanged
) -> None:
    """R6a: a flagged institution draws with a raised weight (domain/draw RAISE_FACTOR)."""
    await conn.execute(
        "INSERT INTO known_conditions (institution_id, conditions_met, unmet, changed_on)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (institution_id) DO UPDATE"
        " SET conditions_met = $2, unmet = $3, changed_on = $4",
        e.institution_id,
        e.conditions_met,
        e.unmet,
        e.changed_on,
    )


# E1 at any level (province, city, district; prefix is what its region codes start with):
# local institutions holding a granted certificate; out-of-area institutions with a valid
# filing into the province that work in the jurisdiction (the filing's work place, or a
# report card there; a province plan takes every filing into it); and institutions found
# working there without a filing (an unfiled-work lead of the jurisdiction).
UNIVERSE = """
SELECT i.institution_id FROM known_institutions i
  JOIN known_certificates k USING (institution_id)
 WHERE k.status = 'granted' AND i.region_code LIKE $1 || '%'
UNION
SELECT f.institution_id FROM known_filings f
 WHERE f.province_code = $2 AND (f.valid_until IS NULL OR f.valid_until >= $3)
   AND ($2 = $4 OR f.work_region_code LIKE $1 || '%' OR EXISTS (
        SELECT 1 FROM known_work_places w
         WHERE w.institution_id = f.institution_id AND w.region_code LIKE $1 || '%'))
UNION
SELECT l.institution_id FROM leads l
 WHERE l.source = 'unfiled-work' AND l.jurisdiction_region_code LIKE $1 || '%'
"""


async def active_institutions(conn: Conn, jurisdiction: str, prefix: str, today: date) -> list[str]:
    """E1: the draw universe of a jurisdiction at any level (see UNIVERSE)."""
    province = jurisdiction[:2] + "0000"
    rows = await conn.fetch(UNIVERSE, prefix, province, today, jurisdiction)
    return sorted(r["institution_id"] for r in rows)


async def raised_weights(conn: Conn, universe: list[str]) -> dict[str, str]:
    """R6a: institutions whose conditions are flagged as no longer met, and what is unmet."""
    rows = await conn.fetch(
        "SELECT institution_id, unmet FROM known_conditions"
        " WHERE NOT conditions_met AND institution_id = ANY($1)",
        universe,
    )
    return {r["institution_id"]: "资质条件变化：" + "、".join(r["unmet"]) for r in rows}
