"""Issue 16 through the HTTP APIs alone, over the real broker and PostgreSQL: a 2022 case
entered after the fact at the place of the violation against an institution of another
province, reaching its home authority; mandatory parts; a practice ban the registry
enforces; a penalty on a person outside the institution's credit; an annulment that
changes the credit class."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from contracts.envelope import Actor, Role
from ohts.demo import staff_body
from ohts_kit.eventstore import Metadata
from services.enforcement.adapters import facts
from services.enforcement.application.credit import sweep_credit
from services.enforcement.application.unit import enforcement_of
from services.enforcement.bootstrap import create_app as enforcement_app
from services.registry.bootstrap import create_app as registry_app
from tests.integration.helpers import Service, eventually, running, token
from tests.integration.registry_client import RegistryClient

pytestmark = pytest.mark.integration
NOW = datetime(2026, 6, 1, 2, tzinfo=UTC)


async def case_of(enf: Service, sup: dict[str, str], lead: dict[str, Any], **opening: Any) -> str:
    """A complaint lead, its case and investigation, dated as given."""
    if "opened_on" in opening:
        lead = {"opened_on": opening["opened_on"]} | lead
    lead_id = (await enf.call("POST", "/api/v1/leads/complaints", sup, lead, expect=201)).json()[
        "id"
    ]
    case_id = str(
        (await enf.call("POST", f"/api/v1/leads/{lead_id}/case", sup, opening, expect=201)).json()[
            "id"
        ]
    )
    investigation = {"summary": "经调查，违法事实清楚"}
    if "opened_on" in opening:
        investigation["investigated_on"] = opening["opened_on"]
    await enf.call("POST", f"/api/v1/cases/{case_id}/investigation", sup, investigation, expect=204)
    return case_id


async def test_a_2022_out_of_province_case_is_decided_here_and_reaches_the_home_authority(
    settings,
) -> None:
    async with (
        running(registry_app, settings, NOW) as reg_svc,
        running(enforcement_app, settings, NOW) as enf,
    ):
        reg = RegistryClient(reg_svc.http, reg_svc.runtime, settings, reg_svc.clock)  # type: ignore[arg-type]
        jiangsu = reg.token(Role.REGISTRY_AUTHORITY, "320000")
        reg.authority = jiangsu  # the home licensing authority registers it in Nanjing
        js = await reg.register(7, region="320102")
        sup = token(settings, Role.SUPERVISION_UNIT, "330000")

        async def known() -> bool:
            async with enf.runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM known_institutions"))

        await eventually(known)
        lead = {"institution_id": js, "description": "在杭州出具虚假检测报告"}
        refused = await enf.call("POST", "/api/v1/leads/complaints", sup, lead)
        assert refused.status_code == 403  # without the place: the home region, not ours
        lead |= {"opened_on": "2022-05-06", "violation_region_code": "330106"}
        early = await enf.call(
            "POST",
            "/api/v1/leads/complaints",
            sup,
            lead | {"opened_on": "2026-06-02"},
        )
        assert early.status_code == 422 and early.json()["errors"][0]["field"] == "opened_on"
        case_id = await case_of(enf, sup, lead, violation="false-report", opened_on="2022-05-09")
        penalty = {
            "decision_number": "杭卫罚〔2022〕15号",
            "penalties": ["warning"],
            "decided_on": "2022-06-01",
        }
        path = f"/api/v1/cases/{case_id}/penalty"
        alone = await enf.call("POST", path, sup, penalty)
        assert alone.status_code == 422
        [missing] = alone.json()["errors"]
        assert "第四十二条" in missing["rule"] and "（fine）" in missing["message"]
        future = await enf.call(
            "POST",
            path,
            sup,
            penalty
            | {"penalties": ["warning", "fine"], "fine_yuan": "8000", "decided_on": "2026-06-02"},
        )
        assert future.status_code == 422 and future.json()["errors"][0]["field"] == "decided_on"
        before = await enf.call(
            "POST",
            path,
            sup,
            penalty
            | {"penalties": ["warning", "fine"], "fine_yuan": "8000", "decided_on": "2022-05-08"},
        )
        assert before.status_code == 422 and "立案日期" in before.json()["errors"][0]["message"]
        penalty |= {"penalties": ["warning", "fine"], "fine_yuan": "8000"}
        await enf.call("POST", path, sup, penalty, expect=204)
        await enf.call(
            "POST",
            f"/api/v1/cases/{case_id}/execution",
            sup,
            {"executed_on": "2022-06-20"},
            expect=204,
        )
        await enf.call(
            "POST",
            f"/api/v1/cases/{case_id}/closure",
            sup,
            {"closed_on": "2022-06-21"},
            expect=204,
        )
        [decided] = await enf.events("enforcement.PenaltyDecided")
        assert decided["decided_on"] == "2022-06-01"
        assert (decided["jurisdiction_region_code"], decided["home_region_code"]) == (
            "330106",
            "320102",
        )
        [listed] = (await enf.call("GET", "/api/v1/penalties", sup, expect=200)).json()
        assert listed["decided_on"] == "2022-06-01"
        assert listed["recorded_working_days_after"] > 900  # entered four years later
        assert "个工作日后录入" in listed["late_entry_note"]

        async def home_told() -> bool:
            response = await reg_svc.http.get("/api/v1/penalty-notices", headers=jiangsu)
            return bool(response.json())

        await eventually(home_told)
        [notice] = (await reg_svc.http.get("/api/v1/penalty-notices", headers=jiangsu)).json()
        assert (notice["institution_id"], notice["decision_number"]) == (js, "杭卫罚〔2022〕15号")
        assert notice["out_of_area"] and notice["deciding_region_code"] == "330106"
        zhejiang = reg.token(Role.REGISTRY_AUTHORITY, "330000")
        assert (await reg_svc.http.get("/api/v1/penalty-notices", headers=zhejiang)).json() == []


async def test_bans_persons_and_annulments(settings) -> None:
    async with (
        running(registry_app, settings, NOW) as reg_svc,
        running(enforcement_app, settings, NOW) as enf,
    ):
        reg = RegistryClient(reg_svc.http, reg_svc.runtime, settings, reg_svc.clock)  # type: ignore[arg-type]
        iid, other = await reg.register(1), await reg.register(2)
        person = staff_body(iid, 3, 1)
        staff_id = (await reg.post("/api/v1/staff", person, expect=201)).json()["id"]
        signer = (await reg.post("/api/v1/staff", staff_body(iid, 4, 1), expect=201)).json()["id"]
        sup = token(settings, Role.SUPERVISION_UNIT, "330000")

        async def known() -> bool:
            async with enf.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM known_staff") == 2

        await eventually(known)
        lead = {"institution_id": iid, "description": "专业技术人员同时在两家机构执业"}
        banned_case = await case_of(
            enf,
            sup,
            lead,
            violation="prohibited-practice",
            staff_id=staff_id,
            opened_on="2026-05-10",
        )
        await enf.call(
            "POST",
            f"/api/v1/cases/{banned_case}/penalty",
            sup,
            {
                "decision_number": "浙卫罚〔2026〕31号",
                "penalties": ["practice-ban"],
                "ban_years": 2,
                "decided_on": "2026-05-15",
            },
            expect=204,
        )
        [ban] = (await enf.call("GET", "/api/v1/practice-bans", sup, expect=200)).json()
        assert (ban["decision_number"], str(ban["ends_on"])) == ("浙卫罚〔2026〕31号", "2028-05-15")
        assert ban["person_ref"] and "*" in ban["masked_name"]

        async def registry_knows() -> bool:
            async with reg_svc.runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM practice_bans"))

        await eventually(registry_knows)
        for full_time in (False, True):
            again = person | {"institution_id": other, "full_time": full_time}
            response = await reg.post("/api/v1/staff", again)
            assert response.status_code == 409, response.text
            assert "浙卫罚〔2026〕31号" in response.json()["detail"]
            assert "2028-05-14" in response.json()["detail"]

        # 办法 45: a staff member signing for another, punished as a person
        signing = await case_of(enf, sup, lead, violation="staff-signing", staff_id=signer)
        await enf.call(
            "POST",
            f"/api/v1/cases/{signing}/penalty",
            sup,
            {
                "decision_number": "浙卫罚〔2026〕32号",
                "penalties": ["warning", "fine"],
                "fine_yuan": "5000",
            },
            expect=204,
        )
        classes = (await enf.call("GET", "/api/v1/credit-classes", sup, expect=200)).json()
        assert classes == []  # neither penalty is the institution's: its class stays A

        # the institution's own fine sets class C; its annulment undoes it (F3)
        fined = await case_of(enf, sup, lead, violation="false-report", opened_on="2026-05-20")
        await enf.call(
            "POST",
            f"/api/v1/cases/{fined}/penalty",
            sup,
            {
                "decision_number": "浙卫罚〔2026〕33号",
                "decided_on": "2026-05-25",
                "penalties": ["warning", "fine"],
                "fine_yuan": "10000",
            },
            expect=204,
        )
        classes = (await enf.call("GET", "/api/v1/credit-classes", sup, expect=200)).json()
        assert [(c["institution_id"], c["credit_class"]) for c in classes] == [(iid, "C")]
        await enf.call(
            "POST",
            f"/api/v1/cases/{fined}/annulment",
            sup,
            {"reason": "行政复议撤销", "annulled_on": "2026-05-29"},
            expect=204,
        )
        classes = (await enf.call("GET", "/api/v1/credit-classes", sup, expect=200)).json()
        assert [(c["institution_id"], c["credit_class"]) for c in classes] == [(iid, "A")]
        [annulled] = await enf.events("enforcement.PenaltyAnnulled")
        assert (annulled["annulled_on"], annulled["withdraw_by"]) == ("2026-05-29", "2026-06-03")

        # an annulled ban no longer binds
        await enf.call(
            "POST",
            f"/api/v1/cases/{banned_case}/annulment",
            sup,
            {"reason": "行政诉讼撤销"},
            expect=204,
        )
        assert (await enf.call("GET", "/api/v1/practice-bans", sup)).json() == []

        # R6 (one registration per person by default): the person leaves first, so only the
        # ban could refuse the new registration.
        await reg.post(f"/api/v1/staff/{staff_id}/leave", {}, expect=204)

        async def lifted() -> bool:
            again = person | {"institution_id": other, "full_time": False}
            return (await reg.post("/api/v1/staff", again)).status_code == 201

        await eventually(lifted)


async def test_the_daily_sweep_lowers_a_class_on_the_day_its_fact_ends(settings) -> None:
    """E7: a fine decided 2024-06-02 sets class C for 24 months: still C on 2026-06-01,
    A from 2026-06-02, when the sweep runs with that day's date."""
    async with (
        running(registry_app, settings, NOW) as reg_svc,
        running(enforcement_app, settings, NOW) as enf,
    ):
        reg = RegistryClient(reg_svc.http, reg_svc.runtime, settings, reg_svc.clock)  # type: ignore[arg-type]
        iid = await reg.register(1)
        sup = token(settings, Role.SUPERVISION_UNIT, "330000")

        async def known() -> bool:
            async with enf.runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM known_institutions"))

        await eventually(known)
        lead = {"institution_id": iid, "description": "投诉：检测报告失实"}
        fined = await case_of(enf, sup, lead, violation="false-report", opened_on="2024-05-20")
        await enf.call(
            "POST",
            f"/api/v1/cases/{fined}/penalty",
            sup,
            {
                "decision_number": "浙卫罚〔2024〕7号",
                "decided_on": "2024-06-02",
                "penalties": ["warning", "fine"],
                "fine_yuan": "9000",
            },
            expect=204,
        )
        app = enforcement_of(enf.runtime)
        meta = Metadata(Actor(subject="t", role=Role.SYSTEM, region_code="000000"), "sweep")

        async def class_now() -> list[tuple[str, str]]:
            rows = (await enf.call("GET", "/api/v1/credit-classes", sup, expect=200)).json()
            return [(r["institution_id"], r["credit_class"]) for r in rows]

        async def due() -> list[str]:
            async with enf.runtime.pool.acquire() as conn:
                return await facts.due_for_review(conn, app.today())

        assert await class_now() == [(iid, "C")]
        assert await due() == []  # the sweep reviews only the classes time may have changed
        assert await sweep_credit(app, meta) == 0  # 2026-06-01: the last day of the 24 months
        assert await class_now() == [(iid, "C")]
        enf.clock.advance(timedelta(days=1))
        assert await due() == [iid]
        assert await sweep_credit(app, meta) == 1
        assert await class_now() == [(iid, "A")]
        [*_, changed] = await enf.events("enforcement.CreditClassChanged")
        assert (changed["credit_class"], changed["changed_on"]) == ("A", "2026-06-02")
        assert await due() == []  # next due 2027-06-02, when the fine's 36 months end
        assert await sweep_credit(app, meta) == 0  # nothing left to change
        async with enf.runtime.pool.acquire() as conn:
            row = await conn.fetchrow("SELECT * FROM credit_review_due")
        assert (row["institution_id"], str(row["due_on"])) == (iid, "2027-06-02")


