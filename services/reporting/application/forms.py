"""The statistical forms (P4) computed from the read models at a moment (P6).

Hangzhou 附表1 and 附表2 (seed 000), Yunnan 附表1–附表4 (seed 001; 附表1 in form_capability),
for one jurisdiction and period. Where the seed leaves a definition open, the choice is
written here.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from ohts_kit import regions
from ohts_kit.db import Conn
from services.reporting.application.form_capability import yunnan_1
from services.reporting.application.moment import Moment
from services.reporting.application.public import region_prefix
from services.reporting.domain.forms import DASH, Cell, Form, H, WanYuan, wan_yuan
from services.reporting.projections.temporal import as_of_clause

# 附表2 violation columns: the controlled vocabulary (the `violation` codes of the statutory
# table) mapped to the form's columns as data; violations by a person are counted in the
# 技术人员 row, the rest by institution.
HZ2_VIOLATIONS = Path(__file__).parent.parent / "data" / "hz2_violations.csv"
OH_KIND = "occupational-health-service"  # the occupational-health form counts these only
HZ2_COLUMN_ORDER = ("unqualified", "certificate", "false-report", "work", "staff-management", "ban")


@cache
def hz2_mapping() -> dict[str, tuple[str, str]]:
    """violation -> (row: institution | person, column)."""
    with HZ2_VIOLATIONS.open(encoding="utf-8") as f:
        return {r["violation"]: (r["row"], r["column"]) for r in csv.DictReader(f)}


def _person_violations() -> frozenset[str]:
    return frozenset(v for v, (row, _) in hz2_mapping().items() if row == "person")


HZ2_NOTES = [
    "说明：外地职业卫生技术服务机构是指在本辖区从事职业卫生技术服务的辖区以外注册的机构。",
    "统计口径：本表只统计职业卫生技术服务机构（放射卫生技术服务机构不计入）；"
    "本地、外地按机构注册地区分；辖区单位数为统计期内至少一日持有效资质的本地机构。",
    "案件及处罚按作出决定的执法机关所在辖区统计（违法行为发生地查处的外地机构计入外地机构）；"
    "未在本省备案而在本辖区开展技术服务被发现的外地机构，计入外地机构辖区单位数及其违法情况。",
    "已被撤销或变更的处罚决定自撤销之日起不计入；违法类型按统一违法行为代码归类，"
    "违法事实另行记录；罚款、没收违法所得以万元为单位，保留四位小数。",
]


async def hangzhou_1(conn: Conn, m: Moment, jurisdiction: str, start: date, end: date) -> Form:
    """附表1: self-inspection reports submitted in the period by institutions of the region."""
    rows = await conn.fetch(
        "SELECT s.*, i.name, i.address FROM rp_self_inspections s JOIN rp_institutions i"
        f" ON i.institution_id = s.institution_id AND {as_of_clause('i', 1)}"
        " WHERE s.known_at < $1 AND i.region_code LIKE $2 AND s.submitted_on BETWEEN $3 AND $4"
        " ORDER BY s.submitted_on, i.name",
        m.at,
        region_prefix(jurisdiction) + "%",
        start,
        end,
    )
    form = Form(
        code="hangzhou-1",
        title="职业卫生技术服务执业行为自查情况登记表",
        jurisdiction=jurisdiction,
        period_from=start,
        period_to=end,
        as_of=m.as_of,
        preamble=[f"填报单位：{regions.name_of(jurisdiction)}卫生健康监督部门"],
        columns=[
            H("序号"),
            H("职业卫生技术服务机构名称"),
            H("地址"),
            H("技术服务人员数"),
            H("技术服务业务量", "检测报告出具数", "现状评价报告出具数"),
            H("发现问题数", "检测报告数", "现状评价报告数"),
            H("备注"),
        ],
        notes=["说明：出具报告数按照自查期间在辖区的业务量上报。"],
    )
    for n, r in enumerate(rows, start=1):
        remark = "；".join([*r["problems"], *([r["notes"]] if r["notes"] else [])])
        if r["late"]:
            remark = "逾期报送" + (f"；{remark}" if remark else "")
        form.rows.append(
            [
                n,
                r["name"],
                r["address"],
                r["technical_staff"],
                r["detection_reports"],
                r["evaluation_reports"],
                r["detection_report_problems"],
                r["evaluation_report_problems"],
                remark,
            ]
        )
    return form


HZ2_COLUMNS = [
    H("行为主体类别"),
    H("辖区单位数（人数）"),
    H("违法单位数（人数）"),
    H(
        "不合格情况",
        H(
            "资质证书",
            "无资质或超范围擅自从事检测、评价服务数",
            "涂改、倒卖、出租、出借或其他形式非法转让资质证书单位数",
        ),
        H(
            "技术服务规范性",
            "出具虚假或失实技术报告数",
            "不符合技术服务相关工作要求数",
            "不符合专业技术人员管理要求数",
        ),
        H("个人行为", "禁业行为"),
    ),
    H("行政处罚情况", "案件查处数", "警告数", "罚款（万元）", "没收违法所得（万元）"),
]
# Cells the seed marks —— in the 技术人员 row (columns counted from 0 after the label).
HZ2_STAFF_DASHES = frozenset({2, 3, 6, 11})


async def hangzhou_2(conn: Conn, m: Moment, jurisdiction: str, start: date, end: date) -> Form:
    """附表2: the campaign's result for the jurisdiction over the period, counted by the
    rules written in HZ2_NOTES (they are printed under the form)."""
    prefix = region_prefix(jurisdiction) + "%"
    local, outside, staff = await _hz2_universes(conn, m, prefix, start, end)
    by_row, case_count = await _hz2_decisions(conn, m, prefix, start, end)
    rows = {
        "本地\n机构": _hz2_cells("local", local, by_row, case_count),
        "外地\n机构": _hz2_cells("outside", outside, by_row, case_count),
        "技术\n人员": _hz2_cells("staff", staff, by_row, case_count),
    }
    total: list[Cell] = [_sum(column) for column in zip(*rows.values(), strict=True)]
    return Form(
        code="hangzhou-2",
        title="职业卫生技术服务执业行为专项治理情况登记表",
        jurisdiction=jurisdiction,
        period_from=start,
        period_to=end,
        as_of=m.as_of,
        preamble=[f"填报单位：{regions.name_of(jurisdiction)}卫生健康监督部门"],
        columns=HZ2_COLUMNS,
        rows=[[label, *values] for label, values in [*rows.items(), ("合计", total)]],
        notes=list(HZ2_NOTES),
    )


# A qualification in force on at least one day of the period (world dates): valid dates
# overlapping it, and not ended (revoked, cancelled...) before the period began.
_IN_FORCE = (
    "q.valid_from <= $4 AND q.valid_until >= $3"
    " AND (q.status IN ('granted', 'renewal-pending') OR q.changed_on >= $3)"
)


async def _hz2_universes(
    conn: Conn, m: Moment, prefix: str, start: date, end: date
) -> tuple[int, int, int]:
    """辖区单位数（人数）: local and out-of-area occupational-health institutions, staff."""
    local = await conn.fetchval(
        f"SELECT count(*) FROM rp_institutions i WHERE {as_of_clause('i', 1)}"
        " AND i.region_code LIKE $2 AND i.kind = $5 AND EXISTS (SELECT 1 FROM"
        f" rp_qualifications q WHERE q.institution_id = i.institution_id AND {as_of_clause('q', 1)}"
        f" AND {_IN_FORCE})",
        m.at,
        prefix,
        start,
        end,
        OH_KIND,
    )
    outside = await conn.fetchval(
        "SELECT count(DISTINCT x.institution_id) FROM ("
        " SELECT institution_id FROM rp_report_cards WHERE known_at < $1"
        "  AND client_region_code LIKE $2 AND completion_date BETWEEN $3 AND $4"
        " UNION SELECT institution_id FROM rp_cases WHERE known_at < $1"
        "  AND jurisdiction_code LIKE $2 AND opened_on BETWEEN $3 AND $4) x"
        f" JOIN rp_institutions i ON i.institution_id = x.institution_id AND {as_of_clause('i', 1)}"
        " WHERE i.region_code NOT LIKE $2 AND i.kind = $5",
        m.at,
        prefix,
        start,
        end,
        OH_KIND,
    )
    staff = await conn.fetchval(
        "SELECT count(*) FROM rp_staff s JOIN rp_institutions i"
        f" ON i.institution_id = s.institution_id AND {as_of_clause('i', 1)}"
        " WHERE s.known_at < $1 AND s.registered_on <= $3 AND i.region_code LIKE $2"
        " AND i.kind = $4"
        " AND NOT (s.left_known_at IS NOT NULL AND s.left_known_at < $1 AND s.left_on <= $3)",
        m.at,
        prefix,
        end,
        OH_KIND,
    )
    return local, outside, staff


async def _hz2_decisions(
    conn: Conn, m: Moment, prefix: str, start: date, end: date
) -> tuple[dict[str, list[Any]], dict[str, int]]:
    """The period's penalties (annulled ones excluded from their annulment on) and the number
    of its cases, by row (local, outside, staff), for occupational-health institutions."""
    penalties = await conn.fetch(
        "SELECT p.*, i.region_code FROM rp_penalties p JOIN rp_institutions i"
        f" ON i.institution_id = p.institution_id AND {as_of_clause('i', 1)}"
        " WHERE p.known_at < $1 AND p.jurisdiction_code LIKE $2 AND p.decided_on BETWEEN $3 AND $4"
        " AND i.kind = $5"
        " AND NOT (p.annulled_known_at IS NOT NULL AND p.annulled_known_at < $1)",
        m.at,
        prefix,
        start,
        end,
        OH_KIND,
    )
    cases = await conn.fetch(
        "SELECT c.violation, c.institution_id, i.region_code FROM rp_cases c JOIN rp_institutions i"
        f" ON i.institution_id = c.institution_id AND {as_of_clause('i', 1)}"
        " WHERE c.known_at < $1 AND c.jurisdiction_code LIKE $2 AND c.opened_on BETWEEN $3 AND $4"
        " AND i.kind = $5",
        m.at,
        prefix,
        start,
        end,
        OH_KIND,
    )
    persons = _person_violations()

    def row_of(violation: str, region_code: str) -> str:
        if violation in persons:
            return "staff"
        return "local" if region_code.startswith(prefix[:-1]) else "outside"

    by_row: dict[str, list[Any]] = defaultdict(list)
    for p in penalties:
        by_row[row_of(p["violation"], p["region_code"])].append(p)
    case_count: dict[str, int] = defaultdict(int)
    for c in cases:
        case_count[row_of(c["violation"], c["region_code"])] += 1
    return by_row, case_count


def _hz2_cells(
    kind: str, universe: int, by_row: dict[str, list[Any]], case_count: dict[str, int]
) -> list[Cell]:
    ps = by_row[kind]
    offenders = {
        (p["banned_staff_id"] or p["case_id"]) if kind == "staff" else p["institution_id"]
        for p in ps
    }
    mapping = hz2_mapping()
    counts: list[Cell] = []
    for column in HZ2_COLUMN_ORDER:
        hits = [p for p in ps if mapping.get(p["violation"], ("", ""))[1] == column]
        # The certificate column counts units (单位数); the others count decisions (数).
        counts.append(
            len({p["institution_id"] for p in hits}) if column == "certificate" else len(hits)
        )
    values: list[Cell] = [
        universe,
        len(offenders),
        *counts,
        case_count[kind],
        sum(1 for p in ps if "warning" in p["penalties"]),
        wan_yuan(sum((p["fine_yuan"] or Decimal(0) for p in ps), Decimal(0))),
        wan_yuan(sum((p["confiscation_yuan"] or Decimal(0) for p in ps), Decimal(0))),
    ]
    if kind == "staff":
        values = [DASH if i in HZ2_STAFF_DASHES else v for i, v in enumerate(values)]
    return values


def _sum(cells: tuple[Cell, ...]) -> Cell:
    """合计: the sum of a column's numbers (a —— cell counts nothing); 万元 stay 万元."""
    if any(isinstance(cell, WanYuan) for cell in cells):
        return WanYuan(sum((c for c in cells if isinstance(c, Decimal)), Decimal(0)))
    total: int | Decimal = 0
    for cell in cells:
        if isinstance(cell, int | Decimal):
            total += cell
    return total


