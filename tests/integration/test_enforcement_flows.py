"""Referral → lead → case → penalty → credit class, and revocation back to the registry, over
the real broker with all three producing services running in this process."""

from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.envelope import Role
from services.enforcement.bootstrap import create_app as enforcement_app
from services.qc.bootstrap import create_app as qc_app
from services.registry.bootstrap import create_app as registry_app
from tests.integration.helpers import eventually, running, token
from tests.integration.registry_client import RegistryClient

pytestmark = pytest.mark.integration
NOW = datetime(2026, 6, 1, 2, tzinfo=UTC)


async def test_referral_to_penalty_to_credit_class_and_revocation(settings) -> None:
    async with (
        running(registry_app, settings, NOW) as reg_svc,
        running(qc_app, settings, NOW) as qc,
        running(enforcement_app, settings, NOW) as enf,
    ):
        reg = RegistryClient(reg_svc.http, reg_svc.runtime, settings, reg_svc.clock)  # type: ignore[arg-type]
        iid = await reg.register(1)
        other = await reg.register(2)
        certificate = "(浙)卫职技字(2026)第0001号"
        await reg.qualify(iid, 1, certificate=certificate)
        await reg.qualify(other, 2, certificate="(浙)卫职技字(2026)第0002号")
        sup = token(settings, Role.SUPERVISION_UNIT, "330000")
        centre = token(settings, Role.QC_CENTRE, "330000")

        async def everyone_knows() -> bool:
            async with qc.runtime.pool.acquire() as c1, enf.runtime.pool.acquire() as c2:
                return (
                    await c1.fetchval("SELECT count(*) FROM known_qualifications") == 2
                    and await c2.fetchval("SELECT count(*) FROM known_certificates") == 2
                )

        await eventually(everyone_knows)

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
                {"plan_id": plan_id, "kind": "on-site", "participants": [iid]},
                expect=201,
            )
        ).json()["id"]
        await qc.call(
            "POST",
            f"/api/v1/activities/{activity_id}/results",
            centre,
            {
                "institution_id": iid,
                "result": "fail",
                "findings": [
                    {
                        "category": "false-report",
                        "severity": "serious",
                        "description": "报告数据造假",
                        "evidence_refs": ["e-1"],
                        "due_on": "2026-07-01",
                    }
                ],
            },
            expect=201,
        )

        async def lead_arrived() -> bool:
            return len((await enf.call("GET", "/api/v1/leads", sup, expect=200)).json()) == 1

        await eventually(lead_arrived)
        [lead] = (await enf.call("GET", "/api/v1/leads", sup)).json()
        case_id = (
            await enf.call(
                "POST",
                f"/api/v1/leads/{lead['lead_id']}/case",
                sup,
                {"violation": "false-report"},
                expect=201,
            )
        ).json()["id"]
        await enf.call(
            "POST", f"/api/v1/cases/{case_id}/investigation", sup, {"summary": "查实"}, expect=204
        )
        outside = await enf.call(
            "POST",
            f"/api/v1/cases/{case_id}/penalty",
            sup,
            {
                "decision_number": "浙卫罚〔2026〕8号",
                "penalties": ["warning", "fine"],
                "fine_yuan": "20000.01",
            },
        )
        assert outside.status_code == 422
        assert "5,000.00 yuan – 20,000.00 yuan" in outside.json()["errors"][0]["message"]
        await enf.call(
            "POST",
            f"/api/v1/cases/{case_id}/penalty",
            sup,
            {
                "decision_number": "浙卫罚〔2026〕8号",
                "penalties": ["warning", "fine", "revocation"],
                "fine_yuan": "20000",
                "certificate_number": certificate,
            },
            expect=204,
        )
        await enf.call("POST", f"/api/v1/cases/{case_id}/execution", sup, expect=204)
        await enf.call("POST", f"/api/v1/cases/{case_id}/closure", sup, expect=204)
        late = await enf.call(
            "POST",
            f"/api/v1/cases/{case_id}/penalty",
            sup,
            {"decision_number": "浙卫罚〔2026〕9号", "penalties": ["warning"]},
        )
        assert late.status_code == 409 and late.json()["state"] == "closed"
        repair = {"reason": "已整改并履行处罚", "harm_removed": True}
        refused = await enf.call("POST", f"/api/v1/cases/{case_id}/credit-repair", sup, repair)
        assert refused.status_code == 409 and "revocation" in refused.json()["detail"]
        annul = {"reason": "行政复议撤销"}
        await enf.call("POST", f"/api/v1/cases/{case_id}/annulment", sup, annul, expect=204)
        await enf.call("POST", f"/api/v1/cases/{case_id}/annulment", sup, annul, expect=409)
        (annulled,) = await enf.events("enforcement.PenaltyAnnulled")
        assert annulled["decision_number"] == "浙卫罚〔2026〕8号"

        classes = (await enf.call("GET", "/api/v1/credit-classes", sup, expect=200)).json()
        # F3 (issue 16): the annulled decision stops counting, so the class falls back to B
        assert [(c["institution_id"], c["credit_class"]) for c in classes] == [(iid, "B")]
        changes = await enf.events("enforcement.CreditClassChanged")
        # the failed QC result (a qc event) made it B; the penalty with revocation makes it D;
        # its annulment takes it back to B
        assert [(c["previous_class"], c["credit_class"]) for c in changes] == [
            ("A", "B"),
            ("B", "D"),
            ("D", "B"),
        ]

        async def revoked() -> bool:
            record = await reg.get(f"/api/v1/institutions/{iid}")
            return record["qualifications"][0]["status"] == "revoked"

        await eventually(revoked)
        [revocation] = await reg_svc.events("registry.QualificationRevoked")
        assert (
            revocation["decision_number"] == "浙卫罚〔2026〕8号"
            and revocation["case_id"] == case_id
        )


