"""Public queries over the directory read model."""

from __future__ import annotations

from datetime import date

import asyncpg
from pydantic import BaseModel, Field

from ohts_kit.db import Conn

# UI text (Chinese) for contract enum values; the reporting service owns its presentation.
INSTITUTION_KIND_LABELS = {
    "occupational-health-service": "职业卫生技术服务机构",
    "radiological-health-service": "放射卫生技术服务机构",
    "health-examination": "职业健康检查机构",
    "diagnosis": "职业病诊断机构",
}
QUALIFICATION_KIND_LABELS = {"occupational-health": "职业卫生", "radiological-health": "放射卫生"}
STATUS_LABELS = {
    "granted": "有效",
    "renewal-pending": "延续审查中（有效）",
    "cancelled": "已注销",
    "revoked": "已吊销",
    "withdrawn": "已撤销",
    "expired": "已过期",
}

MAX_PAGE = 100


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
    total: int
    limit: int
    offset: int
    items: list[PublicInstitution]


async def search_institutions(
    conn: Conn,
    q: str | None = None,
    region: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> InstitutionPage:
    """Search by name, USCC or certificate number (`q`) and region prefix."""
    limit = max(1, min(limit, MAX_PAGE))
    where = ["TRUE"]
    args: list[object] = []
    if q:
        args.append(f"%{q.strip()}%")
        where.append(
            f"(i.name ILIKE ${len(args)} OR i.uscc ILIKE ${len(args)} OR EXISTS ("
            f"SELECT 1 FROM directory_qualifications dq WHERE dq.institution_id = i.institution_id"
            f" AND dq.certificate_number ILIKE ${len(args)}))"
        )
    if region:
        args.append(region.rstrip("0") + "%")
        where.append(f"i.region_code LIKE ${len(args)}")
    clause = " AND ".join(where)
    total = await conn.fetchval(
        f"SELECT count(*) FROM directory_institutions i WHERE {clause}", *args
    )
    rows = await conn.fetch(
        f"SELECT * FROM directory_institutions i WHERE {clause}"
        f" ORDER BY i.name, i.institution_id LIMIT {limit} OFFSET {max(0, offset)}",
        *args,
    )
    items = [_institution(r) for r in rows]
    await _attach_qualifications(conn, items)
    return InstitutionPage(total=total, limit=limit, offset=offset, items=items)


async def get_institution(conn: Conn, institution_id: str) -> PublicInstitution | None:
    row = await conn.fetchrow(
        "SELECT * FROM directory_institutions WHERE institution_id = $1", institution_id
    )
    if row is None:
        return None
    item = _institution(row)
    await _attach_qualifications(conn, [item])
    return item


def _institution(row: asyncpg.Record) -> PublicInstitution:
    return PublicInstitution(
        institution_id=row["institution_id"],
        uscc=row["uscc"],
        name=row["name"],
        address=row["address"],
        kind=row["kind"],
        kind_label=INSTITUTION_KIND_LABELS.get(row["kind"], row["kind"]),
        region_code=row["region_code"],
        region_name=row["region_name"],
    )


async def _attach_qualifications(conn: Conn, items: list[PublicInstitution]) -> None:
    if not items:
        return
    by_id = {i.institution_id: i for i in items}
    rows = await conn.fetch(
        "SELECT * FROM directory_qualifications WHERE institution_id = ANY($1::text[])"
        " ORDER BY valid_from DESC",
        list(by_id),
    )
    for r in rows:
        by_id[r["institution_id"]].qualifications.append(
            PublicQualification(
                qualification_id=r["qualification_id"],
                certificate_number=r["certificate_number"],
                kind=r["kind"],
                kind_label=QUALIFICATION_KIND_LABELS.get(r["kind"], r["kind"]),
                scope_codes=list(r["scope_codes"]),
                valid_from=r["valid_from"],
                valid_until=r["valid_until"],
                status=r["status"],
                status_label=STATUS_LABELS.get(r["status"], r["status"]),
                issuing_authority=r["issuing_authority"],
            )
        )
