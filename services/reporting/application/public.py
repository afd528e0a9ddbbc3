"""Public portal queries (P1–P3), each exact at a moment (P6). No query here returns contact
persons, ID numbers or unmasked names: public models carry only masked staff names."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import asyncpg
from pydantic import BaseModel, Field

from ohts_kit import regions
from ohts_kit.db import Conn
from services.reporting.application.moment import Moment
from services.reporting.domain import labels as L
from services.reporting.projections.temporal import as_of_clause

MAX_PAGE = 100


class QualificationChange(BaseModel):
    changed_on: date
    change: str
    change_label: str
    status_label: str


class PublicQualification(BaseModel):
    qualification_id: str
    certificate_number: str
    kind: str
    kind_label: str
    scope_codes: list[str]
    valid_from: date
    valid_until: date
    status: str
    status_label: str
    issuing_authority: str
    history: list[QualificationChange] = Field(default_factory=list)


class PublicInstitution(BaseModel):
    institution_id: str
    uscc: str
    name: str
    address: str
    kind: str
    kind_label: str
    region_code: str
    region_name: str
    qualifications: list[PublicQualification] = Field(default_factory=list)


class InstitutionPage(BaseModel):
    as_of: date | None
    total: int
    limit: int
    offset: int
    items: list[PublicInstitution]


class PublicFiling(BaseModel):
    filing_id: str
    province_code: str
    province_name: str
    certificate_number: str
    scope_codes: list[str]
    valid_until: date
    filed_on: date


class PublicQcResult(BaseModel):
    activity_kind_label: str
    result: str
    result_label: str
    recorded_on: date


class PublicPenalty(BaseModel):
    institution_id: str
    institution_name: str
    decision_number: str
    decided_on: date
    authority: str
    violation: str
    violation_label: str
    legal_basis: str
    penalties: list[str]
    penalty_labels: list[str]
    fine_yuan: Decimal | None
    confiscation_yuan: Decimal | None
    banned_staff: str | None = Field(None, description="masked name of a banned person")
    ban_years: int | None
    public_until: date | None
    severity_label: str = Field("", description="P2: the class as the rule in force names it")
    severity_chosen: bool = Field(False, description="chosen by the deciding authority")
    severity_basis: str | None = Field(None, description="the authority's basis for it")
    publicity_rule: str = ""


class PublicStaff(BaseModel):
    masked_name: str
    title_label: str


class InstitutionDetail(PublicInstitution):
    as_of: date | None
    filings: list[PublicFiling]
    qc_results: list[PublicQcResult]
    penalties: list[PublicPenalty]
    staff: list[PublicStaff]


class ListedInstitution(BaseModel):
    institution_id: str
    name: str
    region_name: str
    detail: str
    since: date


def _institution(row: asyncpg.Record) -> PublicInstitution:
    return PublicInstitution(
        institution_id=row["institution_id"],
        uscc=row["uscc"],
        name=row["name"],
        address=row["address"],
        kind=row["kind"],
        kind_label=L.label(L.INSTITUTION_KIND, row["kind"]),
        region_code=row["region_code"],
        region_name=regions.name_of(row["region_code"]),
    )


def region_prefix(region: str) -> str:
    """330000 → 33, 330100 → 3301, 330106 → 330106: institutions' codes start with it."""
    if region.endswith("0000"):
        return region[:2]
    return region[:4] if region.endswith("00") else region