async def yunnan_2(conn: Conn, m: Moment, jurisdiction: str, start: date, end: date) -> Form:
    """附表2: out-of-province institutions filed with the province in the period."""
    province = regions.province_of(jurisdiction)
    rows = await conn.fetch(
        "SELECT f.*, i.name, i.address, i.legal_representative, i.nature,"
        " (SELECT q.valid_from FROM rp_qualifications q WHERE"
        f"  q.certificate_number = f.certificate_number AND {as_of_clause('q', 1)} LIMIT 1)"
        "  AS valid_from FROM rp_filings f JOIN rp_institutions i"
        f" ON i.institution_id = f.institution_id AND {as_of_clause('i', 1)}"
        " WHERE f.known_at < $1 AND f.province_code = $2 AND f.filed_on BETWEEN $3 AND $4"
        " ORDER BY f.filed_on, i.name",
        m.at,
        province,
        start,
        end,
    )
    form = Form(
        code="yunnan-2",
        title=f"{regions.name_of(province)}外职业（放射）卫生技术服务机构登记表",
        jurisdiction=jurisdiction,
        period_from=start,
        period_to=end,
        as_of=m.as_of,
        columns=[
            H("机构名称"),
            H("注册地址"),
            H("法人代表"),
            H("单位性质"),
            H("联系人"),
            H("联系电话"),
            H("资质证书", "批准机构", "证书编号", "有效期"),
            H("业务范围"),
            H("承办单位"),
            H("登记日期"),
        ],
        notes=[
            "备注：每年1月31日和7月31日前质控中心和技术服务工作地卫生健康主管部门将省外职业"
            "（放射）卫生技术服务机构登记和工作开展情况报省卫生健康委职业健康处。"
        ],
    )
    for r in rows:
        contacts = json.loads(r["contacts"])
        validity = f"{r['valid_from'] or ''}至{r['valid_until']}"
        form.rows.append(
            [
                r["name"],
                r["address"],
                r["legal_representative"],
                r["nature"],
                "、".join(c["name"] for c in contacts),
                "、".join(c["phone"] for c in contacts),
                r["issuing_authority"],
                r["certificate_number"],
                validity,
                "、".join(r["scope_codes"]),
                r["receiving_qc_centre"],
                r["filed_on"],
            ]
        )
    return form


