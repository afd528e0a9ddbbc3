"""Registry rules R1–R9 through the application layer, on the real PostgreSQL and broker."""

from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.enforcement_v1 import (
    CaseClosed,
    CaseOpened,
    InspectionCompleted,
    QualificationRevocationOrdered,
    UnreportedProjectFound,
)
from contracts.envelope import Actor, Role
from contracts.qc_v1 import BlindSamplePassed, RectificationRequired, RectificationVerified
from ohts.demo import LEGACY_CSV, staff_body
from services.registry.application.qualifications import expire_due
from services.registry.application.unit import registry_of
from services.registry.domain.uscc import make_uscc
from tests.integration.helpers import META, eventually, publish_event
from tests.integration.registry_client import RegistryClient, running_registry

pytestmark = pytest.mark.integration


async def status_of(reg: RegistryClient, institution_id: str) -> list[str]:
    record = await reg.get(f"/api/v1/institutions/{institution_id}")
    return [
        q["status"] + ("+renewal" if q["renewal_pending"] else "") for q in record["qualifications"]
    ]


async def test_r4_blocking_items_arrive_by_event_and_block_renewal(settings) -> None:
    async with running_registry(settings) as reg:
        iid = await reg.register()
        qid = await reg.qualify(iid, 1, valid_from="2021-06-01")
        await publish_event(
            settings,
            "qc",
            RectificationRequired(
                item_id="rect-1",
                institution_id=iid,
                finding_id="f-1",
                description="检测记录不全",
                due_on=date(2026, 4, 1),
            ),
            iid,
        )
        await publish_event(
            settings,
            "enforcement",
            CaseOpened(
                case_id="case-9",
                institution_id=iid,
                violation="false-report",
                opened_on=date(2026, 2, 1),
            ),
            iid,
        )

        async def blocked() -> bool:
            record = await reg.get(f"/api/v1/institutions/{iid}")
            return len(record["blocking_items"]) == 2

        await eventually(blocked)

        refused = await reg.post(f"/api/v1/qualifications/{qid}/renewal", {})
        assert refused.status_code == 409
        assert {i["id"] for i in refused.json()["blocking_items"]} == {"rect-1", "case-9"}
        cancel = await reg.post(f"/api/v1/qualifications/{qid}/cancel", {"reason": "停业"})
        assert cancel.status_code == 409
        assert await reg.events("registry.QualificationRenewalAccepted") == []

        await publish_event(
            settings,
            "qc",
            RectificationVerified(
                item_id="rect-1", institution_id=iid, verified_on=date(2026, 3, 1)
            ),
            iid,
        )
        await publish_event(
            settings,
            "enforcement",
            CaseClosed(case_id="case-9", institution_id=iid, closed_on=date(2026, 3, 1)),
            iid,
        )

        async def unblocked() -> bool:
            return not (await reg.get(f"/api/v1/institutions/{iid}"))["blocking_items"]

        await eventually(unblocked)
        await reg.post(f"/api/v1/qualifications/{qid}/renewal", {}, expect=204)
        assert await status_of(reg, iid) == ["granted+renewal"]


async def test_renewal_keeps_validity_until_decided_and_expiry_is_by_clock(settings) -> None:
    async with running_registry(settings, datetime(2026, 5, 1, 2, tzinfo=UTC)) as reg:
        a, b = await reg.register(1), await reg.register(2)
        qa = await reg.qualify(a, 1, valid_from="2021-06-01")  # valid until 2026-05-31
        await reg.qualify(b, 2, valid_from="2021-06-01")
        await reg.post(
            f"/api/v1/qualifications/{qa}/renewal", {"scope_codes": ["B06", "OH-04"]}, expect=204
        )
        reg.clock.advance(timedelta(days=45))  # 2026-06-15: both past their end date
        rt_registry = registry_of(reg.runtime)
        assert await expire_due(rt_registry, META) == 1  # only b: a's renewal is pending
        assert await status_of(reg, a) == ["granted+renewal"]
        assert await status_of(reg, b) == ["expired"]
        await reg.post(
            f"/api/v1/qualifications/{qa}/renewal/decision", {"approve": True}, expect=204
        )
        record = await reg.get(f"/api/v1/institutions/{a}")
        q = record["qualifications"][0]
        assert (q["valid_from"], q["valid_until"]) == ("2026-06-01", "2031-05-31")
        assert q["scope_codes"] == ["OH-01", "OH-04"]  # legacy B06 converted (R5)
        again = await reg.post(f"/api/v1/qualifications/{qa}/review")
        assert again.status_code == 409 and again.json()["state"] == "granted"


