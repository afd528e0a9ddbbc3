"""Registry command handlers on in-memory ports: the unit of work loads, checks, decides and
records without PostgreSQL (handlers that read the registry's own views keep their
real-database tests in tests/integration)."""

from datetime import UTC, date, datetime

import pytest

from contracts.envelope import Actor, Role
from contracts.registry_v1 import InstitutionKind, InstitutionRegistered, QualificationKind
from ohts_kit.errors import ConcurrencyConflict, Forbidden, InvalidCommand, NotFound
from ohts_kit.eventstore import Metadata, NewEvent
from ohts_kit.memory import MemoryStore, memory_ports
from ohts_kit.workdays import WorkCalendar
from services.registry.application import qualifications, self_inspections
from services.registry.application.unit import Registry
from services.registry.domain import institution
from services.registry.domain.commands import (
    ApplyForQualification,
    ChangeInstitutionDetails,
    Decide,
    LaunchSelfInspection,
    ReportSelfInspection,
)
from services.registry.domain.policy import RegistryPolicy


async def _noop(*_: object) -> None:
    return None


def authority(region: str = "330000") -> Metadata:
    return Metadata(Actor(subject="clerk", role=Role.REGISTRY_AUTHORITY, region_code=region), "c")


def institution_actor(institution_id: str) -> Metadata:
    actor = Actor(
        subject="inst",
        role=Role.INSTITUTION,
        region_code="330106",
        institution_id=institution_id,
    )
    return Metadata(actor, "c")


@pytest.fixture
def reg() -> Registry:
    ports = memory_ports("registry", at=datetime(2026, 3, 2, 2, tzinfo=UTC))
    return Registry(ports, RegistryPolicy(), WorkCalendar(None), "key", project=_noop)


def store(reg: Registry) -> MemoryStore:
    assert isinstance(reg.store, MemoryStore)
    return reg.store


async def given_institution(reg: Registry, institution_id: str = "i-1") -> str:
    registered = InstitutionRegistered(
        institution_id=institution_id,
        uscc="91330106MA2B0000X1",
        name="浙江测试检测有限公司",
        address="杭州市西湖区",
        legal_representative="王",
        nature="企业",
        kind=InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE,
        region_code="330106",
        registered_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    async with reg.db.transaction() as conn:
        await reg.store.append(
            conn,
            institution.AGGREGATE,
            institution_id,
            0,
            [NewEvent(registered, institution_id, "330106", reg.now())],
            authority(),
        )
    return institution_id


async def test_apply_records_one_event_keyed_by_the_institution(reg: Registry) -> None:
    iid = await given_institution(reg)
    cmd = ApplyForQualification(
        institution_id=iid, kind=QualificationKind.OCCUPATIONAL_HEALTH, scope_codes=["OH-01"]
    )
    qid = await qualifications.apply(reg, cmd, institution_actor(iid))
    [applied] = store(reg).events("Qualification")
    assert (applied.aggregate_id, applied.aggregate_version) == (qid, 1)
    assert (applied.institution_id, applied.region_code) == (iid, "330106")
    assert applied.event_type == "registry.QualificationApplied"


async def test_apply_for_an_unknown_institution_is_422_naming_the_field(reg: Registry) -> None:
    cmd = ApplyForQualification(
        institution_id="nope", kind=QualificationKind.OCCUPATIONAL_HEALTH, scope_codes=["OH-01"]
    )
    with pytest.raises(InvalidCommand) as refused:
        await qualifications.apply(reg, cmd, authority())
    assert refused.value.violations[0].field == "institution_id"
    assert store(reg).events() == []


async def test_another_province_and_another_institution_are_refused(reg: Registry) -> None:
    iid = await given_institution(reg)
    change = ChangeInstitutionDetails(contacts=[])  # a name change reads R4's blocking items
    with pytest.raises(Forbidden):
        await qualifications.change_institution(reg, iid, change, authority("440000"))
    with pytest.raises(Forbidden):
        await qualifications.change_institution(reg, iid, change, institution_actor("other"))
    await qualifications.change_institution(reg, iid, change, authority("330100"))
    assert [e.event_type for e in store(reg).events("Institution")] == [
        "registry.InstitutionRegistered",
        "registry.InstitutionDetailsChanged",
    ]


async def test_decisions_run_the_lifecycle_and_404_an_unknown_qualification(
    reg: Registry,
) -> None:
    iid = await given_institution(reg)
    cmd = ApplyForQualification(
        institution_id=iid, kind=QualificationKind.OCCUPATIONAL_HEALTH, scope_codes=["OH-01"]
    )
    qid = await qualifications.apply(reg, cmd, institution_actor(iid))
    with pytest.raises(Forbidden):  # a decision is the authority's, not the institution's
        await qualifications.start_review(reg, qid, institution_actor(iid))
    await qualifications.start_review(reg, qid, authority())
    await qualifications.reject(reg, qid, Decide(reason="材料不全"), authority())
    assert [(e.event_type, e.aggregate_version) for e in store(reg).events("Qualification")] == [
        ("registry.QualificationApplied", 1),
        ("registry.QualificationReviewStarted", 2),
        ("registry.QualificationRejected", 3),
    ]
    with pytest.raises(NotFound):
        await qualifications.start_review(reg, "missing", authority())


async def test_a_unit_that_raises_keeps_nothing(reg: Registry) -> None:
    iid = await given_institution(reg)
    with pytest.raises(RuntimeError):
        async with reg.unit(authority()) as uow:
            holder = await uow.get(institution, iid)
            change = ChangeInstitutionDetails(
                contacts=[]
            )  # a name change reads R4's blocking items
            await uow.record(holder, institution.change_details(holder, change, uow.now))
            raise RuntimeError("after the record, before the commit")
    assert len(store(reg).events("Institution")) == 1


async def test_two_units_deciding_on_one_version_conflict(reg: Registry) -> None:
    iid = await given_institution(reg)
    change = ChangeInstitutionDetails(contacts=[])  # a name change reads R4's blocking items
    async with reg.unit(authority()) as first:
        early = await first.get(institution, iid)
        await qualifications.change_institution(reg, iid, change, authority())
        with pytest.raises(ConcurrencyConflict):
            await first.record(early, institution.change_details(early, change, first.now))


async def test_self_inspection_campaign_is_keyed_by_region_and_reported_once(
    reg: Registry,
) -> None:
    iid = await given_institution(reg)
    launch = LaunchSelfInspection(
        title="2026年自查",
        region_code="330100",
        period_from=date(2026, 1, 1),
        period_to=date(2026, 2, 28),
        deadline=date(2026, 4, 30),
    )
    campaign = await self_inspections.launch(reg, launch, authority())
    report = ReportSelfInspection(
        institution_id=iid,
        technical_staff=16,
        detection_reports=10,
        evaluation_reports=2,
        detection_report_problems=0,
        evaluation_report_problems=0,
    )
    await self_inspections.report(reg, campaign, report, institution_actor(iid))
    launched, reported = store(reg).events("SelfInspectionCampaign")
    assert (launched.institution_id, launched.region_code) == ("region-330100", "330100")
    assert (reported.institution_id, reported.aggregate_version) == (iid, 2)
