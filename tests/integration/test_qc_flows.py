"""QC rules through the HTTP API, on the real PostgreSQL and broker: qc learns institutions
from registry events, and its referrals reach enforcement, which acknowledges them."""

from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.envelope import Role
from contracts.registry_v1 import (
    InstitutionKind,
    InstitutionRegistered,
    OutOfProvinceFilingRegistered,
    QualificationGranted,
    QualificationKind,
)
from services.enforcement.bootstrap import create_app as enforcement_app
from services.qc.application.rectifications import mark_overdue
from services.qc.application.unit import qc_of
from services.qc.bootstrap import create_app as qc_app
from tests.integration.helpers import META, eventually, publish_event, running, token

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 2, 2, tzinfo=UTC)


async def seed_registry(
    settings, local: int, health: int, out_of_province: int
) -> dict[str, list[str]]:
    """Registry events as the registry would publish them."""
    made: dict[str, list[str]] = {"technical": [], "health": [], "oop": []}
    for n in range(local + health + out_of_province):
        iid = f"inst-{n:02d}"
        region = "530102" if n >= local + health else "330106"
        kind = (
            InstitutionKind.HEALTH_EXAMINATION
            if local <= n < local + health
            else InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE
        )
        await publish_event(
            settings,
            "registry",
            InstitutionRegistered(
                institution_id=iid,
                uscc=f"U{n}",
                name=f"机构{n}",
                address="地址",
                legal_representative="法人",
                nature="企业",
                kind=kind,
                region_code=region,
                registered_at=datetime(2020, 1, 1, tzinfo=UTC),
            ),
            iid,
            region,
        )
        if kind is InstitutionKind.HEALTH_EXAMINATION:
            made["health"].append(iid)
            continue
        await publish_event(
            settings,
            "registry",
            QualificationGranted(
                qualification_id=f"q-{n}",
                institution_id=iid,
                certificate_number=f"C-{n}",
                kind=QualificationKind.OCCUPATIONAL_HEALTH,
                scope_codes=["OH-01"],
                valid_from=date(2025, 1, 1),
                valid_until=date(2029, 12, 31),
                decided_at=NOW,
                issuing_authority="x",
            ),
            iid,
            region,
        )
        if region == "530102":
            await publish_event(
                settings,
                "registry",
                OutOfProvinceFilingRegistered(
                    filing_id=f"f-{n}",
                    institution_id=iid,
                    province_code="330000",
                    certificate_number=f"C-{n}",
                    issuing_authority="云南省卫生健康委员会",
                    valid_until=date(2029, 12, 31),
                    scope_codes=["OH-01"],
                    contacts=[],
                    receiving_qc_centre="浙江省质控中心",
                    filed_at=NOW,
                ),
                iid,
                region,
            )
            made["oop"].append(iid)
        else:
            made["technical"].append(iid)
    return made


