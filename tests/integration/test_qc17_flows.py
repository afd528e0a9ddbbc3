"""The information flows between QC and the other services, over the real broker: typical
cases back to QC, QC results on out-of-province institutions to their home licensing
authority, and QC follow-up measures (约谈, 集中点评, 督办整改) with dates and outcomes."""

from datetime import timedelta

import pytest

from contracts.envelope import Role
from services.enforcement.bootstrap import create_app as enforcement_app
from services.qc.bootstrap import create_app as qc_app
from services.registry.bootstrap import create_app as registry_app
from tests.integration.helpers import eventually, running, token
from tests.integration.test_qc_flows import NOW, seed_registry

pytestmark = pytest.mark.integration


async def test_a_typical_case_goes_back_to_qc(settings) -> None:
    await seed_registry(settings, local=1, health=0, out_of_province=0)
    sup = token(settings, Role.SUPERVISION_UNIT, "330000")
    centre = token(settings, Role.QC_CENTRE, "330000")
    async with running(qc_app, settings, NOW) as qc, running(enforcement_app, settings, NOW) as enf:

        async def known() -> bool:
            async with enf.runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM known_institutions"))

        await eventually(known)
        complaint = {"institution_id": "inst-00", "description": "投诉：检测报告数据造假"}
        lead_id = (
            await enf.call("POST", "/api/v1/leads/complaints", sup, complaint, expect=201)
        ).json()["id"]
        case_id = (
            await enf.call(
                "POST", f"/api/v1/leads/{lead_id}/case", sup, {"violation": "false-report"}
            )
        ).json()["id"]
        typical = {"summary": "伪造检测数据出具虚假报告，质控中应重点核查原始记录"}
        path = f"/api/v1/cases/{case_id}/typical"
        early = await enf.call("POST", path, sup, typical)
        assert early.status_code == 409 and early.json()["state"] == "opened"  # not decided
        await enf.call(
            "POST", f"/api/v1/cases/{case_id}/investigation", sup, {"summary": "查实"}, expect=204
        )
        penalty = {
            "decision_number": "浙卫罚〔2026〕18号",
            "penalties": ["warning", "fine"],
            "fine_yuan": "20000",
        }
        await enf.call("POST", f"/api/v1/cases/{case_id}/penalty", sup, penalty, expect=204)
        await enf.call("POST", path, sup, typical, expect=204)
        again = await enf.call("POST", path, sup, typical)
        assert again.status_code == 409 and again.json()["state"] == "typical"

        async def listed() -> bool:
            r = await qc.call("GET", "/api/v1/typical-cases", centre, expect=200)
            return bool(r.json())

        await eventually(listed)
        [case] = (await qc.call("GET", "/api/v1/typical-cases", centre, expect=200)).json()
        assert (case["case_id"], case["violation"], case["summary"]) == (
            case_id,
            "false-report",
            typical["summary"],
        )
        yunnan = token(settings, Role.QC_CENTRE, "530000")
        assert (await qc.call("GET", "/api/v1/typical-cases", yunnan, expect=200)).json() == []


