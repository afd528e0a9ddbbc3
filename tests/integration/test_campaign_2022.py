"""Done-when of issue 16 (pub16's share): a unit enters its 2022 campaign after the fact, in
December 2026, through the HTTP APIs, and gets the Hangzhou 附表2 for 2022 that matches a
hand count; the publicity of the 2022 decisions follows the rules in force in 2022 (527号),
so they are no longer public now.

Registry and QC facts carry their 2022 world dates (granted_on, registered_on, opened_on,
recorded_on) and are recorded in 2026. Enforcement's world dates (decided_on...) are law16's
part, not merged here: the decisions are entered through the enforcement API as it is, with
that service's clock moved through 2022."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from contracts.envelope import Role
from ohts.demo import staff_body
from services.enforcement.bootstrap import create_app as enforcement_app
from services.qc.bootstrap import create_app as qc_app
from services.registry.bootstrap import create_app as registry_app
from services.registry.domain.uscc import make_uscc
from services.reporting.bootstrap import create_app as reporting_app
from tests.integration.helpers import Service, eventually, running, token

pytestmark = pytest.mark.integration
NOW = datetime(2026, 12, 1, 2, tzinfo=UTC)  # 10:00 in China, long after the campaign


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T02:00:00+00:00")


async def institution(reg: Service, serial: int, region: str, kind: str, staff_on: str) -> str:
    authority = token(reg.runtime.settings, Role.REGISTRY_AUTHORITY, "330000")
    body = {
        "uscc": make_uscc(region, f"4700{serial:05d}"),
        "name": f"二〇二二测试机构{serial}号",
        "address": "浙江省某地",
        "legal_representative": "王建国",
        "nature": "企业",
        "kind": kind,
        "region_code": region,
        "website": "https://www.example.cn",
    }
    iid = str((await reg.call("POST", "/api/v1/institutions", authority, body, 201)).json()["id"])
    for n in range(15):
        person = staff_body(iid, n, serial) | {"registered_on": staff_on}
        if "assessment_date" in person:  # assessed before being registered
            person["assessment_date"] = staff_on
        await reg.call("POST", "/api/v1/staff", authority, person, expect=201)
    return iid


async def qualify(reg: Service, iid: str, serial: int, applied: str, granted: str) -> None:
    authority = token(reg.runtime.settings, Role.REGISTRY_AUTHORITY, "330000")
    applied_body = {
        "institution_id": iid,
        "kind": "occupational-health",
        "scope_codes": ["OH-01", "OH-04"],
        "applied_on": applied,
    }
    qid = (await reg.call("POST", "/api/v1/qualifications", authority, applied_body, 201)).json()
    path = f"/api/v1/qualifications/{qid['id']}"
    await reg.call("POST", f"{path}/review", authority, expect=204)
    grant = {
        "certificate_number": f"(浙)卫职技字({granted[:4]})第{serial:04d}号",
        "valid_from": granted,
        "granted_on": granted,
    }
    await reg.call("POST", f"{path}/grant", authority, grant, expect=204)


async def decide(
    enf: Service, iid: str, violation: str, opened: str, decided: str | None, **penalty: Any
) -> str:
    """Lead, case and (when `decided`) the decision, each on its day of 2022 (the service's
    clock: enforcement takes no world dates before law16's part is merged)."""
    sup = token(enf.runtime.settings, Role.SUPERVISION_UNIT, "330100")
    enf.clock.advance(at(opened) - enf.clock.now())
    lead = {"institution_id": iid, "description": "2022年专项治理发现"}
    lead_id = (await enf.call("POST", "/api/v1/leads/complaints", sup, lead, 201)).json()["id"]
    case = {"violation": violation}
    case_id = str(
        (await enf.call("POST", f"/api/v1/leads/{lead_id}/case", sup, case, 201)).json()["id"]
    )
    if decided:
        await enf.call(
            "POST", f"/api/v1/cases/{case_id}/investigation", sup, {"summary": "查实"}, 204
        )
        enf.clock.advance(at(decided) - enf.clock.now())
        body = {"decision_number": f"杭卫罚〔2022〕{case_id[-6:]}号", **penalty}
        await enf.call("POST", f"/api/v1/cases/{case_id}/penalty", sup, body, expect=204)
    return case_id


async def test_a_2022_campaign_entered_in_2026_gives_its_form_and_publicity(settings) -> None:
    async with (
        running(registry_app, settings, NOW) as reg,
        running(qc_app, settings, NOW) as qc,
        running(enforcement_app, settings, at("2022-01-04")) as enf,
        running(reporting_app, settings, NOW) as rep,
    ):
        oh, rh = "occupational-health-service", "radiological-health-service"
        a = await institution(reg, 1, "330106", oh, "2022-01-10")
        b = await institution(reg, 2, "330102", oh, "2021-03-01")
        g = await institution(reg, 3, "330105", oh, "2023-01-05")  # qualified in 2023 only
        r = await institution(reg, 4, "330106", rh, "2022-01-10")  # not counted: radiological
        n = await institution(reg, 5, "330203", oh, "2021-03-01")  # Ningbo, worked in Hangzhou
        await qualify(reg, a, 1, "2022-02-01", "2022-03-01")
        await qualify(reg, b, 2, "2021-05-01", "2021-06-01")
        await qualify(reg, g, 3, "2023-01-10", "2023-02-01")
        await qualify(reg, n, 5, "2021-01-04", "2021-01-10")
        card = {
            "institution_id": n,
            "report_number": "NB-2022-7",
            "service_kind": "detection",
            "client_name": "杭州某化工有限公司",
            "client_uscc": make_uscc("330106", "770000001", "91"),
            "client_region_code": "330106",
            "completion_date": "2022-09-01",
        }
        authority = token(settings, Role.REGISTRY_AUTHORITY, "330000")
        await reg.call("POST", "/api/v1/report-cards", authority, card, expect=201)

        async def enforcement_knows() -> bool:
            async with enf.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM known_institutions") == 5

        await eventually(enforcement_knows)
        # The hand count below: a1 (A, false report), b1 (B, a warning), s1 (A's staff signing
        # for others), b2 (B, case of Nov 2022 decided in 2023), r1 (R: radiological, out),
        # a2 (A, annulled in Sept: out).
        await decide(
            enf,
            a,
            "false-report",
            "2022-04-02",
            "2022-04-15",
            penalties=["warning", "fine", "confiscation"],
            fine_yuan="20000",
            confiscation_yuan="3000",
            illegal_gains_yuan="3000",
        )
        await decide(
            enf, b, "work-requirements-not-met", "2022-05-05", "2022-05-10", penalties=["warning"]
        )
        await decide(
            enf,
            a,
            "staff-signing",
            "2022-05-20",
            "2022-06-01",
            penalties=["warning", "fine"],
            fine_yuan="5000",
        )
        await decide(
            enf, r, "work-requirements-not-met", "2022-06-20", "2022-07-01", penalties=["warning"]
        )
        a2 = await decide(
            enf,
            a,
            "work-requirements-not-met",
            "2022-07-20",
            "2022-08-01",
            penalties=["warning", "fine"],
            fine_yuan="8000",
        )
        sup = token(settings, Role.SUPERVISION_UNIT, "330100")
        enf.clock.advance(at("2022-09-01") - enf.clock.now())
        await enf.call(
            "POST", f"/api/v1/cases/{a2}/annulment", sup, {"reason": "行政复议撤销"}, 204
        )
        await decide(
            enf,
            b,
            "certificate-misuse",
            "2022-11-20",
            "2023-01-10",
            penalties=["warning", "fine"],
            fine_yuan="10000",
        )

        # QC of 2022, entered now with its own dates.
        centre = token(settings, Role.QC_CENTRE, "330000")

        async def qc_knows() -> bool:
            async with qc.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM known_qualifications") == 4

        await eventually(qc_knows)
        plan = {"province_code": "330000", "year": 2022, "seed": "zj-2022"}
        plan_id = (await qc.call("POST", "/api/v1/plans", centre, plan, 201)).json()["id"]
        opened = {
            "plan_id": plan_id,
            "kind": "on-site",
            "participants": [a],
            "opened_on": "2022-06-01",
        }
        activity = (await qc.call("POST", "/api/v1/activities", centre, opened, 201)).json()["id"]
        result = {"institution_id": a, "result": "pass", "recorded_on": "2022-06-10"}
        future = result | {"recorded_on": "2026-12-02"}
        refused = await qc.call("POST", f"/api/v1/activities/{activity}/results", centre, future)
        assert refused.status_code == 422 and "recorded_on" in refused.text
        await qc.call("POST", f"/api/v1/activities/{activity}/results", centre, result, 201)

        async def reporting_has_all() -> bool:
            async with rep.runtime.pool.acquire() as conn:
                return (
                    await conn.fetchval("SELECT count(*) FROM rp_penalties") == 6
                    and await conn.fetchval(
                        "SELECT count(*) FROM rp_penalties WHERE annulled_on IS NOT NULL"
                    )
                    == 1
                    and await conn.fetchval("SELECT count(*) FROM rp_qc_results") == 1
                    and await conn.fetchval("SELECT count(*) FROM rp_report_cards") == 1
                )

        await eventually(reporting_has_all, timeout=60)
        await check_form(rep, sup)
        await check_publicity(rep, sup, a, b)
        ind = (
            await rep.call(
                "GET", "/api/v1/supervision/indicators?from=2022-01-01&to=2022-12-31", sup, 200
            )
        ).json()["region"]
        assert ind["qc_coverage"]["numerator"] == 1  # A's result of 10 June 2022
        assert ind["late_entries"] == 1  # that result, recorded in Dec 2026
        assert ind["late_entry_max_working_days"] > 1000


async def check_form(rep: Service, sup: dict[str, str]) -> None:
    r = await rep.call(
        "GET", "/api/v1/supervision/forms/hangzhou-2?from=2022-01-01&to=2022-12-31", sup, 200
    )
    rows = {row["行为主体类别"]: list(row.values())[1:] for row in r.json()["rows"]}
    # By hand. Local: A (granted 1 Mar 2022) and B; not G (2023), not R (radiological).
    # Offenders A (a1) and B (b1); false report a1; work requirements b1; cases opened in 2022
    # a1, b1, b2, a2 (r1 is R's); warnings a1, b1; fine 20,000 = 2 万元; confiscation 0.3.
    assert rows["本地\n机构"] == [2, 2, 0, 0, 1, 1, 0, 0, 4, 2, "2.0000", "0.3000"]
    # Out-of-area: N worked in Hangzhou in 2022 (its report card); no decision.
    assert rows["外地\n机构"] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, "0.0000", "0.0000"]
    # Staff of A and B registered by the end of 2022 (15 + 15); s1: a warning and 5,000.
    assert rows["技术\n人员"] == [30, 1, "——", "——", 0, 1, "——", 0, 1, 1, "0.5000", "——"]
    assert rows["合计"] == [33, 3, 0, 0, 1, 2, 0, 0, 5, 3, "2.5000", "0.3000"]