async def test_r3_publication_lag_and_overdue_list(settings) -> None:
    async with running_registry(settings, datetime(2026, 9, 1, 2, tzinfo=UTC)) as reg:
        iid = await reg.register()
        qid = await reg.qualify(iid, 1)
        grant_event = (await reg.events("registry.QualificationGranted"))[0]
        assert grant_event
        reg.clock.advance(timedelta(days=40))  # 11 Oct 2026: > 20 working days
        overdue = await reg.get("/api/v1/decisions/overdue")
        assert [d["decision_type"] for d in overdue] == ["granted"]
        decision_id = overdue[0]["decision_event_id"]
        await reg.post(
            f"/api/v1/qualifications/{qid}/publications",
            {"decision_event_id": decision_id},
            expect=204,
        )
        [published] = await reg.events("registry.QualificationDecisionPublished")
        # 2 Sep – 11 Oct 2026: 28 weekdays, +20 Sep and +10 Oct worked (调休), −25 Sep
        # (中秋) and −1, 2, 5, 6, 7 Oct (国庆) = 24 working days.
        assert '"lag_working_days":24' in published["payload"].replace(" ", "")
        late = await reg.get("/api/v1/decisions/overdue")
        assert late[0]["lag_working_days"] == 24 and late[0]["published_at"]
        twice = await reg.post(
            f"/api/v1/qualifications/{qid}/publications", {"decision_event_id": decision_id}
        )
        assert twice.status_code == 409


async def test_r6_staff_one_full_time_institution_and_personal_data(settings) -> None:
    async with running_registry(settings) as reg:
        a, b = await reg.register(1), await reg.register(2)
        body = staff_body(a, 3, 1)
        staff_id = (await reg.post("/api/v1/staff", body, expect=201)).json()["id"]
        clash = await reg.post("/api/v1/staff", {**body, "institution_id": b})
        assert clash.status_code == 409 and clash.json()["institution_id"] == a
        await reg.post(f"/api/v1/staff/{staff_id}/leave", {}, expect=204)
        await reg.post("/api/v1/staff", {**body, "institution_id": b}, expect=201)

        everything = "".join(e["payload"] for e in await reg.events())
        assert body["id_number"] not in everything and body["name"] not in everything
        bad = await reg.post(
            "/api/v1/staff",
            {
                **body,
                "id_number": body["id_number"][:-1] + "0"
                if body["id_number"][-1] != "0"
                else body["id_number"][:-1] + "1",
            },
        )
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "id_number"

        exemptions = await reg.get(f"/api/v1/institutions/{b}/exemptions")
        assert exemptions["staff"][0]["exempt_until"] == "2027-05-31"  # 2 years from 2025-06-01
        await publish_event(
            settings,
            "qc",
            BlindSamplePassed(activity_id="bs-1", institution_id=a, passed_on=date(2026, 1, 10)),
            a,
        )

        async def exempt() -> bool:
            found = await reg.get(f"/api/v1/institutions/{a}/exemptions")
            return found["blind_sample_exempt_until"] == "2027-01-09"

        await eventually(exempt)

        await reg.http.delete(f"/api/v1/staff/{staff_id}/personal-data", headers=reg.authority)
        record = await reg.get(f"/api/v1/institutions/{a}")
        assert record["staff"][0]["erased"] is True
        async with reg.runtime.pool.acquire() as conn:
            assert (
                await conn.fetchval(
                    "SELECT count(*) FROM personal_data WHERE id_number = $1", body["id_number"]
                )
                == 0
            )
            assert await conn.fetchval("SELECT count(*) FROM events") > 0  # the log is intact
        (erased,) = await reg.events("registry.PersonalDataErased")
        assert staff_id in erased["payload"] and body["name"] not in erased["payload"]
        # Erasing again changes nothing more.
        await reg.http.delete(f"/api/v1/staff/{staff_id}/personal-data", headers=reg.authority)
        assert len(await reg.events("registry.PersonalDataErased")) == 1