async def test_a_result_on_an_out_of_province_institution_reaches_its_home_authority(
    settings,
) -> None:
    made = await seed_registry(settings, local=1, health=0, out_of_province=1)
    [oop] = made["oop"]  # registered in Yunnan (530102), filed to work in Zhejiang
    centre = token(settings, Role.QC_CENTRE, "330000")
    async with running(qc_app, settings, NOW) as qc, running(registry_app, settings, NOW) as reg:

        async def learned() -> bool:
            async with qc.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM known_filings") == 1

        await eventually(learned)
        plan = {"province_code": "330000", "year": 2026, "seed": "oop"}
        plan_id = (await qc.call("POST", "/api/v1/plans", centre, plan, expect=201)).json()["id"]
        activity = {"plan_id": plan_id, "kind": "on-site", "participants": [oop, "inst-00"]}
        activity_id = (
            await qc.call("POST", "/api/v1/activities", centre, activity, expect=201)
        ).json()["id"]
        finding = {
            "category": "falsified-information",  # 谎报
            "description": "信息报送卡填报的项目完成时间与报告不符",
            "due_on": "2026-04-01",
        }
        for institution_id, body in (
            (oop, {"result": "fail", "findings": [finding]}),
            ("inst-00", {"result": "pass"}),  # a local institution: nothing to send
        ):
            await qc.call(
                "POST",
                f"/api/v1/activities/{activity_id}/results",
                centre,
                {"institution_id": institution_id, **body},
                expect=201,
            )
        yunnan = token(settings, Role.REGISTRY_AUTHORITY, "530000")

        async def arrived() -> bool:
            r = await reg.call("GET", "/api/v1/qc-notices", yunnan, expect=200)
            return bool(r.json())

        await eventually(arrived)
        [notice] = (await reg.call("GET", "/api/v1/qc-notices", yunnan, expect=200)).json()
        assert (notice["institution_id"], notice["result"]) == (oop, "fail")
        assert notice["qc_province_code"] == "330000" and notice["home_province_code"] == "530000"
        assert notice["finding_categories"] == ["falsified-information"]
        zhejiang = token(settings, Role.REGISTRY_AUTHORITY, "330000")
        assert (await reg.call("GET", "/api/v1/qc-notices", zhejiang, expect=200)).json() == []
        # 谎报 is a violation clue: referred to the supervision of the province it worked in.
        [referral] = await qc.events("qc.ViolationClueReferred")
        assert referral["category"] == "falsified-information"
        assert referral["supervision_region_code"] == "330000"


async def test_follow_up_measures_with_dates_and_outcomes(settings) -> None:
    await seed_registry(settings, local=1, health=0, out_of_province=0)
    centre = token(settings, Role.QC_CENTRE, "330000")
    async with running(qc_app, settings, NOW) as qc:

        async def learned() -> bool:
            async with qc.runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM known_institutions"))

        await eventually(learned)
        interview = {
            "institution_id": "inst-00",
            "kind": "interview",
            "held_on": "2026-02-27",
            "subject": "质控不合格约谈机构负责人",
            "outcome": "机构承诺一个月内整改",
        }
        await qc.call("POST", "/api/v1/follow-ups", centre, interview, expect=201)
        supervised = {
            "institution_id": "inst-00",
            "kind": "supervised-rectification",
            "held_on": "2026-03-01",
            "subject": "督办整改原始记录不全问题",
        }
        no_due = await qc.call("POST", "/api/v1/follow-ups", centre, supervised)
        assert no_due.status_code == 422 and no_due.json()["errors"][0]["field"] == "due_on"
        future = await qc.call(
            "POST", "/api/v1/follow-ups", centre, {**interview, "held_on": "2026-03-03"}
        )
        assert future.status_code == 422 and future.json()["errors"][0]["field"] == "held_on"
        yunnan = token(settings, Role.QC_CENTRE, "530000")
        outsider = await qc.call("POST", "/api/v1/follow-ups", yunnan, interview)
        assert outsider.status_code == 403
        fid = (
            await qc.call(
                "POST",
                "/api/v1/follow-ups",
                centre,
                {**supervised, "due_on": "2026-03-31"},
                expect=201,
            )
        ).json()["id"]
        qc.clock.advance(timedelta(days=20))
        outcome = {"outcome": "已按期完成整改并复核", "concluded_on": "2026-03-20"}
        await qc.call("POST", f"/api/v1/follow-ups/{fid}/outcome", centre, outcome, expect=204)
        twice = await qc.call("POST", f"/api/v1/follow-ups/{fid}/outcome", centre, outcome)
        assert twice.status_code == 409
        listed = (await qc.call("GET", "/api/v1/follow-ups", centre, expect=200)).json()
        assert [(f["kind"], f["held_on"], f["outcome"], f["concluded_on"]) for f in listed] == [
            ("interview", "2026-02-27", "机构承诺一个月内整改", "2026-02-27"),
            ("supervised-rectification", "2026-03-01", "已按期完成整改并复核", "2026-03-20"),
        ]
        assert (await qc.call("GET", "/api/v1/follow-ups", yunnan, expect=200)).json() == []