async def test_a_2022_inspection_and_the_lead_from_its_findings(settings) -> None:
    async with (
        running(registry_app, settings, NOW) as reg_svc,
        running(enforcement_app, settings, NOW) as enf,
    ):
        reg = RegistryClient(reg_svc.http, reg_svc.runtime, settings, reg_svc.clock)  # type: ignore[arg-type]
        iid = await reg.register(1)
        sup = token(settings, Role.SUPERVISION_UNIT, "330000")

        async def known() -> bool:
            async with enf.runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM known_institutions"))

        await eventually(known)
        body = {
            "institution_id": iid,
            "kind": "complaint",
            "period": "2022",
            "inspectors": ["m1", "m2"],
            "scheduled_on": "2022-04-01",
        }
        inspection = (await enf.call("POST", "/api/v1/inspections", sup, body, expect=201)).json()
        path = f"/api/v1/inspections/{inspection['id']}"
        early = await enf.call(
            "POST", f"{path}/leads", sup, {"category": "false-report", "description": "发现问题"}
        )
        assert early.status_code == 409  # not ended: no findings yet
        done = {"result": "issues-found", "findings": ["报告数据失实"], "ended_on": "2022-04-15"}
        await enf.call("POST", f"{path}/completion", sup, done, expect=204)
        finding = {
            "category": "false-report",
            "description": "报告数据失实",
            "opened_on": "2022-04-14",
        }
        before = await enf.call("POST", f"{path}/leads", sup, finding)
        assert before.status_code == 422 and "检查结束日期" in before.text
        finding["opened_on"] = "2022-04-20"
        await enf.call("POST", f"{path}/leads", sup, finding, expect=201)
        [scheduled] = await enf.events("enforcement.InspectionScheduled")
        assert scheduled["scheduled_on"] == "2022-04-01"
        [lead] = (await enf.call("GET", "/api/v1/leads", sup, expect=200)).json()
        assert (lead["source"], lead["source_ref"], str(lead["opened_on"])) == (
            "inspection",
            inspection["id"],
            "2022-04-20",
        )


