"""Q6 as a living conclusion and Q5 acknowledgement across services, on the real PostgreSQL
and broker: qc's conclusion follows each item after the year's end, the public list is
entered and left (with its history), a look-back reopening takes a new due date and the
credit class in enforcement follows it; a person of the receiving unit acknowledges."""

from datetime import timedelta
from typing import Any

import pytest

from contracts.envelope import Role
from services.enforcement.bootstrap import create_app as enforcement_app
from services.qc.application.rectifications import mark_overdue
from services.qc.application.unit import qc_of
from services.qc.bootstrap import create_app as qc_app
from tests.integration.helpers import META, Service, eventually, running, token
from tests.integration.test_qc_flows import NOW, seed_registry

pytestmark = pytest.mark.integration


async def failed_with_two_items(qc: Service, centre: dict[str, str]) -> tuple[str, str, str]:
    """A 2026 plan, an on-site activity, and a monitored institution failing it with two
    items: A due 20 March, B due 1 April (neither finding is a violation clue)."""
    plan_id = (
        await qc.call(
            "POST",
            "/api/v1/plans",
            centre,
            {"province_code": "330000", "year": 2026, "seed": "living"},
            expect=201,
        )
    ).json()["id"]
    groups = (await qc.call("GET", f"/api/v1/plans/{plan_id}", centre, expect=200)).json()
    target = groups["groups"]["monitoring"][0]["institution_id"]
    activity = {"plan_id": plan_id, "kind": "on-site"}
    activity_id = (
        await qc.call("POST", "/api/v1/activities", centre, activity, expect=201)
    ).json()["id"]
    findings = [
        {"category": "records-management", "description": "档案不全", "due_on": "2026-03-20"},
        {"category": "quality-management", "description": "质控记录缺失", "due_on": "2026-04-01"},
    ]
    a, b = (
        await qc.call(
            "POST",
            f"/api/v1/activities/{activity_id}/results",
            centre,
            {"institution_id": target, "result": "fail", "findings": findings},
            expect=201,
        )
    ).json()["rectification_item_ids"]
    return target, a, b


async def credit_class(enf: Service, settings: Any, institution_id: str, expected: str) -> None:
    supervisor = token(settings, Role.SUPERVISION_UNIT, "330106")

    async def reached() -> bool:
        r = await enf.call("GET", "/api/v1/credit-classes", supervisor, expect=200)
        got = {c["institution_id"]: c["credit_class"] for c in r.json()}
        return got.get(institution_id, "A") == expected

    await eventually(reached)


async def close(qc: Service, settings: Any, target: str, item: str) -> None:
    centre = token(settings, Role.QC_CENTRE, "330000")
    own = token(settings, Role.INSTITUTION, "330106", institution_id=target)
    body = {"text": "已整改完毕"}
    await qc.call("POST", f"/api/v1/rectifications/{item}/submission", own, body, expect=204)
    await qc.call("POST", f"/api/v1/rectifications/{item}/verification", centre, expect=204)