async def test_plan_draw_verify_and_merge(settings) -> None:
    async with (
        running(registry_app, settings, NOW) as reg_svc,
        running(enforcement_app, settings, NOW) as enf,
    ):
        reg = RegistryClient(reg_svc.http, reg_svc.runtime, settings, reg_svc.clock)  # type: ignore[arg-type]
        ids = [await reg.register(n) for n in range(1, 4)]
        for n, iid in enumerate(ids, start=1):
            await reg.qualify(iid, n, certificate=f"(浙)卫职技字(2026)第{n:04d}号")
        sup = token(settings, Role.SUPERVISION_UNIT, "330000")

        async def known() -> bool:
            async with enf.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM known_certificates") == 3

        await eventually(known)
        roster = [
            {"inspector_id": f"p{k}", "conflicts": [ids[0]] if k == 0 else []} for k in range(8)
        ]
        twice = await enf.call(
            "POST",
            "/api/v1/plans",
            sup,
            {
                "jurisdiction_region_code": "330000",
                "year": 2026,
                "sampling_ratio": "1/1",
                "roster": [*roster, roster[1]],
            },
        )
        assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "roster"
        small = (
            await enf.call(
                "POST",
                "/api/v1/plans",
                sup,
                {
                    "jurisdiction_region_code": "330000",
                    "year": 2026,
                    "sampling_ratio": "1/1",
                    "roster": roster[:4],
                    "exclusive_teams": True,  # E2: teams may overlap unless the plan says so
                },
                expect=201,
            )
        ).json()["id"]
        impossible = await enf.call("POST", f"/api/v1/plans/{small}/draws", sup, {"seed": "x"})
        assert impossible.status_code == 422 and "enough eligible inspectors" in impossible.text
        assert await enf.events("enforcement.InspectionDrawPublished") == []

        plan_id = (
            await enf.call(
                "POST",
                "/api/v1/plans",
                sup,
                {
                    "jurisdiction_region_code": "330000",
                    "year": 2026,
                    "sampling_ratio": "1/1",
                    "roster": roster,
                },
                expect=201,
            )
        ).json()["id"]
        draw_id = (
            await enf.call(
                "POST", f"/api/v1/plans/{plan_id}/draws", sup, {"seed": "zj"}, expect=201
            )
        ).json()["id"]
        assert (await enf.call("GET", f"/api/v1/draws/{draw_id}/verification", {})).json()[
            "matches"
        ]
        [published] = await enf.events("enforcement.InspectionDrawPublished")
        assert sorted(t["institution_id"] for t in published["targets"]) == sorted(ids)
        first_target = next(t for t in published["targets"] if t["institution_id"] == ids[0])
        assert "p0" not in first_target["inspectors"]  # declared conflict
        scheduled = await enf.events("enforcement.InspectionScheduled")
        assert len(scheduled) == 3

        # A complaint about the same institution in the same period merges (E3).
        inspection_id = next(s["inspection_id"] for s in scheduled if s["institution_id"] == ids[1])
        merged = (
            await enf.call(
                "POST",
                "/api/v1/inspections",
                sup,
                {
                    "institution_id": ids[1],
                    "kind": "complaint",
                    "period": "2026",
                    "inspectors": ["p1", "p2"],
                },
                expect=201,
            )
        ).json()["id"]
        assert merged == inspection_id
        await enf.call(
            "POST",
            f"/api/v1/inspections/{inspection_id}/completion",
            sup,
            {"result": "compliant", "full_evaluation": True, "ended_on": "2026-05-20"},
            expect=204,
        )
        enf.clock.advance(timedelta(days=30))
        overdue = (await enf.call("GET", "/api/v1/inspections/overdue-publications", sup)).json()
        assert [o["inspection_id"] for o in overdue] == [inspection_id]
        await enf.call("POST", f"/api/v1/inspections/{inspection_id}/publication", sup, expect=204)
        [result] = await enf.events("enforcement.InspectionResultPublished")
        assert result["lag_working_days"] > 20

        async def not_due_any_more() -> bool:  # R9: the full evaluation reached the registry
            due = await reg.get("/api/v1/inspections/due")
            return ids[1] not in [d["institution_id"] for d in due] and len(due) == 2

        await eventually(not_due_any_more)
        assert date(2026, 5, 20) < enf.clock.now().date()


