"""Public portal queries (P1–P3), each exact at a moment (P6). No query here returns contact
persons, ID numbers or unmasked names: public models carry only masked staff names."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import asyncpg
from pydantic import BaseModel, Field

from ohts_kit import regions
from ohts_kit.db import Conn
from services.reporting.application.moment import Moment
from services.reporting.domain import disclosure as D
from services.reporting.domain import labels as L
from services.reporting.domain import vocabulary as V
from services.reporting.projections.temporal import as_of_clause

MAX_PAGE = 100
Window = tuple[int, int]  # (limit, offset) of a page of rows


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
    scope_names: list[str]
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
    legal_representative: str = Field(description="法定代表人, as registered")
    address: str
    kind: str
    kind_label: str
    region_code: str
    region_name: str
    qualifications: list[PublicQualification] = Field(default_factory=list)


class Paging(BaseModel):
    as_of: date | None
    total: int = Field(description="rows matching the filters; page on with offset")
    limit: int
    offset: int
    sort: str
    order: str


class InstitutionPage(Paging):
    items: list[PublicInstitution]


class PublicFiling(BaseModel):
    filing_id: str
    province_code: str
    province_name: str
    certificate_number: str
    scope_codes: list[str]
    scope_names: list[str]
    valid_until: date
    filed_on: date


class PublicQcResult(BaseModel):
    activity_kind_label: str
    result: str
    result_label: str
    recorded_on: date


class PublicPenalty(BaseModel):
    """A public decision with every field of the 双公示 administrative-penalty standard
    (disclosure.PENALTY_FIELDS names them in Chinese, in the standard's order)."""

    institution_id: str
    institution_name: str = Field(description="行政相对人名称")
    subject_category: str = Field(D.SUBJECT_CATEGORY, description="行政相对人类别")
    uscc: str = Field(description="统一社会信用代码")
    legal_representative: str = Field(description="法定代表人")
    decision_number: str = Field(description="行政处罚决定书文号")
    decided_on: date = Field(description="处罚决定日期")
    authority: str = Field(description="处罚机关")
    authority_uscc: str = Field("", description="处罚机关统一社会信用代码 (not in the events)")
    violation: str
    violation_label: str = Field(description="违法行为类型")
    violation_facts: str = Field(description="违法事实, from the case's investigation")
    legal_basis: str = Field(description="处罚依据")
    penalties: list[str]
    penalty_labels: list[str]
    category_text: str = Field(description="处罚类别")
    penalty_content: str = Field(description="处罚内容")
    fine_yuan: Decimal | None
    fine_wan_yuan: Decimal | None = Field(description="罚款金额（万元）")
    confiscation_yuan: Decimal | None
    confiscation_wan_yuan: Decimal | None = Field(
        description="没收违法所得、没收非法财物的金额（万元）"
    )
    licence_revoked: str = Field(description="暂扣或吊销证照名称及编号")
    banned_staff: str | None = Field(None, description="masked name of a banned person")
    ban_years: int | None
    effective_until: date | None = Field(description="处罚有效期 (2099-12-31: long-term)")
    public_until: date | None = Field(description="公示截止期")
    data_source: str = Field(description="数据来源单位 (the deciding authority)")
    data_source_uscc: str = Field("", description="数据来源单位统一社会信用代码")
    remarks: str = Field("", description="备注")
    severity_label: str = Field("", description="P2: the class as the rule in force names it")
    severity_chosen: bool = Field(False, description="chosen by the deciding authority")
    severity_basis: str | None = Field(None, description="the authority's basis for it")
    publicity_rule: str = ""


class PenaltyPage(Paging):
    items: list[PublicPenalty]


class PublicStaff(BaseModel):
    masked_name: str
    title_label: str


class InstitutionDetail(PublicInstitution):
    as_of: date | None
    filings: list[PublicFiling]
    qc_results: list[PublicQcResult]
    penalties: list[PublicPenalty] = Field(
        description="in their publicity period, newest first; one page of them"
    )
    penalties_total: int = Field(description="all of them (penalties_limit/offset page)")
    staff: list[PublicStaff]


class ListedInstitution(BaseModel):
    institution_id: str
    name: str
    uscc: str
    region_code: str
    region_name: str
    detail: str
    since: date


class ListedPage(Paging):
    items: list[ListedInstitution]


def _institution(row: asyncpg.Record) -> PublicInstitution:
    return PublicInstitution(
        institution_id=row["institution_id"],
        uscc=row["uscc"],
        name=row["name"],
        legal_representative=row["legal_representative"],
        address=row["address"],
        kind=row["kind"],
        kind_label=L.label(L.INSTITUTION_KIND, row["kind"]),
        region_code=row["region_code"],
        region_name=regions.name_of(row["region_code"]),
    )


def region_prefix(region: str) -> str:
    """330000 → 33, 330100 → 3301, 330106 → 330106: institutions' codes start with it."""
    return regions.prefix(region)


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
            scope_names=[V.scope_name(c) for c in r["scope_codes"]],
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
    penalties = list(r["penalties"])
    return PublicPenalty(
        institution_id=r["institution_id"],
        institution_name=r["institution_name"] or "",
        uscc=r["uscc"] or "",
        legal_representative=r["legal_representative"] or "",
        decision_number=r["decision_number"],
        decided_on=r["decided_on"],
        authority=r["authority"],
        violation=r["violation"],
        violation_label=L.label(L.VIOLATION, r["violation"]),
        violation_facts=D.scrub(r["facts"]),
        legal_basis=r["legal_basis"],
        penalties=penalties,
        penalty_labels=[L.label(L.PENALTY, p) for p in penalties],
        category_text="、".join(L.label(L.PENALTY, p) for p in penalties),
        penalty_content=D.penalty_content(
            penalties,
            r["fine_yuan"],
            r["confiscation_yuan"],
            r["certificate_number"],
            r["banned_staff"],
            r["ban_years"],
        ),
        fine_yuan=_yuan(r["fine_yuan"]),
        fine_wan_yuan=D.wan_yuan(r["fine_yuan"]),
        confiscation_yuan=_yuan(r["confiscation_yuan"]),
        confiscation_wan_yuan=D.wan_yuan(r["confiscation_yuan"]),
        licence_revoked=D.licence_revoked(penalties, r["certificate_number"]),
        banned_staff=r["banned_staff"],
        ban_years=r["ban_years"],
        effective_until=D.effective_until(r["decided_on"], penalties, r["ban_years"]),
        public_until=r["public_until"],
        data_source=r["authority"],
        remarks=f"禁止从业人员：{r['banned_staff']}" if r["banned_staff"] else "",
        severity_label=r["severity_name"],
        severity_chosen=r["severity_chosen"],
        severity_basis=r["severity_basis"],
        publicity_rule=r["publicity_rule"],
    )


PENALTY_SELECT = (
    "SELECT p.*, i.name AS institution_name, i.uscc, i.legal_representative, i.region_code,"
    " c.facts, s.masked_name AS banned_staff FROM rp_penalties p"
    " LEFT JOIN rp_institutions i ON i.institution_id = p.institution_id"
    f" AND {as_of_clause('i', 1)}"
    " LEFT JOIN rp_cases c ON c.case_id = p.case_id"
    " LEFT JOIN rp_staff s ON s.staff_id = p.banned_staff_id"
)


async def institution_detail(
    conn: Conn, m: Moment, institution_id: str, penalties: Window = (MAX_PAGE, 0)
) -> InstitutionDetail | None:
    """The credit record; `penalties` is the (limit, offset) of its penalties shown: an
    institution found at fault often would otherwise make a page of megabytes."""
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
    visible = (
        f"WHERE p.institution_id = $3 AND {penalty_visible('p', 1, 2)}"
        " AND NOT p.on_person"  # E6: persons' are not its own
    )
    shown = await conn.fetch(
        f"{PENALTY_SELECT} {visible} ORDER BY p.decided_on DESC, p.case_id LIMIT $4 OFFSET $5",
        m.at,
        m.day,
        institution_id,
        *penalties,
    )
    total = len(shown) + penalties[1]
    if len(shown) == penalties[0] or (not shown and penalties[1]):
        total = await conn.fetchval(
            f"SELECT count(*) FROM rp_penalties p {visible}", m.at, m.day, institution_id
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
        penalties=[_penalty(p) for p in shown],
        penalties_total=total,
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
        scope_names=[V.scope_name(c) for c in f["scope_codes"]],
        valid_until=f["valid_until"],
        filed_on=f["filed_on"],
    )