async def test_the_conclusion_lives_after_the_year_end_and_the_credit_follows(settings) -> None:
    await seed_registry(settings, local=3, health=0, out_of_province=0)
    centre = token(settings, Role.QC_CENTRE, "330000")
    async with running(qc_app, settings, NOW) as qc, running(enforcement_app, settings, NOW) as enf:

        async def learned() -> bool:
            async with qc.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM known_qualifications") == 3

        await eventually(learned)
        target, a, b = await failed_with_two_items(qc, centre)
        qc.clock.advance(timedelta(days=23))  # 25 March: A is past due, B pending
        assert await mark_overdue(qc_of(qc.runtime), META) == 1
        concluded = (
            await qc.call(
                "POST", "/api/v1/conclusions", centre, {"province_code": "330000", "year": 2026}
            )
        ).json()
        mine = next(c for c in concluded if c["institution_id"] == target)
        assert mine == {
            "institution_id": target,
            "result": "fail",
            "rectified": False,
            "on_public_list": True,
        }
        await credit_class(enf, settings, target, "D")  # on the public list (E7)

        # A verified: no item past due, B still open: listed still, until its items close.
        await close(qc, settings, target, a)
        public = (await qc.call("GET", "/api/v1/public-list", {}, expect=200)).json()
        assert [p["institution_id"] for p in public] == [target]
        assert public[0]["pending_items"] == 1 and public[0]["overdue_items"] == 0
        await close(qc, settings, target, b)
        assert (await qc.call("GET", "/api/v1/public-list", {}, expect=200)).json() == []
        history = (await qc.call("GET", "/api/v1/public-list?history=true", {}, expect=200)).json()
        assert [(h["institution_id"], h["entered_on"], h["left_on"]) for h in history] == [
            (target, "2026-03-25", "2026-03-25")
        ]
        await credit_class(enf, settings, target, "B")  # off the list: a failure this year

        # Look-back on 10 April: A reopens with the rule's new term, so its old date (20
        # March) does not make it overdue at once, and the class stays B.
        qc.clock.advance(timedelta(days=16))
        await qc.call(
            "POST",
            f"/api/v1/rectifications/{a}/reopening",
            centre,
            {"reason": "回头看发现问题复发"},
            expect=204,
        )
        ledger = (await qc.call("GET", "/api/v1/rectifications", centre, expect=200)).json()
        assert {i["item_id"]: i["due_on"] for i in ledger}[a] == "2026-05-10"
        assert await mark_overdue(qc_of(qc.runtime), META) == 0
        # Past the new date, it is overdue: back on the list, referred, and class D again.
        qc.clock.advance(timedelta(days=31))
        assert await mark_overdue(qc_of(qc.runtime), META) == 1
        [entered_again] = [
            h
            for h in (
                await qc.call("GET", "/api/v1/public-list?history=true", {}, expect=200)
            ).json()
            if h["left_on"] is None
        ]
        assert entered_again["entered_on"] == "2026-05-11"
        reasons = [r["reason"] for r in await qc.events("qc.ViolationClueReferred")]
        assert reasons == ["annual-public-list", "annual-public-list"]
        await credit_class(enf, settings, target, "D")
        revised = await qc.events("qc.AnnualQcConclusionRevised")
        assert [r["trigger"] for r in revised] == ["verified", "verified", "reopened", "overdue"]


async def test_a_person_of_the_receiving_unit_acknowledges_a_referral(settings) -> None:
    await seed_registry(settings, local=3, health=0, out_of_province=0)
    centre = token(settings, Role.QC_CENTRE, "330000")
    async with running(qc_app, settings, NOW) as qc, running(enforcement_app, settings, NOW) as enf:

        async def learned() -> bool:
            async with qc.runtime.pool.acquire() as conn:
                return await conn.fetchval("SELECT count(*) FROM known_qualifications") == 3

        await eventually(learned)
        await failed_with_two_items(qc, centre)
        qc.clock.advance(timedelta(days=23))  # 25 March, in both services
        enf.clock.advance(timedelta(days=23))
        await mark_overdue(qc_of(qc.runtime), META)
        await qc.call(
            "POST", "/api/v1/conclusions", centre, {"province_code": "330000", "year": 2026}
        )
        [referral] = await qc.events("qc.ViolationClueReferred")

        # Enforcement receives it over the broker and opens a lead: received, not acknowledged.
        async def received() -> bool:
            async with qc.runtime.pool.acquire() as conn:
                return bool(await conn.fetchval("SELECT received_on IS NOT NULL FROM referrals"))

        await eventually(received)
        dashboard = (await qc.call("GET", "/api/v1/dashboard/referrals", centre, expect=200)).json()
        assert dashboard == {"acknowledged": 0, "received": 1, "waiting": 1, "stale": []}
        unit = token(settings, Role.SUPERVISION_UNIT, "330106")
        [lead] = (await enf.call("GET", "/api/v1/leads", unit, expect=200)).json()
        assert lead["source_ref"] == referral["referral_id"] and lead["acknowledged_by"] is None
        path = f"/api/v1/leads/{lead['lead_id']}/referral-acknowledgement"
        province = token(settings, Role.SUPERVISION_UNIT, "330000")
        refused = await enf.call("POST", path, province, {"note": "代签"})
        assert refused.status_code == 403  # the province's unit is not the receiving unit
        await enf.call("POST", path, unit, {"note": "已签收，拟立案调查"}, expect=204)
        again = await enf.call("POST", path, unit, {})
        assert again.status_code == 409 and again.json()["state"] == "acknowledged"

        async def acknowledged() -> bool:
            r = await qc.call("GET", "/api/v1/dashboard/referrals", centre, expect=200)
            return bool(r.json()["acknowledged"] == 1)

        await eventually(acknowledged)
        dashboard = (await qc.call("GET", "/api/v1/dashboard/referrals", centre, expect=200)).json()
        assert dashboard == {"acknowledged": 1, "received": 0, "waiting": 0, "stale": []}
        [lead] = (await enf.call("GET", "/api/v1/leads", unit, expect=200)).json()
        assert lead["acknowledged_on"] == "2026-03-25"