async def test_each_qualification_ends_on_its_own_for_the_draw_universe(settings) -> None:
    """E1 with an institution holding two qualifications: one revoked (by a penalty decision
    carried out by the registry), the other still granted, keeps it in the universe; an
    institution whose only qualification is withdrawn leaves it."""
    async with (
        running(registry_app, settings, NOW) as reg_svc,
        running(enforcement_app, settings, NOW) as enf,
    ):
        reg = RegistryClient(reg_svc.http, reg_svc.runtime, settings, reg_svc.clock)  # type: ignore[arg-type]
        both, alone = await reg.register(1), await reg.register(2)
        revoked_certificate = "(浙)卫职技字(2026)第0001号"
        await reg.qualify(both, 1, certificate=revoked_certificate)
        await reg.qualify(both, 3, certificate="(浙)卫职技字(2026)第0003号")
        only = await reg.qualify(alone, 2, certificate="(浙)卫职技字(2026)第0002号")
        sup = token(settings, Role.SUPERVISION_UNIT, "330000")

        async def statuses() -> dict[str, str]:
            async with enf.runtime.pool.acquire() as conn:
                rows = await conn.fetch("SELECT certificate_number, status FROM known_certificates")
            return {r["certificate_number"][-5:-1]: r["status"] for r in rows}

        async def known() -> bool:
            return await statuses() == {"0001": "granted", "0002": "granted", "0003": "granted"}

        await eventually(known)
        complaint = {"institution_id": both, "description": "投诉其出具虚假报告"}
        lead_id = (
            await enf.call("POST", "/api/v1/leads/complaints", sup, complaint, expect=201)
        ).json()["id"]
        case_id = (
            await enf.call(
                "POST", f"/api/v1/leads/{lead_id}/case", sup, {"violation": "false-report"}
            )
        ).json()["id"]
        await enf.call(
            "POST", f"/api/v1/cases/{case_id}/investigation", sup, {"summary": "查实"}, expect=204
        )
        await enf.call(
            "POST",
            f"/api/v1/cases/{case_id}/penalty",
            sup,
            {
                "decision_number": "浙卫罚〔2026〕10号",
                "penalties": ["warning", "fine", "revocation"],
                "fine_yuan": "20000",
                "certificate_number": revoked_certificate,
            },
            expect=204,
        )
        await reg.post(f"/api/v1/qualifications/{only}/withdraw", {"reason": "机构申请撤回"})

        async def ended() -> bool:
            return await statuses() == {"0001": "revoked", "0002": "withdrawn", "0003": "granted"}

        await eventually(ended)
        await enf.call(
            "POST",
            "/api/v1/plans",
            sup,
            {
                "jurisdiction_region_code": "330000",
                "year": 2026,
                "sampling_ratio": "1/1",
                "roster": [{"inspector_id": f"p{k}"} for k in range(4)],
            },
            expect=201,
        )
        [defined] = await enf.events("enforcement.InspectionPlanDefined")
        assert defined["universe"] == [both]