async def search_institutions(
    conn: Conn,
    m: Moment,
    q: str | None = None,
    region: str | None = None,
    scope: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> InstitutionPage:
    """By name, USCC or certificate number (`q`), region and business scope code."""
    limit = max(1, min(limit, MAX_PAGE))
    args: list[Any] = [m.at]
    where = [as_of_clause("i", 1)]
    if q:
        # Candidates come through the trigram indexes (migration 0004): the version valid
        # at the moment matching by name or USCC, or a qualification valid then by number.
        args.append(f"%{q.strip()}%")
        n = len(args)
        where.append(
            "i.institution_id IN (SELECT m.institution_id FROM rp_institutions m"
            f" WHERE (m.name ILIKE ${n} OR m.uscc ILIKE ${n}) AND {as_of_clause('m', 1)}"
            " UNION SELECT q.institution_id FROM rp_qualifications q"
            f" WHERE q.certificate_number ILIKE ${n} AND {as_of_clause('q', 1)})"
        )
    if region:
        args.append(region_prefix(region) + "%")
        where.append(f"i.region_code LIKE ${len(args)}")
    if scope:
        args.append(scope)
        where.append(
            "EXISTS (SELECT 1 FROM rp_qualifications q WHERE q.institution_id = i.institution_id"
            f" AND {as_of_clause('q', 1)} AND ${len(args)} = ANY(q.scope_codes))"
        )
    clause = " AND ".join(where)
    # One scan for the page and its total; only a page past the end needs a count of its own.
    rows = await conn.fetch(
        f"SELECT i.*, count(*) OVER () AS matching FROM rp_institutions i WHERE {clause}"
        f" ORDER BY i.name, i.institution_id LIMIT {limit} OFFSET {max(0, offset)}",
        *args,
    )
    if rows:
        total = rows[0]["matching"]
    elif offset <= 0:
        total = 0
    else:
        total = await conn.fetchval(f"SELECT count(*) FROM rp_institutions i WHERE {clause}", *args)
    items = [_institution(r) for r in rows]
    await _attach_qualifications(conn, m, items, history=False)
    return InstitutionPage(as_of=m.as_of, total=total, limit=limit, offset=offset, items=items)


async def _attach_qualifications(
    conn: Conn, m: Moment, items: list[PublicInstitution], history: bool
) -> None:
    if not items:
        return
    by_id = {i.institution_id: i for i in items}
    rows = await conn.fetch(
        "SELECT * FROM rp_qualifications q WHERE q.institution_id = ANY($2::text[])"
        " AND q.sys_from < $1 ORDER BY q.qualification_id, q.sys_from",
        m.at,
        list(by_id),
    )
    # Versions in order: the last one before the moment is current, the others its history.
    current: dict[str, tuple[str, PublicQualification]] = {}
    for r in rows:
        q = PublicQualification(
            qualification_id=r["qualification_id"],
            certificate_number=r["certificate_number"],
            kind=r["kind"],
            kind_label=L.label(L.QUALIFICATION_KIND, r["kind"]),
            scope_codes=list(r["scope_codes"]),
            valid_from=r["valid_from"],
            valid_until=r["valid_until"],
            status=r["status"],
            status_label=L.label(L.QUALIFICATION_STATUS, r["status"]),
            issuing_authority=r["issuing_authority"],
        )
        before = current.get(r["qualification_id"])
        q.history = [*before[1].history] if before else []
        if history:
            q.history.append(
                QualificationChange(
                    changed_on=r["changed_on"],
                    change=r["change"],
                    change_label=L.label(L.QUALIFICATION_CHANGE, r["change"]),
                    status_label=q.status_label,
                )
            )
        current[r["qualification_id"]] = (r["institution_id"], q)
    for institution_id, q in sorted(current.values(), key=lambda x: x[1].valid_from, reverse=True):
        by_id[institution_id].qualifications.append(q)


def penalty_visible(alias: str, at: int, day: int) -> str:
    """P2: published, known, within its publicity period, not ended by credit repair, not
    annulled (withdrawn as soon as the annulment is known)."""
    return (
        f"{alias}.published AND {alias}.known_at < ${at} AND {alias}.decided_on <= ${day}"
        f" AND ${day} < {alias}.public_until"
        f" AND NOT ({alias}.repaired_known_at IS NOT NULL AND {alias}.repaired_known_at < ${at})"
        f" AND NOT ({alias}.annulled_known_at IS NOT NULL AND {alias}.annulled_known_at < ${at})"
    )


def _yuan(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount.quantize(Decimal("0.01"))


def _penalty(r: asyncpg.Record) -> PublicPenalty:
    return PublicPenalty(
        institution_id=r["institution_id"],
        institution_name=r["institution_name"] or "",
        decision_number=r["decision_number"],
        decided_on=r["decided_on"],
        authority=r["authority"],
        violation=r["violation"],
        violation_label=L.label(L.VIOLATION, r["violation"]),
        legal_basis=r["legal_basis"],
        penalties=list(r["penalties"]),
        penalty_labels=[L.label(L.PENALTY, p) for p in r["penalties"]],
        fine_yuan=_yuan(r["fine_yuan"]),
        confiscation_yuan=_yuan(r["confiscation_yuan"]),
        banned_staff=r["banned_staff"],
        ban_years=r["ban_years"],
        public_until=r["public_until"],
        severity_label=r["severity_name"],
        severity_chosen=r["severity_chosen"],
        severity_basis=r["severity_basis"],
        publicity_rule=r["publicity_rule"],
    )


PENALTY_SELECT = (
    "SELECT p.*, i.name AS institution_name, s.masked_name AS banned_staff FROM rp_penalties p"
    " LEFT JOIN rp_institutions i ON i.institution_id = p.institution_id"
    f" AND {as_of_clause('i', 1)}"
    " LEFT JOIN rp_staff s ON s.staff_id = p.banned_staff_id"
)


async def recent_penalties(
    conn: Conn, m: Moment, region: str | None, limit: int = 50, offset: int = 0
) -> list[PublicPenalty]:
    args: list[Any] = [m.at, m.day]
    where = penalty_visible("p", 1, 2)
    if region:
        args.append(region_prefix(region) + "%")
        where += f" AND i.region_code LIKE ${len(args)}"
    rows = await conn.fetch(
        f"{PENALTY_SELECT} WHERE {where} ORDER BY p.decided_on DESC, p.decision_number"
        f" LIMIT {max(1, min(limit, MAX_PAGE))} OFFSET {max(0, offset)}",
        *args,
    )
    return [_penalty(r) for r in rows]


async def institution_detail(
    conn: Conn, m: Moment, institution_id: str
) -> InstitutionDetail | None:
    row = await conn.fetchrow(
        f"SELECT * FROM rp_institutions i WHERE i.institution_id = $2 AND {as_of_clause('i', 1)}",
        m.at,
        institution_id,
    )
    if row is None:
        return None
    base = _institution(row)
    await _attach_qualifications(conn, m, [base], history=True)
    filings = await conn.fetch(
        "SELECT * FROM rp_filings WHERE institution_id = $2 AND known_at < $1 ORDER BY filed_on",
        m.at,
        institution_id,
    )
    results = await conn.fetch(
        "SELECT * FROM rp_qc_results WHERE institution_id = $2 AND known_at < $1"
        " ORDER BY recorded_on DESC, activity_id",
        m.at,
        institution_id,
    )
    penalties = await conn.fetch(
        f"{PENALTY_SELECT} WHERE p.institution_id = $3 AND {penalty_visible('p', 1, 2)}"
        " ORDER BY p.decided_on DESC",
        m.at,
        m.day,
        institution_id,
    )
    staff = await conn.fetch(
        "SELECT masked_name, title FROM rp_staff WHERE institution_id = $2 AND known_at < $1"
        " AND NOT (left_known_at IS NOT NULL AND left_known_at < $1) ORDER BY staff_id",
        m.at,
        institution_id,
    )
    return InstitutionDetail(
        **base.model_dump(),
        as_of=m.as_of,
        filings=[_filing(f) for f in filings],
        qc_results=[
            PublicQcResult(
                activity_kind_label=L.label(L.QC_ACTIVITY, r["activity_kind"]),
                result=r["result"],
                result_label=L.label(L.QC_RESULT, r["result"]),
                recorded_on=r["recorded_on"],
            )
            for r in results
        ],
        penalties=[_penalty(p) for p in penalties],
        staff=[
            PublicStaff(
                masked_name=s["masked_name"], title_label=L.label(L.STAFF_TITLE, s["title"])
            )
            for s in staff
        ],
    )


def _filing(f: asyncpg.Record) -> PublicFiling:
    return PublicFiling(
        filing_id=f["filing_id"],
        province_code=f["province_code"],
        province_name=regions.name_of(f["province_code"]),
        certificate_number=f["certificate_number"],
        scope_codes=list(f["scope_codes"]),
        valid_until=f["valid_until"],
        filed_on=f["filed_on"],
    )


async def _listed(
    conn: Conn,
    m: Moment,
    region: str | None,
    source: str,
    condition: str,
    order: str,
    detail: Callable[[asyncpg.Record], str],
    since: str,
) -> list[ListedInstitution]:
    """A public list: rows of `source` (alias x, versioned) meeting `condition` at the moment,
    with their institution as it was then, optionally within a region."""
    args: list[Any] = [m.at]
    where = f"{as_of_clause('x', 1)} AND {condition}"
    if region:
        args.append(region_prefix(region) + "%")
        where += f" AND i.region_code LIKE ${len(args)}"
    rows = await conn.fetch(
        f"SELECT x.*, i.name, i.region_code FROM {source} x JOIN rp_institutions i"
        f" ON i.institution_id = x.institution_id AND {as_of_clause('i', 1)}"
        f" WHERE {where} ORDER BY {order}, i.name",
        *args,
    )
    return [
        ListedInstitution(
            institution_id=r["institution_id"],
            name=r["name"],
            region_name=regions.name_of(r["region_code"]),
            detail=detail(r),
            since=r[since],
        )
        for r in rows
    ]


async def qc_public_list(conn: Conn, m: Moment, region: str | None) -> list[ListedInstitution]:
    """Q6/P2: institutions that failed (or refused) annual QC and did not rectify."""
    return await _listed(
        conn,
        m,
        region,
        "rp_annual_qc",
        "x.on_public_list",
        "x.year DESC",
        lambda r: f"{r['year']}年度省级质控{L.label(L.QC_RESULT, r['result'])}，未按要求整改",
        "concluded_on",
    )


async def revoked_certificates(
    conn: Conn, m: Moment, region: str | None
) -> list[ListedInstitution]:
    return await _listed(
        conn,
        m,
        region,
        "rp_qualifications",
        "x.status = 'revoked'",
        "x.changed_on DESC",
        lambda r: (
            f"资质证书 {r['certificate_number']}"
            f"（{L.label(L.QUALIFICATION_KIND, r['kind'])}）已吊销"
        ),
        "changed_on",
    )
