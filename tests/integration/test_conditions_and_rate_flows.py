"""Issue 17, registry side, across services over the real broker: R4 on institution
details, R6 part-time registrations, R6a (full-time staff, the website re-checked) flagged
"conditions changed" and acted on by QC (a plan priority) and enforcement (a raised draw
weight), and P5: the registry and the dashboard give one reporting rate."""

from datetime import UTC, date, datetime

import pytest

from contracts.enforcement_v1 import CaseOpened
from contracts.envelope import Role
from ohts.demo import staff_body
from services.enforcement.bootstrap import create_app as enforcement_app
from services.qc.bootstrap import create_app as qc_app
from services.registry.bootstrap import create_app as registry_app
from services.registry.domain.uscc import make_uscc
from services.reporting.bootstrap import create_app as reporting_app
from tests.integration.helpers import eventually, publish_event, running, token
from tests.integration.registry_client import RegistryClient

pytestmark = pytest.mark.integration
NOW = datetime(2026, 6, 1, 2, tzinfo=UTC)


async def test_r4_r6_r6a_conditions_changed_and_one_reporting_rate(settings) -> None:
    async with (
        running(registry_app, settings, NOW) as reg_svc,
        running(qc_app, settings, NOW) as qc,
        running(enforcement_app, settings, NOW) as enf,
        running(reporting_app, settings, NOW) as rp,
    ):
        reg = RegistryClient(reg_svc.http, reg_svc.runtime, settings, reg_svc.clock)  # type: ignore[arg-type]
        blocked, flagged = await reg.register(1), await reg.register(2)
        await reg.qualify(blocked, 1)
        await reg.qualify(flagged, 2)

        # R4: an open case blocks a change of name, address or legal representative.
        await publish_event(
            settings,
            "enforcement",
            CaseOpened(
                case_id="case-17",
                institution_id=blocked,
                violation="false-report",
                opened_on=date(2026, 5, 1),
            ),
            blocked,
        )

        async def has_case() -> bool:
            record = await reg.get(f"/api/v1/institutions/{blocked}")
            return len(record["blocking_items"]) == 1

        await eventually(has_case)
        for change in ({"name": "改名后的检测公司"}, {"legal_representative": "李四"}):
            r = await reg.http.patch(
                f"/api/v1/institutions/{blocked}", json=change, headers=reg.authority
            )
            assert r.status_code == 409 and r.json()["rule"].startswith("R4"), r.text
            assert [b["id"] for b in r.json()["blocking_items"]] == ["case-17"]
        contacts = {"contacts": [{"name": "王", "phone": "0571-8800001"}]}
        r = await reg.http.patch(
            f"/api/v1/institutions/{blocked}", json=contacts, headers=reg.authority
        )
        assert r.status_code == 204, r.text
        assert len(await reg.events("registry.InstitutionDetailsChanged")) == 1

        # R6: a person full-time at one institution gets no part-time post at another while
        # the part-time rule is unconfirmed (configurable, default one registration).
        person = staff_body(blocked, 0, 1)  # already full-time at `blocked` (qualify)
        r = await reg.post(
            "/api/v1/staff", {**person, "institution_id": flagged, "full_time": False}
        )
        assert r.status_code == 409 and "not confirmed" in r.json()["rule"], r.text

        # R6a: part-time staff do not count; removing the website is re-checked.
        part_time = {**staff_body(flagged, 30, 2), "full_time": False}
        await reg.post("/api/v1/staff", part_time, expect=201)
        r = await reg.http.patch(
            f"/api/v1/institutions/{flagged}", json={"website": ""}, headers=reg.authority
        )
        assert r.status_code == 204, r.text
        [flag] = await reg.events("registry.InstitutionConditionsChanged")
        assert "no public website" in flag["payload"] and flagged in flag["payload"]

        # QC: a flagged institution is a priority of the monitoring group.
        centre = token(settings, Role.QC_CENTRE, "330000")

        async def qc_knows() -> bool:
            async with qc.runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM known_conditions"))

        await eventually(qc_knows)
        plan_id = (
            await qc.call(
                "POST",
                "/api/v1/plans",
                centre,
                {"province_code": "330000", "year": 2026, "seed": "r6a"},
                expect=201,
            )
        ).json()["id"]
        groups = (await qc.call("GET", f"/api/v1/plans/{plan_id}", centre, expect=200)).json()[
            "groups"
        ]
        [priority] = [e for e in groups["monitoring"] if e["institution_id"] == flagged]
        assert "conditions-changed" in priority["reason"]

        # Enforcement: the flagged institution draws with a raised weight, in the record.
        sup = token(settings, Role.SUPERVISION_UNIT, "330000")

        async def enforcement_knows() -> bool:
            async with enf.runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT count(*) FROM known_conditions"))

        await eventually(enforcement_knows)
        body = {
            "jurisdiction_region_code": "330000",
            "year": 2026,
            "sampling_ratio": "1/2",
            "roster": [{"inspector_id": f"z{k}"} for k in range(4)],
        }
        eplan = (await enf.call("POST", "/api/v1/plans", sup, body, expect=201)).json()["id"]
        draw_id = (
            await enf.call("POST", f"/api/v1/plans/{eplan}/draws", sup, {"seed": "w"}, expect=201)
        ).json()["id"]
        record = (await enf.call("GET", f"/api/v1/draws/{draw_id}", {}, expect=200)).json()
        assert list(record["inputs"]["raised"]) == [flagged]
        assert record["inputs"]["raise_factor"] == 2

        # P5: one on-time card, one late, one project found unreported: 1/3 in both services.
        card = {
            "institution_id": blocked,
            "service_kind": "detection",
            "client_name": "某化工",
            "client_uscc": make_uscc("330106", "000000001", "91"),
            "client_region_code": "330106",
        }
        await reg.post(
            "/api/v1/report-cards",
            {**card, "report_number": "P5-1", "completion_date": "2026-05-25"},
            expect=201,
        )
        await reg.post(
            "/api/v1/report-cards",
            {**card, "report_number": "P5-2", "completion_date": "2026-01-05"},
            expect=201,
        )
        # An extended inspection finds a project without a card (enforcement, over Kafka).
        extended = {
            "institution_id": blocked,
            "kind": "extended",
            "period": "2026",
            "inspectors": ["x1", "x2"],
            "employer_name": "某矿业",
            "report_number": "P5-3",
        }
        inspection_id = (
            await enf.call("POST", "/api/v1/inspections", sup, extended, expect=201)
        ).json()["id"]
        await enf.call(
            "POST",
            f"/api/v1/inspections/{inspection_id}/unreported-projects",
            sup,
            {"report_number": "P5-3", "client_name": "某矿业"},
            expect=201,
        )

        async def registry_counted() -> bool:
            status = await reg.get("/api/v1/report-cards/status", institution_id=blocked)
            return status["unreported_count"] == 1

        await eventually(registry_counted)
        status = await reg.get("/api/v1/report-cards/status", institution_id=blocked)
        assert (status["on_time"], status["late_count"], status["known_projects"]) == (1, 1, 3)
        assert status["reporting_rate"] == round(1 / 3, 4)

        async def dashboard() -> dict:  # type: ignore[type-arg]
            r = await rp.call(
                "GET", "/api/v1/supervision/indicators?from=2026-01-01&to=2026-12-31", sup, 200
            )
            return r.json()["region"]  # type: ignore[no-any-return]

        async def dashboard_counted() -> bool:
            return (await dashboard())["unreported_projects"] == 1

        await eventually(dashboard_counted)
        region = await dashboard()
        assert region["reporting_rate"] == {"numerator": 1, "denominator": 3, "percent": 33.3}
        assert region["late_cards"] == 1
        assert round(region["reporting_rate"]["numerator"] / 3, 4) == status["reporting_rate"]

        # 移送司法: a case with a suspected crime is transferred and its status tracked.
        complaint = {
            "institution_id": flagged,
            "category": "false-report",
            "description": "投诉：出具虚假检测报告",
        }
        lead_id = (
            await enf.call("POST", "/api/v1/leads/complaints", sup, complaint, expect=201)
        ).json()["id"]
        case_id = (
            await enf.call(
                "POST",
                f"/api/v1/leads/{lead_id}/case",
                sup,
                {"violation": "false-report"},
                expect=201,
            )
        ).json()["id"]
        transfer = {
            "receiving_authority": "杭州市公安局西湖区分局",
            "suspected_offence": "涉嫌提供虚假证明文件罪",
            "transferred_on": "2026-05-31",
        }
        future = await enf.call(
            "POST",
            f"/api/v1/cases/{case_id}/judicial-transfers",
            sup,
            {**transfer, "transferred_on": "2026-06-09"},
        )
        assert future.status_code == 422 and future.json()["errors"][0]["field"] == "transferred_on"
        transfer_id = (
            await enf.call(
                "POST", f"/api/v1/cases/{case_id}/judicial-transfers", sup, transfer, expect=201
            )
        ).json()["id"]
        yunnan = token(settings, Role.SUPERVISION_UNIT, "530000")
        status = {"status": "accepted", "on": "2026-06-01", "note": "公安机关已立案"}
        r = await enf.call(
            "POST", f"/api/v1/judicial-transfers/{transfer_id}/status", yunnan, status
        )
        assert r.status_code == 403
        await enf.call(
            "POST", f"/api/v1/judicial-transfers/{transfer_id}/status", sup, status, expect=204
        )
        again = await enf.call(
            "POST",
            f"/api/v1/judicial-transfers/{transfer_id}/status",
            sup,
            {"status": "declined", "on": "2026-06-01"},
        )
        assert again.status_code == 409 and again.json()["rule"] == "移送司法 status"
        [listed] = (await enf.call("GET", "/api/v1/judicial-transfers", sup, expect=200)).json()
        assert (listed["case_id"], listed["status"], listed["note"]) == (
            case_id,
            "accepted",
            "公安机关已立案",
        )
        assert (
            await enf.call("GET", "/api/v1/judicial-transfers", yunnan, expect=200)
        ).json() == []