async def check_publicity(rep: Service, sup: dict[str, str], a: str, b: str) -> None:
    async def public(iid: str) -> list[str]:
        r = await rep.call("GET", f"/api/v1/public/institutions/{iid}", {}, expect=200)
        return [p["decision_number"] for p in r.json()["penalties"]]

    async def record(iid: str) -> list[tuple[str, str, str, str, bool]]:
        rows = (
            await rep.call("GET", f"/api/v1/supervision/institutions/{iid}/penalties", sup, 200)
        ).json()
        return sorted(
            (
                p["decided_on"],
                p["publicity_rule"],
                p["severity_name"],
                p["public_until"],
                p["published"],
            )
            for p in rows
        )

    # 527号 (2019-07-01 to 2023-04-30): a1, a false report, is 严重失信 (6 months to 3 years);
    # s1 and b1 (a warning: 527 publishes it) are 一般失信 (3 months to 1 year). Every 2022
    # period has ended by December 2026: nothing of 2022 is public now. (as_of cannot show
    # them public in 2022: the system learned of them only in 2026.)
    assert await public(a) == [] and await public(b) == []
    assert await record(a) == [
        ("2022-04-15", "ndrc-527-2019", "严重失信", "2025-04-15", True),
        ("2022-06-01", "ndrc-527-2019", "一般失信", "2023-06-01", True),
        ("2022-08-01", "ndrc-527-2019", "一般失信", "2023-08-01", True),  # annulled a2
    ]
    assert await record(b) == [
        ("2022-05-10", "ndrc-527-2019", "一般失信", "2023-05-10", True),
        ("2023-01-10", "ndrc-527-2019", "一般失信", "2024-01-10", True),
    ]
