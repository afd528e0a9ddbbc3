"""Every reporting projection on the real PostgreSQL: one event of each handled type, applied
through the consumer's table, lands in the named columns of its read model."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest

from contracts import enforcement_v1 as enf
from contracts import qc_v1 as qc
from contracts import registry_v1 as reg
from contracts.envelope import Actor, Envelope, EventPayload, Role, decode_payload
from ohts_kit.db import PLATFORM_MIGRATIONS, migrate
from ohts_kit.settings import Settings
from services.reporting.application.rebuild import MIGRATIONS
from services.reporting.projections import catalog
from tests.integration.helpers import envelope_of

INST, QUAL = "inst-p", "q-p"
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)


def _registry() -> list[EventPayload]:
    at = START
    return [
        reg.InstitutionRegistered(
            institution_id=INST,
            uscc="91330106MA00000001",
            name="杭州丙检测有限公司",
            address="杭州市西湖区",
            legal_representative="李四",
            nature="企业",
            kind=reg.InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE,
            region_code="330106",
            registered_at=at,
        ),
        reg.InstitutionDetailsChanged(institution_id=INST, address="杭州市拱墅区", changed_at=at),
        reg.InstitutionConditionsChanged(
            institution_id=INST, conditions_met=False, unmet=["场所"], changed_on=DAY
        ),
        reg.QualificationGranted(
            qualification_id=QUAL,
            institution_id=INST,
            certificate_number="(浙)卫职技字(2026)第0009号",
            kind=reg.QualificationKind.OCCUPATIONAL_HEALTH,
            scope_codes=["OH-01"],
            valid_from=DAY,
            valid_until=date(2031, 3, 1),
            decided_at=at,
            issuing_authority="浙江省卫生健康委员会",
        ),
        reg.QualificationChanged(
            qualification_id=QUAL, institution_id=INST, added_scope_codes=["OH-02"], decided_at=at
        ),
        reg.QualificationRenewalAccepted(
            qualification_id=QUAL, institution_id=INST, accepted_at=at, scope_codes=["OH-01"]
        ),
        reg.QualificationRenewalRejected(
            qualification_id=QUAL, institution_id=INST, reason="材料不全", decided_at=at
        ),
        reg.QualificationRenewed(
            qualification_id=QUAL,
            institution_id=INST,
            certificate_number="(浙)卫职技字(2026)第0010号",
            scope_codes=["OH-01", "OH-03"],
            valid_from=DAY,
            valid_until=date(2031, 6, 30),
            decided_at=at,
        ),
        reg.QualificationWithdrawn(
            qualification_id=QUAL, institution_id=INST, reason="r", decided_at=at
        ),
        reg.QualificationCancelled(
            qualification_id=QUAL, institution_id=INST, reason="r", decided_at=at
        ),
        reg.QualificationExpired(qualification_id=QUAL, institution_id=INST, expired_on=DAY),
        reg.QualificationRevoked(
            qualification_id=QUAL,
            institution_id=INST,
            decision_number="杭卫罚〔2026〕9号",
            authority="杭州市卫生健康委员会",
            case_id="case-p",
            decided_at=at,
        ),
        reg.QualificationDecisionPublished(
            qualification_id=QUAL,
            institution_id=INST,
            decision_event_id="decision-p",
            decision_type="granted",
            decided_at=at,
            published_at=at + timedelta(days=2),
            lag_working_days=2,
            provisional=True,
        ),
        reg.StaffRegistered(
            staff_id="staff-p",
            institution_id=INST,
            person_ref="ref-p",
            masked_name="王*",
            title="senior",
            specialty="职业卫生",
            years_of_experience=9,
            role="technical-lead",
            full_time=True,
            registered_on=DAY,
        ),
        reg.StaffLeft(staff_id="staff-p", institution_id=INST, person_ref="ref-p", left_on=DAY),
        reg.PersonalDataErased(
            staff_id="staff-p", institution_id=INST, person_ref="ref-p", erased_on=DAY
        ),
        reg.OutOfProvinceFilingRegistered(
            filing_id="filing-p",
            institution_id=INST,
            province_code="530000",
            certificate_number="(浙)卫职技字(2026)第0010号",
            issuing_authority="浙江省卫生健康委员会",
            valid_until=date(2031, 6, 30),
            scope_codes=["OH-01"],
            contacts=[reg.Contact(name="赵*", phone="0571-1")],
            receiving_qc_centre="云南省职业病防治质控中心",
            filed_at=at,
        ),
        reg.WorkSummarySubmitted(
            filing_id="filing-p",
            institution_id=INST,
            period="2026-H1",
            projects=[
                reg.ProjectSummary(
                    report_name="检测报告",
                    report_number="R-1",
                    completion_date=DAY,
                    client_name="某厂",
                    client_address="昆明市",
                    client_contact="钱*",
                )
            ],
            submitted_on=DAY,
            due_on=DAY,
            late=True,
        ),
        reg.ServiceReportCardFiled(
            card_id="card-p",
            institution_id=INST,
            report_number="R-1",
            service_kind="detection",
            client_name="某厂",
            client_uscc="91530100MA00000002",
            client_region_code="530100",
            completion_date=DAY,
            staff_ids=["staff-p"],
            filed_on=DAY,
            due_on=DAY,
            late=False,
        ),
        reg.SelfInspectionCampaignLaunched(
            campaign_id="camp-p",
            title="自查",
            region_code="330100",
            period_from=date(2026, 1, 1),
            period_to=date(2026, 2, 28),
            deadline=date(2026, 3, 31),
            launched_on=DAY,
        ),
        reg.SelfInspectionReported(
            campaign_id="camp-p",
            institution_id=INST,
            technical_staff=7,
            detection_reports=11,
            evaluation_reports=3,
            detection_report_problems=2,
            evaluation_report_problems=1,
            problems=["签字不全"],
            notes="已整改",
            submitted_on=DAY,
            late=False,
        ),
    ]


def _qc() -> list[EventPayload]:
    item = {"item_id": "item-p", "institution_id": INST}
    return [
        qc.QcResultRecorded(
            activity_id="act-p",
            institution_id=INST,
            activity_kind="comparison",
            result="fail",
            recorded_on=DAY,
        ),
        qc.QcFindingRecorded(
            finding_id="finding-p",
            activity_id="act-p",
            institution_id=INST,
            category="report",
            severity="major",
            description="d",
            evidence_refs=[],
            violation_clue=True,
            recorded_on=DAY,
        ),
        qc.RectificationRequired(
            **item, finding_id="finding-p", description="补齐原始记录", due_on=date(2026, 4, 1)
        ),
        qc.RectificationSubmitted(**item, text="t", attachment_refs=[], submitted_on=DAY),
        qc.RectificationRejected(**item, reason="r", rejected_on=DAY),
        qc.RectificationReopened(**item, reason="r", reopened_on=DAY),
        qc.RectificationVerified(**item, verified_on=DAY),
        qc.RectificationOverdue(**item, due_on=date(2026, 4, 1), overdue_on=date(2026, 4, 2)),
        qc.AnnualQcConcluded(
            institution_id=INST,
            province_code="330000",
            year=2025,
            result="fail",
            rectified=False,
            on_public_list=True,
            concluded_on=DAY,
        ),
        qc.AnnualQcConclusionRevised(
            institution_id=INST,
            province_code="330000",
            year=2025,
            result="fail",
            rectified=True,
            pending_items=0,
            overdue_items=0,
            on_public_list=False,
            trigger="verified",
            revised_on=DAY,
        ),
        qc.CapabilityAssessed(
            institution_id=INST,
            year=2025,
            meets={"staff": True, "premises": True, "equipment": False, "support": True},
            gaps="仪器设备不足",
            improvement_plan="年底前配齐",
            assessed_on=DAY,
        ),
    ]


def _penalty(case_id: str, fine: int) -> enf.PenaltyDecided:
    return enf.PenaltyDecided(
        case_id=case_id,
        institution_id=INST,
        decision_number=f"杭卫罚〔2026〕{case_id}号",
        decided_on=DAY,
        authority="杭州市卫生健康委员会",
        violation="false-report",
        legal_basis="《职业卫生技术服务机构管理办法》",
        penalties=["warning", "fine"],
        fine_yuan=Decimal(fine),
        range_confirmed=True,
    )


def _enforcement() -> list[EventPayload]:
    case = {"case_id": "case-p", "institution_id": INST}
    inspection = {"inspection_id": "insp-p", "institution_id": INST}
    return [
        enf.LeadOpened(
            lead_id="lead-p",
            institution_id=INST,
            source="complaint",
            category="false-report",
            description="d",
            jurisdiction_region_code="330106",
            opened_on=DAY,
        ),
        enf.LeadClosed(
            lead_id="lead-p", institution_id=INST, outcome="case", reason="r", closed_on=DAY
        ),
        enf.CaseOpened(**case, violation="false-report", opened_on=DAY),
        enf.CaseInvestigated(**case, summary="出具虚假报告", investigated_on=DAY),
        _penalty("case-p", 60000),
        _penalty("case-small", 30000),
        enf.PenaltyExecuted(**case, executed_on=DAY),
        enf.CreditRepairGranted(**case, decision_number="n", reason="r", granted_on=DAY),
        enf.PenaltyAnnulled(**case, decision_number="n", reason="r", annulled_on=DAY),
        enf.CaseClosed(**case, closed_on=DAY),
        enf.InspectionScheduled(
            **inspection, kind="random", period="2026", inspectors=["x"], scheduled_on=DAY
        ),
        enf.InspectionCompleted(
            **inspection, kind="random", full_evaluation=False, ended_on=DAY, result="问题"
        ),
        enf.InspectionResultPublished(
            **inspection, published_on=DAY, lag_working_days=5, provisional=False
        ),
        enf.UnreportedProjectFound(
            **inspection, report_number="R-9", client_name="某厂", found_on=DAY
        ),
        enf.CreditClassChanged(
            institution_id=INST,
            previous_class="A",
            credit_class="C",
            reasons=["违法"],
            changed_on=DAY,
        ),
        enf.InspectionDrawPublished(
            draw_id="draw-p",
            plan_id="plan-p",
            seed="s",
            inputs={"universe": {INST: "C"}, "ratio": "1/1"},
            targets=[enf.DrawTarget(institution_id=INST, credit_class="C", inspectors=["x", "y"])],
            published_on=DAY,
            algorithm="ohts-draw-sha256",
            algorithm_version=2,
            inputs_sha256="ab",
            exclusions=[
                enf.DrawExclusion(institution_id=INST, inspector_id="z", reason="conflict")
            ],
            jurisdiction_region_code="330100",
            year=2026,
        ),
    ]


def every_projected_event() -> list[Envelope]:
    """The events in order, each a minute after the one before, acted by Xihu district."""
    actor = Actor(subject="test", role=Role.SUPERVISION_UNIT, region_code="330106")
    payloads = [
        *(("registry", p) for p in _registry()),
        *(("qc", p) for p in _qc()),
        *(("enforcement", p) for p in _enforcement()),
    ]
    return [
        envelope_of(producer, p, INST, "330106", actor, START + timedelta(minutes=n))
        for n, (producer, p) in enumerate(payloads)
    ]


@pytest.fixture
async def projected(settings: Settings) -> AsyncIterator[asyncpg.Connection]:
    """A fresh reporting schema with every event applied through the consumer's table."""
    schema = settings.schema_of("reporting")
    await migrate(settings, schema, [PLATFORM_MIGRATIONS, MIGRATIONS])
    # A local threshold of 50,000 yuan: a warning with a smaller fine is minor (P2).
    apply = catalog.handlers(
        settings.model_copy(update={"publicity_fine_threshold_yuan": Decimal(50000)})
    )
    conn = await asyncpg.connect(settings.database_url, server_settings={"search_path": schema})
    try:
        for env in every_projected_event():
            payload = decode_payload(env.event_type, env.schema_version, env.payload)
            async with conn.transaction():
                await apply[env.event_type](conn, env, payload)
        yield conn
    finally:
        await conn.close()