async def test_a_penalty_on_a_person_is_on_no_institutions_credit_page(settings) -> None:
    """E6: the institution is the person's context only; its own penalty stays public."""
    from services.reporting.bootstrap import create_app as reporting_app
    from tests.integration.reporting_scenario import OH, Scenario

    s = Scenario(settings)
    s.institution("inst-p", "杭州某检测有限公司", "330106", OH, "(浙)卫职技字(2025)第0201号")
    s.staff("inst-p", "st-1", "张*明")
    fine = {"penalties": ["warning", "fine"], "fine_yuan": Decimal("8000")}
    s.case(
        "own", "inst-p", "false-report", "2026-05-02", penalty={"decided_on": "2026-05-10", **fine}
    )
    s.case(
        "person",
        "inst-p",
        "staff-signing",
        "2026-05-03",
        penalty={
            "decided_on": "2026-05-11",
            "penalties": ["warning", "fine"],
            "fine_yuan": Decimal("5000"),
            "person_ref": "ref-st-1",
            "person_masked_name": "张*明",
        },
    )
    async with running(reporting_app, settings, NOW) as svc:
        published = await s.publish()

        async def applied() -> bool:
            async with svc.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM inbox") == published

        await eventually(applied)
        page = await svc.call("GET", "/api/v1/public/institutions/inst-p", {}, expect=200)
        assert [p["decision_number"] for p in page.json()["penalties"]] == ["杭卫罚〔2026〕own号"]


async def test_an_annulled_later_decision_is_no_repeat_violation(settings) -> None:
    """F3 in the repeat check of credit repair (P2): only later decisions still standing."""
    from services.enforcement.adapters.views import repeat_decisions

    async with running(enforcement_app, settings, NOW) as enf, enf.runtime.pool.acquire() as conn:
        for case_id, day, annulled in (
            ("first", "2025-01-10", None),
            ("later", "2025-06-10", None),
            ("annulled", "2025-09-10", "2025-10-01"),
            ("on-person", "2025-11-10", None),
        ):
            await conn.execute(
                "INSERT INTO penalties (case_id, institution_id, decision_number, decided_on,"
                " violation, penalties, annulled_on, person_ref)"
                " VALUES ($1, 'i-1', $1, $2::date, 'false-report', '{fine}', $3::date, $4)",
                case_id,
                datetime.fromisoformat(day).date(),
                datetime.fromisoformat(annulled).date() if annulled else None,
                "ref-x" if case_id == "on-person" else None,
            )
        assert await repeat_decisions(conn, "first") == ["later"]
