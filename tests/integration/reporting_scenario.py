"""A scenario of contract events for the reporting service, put on the producers' topics as
their relays would, with the times the events occurred. Numbers in the tests that use it are
computed by hand from this file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from aiokafka import AIOKafkaProducer

from contracts.enforcement_v1 import (
    CaseOpened,
    CreditRepairGranted,
    PenaltyAnnulled,
    PenaltyDecided,
    PenaltyExecuted,
)
from contracts.envelope import Actor, Envelope, EventPayload, Role
from contracts.qc_v1 import AnnualQcConcluded, QcResultRecorded
from contracts.registry_v1 import (
    InstitutionKind,
    InstitutionRegistered,
    PersonalDataErased,
    QualificationGranted,
    QualificationKind,
    QualificationRevoked,
    SelfInspectionCampaignLaunched,
    SelfInspectionReported,
    ServiceReportCardFiled,
    StaffLeft,
    StaffRegistered,
)
from ohts_kit.settings import Settings
from tests.integration.helpers import envelope_of


def at(day: str, hour: int = 10) -> datetime:
    """10:00 China time (02:00 UTC) on a day."""
    return datetime.combine(date.fromisoformat(day), time(hour - 8), tzinfo=UTC)


@dataclass
class Scenario:
    settings: Settings
    envelopes: list[tuple[str, Envelope]] = field(default_factory=list)

    def add(
        self,
        producer: str,
        payload: EventPayload,
        institution_id: str,
        when: datetime,
        actor_region: str = "330100",
        role: Role = Role.SUPERVISION_UNIT,
    ) -> None:
        actor = Actor(subject="scenario", role=role, region_code=actor_region)
        env = envelope_of(producer, payload, institution_id, actor_region, actor, when)
        self.envelopes.append((producer, env))

    async def publish(self) -> int:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.settings.kafka_bootstrap_servers, acks="all"
        )
        await producer.start()
        try:
            for service, env in self.envelopes:
                await producer.send_and_wait(
                    self.settings.topic_of(service),
                    env.model_dump_json().encode(),
                    key=env.institution_id.encode(),
                )
        finally:
            await producer.stop()
        return len(self.envelopes)

    # -- builders ---------------------------------------------------------------------

    def institution(
        self, iid: str, name: str, region: str, kind: InstitutionKind, certificate: str | None
    ) -> None:
        self.add(
            "registry",
            InstitutionRegistered(
                institution_id=iid,
                uscc=f"91{region}MA{abs(hash(iid)) % 10**8:08d}",
                name=name,
                address=f"{name}地址",
                legal_representative="法定代表人",
                nature="企业",
                kind=kind,
                region_code=region,
                registered_at=at("2025-06-01"),
            ),
            iid,
            at("2025-06-01"),
        )
        if certificate:
            self.add(
                "registry",
                QualificationGranted(
                    qualification_id=f"q-{iid}",
                    institution_id=iid,
                    certificate_number=certificate,
                    kind=QualificationKind.OCCUPATIONAL_HEALTH,
                    scope_codes=["OH-01"],
                    valid_from=date(2025, 7, 1),
                    valid_until=date(2030, 6, 30),
                    decided_at=at("2025-07-01"),
                    issuing_authority="浙江省卫生健康委员会",
                ),
                iid,
                at("2025-07-01"),
            )

    def staff(self, iid: str, staff_id: str, masked: str, left_on: str | None = None) -> None:
        self.add(
            "registry",
            StaffRegistered(
                staff_id=staff_id,
                institution_id=iid,
                person_ref=f"ref-{staff_id}",
                masked_name=masked,
                title="intermediate",
                specialty="职业卫生",
                years_of_experience=5,
                role="staff",
                full_time=True,
                registered_on=date(2025, 6, 2),
            ),
            iid,
            at("2025-06-02"),
        )
        if left_on:
            self.add(
                "registry",
                StaffLeft(
                    staff_id=staff_id,
                    institution_id=iid,
                    person_ref=f"ref-{staff_id}",
                    left_on=date.fromisoformat(left_on),
                ),
                iid,
                at(left_on),
            )

    def case(
        self,
        case_id: str,
        iid: str,
        violation: str,
        opened: str,
        authority_region: str = "330100",
        penalty: dict[str, object] | None = None,
    ) -> None:
        self.add(
            "enforcement",
            CaseOpened(
                case_id=case_id,
                institution_id=iid,
                violation=violation,
                opened_on=date.fromisoformat(opened),
            ),
            iid,
            at(opened),
            authority_region,
        )
        if penalty is not None:
            decided = str(penalty.pop("decided_on"))
            self.add(
                "enforcement",
                PenaltyDecided(
                    case_id=case_id,
                    institution_id=iid,
                    decision_number=f"杭卫罚〔2026〕{case_id}号",
                    decided_on=date.fromisoformat(decided),
                    authority="杭州市卫生健康委员会",
                    violation=violation,
                    legal_basis="《职业卫生技术服务机构管理办法》",
                    range_confirmed=True,
                    **penalty,  # type: ignore[arg-type]
                ),
                iid,
                at(decided),
                authority_region,
            )


A, B, C, D, E, F = "inst-a", "inst-b", "inst-c", "inst-d", "inst-e", "inst-f"
OH = InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE


def hangzhou_scenario(settings: Settings) -> Scenario:
    s = Scenario(settings)
    s.institution(A, "杭州甲检测有限公司", "330106", OH, "(浙)卫职技字(2025)第0101号")
    s.institution(
        B,
        "杭州乙放射卫生技术服务有限公司",
        "330102",
        InstitutionKind.RADIOLOGICAL_HEALTH_SERVICE,
        "(浙)卫职技字(2025)第0102号",
    )
    s.institution(C, "杭州丙评价有限公司", "330105", OH, "(浙)卫职技字(2025)第0103号")
    s.institution(D, "宁波丁检测有限公司", "330203", OH, "(浙)卫职技字(2025)第0104号")
    s.institution(E, "南京戊检测有限公司", "320102", OH, "(苏)卫职技字(2025)第0105号")
    s.institution(F, "杭州己体检中心", "330106", InstitutionKind.HEALTH_EXAMINATION, None)
    for n in range(3):
        s.staff(A, f"a{n}", f"张*{n}")
    s.staff(B, "b0", "李*明")
    s.staff(B, "b1", "王*华", left_on="2026-05-01")
    s.staff(C, "c0", "赵*")
    s.add(
        "registry",
        PersonalDataErased(
            staff_id="a2", institution_id=A, person_ref="ref-a2", erased_on=date(2026, 7, 1)
        ),
        A,
        at("2026-07-01"),
    )
    # C's certificate is revoked: C leaves the local universe but its penalties count.
    s.add(
        "registry",
        QualificationRevoked(
            qualification_id=f"q-{C}",
            institution_id=C,
            decision_number="杭卫罚〔2026〕c2号",
            authority="杭州市卫生健康委员会",
            case_id="c2",
            decided_at=at("2026-04-20"),
        ),
        C,
        at("2026-04-21"),
    )
    # D works in Hangzhou: a report card for a client in 330106.
    s.add(
        "registry",
        ServiceReportCardFiled(
            card_id="card-d",
            institution_id=D,
            report_number="NB-2026-1",
            service_kind="detection",
            client_name="杭州某化工有限公司",
            client_uscc="913301060000000001",
            client_region_code="330106",
            completion_date=date(2026, 3, 1),
            staff_ids=[],
            filed_on=date(2026, 3, 5),
            due_on=date(2026, 3, 29),
            late=False,
        ),
        D,
        at("2026-03-05"),
    )
    s.case(
        "a1",
        A,
        "false-report",
        "2026-02-01",
        penalty={
            "decided_on": "2026-03-10",
            "penalties": ["warning", "fine", "confiscation"],
            "fine_yuan": Decimal("30000"),
            "confiscation_yuan": Decimal("12000"),
        },
    )
    s.case(
        "c1",
        C,
        "certificate-misuse",
        "2026-03-01",
        penalty={
            "decided_on": "2026-04-15",
            "penalties": ["warning", "fine"],
            "fine_yuan": Decimal("10000"),
        },
    )
    s.case(
        "c2",
        C,
        "beyond-scope",
        "2026-03-02",
        penalty={
            "decided_on": "2026-04-20",
            "penalties": ["revocation", "confiscation"],
            "confiscation_yuan": Decimal("5000"),
            "certificate_number": "(浙)卫职技字(2025)第0103号",
        },
    )
    s.case(
        "e1",
        E,
        "unqualified-service",
        "2026-05-02",
        penalty={"decided_on": "2026-05-20", "penalties": ["fine"], "fine_yuan": Decimal("50000")},
    )
    s.case(
        "s1",
        A,
        "staff-signing",
        "2026-04-01",
        penalty={
            "decided_on": "2026-04-10",
            "penalties": ["warning", "fine"],
            "fine_yuan": Decimal("5000"),
        },
    )
    s.case(
        "s2",
        B,
        "prohibited-practice",
        "2026-04-02",
        penalty={
            "decided_on": "2026-04-12",
            "penalties": ["practice-ban"],
            "banned_staff_id": "b0",
            "ban_years": 5,
        },
    )
    s.case("b1", B, "work-requirements-not-met", "2026-06-01")
    # Outside the form: decided after the period, and decided by another province's authority.
    s.case(
        "a2",
        A,
        "work-requirements-not-met",
        "2026-06-20",
        penalty={"decided_on": "2026-07-15", "penalties": ["warning"]},
    )
    s.case(
        "a3",
        A,
        "false-report",
        "2026-02-10",
        authority_region="320000",
        penalty={
            "decided_on": "2026-03-01",
            "penalties": ["warning", "fine"],
            "fine_yuan": Decimal("20000"),
        },
    )
    # c1's penalty is executed and credit repair is granted on 1 Aug (after 3 months).
    s.add(
        "enforcement",
        PenaltyExecuted(case_id="c1", institution_id=C, executed_on=date(2026, 5, 1)),
        C,
        at("2026-05-01"),
    )
    s.add(
        "enforcement",
        CreditRepairGranted(
            case_id="c1",
            institution_id=C,
            decision_number="杭卫罚〔2026〕c1号",
            reason="已整改并履行处罚",
            granted_on=date(2026, 8, 1),
        ),
        C,
        at("2026-08-01"),
    )
    # s1's decision is annulled on review (行政复议) on 5 Aug: withdrawn from public view.
    s.add(
        "enforcement",
        PenaltyAnnulled(
            case_id="s1",
            institution_id=A,
            decision_number="杭卫罚〔2026〕s1号",
            reason="行政复议撤销",
            annulled_on=date(2026, 8, 5),
        ),
        A,
        at("2026-08-05"),
    )
    # QC: A passed a blind sample; C failed annual QC and did not rectify (public list).
    s.add(
        "qc",
        QcResultRecorded(
            activity_id="act-1",
            institution_id=A,
            activity_kind="blind-sample",
            result="pass",
            recorded_on=date(2026, 4, 1),
        ),
        A,
        at("2026-04-01"),
        role=Role.QC_CENTRE,
    )
    s.add(
        "qc",
        AnnualQcConcluded(
            institution_id=C,
            province_code="330000",
            year=2026,
            result="fail",
            rectified=False,
            on_public_list=True,
            concluded_on=date(2026, 6, 30),
        ),
        C,
        at("2026-06-30"),
        role=Role.QC_CENTRE,
    )
    # The campaign's self-inspection step (附表1).
    s.add(
        "registry",
        SelfInspectionCampaignLaunched(
            campaign_id="camp",
            title="专项治理",
            region_code="330100",
            period_from=date(2026, 1, 1),
            period_to=date(2026, 4, 30),
            deadline=date(2026, 5, 10),
            launched_on=date(2026, 4, 20),
        ),
        "region-330100",
        at("2026-04-20"),
    )
    s.add(
        "registry",
        SelfInspectionReported(
            campaign_id="camp",
            institution_id=A,
            technical_staff=3,
            detection_reports=120,
            evaluation_reports=18,
            detection_report_problems=4,
            evaluation_report_problems=1,
            problems=["原始记录不规范"],
            submitted_on=date(2026, 5, 12),
            late=True,
        ),
        A,
        at("2026-05-12"),
        role=Role.INSTITUTION,
    )
    return s


def moment_of(day: str) -> datetime:
    return at(day) + timedelta(hours=1)