async def test_plan_results_rectification_referral_and_conclusion(settings) -> None:
    made = await seed_registry(settings, local=7, health=3, out_of_province=3)
    centre = token(settings, Role.QC_CENTRE, "330000")
    async with running(qc_app, settings, NOW) as qc, running(enforcement_app, settings, NOW) as enf:

        async def learned() -> bool:
            async with qc.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM known_filings") == 3

        await eventually(learned)

        plan_id = (
            await qc.call(
                "POST",
                "/api/v1/plans",
                centre,
                {
                    "province_code": "330000",
                    "year": 2026,
                    "seed": "zj-2026",
                    "complaints_to_verify": ["inst-03"],
                },
                expect=201,
            )
        ).json()["id"]
        groups = (await qc.call("GET", f"/api/v1/plans/{plan_id}", centre, expect=200)).json()[
            "groups"
        ]
        assert len(groups["comparison"]) == 7 and len(groups["monitoring"]) == 3  # ceil(0.4 × 7)
        assert len(groups["out-of-province"]) == 2 and len(groups["health-exam-provincial"]) == 2
        reasons = {e["institution_id"]: e["reason"] for e in groups["monitoring"]}
        assert reasons["inst-03"] == "priority: complaints-to-verify"
        assert (
            await qc.call("GET", f"/api/v1/plans/{plan_id}/verification", {}, expect=200)
        ).json()["matches"]
        again = await qc.call(
            "POST", "/api/v1/plans", centre, {"province_code": "330000", "year": 2026}
        )
        assert again.status_code == 409

        activity_id = (
            await qc.call(
                "POST",
                "/api/v1/activities",
                centre,
                {"plan_id": plan_id, "kind": "on-site"},
                expect=201,
            )
        ).json()["id"]
        target = groups["monitoring"][0]["institution_id"]
        outsider = await qc.call(
            "POST",
            f"/api/v1/activities/{activity_id}/results",
            centre,
            {
                "institution_id": made["health"][0]
                if made["health"][0]
                not in {e["institution_id"] for e in groups["health-exam-provincial"]}
                else "inst-99",
                "result": "pass",
            },
        )
        assert outsider.status_code == 422
        past_due = await qc.call(
            "POST",
            f"/api/v1/activities/{activity_id}/results",
            centre,
            {
                "institution_id": target,
                "result": "fail",
                "findings": [
                    {
                        "category": "records-management",
                        "description": "原始记录缺失",
                        "due_on": "2026-03-01",
                    }
                ],
            },
        )
        assert past_due.status_code == 422 and past_due.json()["errors"][0]["field"] == "due_on"
        assert await qc.events("qc.QcResultRecorded") == []  # refused whole: nothing written

        items = (
            await qc.call(
                "POST",
                f"/api/v1/activities/{activity_id}/results",
                centre,
                {
                    "institution_id": target,
                    "result": "fail",
                    "findings": [
                        {
                            "category": "false-report",
                            "severity": "serious",
                            "description": "检测报告数据与原始记录不符",
                            "evidence_refs": ["photo-1", "record-7"],
                            "due_on": "2026-04-01",
                        },
                        {
                            "category": "records-management",
                            "description": "档案不全",
                            "due_on": "2026-03-20",
                        },
                    ],
                },
                expect=201,
            )
        ).json()["rectification_item_ids"]
        assert len(items) == 2
        [referral] = await qc.events("qc.ViolationClueReferred")  # only the false report is a clue
        assert referral["category"] == "false-report" and referral["evidence_refs"] == [
            "photo-1",
            "record-7",
        ]

        # Enforcement receives the referral over the broker and opens a lead (received; a
        # person of the unit acknowledges it: tests/integration/test_qc_living_flows.py).
        async def received() -> bool:
            async with qc.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT received_on IS NOT NULL FROM referrals") is True

        await eventually(received)
        leads = (
            await enf.call(
                "GET", "/api/v1/leads", token(settings, Role.SUPERVISION_UNIT, "330100"), expect=200
            )
        ).json()
        assert [(lead["source"], lead["source_ref"]) for lead in leads] == [
            ("qc-referral", referral["referral_id"])
        ]
        dashboard = (await qc.call("GET", "/api/v1/dashboard/referrals", centre, expect=200)).json()
        assert dashboard == {"acknowledged": 0, "received": 1, "waiting": 1, "stale": []}

        # The institution submits; QC verifies one item; the other goes overdue by the clock.
        own = token(settings, Role.INSTITUTION, "330106", institution_id=target)
        other = token(settings, Role.INSTITUTION, "330106", institution_id="inst-00x")
        assert (
            await qc.call(
                "POST", f"/api/v1/rectifications/{items[0]}/submission", other, {"text": "已整改"}
            )
        ).status_code == 403
        await qc.call(
            "POST",
            f"/api/v1/rectifications/{items[0]}/submission",
            own,
            {"text": "已重新出具报告", "attachment_refs": ["new-report"]},
            expect=204,
        )
        await qc.call("POST", f"/api/v1/rectifications/{items[0]}/verification", centre, expect=204)
        closed_again = await qc.call(
            "POST", f"/api/v1/rectifications/{items[0]}/verification", centre
        )
        assert closed_again.status_code == 409 and closed_again.json()["state"] == "closed"
        qc.clock.advance(timedelta(days=30))  # 1 April: item 1 (due 20 March) is overdue
        assert await mark_overdue(qc_of(qc.runtime), META) == 1
        [overdue] = await qc.events("qc.RectificationOverdue")
        assert overdue["item_id"] == items[1]

        # Year end: failed and not rectified by the deadline → public list and a referral.
        concluded = (
            await qc.call(
                "POST",
                "/api/v1/conclusions",
                centre,
                {"province_code": "330000", "year": 2026},
                expect=201,
            )
        ).json()
        listed = [c for c in concluded if c["on_public_list"]]
        assert [c["institution_id"] for c in listed] == [target]
        public = (await qc.call("GET", "/api/v1/public-list", {}, expect=200)).json()
        assert [p["institution_id"] for p in public] == [target]
        referrals = await qc.events("qc.ViolationClueReferred")
        assert [r["reason"] for r in referrals] == ["finding", "annual-public-list"]
        await qc.call(
            "POST",
            f"/api/v1/rectifications/{items[0]}/reopening",
            centre,
            {"reason": "回头看发现问题复发"},
            expect=204,
        )