async def yunnan_3(conn: Conn, m: Moment, jurisdiction: str, start: date, end: date) -> Form:
    """附表3: projects of out-of-province institutions completed in the period, from their
    semi-annual work summaries; the seed names the institution above the table, here a
    column does so the register covers all institutions at once."""
    province = regions.province_of(jurisdiction)
    rows = await conn.fetch(
        "SELECT w.projects, w.submitted_on, i.name FROM rp_work_summaries w"
        " JOIN rp_filings f ON f.filing_id = w.filing_id JOIN rp_institutions i"
        f" ON i.institution_id = w.institution_id AND {as_of_clause('i', 1)}"
        " WHERE w.known_at < $1 AND f.province_code = $2 ORDER BY i.name, w.period",
        m.at,
        province,
    )
    form = Form(
        code="yunnan-3",
        title=f"{regions.name_of(province)}外职业（放射）卫生技术服务机构工作情况汇总表",
        jurisdiction=jurisdiction,
        period_from=start,
        period_to=end,
        as_of=m.as_of,
        columns=[
            H("序号"),
            H("机构名称"),
            H("项目报告名称"),
            H("项目报告编号"),
            H("项目完成时间"),
            H("服务对象名称"),
            H("服务对象地址"),
            H("服务对象联系人及电话"),
        ],
    )
    n = 0
    for r in rows:
        for p in json.loads(r["projects"]):
            done = date.fromisoformat(p["completion_date"])
            if start <= done <= end:
                n += 1
                form.rows.append(
                    [
                        n,
                        r["name"],
                        p["report_name"],
                        p["report_number"],
                        done,
                        p["client_name"],
                        p["client_address"],
                        p["client_contact"],
                    ]
                )
    return form


