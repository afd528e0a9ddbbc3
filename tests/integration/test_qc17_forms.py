"""Yunnan forms over the real broker and PostgreSQL: a capability assessment recorded in qc
reaches reporting's 附表1; 附表4 checks every institution of the jurisdiction; every form
takes 填表人, 联系电话 and 填表时间 and prints the seed's notes; 附表2 as one XLSX sheet per
institution."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from contracts.envelope import Role
from services.qc.bootstrap import create_app as qc_app
from services.reporting.bootstrap import create_app as reporting_app
from tests.integration.helpers import eventually, running, token
from tests.integration.test_qc_flows import NOW, seed_registry

pytestmark = pytest.mark.integration
FORMS = "/api/v1/supervision/forms"


async def test_yunnan_forms(settings) -> None:
    made = await seed_registry(settings, local=2, health=0, out_of_province=1)
    centre = token(settings, Role.QC_CENTRE, "330000")
    sup = token(settings, Role.SUPERVISION_UNIT, "330000")
    # Registry events are stamped with the wall clock (helpers.envelope_of): reporting reads
    # after them.
    later = datetime.now(UTC) + timedelta(days=1)
    async with running(qc_app, settings, NOW) as qc, running(reporting_app, settings, later) as rp:

        async def learned() -> bool:
            async with qc.runtime.pool.acquire() as c1, rp.runtime.pool.acquire() as c2:
                return (
                    await c1.fetchval("SELECT count(*) FROM known_institutions") == 3
                    and await c2.fetchval("SELECT count(*) FROM rp_filings") == 1
                )

        await eventually(learned)
        body = {
            "institution_id": "inst-00",
            "year": 2026,
            "meets": {"staff": True, "premises": True, "equipment": False, "support": True},
            "gaps": "仪器设备：缺少气相色谱仪",
            "improvement_plan": "2026年底前完成采购并通过能力确认",
        }
        half = {**body, "meets": {"staff": True}}
        refused = await qc.call("POST", "/api/v1/capability-assessments", centre, half)
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "meets"
        await qc.call("POST", "/api/v1/capability-assessments", centre, body, expect=201)

        async def form_1() -> list[dict]:  # type: ignore[type-arg]
            r = await rp.call("GET", f"{FORMS}/yunnan-1?from=2026-01-01&to=2026-12-31", sup)
            return list(r.json()["rows"])

        async def arrived() -> bool:
            return bool(await form_1())

        await eventually(arrived)
        [row] = await form_1()
        prefix = "职业病防治技术支撑建设标准是否符合（以下填是/否）/"
        assert row["单位名称"] == "机构0" and row[prefix + "仪器设备配置"] == "否"
        assert row[prefix + "人才队伍建设"] == "是"
        assert row["能力提升计划"] == body["improvement_plan"]

        # 附表4: every institution of the jurisdiction is checked, each 是 or 否.
        sign = "filled_by=张三&phone=0571-88888888&filled_on=2026-03-02"
        r = await rp.call("GET", f"{FORMS}/yunnan-4?{sign}", sup, expect=200)
        four = r.json()
        assert sorted(x["单位名称"] for x in four["rows"]) == ["机构0", "机构1"]
        assert all(x["是否具备技术服务能力/是"] == "√" for x in four["rows"])
        assert (four["filled_by"], four["phone"], four["filled_on"]) == (
            "张三",
            "0571-88888888",
            "2026-03-02",
        )
        assert any("2024年10月31日前" in n for n in four["notes"])  # the seed's deadline
        bad = await rp.call("GET", f"{FORMS}/yunnan-4?phone=call-me", sup)
        assert bad.status_code == 422

        # 附表2: the list, and one registration card (sheet) per institution.
        r = await rp.call("GET", f"{FORMS}/yunnan-2?from=2026-01-01&to=2026-12-31", sup, 200)
        assert [x["机构名称"] for x in r.json()["rows"]] == ["机构2"]
        assert any("一式三份" in n for n in r.json()["notes"])
        cards = await rp.call(
            "GET",
            f"{FORMS}/yunnan-2?from=2026-01-01&to=2026-12-31&format=xlsx&layout=cards&{sign}",
            sup,
            expect=200,
        )
        book = load_workbook(io.BytesIO(cards.content))
        assert book.sheetnames == ["1-机构2"]
        sheet = book["1-机构2"]
        cells = {
            sheet.cell(row=r, column=c).value: sheet.cell(row=r, column=c + 1).value
            for r in range(2, 13)
            for c in (1, 3, 5)
        }
        assert made["oop"] == ["inst-02"]  # seed_registry gives it certificate C-2
        assert cells["机构名称"] == "机构2" and cells["资质证书/证书编号"] == "C-2"
        assert cells["法人代表"] == "法人" and "职务" in cells  # 职务 blank: not in the filing
        footer = [sheet.cell(row=r, column=1).value for r in range(13, 20)]
        assert "填 表 人：张三\u3000\u3000联系电话：0571-88888888" in footer
        wrong = await rp.call("GET", f"{FORMS}/yunnan-4?format=xlsx&layout=cards", sup)
        assert wrong.status_code == 422