async def test_unacknowledged_referrals_turn_stale_after_five_working_days(settings) -> None:
    await seed_registry(settings, local=1, health=0, out_of_province=0)
    centre = token(settings, Role.QC_CENTRE, "330000")
    async with running(qc_app, settings, NOW) as qc:  # no enforcement running: nobody acknowledges

        async def learned() -> bool:
            async with qc.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM known_qualifications") == 1

        await eventually(learned)
        plan_id = (
            await qc.call(
                "POST",
                "/api/v1/plans",
                centre,
                {"province_code": "330000", "year": 2026, "seed": "s"},
                expect=201,
            )
        ).json()["id"]
        activity_id = (
            await qc.call(
                "POST",
                "/api/v1/activities",
                centre,
                {"plan_id": plan_id, "kind": "capability-comparison"},
                expect=201,
            )
        ).json()["id"]
        await qc.call(
            "POST",
            f"/api/v1/activities/{activity_id}/results",
            centre,
            {
                "institution_id": "inst-00",
                "result": "refused",
                "findings": [
                    {
                        "category": "refused-qc",
                        "description": "拒绝参加能力比对",
                        "due_on": "2026-04-01",
                    }
                ],
            },
            expect=201,
        )
        qc.clock.advance(timedelta(days=7))  # Mon 9 March: 5 working days
        assert (await qc.call("GET", "/api/v1/dashboard/referrals", centre, expect=200)).json()[
            "stale"
        ] == []
        qc.clock.advance(timedelta(days=1))  # 10 March: the sixth working day
        stale = (await qc.call("GET", "/api/v1/dashboard/referrals", centre, expect=200)).json()[
            "stale"
        ]
        assert [s["working_days_waiting"] for s in stale] == [6]


async def test_a_tampered_plan_fails_verification(settings) -> None:
    await seed_registry(settings, local=5, health=0, out_of_province=0)
    centre = token(settings, Role.QC_CENTRE, "330000")
    async with running(qc_app, settings, NOW) as qc:

        async def learned() -> bool:
            async with qc.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM known_qualifications") == 5

        await eventually(learned)
        plan_id = (
            await qc.call(
                "POST",
                "/api/v1/plans",
                centre,
                {"province_code": "330000", "year": 2026, "seed": "s1"},
                expect=201,
            )
        ).json()["id"]
        async with qc.runtime.pool.acquire() as conn:
            await conn.execute(
                "UPDATE events SET payload = jsonb_set(payload, '{seed}', '\"s2\"')"
                " WHERE event_type = 'qc.QcPlanGenerated'"
            )
        result = (
            await qc.call("GET", f"/api/v1/plans/{plan_id}/verification", {}, expect=200)
        ).json()
        assert result["matches"] is False and result["differences"]
