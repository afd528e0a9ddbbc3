"""`ohts demo --scale national`: a national-sized history for benchmarks (issue 7).

2,000 institutions, 50,000 staff, 1,000,000 service report cards, 20,000 QC findings and
3,000 penalties (`provincial` is a tenth of that). Staff and cards are decided by the
registry's domain functions (`staff.register`, `report_card.file`: ID-number check, working-day
deadline, lateness) and every event is appended through its service's `Application.append`,
which writes the event store and the inline views in the same transaction, many commands per
transaction. It skips HTTP and the per-command reads: at the command path's measured rate
(about 250 commands/s on two cores) the cards alone would take more than an hour. The running
services' relays publish what was written, and their consumers apply it, as in production.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from contracts.enforcement_v1 import CaseOpened, PenaltyDecided
from contracts.envelope import Actor, EventPayload, Role
from contracts.qc_v1 import (
    QcActivityOpened,
    QcFindingRecorded,
    QcResultRecorded,
    ViolationClueReferred,
)
from contracts.registry_v1 import (
    InstitutionKind,
    InstitutionRegistered,
    QualificationGranted,
    QualificationKind,
)
from ohts_kit import authorities, regions
from ohts_kit.application import Application
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from ohts_kit.service import ServiceRuntime
from ohts_kit.settings import Settings
from services.enforcement.application.credit import review_credit
from services.enforcement.application.intake import enforcement_of
from services.enforcement.bootstrap import SPEC as ENFORCEMENT
from services.qc.application.unit import Qc, province_key, qc_of
from services.qc.bootstrap import SPEC as QC
from services.registry.application.unit import registry_of
from services.registry.bootstrap import SPEC as REGISTRY
from services.registry.domain import institution, report_card, staff
from services.registry.domain.commands import FileReportCard, RegisterStaff
from services.registry.domain.people import make_id_number, person_ref
from services.registry.domain.uscc import make_uscc

CARDS_PER_TRANSACTION = 500
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
KINDS = ("detection", "evaluation", "current-status-evaluation", "pre-evaluation")


@dataclass(frozen=True)
class Scale:
    institutions: int
    staff: int
    cards: int
    findings: int
    penalties: int

    @property
    def events(self) -> int:
        activities = -(-self.findings // 10)
        return (
            2 * self.institutions
            + self.staff
            + self.cards
            + self.findings
            + 2 * activities
            + self.findings // 10
            + 2 * self.penalties
        )


SCALES = {
    "national": Scale(2_000, 50_000, 1_000_000, 20_000, 3_000),
    "provincial": Scale(200, 5_000, 100_000, 2_000, 300),
    "county": Scale(20, 500, 10_000, 200, 30),
}


def operator(role: Role, region: str) -> Metadata:
    return Metadata(
        actor=Actor(subject=f"national-{role.value}", role=role, region_code=region),
        correlation_id=f"national-{uuid7()}",
    )


@dataclass
class Institution:
    institution_id: str
    region_code: str
    holder: institution.Institution
    staff_ids: list[str]


async def _open(spec: object, settings: Settings) -> ServiceRuntime:
    rt = ServiceRuntime(spec, settings)  # type: ignore[arg-type]
    await rt.open_store()
    return rt


async def generate(
    settings: Settings,
    scale: Scale,
    progress: Callable[[str], None] = print,
    tick: Callable[[int], None] = lambda _: None,
) -> dict[str, int]:
    """Write the history; returns the events written per producer. `tick(n)` is told of
    every n events written (a progress bar's counts)."""
    counties = [r.code for r in regions.of_level("county")]
    step = max(1, len(counties) // scale.institutions)
    written = {"registry": 0, "qc": 0, "enforcement": 0}
    reg_rt, qc_rt, enf_rt = (
        await _open(REGISTRY, settings),
        await _open(QC, settings),
        await _open(ENFORCEMENT, settings),
    )
    try:
        started = time.monotonic()
        institutions = []
        for i in range(scale.institutions):
            region = counties[(i * step) % len(counties)]
            institutions.append(await _institution(reg_rt, scale, i, region))
            written["registry"] += 2 + len(institutions[-1].staff_ids)
            tick(2 + len(institutions[-1].staff_ids))
        progress(f"{scale.institutions} institutions, {scale.staff} staff")
        written["registry"] += await _cards(reg_rt, scale, institutions, progress, tick)
        progress(f"registry: {written['registry']} events in {time.monotonic() - started:.0f} s")
        written["qc"] = await _qc(qc_rt, scale, institutions)
        tick(written["qc"])
        written["enforcement"] = await _penalties(enf_rt, scale, institutions)
        tick(written["enforcement"])
        progress(f"all {sum(written.values())} events in {time.monotonic() - started:.0f} s")
    finally:
        for rt in (reg_rt, qc_rt, enf_rt):
            await rt.pool.close()
    return written


async def _append(
    app: Application,
    conn: object,
    aggregate: str,
    aggregate_id: str,
    events: list[EventPayload],
    inst: Institution | str,
    region: str,
    meta: Metadata,
) -> None:
    key = inst.institution_id if isinstance(inst, Institution) else inst
    await app.append(conn, aggregate, aggregate_id, 0, events, key, region, meta)  # type: ignore[arg-type]


async def _institution(rt: ServiceRuntime, scale: Scale, i: int, region: str) -> Institution:
    reg = registry_of(rt)
    iid, qid = str(uuid7()), str(uuid7())
    meta = operator(Role.REGISTRY_AUTHORITY, regions.province_of(region))
    now = datetime.now(UTC)
    registered = InstitutionRegistered(
        institution_id=iid,
        uscc=make_uscc(region, f"N{i:08d}"),
        name=f"{regions.name_of(region)}第{i + 1}职业卫生技术服务有限公司",
        address=f"{regions.name_of(region)}健康路{i + 1}号",
        legal_representative=f"{SURNAMES[i % len(SURNAMES)]}法人",
        nature="企业",
        kind=InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE,
        region_code=region,
        registered_at=now,
    )
    holder = institution.fold(iid, [registered])
    inst = Institution(iid, region, holder, [])
    per = scale.staff // scale.institutions
    today = reg.today()
    async with rt.pool.acquire() as conn, conn.transaction():
        await _append(reg, conn, "Institution", iid, [registered], inst, region, meta)
        grant = QualificationGranted(
            qualification_id=qid,
            institution_id=iid,
            certificate_number=f"国卫职技字（{today.year}）第N{i:05d}号",
            kind=QualificationKind.OCCUPATIONAL_HEALTH,
            scope_codes=["OH-01", "OH-02", "OH-03"][: 1 + i % 3],
            valid_from=today,
            valid_until=today.replace(year=today.year + 5),
            decided_at=now,
            issuing_authority=authorities.authority_name(regions.province_of(region)),
        )
        await _append(reg, conn, "Qualification", qid, [grant], inst, region, meta)
        for n in range(per):
            serial = i * per + n
            sid = str(uuid7())
            birth = date(1960, 1, 1) + timedelta(days=serial // 1000)
            id_number = make_id_number(f"{region}{birth:%Y%m%d}{serial % 1000:03d}")
            cmd = RegisterStaff(
                institution_id=iid,
                name=SURNAMES[serial % len(SURNAMES)] + "思" + GIVEN[n % len(GIVEN)],
                id_number=id_number,
                title="senior" if n < 2 else "intermediate",
                specialty="职业卫生",
                years_of_experience=5 + n % 20,
                role="technical-lead" if n == 0 else "qc-lead" if n == 1 else "staff",
            )
            ref = person_ref(id_number, reg.personal_data_key)
            events = staff.register(staff.Staff(sid), holder, cmd, ref, today)
            await _append(reg, conn, staff.AGGREGATE, sid, events, inst, region, meta)
            inst.staff_ids.append(sid)
    return inst


async def _cards(
    rt: ServiceRuntime,
    scale: Scale,
    institutions: list[Institution],
    progress: Callable[[str], None],
    tick: Callable[[int], None],
) -> int:
    reg = registry_of(rt)
    per = scale.cards // scale.institutions
    today = reg.today()
    written = 0
    for i, inst in enumerate(institutions):
        holder = inst.holder
        meta = operator(Role.INSTITUTION, inst.region_code)
        for start in range(0, per, CARDS_PER_TRANSACTION):
            async with rt.pool.acquire() as conn, conn.transaction():
                for n in range(start, min(per, start + CARDS_PER_TRANSACTION)):
                    cmd = FileReportCard(
                        institution_id=inst.institution_id,
                        report_number=f"N{i:04d}-{n:06d}",
                        service_kind=KINDS[n % len(KINDS)],
                        client_name=f"用人单位{n}",
                        client_uscc=make_uscc(inst.region_code, f"{n:09d}", "91"),
                        client_region_code=inst.region_code,
                        completion_date=today - timedelta(days=1 + n % 300),
                        staff_ids=inst.staff_ids[n % len(inst.staff_ids) :][:2],
                    )
                    card_id = str(uuid7())
                    events = report_card.file(
                        card_id, False, holder, cmd, [], today, reg.calendar, reg.policy
                    )
                    await _append(
                        reg,
                        conn,
                        report_card.AGGREGATE,
                        card_id,
                        events,
                        inst,
                        inst.region_code,
                        meta,
                    )
                    written += 1
            tick(min(per, start + CARDS_PER_TRANSACTION) - start)
        if (i + 1) % max(1, len(institutions) // 10) == 0:
            progress(f"cards: {written}")
    return written


async def _qc(rt: ServiceRuntime, scale: Scale, institutions: list[Institution]) -> int:
    """Activities of ten findings each; every tenth finding is a violation clue, referred."""
    app = qc_of(rt)
    today = app.today()
    written = 0
    for a in range(-(-scale.findings // 10)):
        inst = institutions[a % len(institutions)]
        province = regions.province_of(inst.region_code)
        meta = operator(Role.QC_CENTRE, province)
        activity_id = str(uuid7())
        events = _failed_activity(app, activity_id, inst, province, today)
        findings = [
            _finding(activity_id, inst, f, today) for f in range(min(10, scale.findings - a * 10))
        ]
        events += findings
        clues = [f for f in findings if f.violation_clue]
        async with rt.pool.acquire() as conn, conn.transaction():
            await _append(
                app,
                conn,
                "QcActivity",
                activity_id,
                events,
                province_key(province),
                province,
                meta,
            )
            for clue in clues:
                referral = _referral(clue, inst, today)
                await _append(
                    app,
                    conn,
                    "Referral",
                    referral.referral_id,
                    [referral],
                    inst,
                    inst.region_code,
                    meta,
                )
        written += len(events) + len(clues)
    return written


def _failed_activity(
    app: Qc, activity_id: str, inst: Institution, province: str, today: date
) -> list[EventPayload]:
    return [
        QcActivityOpened(
            activity_id=activity_id,
            plan_id=f"national-{province}",
            kind="on-site",
            province_code=province,
            year=today.year,
            participants=[inst.institution_id],
            opened_at=app.now(),
        ),
        QcResultRecorded(
            activity_id=activity_id,
            institution_id=inst.institution_id,
            activity_kind="on-site",
            result="fail",
            recorded_on=today,
        ),
    ]


def _finding(activity_id: str, inst: Institution, f: int, today: date) -> QcFindingRecorded:
    return QcFindingRecorded(
        finding_id=str(uuid7()),
        activity_id=activity_id,
        institution_id=inst.institution_id,
        category="report-quality",
        severity="serious" if f == 0 else "general",
        description=f"现场检查发现的问题 {f + 1}",
        evidence_refs=[f"evidence-{activity_id}-{f}"],
        violation_clue=f == 0,
        recorded_on=today,
    )


def _referral(clue: QcFindingRecorded, inst: Institution, today: date) -> ViolationClueReferred:
    return ViolationClueReferred(
        referral_id=str(uuid7()),
        institution_id=inst.institution_id,
        finding_id=clue.finding_id,
        category=clue.category,
        description=clue.description,
        evidence_refs=clue.evidence_refs,
        supervision_region_code=inst.region_code,
        reason="finding",
        referred_on=today,
    )


async def _penalties(rt: ServiceRuntime, scale: Scale, institutions: list[Institution]) -> int:
    app = enforcement_of(rt)
    today = app.today()
    written = 0
    penalised: dict[str, Institution] = {}
    for p in range(scale.penalties):
        inst = institutions[(p * 7) % len(institutions)]
        meta = operator(Role.SUPERVISION_UNIT, inst.region_code)
        case_id = str(uuid7())
        events: list[EventPayload] = [
            CaseOpened(
                case_id=case_id,
                institution_id=inst.institution_id,
                violation="未按规定报送职业卫生技术服务相关信息",
                opened_on=today - timedelta(days=30),
            ),
            PenaltyDecided(
                case_id=case_id,
                institution_id=inst.institution_id,
                decision_number=f"卫职罚〔{today.year}〕N{p:05d}号",
                decided_on=today,
                authority=authorities.authority_name(inst.region_code),
                violation="未按规定报送职业卫生技术服务相关信息",
                legal_basis="《职业卫生技术服务机构管理办法》第四十五条",
                penalties=["warning", "fine"],
                fine_yuan=Decimal(10_000 + p % 20 * 1_000),
                range_confirmed=True,
            ),
        ]
        async with rt.pool.acquire() as conn, conn.transaction():
            await _append(app, conn, "Case", case_id, events, inst, inst.region_code, meta)
        written += len(events)
        penalised[inst.institution_id] = inst
    for inst in penalised.values():  # as the penalty command does (E7), once per institution
        meta = operator(Role.SUPERVISION_UNIT, inst.region_code)
        async with app.unit(meta, checks=False) as uow:
            await review_credit(app, uow, inst.institution_id)
            written += len(uow.written)
    return written
