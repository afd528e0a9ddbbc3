"""Yunnan 附表1 (云南省职业病防治技术支撑机构能力提升底档库, seed 001 §二(一)): each
technical-support institution of the jurisdiction assessed for a year of the period, its
latest assessment known at the moment (P6)."""

from __future__ import annotations

import json
from datetime import date

from ohts_kit import regions
from ohts_kit.db import Conn
from services.reporting.application.moment import Moment
from services.reporting.application.public import region_prefix
from services.reporting.domain.forms import Form, H
from services.reporting.projections.temporal import as_of_clause

ASPECTS = ("staff", "premises", "equipment", "support")


async def yunnan_1(conn: Conn, m: Moment, jurisdiction: str, start: date, end: date) -> Form:
    rows = await conn.fetch(
        "SELECT DISTINCT ON (c.institution_id, c.year) c.*, i.name, i.region_code"
        " FROM rp_capability c JOIN rp_institutions i"
        f" ON i.institution_id = c.institution_id AND {as_of_clause('i', 1)}"
        " WHERE c.known_at < $1 AND i.region_code LIKE $2 AND c.year BETWEEN $3 AND $4"
        " ORDER BY c.institution_id, c.year, c.known_at DESC",
        m.at,
        region_prefix(jurisdiction) + "%",
        start.year,
        end.year,
    )
    form = Form(
        code="yunnan-1",
        title="云南省职业病防治技术支撑机构能力提升底档库",
        jurisdiction=jurisdiction,
        period_from=start,
        period_to=end,
        as_of=m.as_of,
        columns=[
            H("单位名称"),
            H("所属州市"),
            H(
                "职业病防治技术支撑建设标准是否符合（以下填是/否）",
                "人才队伍建设",
                "场所建设",
                "仪器设备配置",
                "支撑能力建设",
            ),
            H("不符合之处（分类说明）"),
            H("能力提升计划"),
            H("备注"),
        ],
    )
    for r in sorted(rows, key=lambda r: (r["region_code"], r["name"], r["year"])):
        meets = json.loads(r["meets"])
        form.rows.append(
            [
                r["name"],
                regions.name_of(r["region_code"][:4] + "00"),
                *("是" if meets.get(a) else "否" for a in ASPECTS),
                r["gaps"],
                r["improvement_plan"],
                "；".join(x for x in (f"{r['year']}年度", r["note"]) if x),
            ]
        )
    return form