async def test_r6a_grant_needs_the_conditions(settings) -> None:
    async with running_registry(settings) as reg:
        iid = await reg.register()
        await reg.staff_up(iid, 1, count=10)
        qid = (
            await reg.post(
                "/api/v1/qualifications",
                {"institution_id": iid, "kind": "occupational-health", "scope_codes": ["OH-01"]},
                expect=201,
            )
        ).json()["id"]
        await reg.post(f"/api/v1/qualifications/{qid}/review", expect=204)
        refused = await reg.post(
            f"/api/v1/qualifications/{qid}/grant",
            {"certificate_number": "(浙)X(2026)1", "valid_from": "2026-01-01"},
        )
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["rule"] == "R6a conditions maintained"
        assert await reg.events("registry.QualificationGranted") == []


async def test_r7_filings_and_summaries(settings) -> None:
    async with running_registry(settings, datetime(2026, 3, 10, 2, tzinfo=UTC)) as reg:
        iid = await reg.register()
        await reg.qualify(iid, 1, certificate="(浙)卫职技字(2026)第0001号", valid_from="2026-01-01")
        old = await reg.register(2)
        await reg.qualify(old, 2, certificate="(浙)卫职技字(2021)第0002号", valid_from="2021-01-01")
        await expire_due(registry_of(reg.runtime), META)
        filing = {
            "institution_id": iid,
            "province_code": "530000",
            "certificate_number": "(浙)卫职技字(2026)第0001号",
            "contacts": [{"name": "王", "phone": "0571-8800000"}],
            "receiving_qc_centre": "云南省质控中心",
        }
        filing_id = (await reg.post("/api/v1/filings", filing, expect=201)).json()["id"]
        expired = await reg.post(
            "/api/v1/filings",
            {**filing, "institution_id": old, "certificate_number": "(浙)卫职技字(2021)第0002号"},
        )
        assert (
            expired.status_code == 422
            and expired.json()["errors"][0]["rule"] == "R7 valid certificate"
        )

        yunnan = reg.token(Role.SUPERVISION_UNIT, "530000")
        response = await reg.http.get(
            "/api/v1/filings/summaries/outstanding", headers=yunnan, params={"as_of": "2027-02-05"}
        )
        assert [(o["period"], o["status"]) for o in response.json()] == [
            ("2026H1", "missing"),
            ("2026H2", "missing"),
        ]
        early = await reg.post(
            f"/api/v1/filings/{filing_id}/summaries", {"period": "2026H1", "projects": []}
        )
        assert early.status_code == 422  # the half year has not ended
        reg.clock.advance(timedelta(days=153))  # 10 Aug 2026: after the 31 Jul deadline
        await reg.post(
            f"/api/v1/filings/{filing_id}/summaries",
            {"period": "2026H1", "projects": []},
            expect=204,
        )
        response = await reg.http.get(
            "/api/v1/filings/summaries/outstanding", headers=yunnan, params={"as_of": "2027-02-05"}
        )
        assert [(o["period"], o["status"]) for o in response.json()] == [
            ("2026H1", "late"),
            ("2026H2", "missing"),
        ]


async def test_r8_report_cards_late_and_unreported(settings) -> None:
    async with running_registry(settings, datetime(2026, 3, 2, 2, tzinfo=UTC)) as reg:
        iid = await reg.register()
        card = {
            "institution_id": iid,
            "report_number": "R-1",
            "service_kind": "detection",
            "client_name": "某化工",
            "client_uscc": make_uscc("330106", "000000001", "91"),
            "client_region_code": "330106",
            "completion_date": "2026-02-20",
        }
        await reg.post("/api/v1/report-cards", card, expect=201)
        await reg.post(
            "/api/v1/report-cards",
            {**card, "report_number": "R-2", "completion_date": "2026-01-05"},
            expect=201,
        )
        assert (await reg.post("/api/v1/report-cards", card)).status_code == 409
        await publish_event(
            settings,
            "enforcement",
            UnreportedProjectFound(
                inspection_id="ins-1",
                institution_id=iid,
                report_number="R-9",
                client_name="某矿业",
                found_on=date(2026, 2, 25),
            ),
            iid,
        )

        async def counted() -> bool:
            return len((await reg.get("/api/v1/report-cards/status"))["unreported"]) == 1

        await eventually(counted)
        status = await reg.get("/api/v1/report-cards/status")
        assert [c["report_number"] for c in status["late"]] == ["R-2"]
        assert status["known_projects"] == 3 and status["reporting_rate"] == round(1 / 3, 4)