def test_the_events_cover_every_projected_type() -> None:
    assert {e.event_type for e in every_projected_event()} == catalog.views.handled


async def test_registry_events_land_in_their_columns(projected: asyncpg.Connection) -> None:
    c = projected
    versions = await c.fetch(
        "SELECT address, conditions_met, unmet FROM rp_institutions ORDER BY sys_from"
    )
    assert [tuple(v) for v in versions] == [
        ("杭州市西湖区", True, []),
        ("杭州市拱墅区", True, []),
        ("杭州市拱墅区", False, ["场所"]),
    ]
    q = await c.fetch(
        "SELECT status, change, scope_codes, certificate_number FROM rp_qualifications"
        " ORDER BY sys_from"
    )
    assert [(r["status"], r["change"]) for r in q] == [
        ("granted", "granted"),
        ("granted", "changed"),
        ("renewal-pending", "renewal-accepted"),
        ("granted", "renewal-rejected"),
        ("granted", "renewed"),
        ("withdrawn", "withdrawn"),
        ("cancelled", "cancelled"),
        ("expired", "expired"),
        ("revoked", "revoked"),
    ]
    assert q[1]["scope_codes"] == ["OH-01", "OH-02"]
    assert (q[4]["scope_codes"], q[4]["certificate_number"]) == (
        ["OH-01", "OH-03"],
        "(浙)卫职技字(2026)第0010号",
    )
    assert tuple(
        await c.fetchrow(
            "SELECT decision_ref, source, published_on, lag_working_days, provisional"
            " FROM rp_publications WHERE source = 'qualification'"
        )
    ) == ("decision-p", "qualification", date(2026, 3, 4), 2, True)
    staff = await c.fetchrow("SELECT masked_name, title, role, left_on FROM rp_staff")
    assert tuple(staff) == ("（已删除）", "senior", "technical-lead", DAY)
    filing = await c.fetchrow(
        "SELECT province_code, valid_until, contacts, receiving_qc_centre, filed_on FROM rp_filings"
    )
    assert filing["province_code"] == "530000"
    assert filing["valid_until"] == date(2031, 6, 30)
    assert '"phone": "0571-1"' in filing["contacts"]
    assert (filing["receiving_qc_centre"], filing["filed_on"]) == ("云南省职业病防治质控中心", DAY)
    summary = await c.fetchrow("SELECT period, projects, late FROM rp_work_summaries")
    assert (summary["period"], summary["late"]) == ("2026-H1", True)
    assert '"report_number": "R-1"' in summary["projects"]
    card = await c.fetchrow("SELECT service_kind, client_region_code, late FROM rp_report_cards")
    assert tuple(card) == ("detection", "530100", False)
    campaign = await c.fetchrow(
        "SELECT region_code, period_from, period_to, deadline FROM rp_self_inspection_campaigns"
    )
    assert tuple(campaign) == ("330100", date(2026, 1, 1), date(2026, 2, 28), date(2026, 3, 31))
    report = await c.fetchrow(
        "SELECT technical_staff, detection_reports, evaluation_reports,"
        " detection_report_problems, evaluation_report_problems, problems, notes"
        " FROM rp_self_inspections"
    )
    assert tuple(report) == (7, 11, 3, 2, 1, ["签字不全"], "已整改")