async def yunnan_4(conn: Conn, m: Moment, jurisdiction: str, start: date, end: date) -> Form:
    """附表4: the check of every institution of the jurisdiction the seed asks for (核查), each
    marked 是/否 by the conditions (R6a) at the moment, with the reason, its QC public-list
    years and its rectification state; those marked 否 are the seed's list."""
    rows = await conn.fetch(
        "SELECT i.institution_id, i.name, i.region_code, i.conditions_met, i.unmet,"
        " (SELECT array_agg(q.certificate_number ORDER BY q.certificate_number)"
        f"  FROM rp_qualifications q WHERE q.institution_id = i.institution_id"
        f"  AND {as_of_clause('q', 1)}) AS certificates,"
        " (SELECT array_agg(DISTINCT a.year) FROM rp_annual_qc a WHERE"
        f"  a.institution_id = i.institution_id AND {as_of_clause('a', 1)} AND a.on_public_list)"
        "  AS listed_years"
        f" FROM rp_institutions i WHERE {as_of_clause('i', 1)} AND i.region_code LIKE $2"
        " ORDER BY i.region_code, i.name",
        m.at,
        region_prefix(jurisdiction) + "%",
    )
    items = await conn.fetch(
        "SELECT r.institution_id, r.description, r.status FROM rp_rectifications r"
        f" WHERE {as_of_clause('r', 1)} ORDER BY r.item_id",
        m.at,
    )
    ledger: dict[str, list[Any]] = defaultdict(list)
    for item in items:
        ledger[item["institution_id"]].append(item)
    form = Form(
        code="yunnan-4",
        title="不符合或者不具备条件的机构名单",
        jurisdiction=jurisdiction,
        period_from=start,
        period_to=end,
        as_of=m.as_of,
        columns=[
            H("单位名称"),
            H("所属州市"),
            H("是否具备技术服务能力", "是", "否", "不具备原因"),
            H("已取得资质认可（备案）证书编号"),
            H("核查存在问题"),
            H("整改情况"),
            H("备注"),
        ],
    )
    form.rows = [_yn4_row(r, ledger[r["institution_id"]]) for r in rows]
    return form


def _yn4_row(r: Any, own: list[Any]) -> list[Cell]:
    """One institution of 附表4, with its rectification items `own`."""
    listed = r["listed_years"] or []
    problems = [i["description"] for i in own if i["status"] != "verified"]
    done = sum(1 for i in own if i["status"] == "verified")
    capable = r["conditions_met"]
    return [
        r["name"],
        regions.name_of(r["region_code"][:4] + "00"),
        "√" if capable else "",
        "" if capable else "√",
        "" if capable else "；".join(r["unmet"]),
        "、".join(r["certificates"] or []),
        "；".join(problems),
        f"整改项{len(own)}项，已销号{done}项",
        "；".join(f"{y}年度质控不合格未整改" for y in sorted(listed)),
    ]


FormBuilder = Callable[[Conn, Moment, str, date, date], Awaitable[Form]]
FORMS: dict[str, FormBuilder] = {
    "hangzhou-1": hangzhou_1,
    "hangzhou-2": hangzhou_2,
    "yunnan-1": yunnan_1,
    "yunnan-2": yunnan_2,
    "yunnan-3": yunnan_3,
    "yunnan-4": yunnan_4,
}