async def test_r9_due_inspections_and_revocation_by_enforcement(settings) -> None:
    async with running_registry(settings) as reg:
        a, b = await reg.register(1), await reg.register(2)
        await reg.qualify(a, 1, certificate="(浙)卫职技字(2026)第0001号")
        await reg.qualify(b, 2, certificate="(浙)卫职技字(2026)第0002号")
        await publish_event(
            settings,
            "enforcement",
            InspectionCompleted(
                inspection_id="ins-1",
                institution_id=a,
                kind="random",
                full_evaluation=True,
                ended_on=date(2026, 2, 1),
                result="compliant",
            ),
            a,
        )
        supervisor = Actor(subject="zj-sup", role=Role.SUPERVISION_UNIT, region_code="330000")
        await publish_event(
            settings,
            "enforcement",
            QualificationRevocationOrdered(
                case_id="case-1",
                institution_id=b,
                certificate_number="(浙)卫职技字(2026)第0002号",
                decision_number="浙卫罚〔2026〕1号",
                authority="浙江省卫生健康委员会",
                decided_on=date(2026, 2, 20),
            ),
            b,
            actor=supervisor,
        )

        async def settled() -> bool:
            due = await reg.get("/api/v1/inspections/due")
            return [d["institution_id"] for d in due] == [] and await status_of(reg, b) == [
                "revoked"
            ]

        await eventually(settled)
        [revoked] = await reg.events("registry.QualificationRevoked")
        assert "浙卫罚〔2026〕1号" in revoked["payload"]
        async with reg.runtime.pool.acquire() as conn:
            actor = await conn.fetchval(
                "SELECT actor->>'subject' FROM events WHERE event_type = 'registry.QualificationRevoked'"
            )
        assert actor == "zj-sup"


async def test_r1_r5_legacy_import_is_idempotent_and_reports_bad_rows(settings) -> None:
    async with running_registry(settings) as reg:
        good = LEGACY_CSV.read_text("utf-8")
        bad_rows = (
            good.splitlines()[1]
            .replace(",330212,", ",339999,")
            .replace("(2019)第0101号", "(2019)第9999号")
            + "\n"
            + good.splitlines()[2]
            .replace(",煤矿乙,", ",丁,")
            .replace("(2020)第0007号", "(2020)第9998号")
            + "\n"
        )
        first = await reg.http.post(
            "/api/v1/imports/legacy",
            content=(good + bad_rows).encode(),
            headers={**reg.authority, "Content-Type": "text/csv"},
        )
        report = first.json()
        assert report["imported"] == 3
        assert {(e["line"], e["field"]) for e in report["errors"]} == {
            (5, "region_code"),
            (6, "grade"),
        }
        by_field = {e["field"]: e["message_zh"] for e in report["errors"]}
        assert "原资质等级「丁」无法识别" in by_field["grade"]  # for the person, in Chinese
        second = (
            await reg.http.post(
                "/api/v1/imports/legacy",
                content=good.encode(),
                headers={**reg.authority, "Content-Type": "text/csv"},
            )
        ).json()
        assert (second["imported"], second["already_imported"], second["errors"]) == (0, 3, [])
        grants = [e["payload"] for e in await reg.events("registry.QualificationGranted")]
        assert len(grants) == 3
        coal = next(g for g in grants if "煤矿乙" in g)
        assert '"scope_codes": ["OH-01"]' in coal or '"scope_codes":["OH-01"]' in coal
        assert all(
            '"source": "legacy-import"' in g or '"source":"legacy-import"' in g for g in grants
        )


async def test_r6a_a_departure_that_breaks_the_conditions_is_flagged(settings) -> None:
    async with running_registry(settings) as reg:
        iid = await reg.register()
        await reg.qualify(iid, 1)
        record = await reg.get(f"/api/v1/institutions/{iid}")
        some_staff = next(s for s in record["staff"] if s["role"] == "staff")
        await reg.post(f"/api/v1/staff/{some_staff['staff_id']}/leave", {}, expect=204)
        [flag] = await reg.events("registry.InstitutionConditionsChanged")
        assert (
            '"conditions_met": false' in flag["payload"]
            or '"conditions_met":false' in flag["payload"]
        )
        assert "14 full-time professional technical staff" in flag["payload"]
        body = staff_body(iid, 20, 1)
        await reg.post("/api/v1/staff", body, expect=201)
        flags = await reg.events("registry.InstitutionConditionsChanged")
        assert len(flags) == 2 and '"unmet": []' in flags[1]["payload"].replace(
            '"unmet":[]', '"unmet": []'
        )