async def test_qc_events_land_in_their_columns(projected: asyncpg.Connection) -> None:
    c = projected
    result = await c.fetchrow("SELECT activity_kind, result FROM rp_qc_results")
    assert tuple(result) == ("comparison", "fail")
    finding = await c.fetchrow("SELECT category, severity, violation_clue FROM rp_qc_findings")
    assert tuple(finding) == ("report", "major", True)
    ledger = await c.fetch("SELECT status, changed_on FROM rp_rectifications ORDER BY sys_from")
    assert [r["status"] for r in ledger] == [
        "open",
        "submitted",
        "rejected",
        "reopened",
        "verified",
        "overdue",
    ]
    assert ledger[-1]["changed_on"] == date(2026, 4, 2)
    annual = await c.fetch(
        "SELECT year, result, rectified, on_public_list FROM rp_annual_qc ORDER BY sys_from"
    )
    # Q6 living: the revision is a new version; the list follows it (off the list now).
    assert [tuple(a) for a in annual] == [(2025, "fail", False, True), (2025, "fail", True, False)]
    capability = await c.fetchrow("SELECT year, meets, gaps FROM rp_capability")
    assert (capability["year"], capability["gaps"]) == (2025, "仪器设备不足")
    assert json.loads(capability["meets"])["equipment"] is False


async def test_enforcement_events_land_in_their_columns(projected: asyncpg.Connection) -> None:
    c = projected
    lead = await c.fetchrow("SELECT source, jurisdiction_code, outcome, closed_on FROM rp_leads")
    assert tuple(lead) == ("complaint", "330106", "case", DAY)
    case = await c.fetchrow("SELECT violation, jurisdiction_code, closed_on, facts FROM rp_cases")
    assert tuple(case) == ("false-report", "330106", DAY, "出具虚假报告")
    penalties = {
        r["case_id"]: r
        for r in await c.fetch(
            "SELECT case_id, fine_yuan, severity, published, executed_on, repaired_on,"
            " annulled_on FROM rp_penalties"
        )
    }
    # P2 suggestion table: a false report suggests the heaviest class of the rule in force,
    # whatever the fine (the fine threshold only makes a warning or small fine minor).
    assert (penalties["case-small"]["severity"], penalties["case-small"]["published"]) == (
        "serious",
        True,
    )
    big = penalties["case-p"]
    assert (big["fine_yuan"], big["severity"], big["published"]) == (60000, "serious", True)
    assert (big["executed_on"], big["repaired_on"], big["annulled_on"]) == (DAY, DAY, DAY)
    inspection = await c.fetchrow(
        "SELECT kind, period, jurisdiction_code, ended_on, result FROM rp_inspections"
    )
    assert tuple(inspection) == ("random", "2026", "330106", DAY, "问题")
    published = await c.fetchrow(
        "SELECT decision_ref, lag_working_days FROM rp_publications WHERE source = 'inspection'"
    )
    assert tuple(published) == ("insp-p", 5)
    unreported = await c.fetchrow("SELECT report_number, found_on FROM rp_unreported_projects")
    assert tuple(unreported) == ("R-9", DAY)
    credit = await c.fetchrow("SELECT credit_class, reasons FROM rp_credit_classes")
    assert tuple(credit) == ("C", ["违法"])
    # E2: the draw's public record, as published.
    draw = await c.fetchrow(
        "SELECT jurisdiction_code, year, record->>'seed' AS seed,"
        " record->'exclusions'->0->>'reason' AS reason FROM rp_draws WHERE draw_id = 'draw-p'"
    )
    assert tuple(draw) == ("330100", 2026, "s", "conflict")
