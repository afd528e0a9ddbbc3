"""F1 for registry and QC facts: the date a fact happened, given by the person, validated
(not in the future in Asia/Shanghai, not before what it depends on, not before the
configurable earliest date), carried by the event; the recording time stays the envelope's."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from contracts.envelope import Actor, Role
from contracts.registry_v1 import InstitutionKind, InstitutionRegistered, QualificationKind
from ohts_kit.errors import InvalidCommand
from ohts_kit.eventstore import Metadata
from ohts_kit.memory import MemoryStore, memory_ports
from ohts_kit.workdays import WorkCalendar, china_date
from ohts_kit.world_dates import world_date, world_instant
from services.qc.application import activities
from services.qc.application.unit import Qc, province
from services.qc.domain import plan
from services.qc.domain.commands import FindingIn, OpenActivity, RecordResult
from services.registry.domain import filing, institution, qualification
from services.registry.domain.commands import ContactIn, FileOutOfProvince
from services.registry.domain.policy import RegistryPolicy

NOW = datetime(2026, 3, 2, 2, tzinfo=UTC)  # 2 March 2026, 10:00 in China
TODAY = date(2026, 3, 2)
EARLIEST = date(2019, 1, 1)


def fields(err: pytest.ExceptionInfo[InvalidCommand]) -> list[tuple[str, str]]:
    return [(v.field, v.rule) for v in err.value.violations]


def test_a_world_date_is_not_future_not_too_early_not_before_what_it_depends_on() -> None:
    assert world_date("x", None, TODAY, EARLIEST) == TODAY
    assert world_date("x", date(2022, 5, 1), TODAY, EARLIEST, ("a", date(2022, 5, 1))) == date(
        2022, 5, 1
    )
    with pytest.raises(InvalidCommand) as err:
        world_date("granted_on", date(2026, 3, 3), TODAY, EARLIEST)
    assert fields(err) == [("granted_on", "F1 not in the future")]
    with pytest.raises(InvalidCommand) as err:
        world_date(
            "granted_on", date(2018, 12, 31), TODAY, EARLIEST, ("申请日期", date(2019, 2, 1))
        )
    assert fields(err) == [
        ("granted_on", "F1 earliest date"),
        ("granted_on", "F1 not before 申请日期"),
    ]
    assert world_instant(TODAY, NOW) == NOW
    assert china_date(world_instant(date(2022, 5, 1), NOW)) == date(2022, 5, 1)


def _holder() -> institution.Institution:
    registered = InstitutionRegistered(
        institution_id="i-1",
        uscc="91330106MA2B0000X1",
        name="浙江测试检测有限公司",
        address="杭州市西湖区",
        legal_representative="王",
        nature="企业",
        kind=InstitutionKind.OCCUPATIONAL_HEALTH_SERVICE,
        region_code="330106",
        registered_at=datetime(2021, 1, 1, tzinfo=UTC),
    )
    return institution.fold("i-1", [registered])


def _reviewing(applied_on: date) -> list:
    """The events of a qualification applied for on `applied_on`, now under review."""
    s = qualification.Qualification("q-1")
    events = qualification.apply(
        s, _holder(), QualificationKind.OCCUPATIONAL_HEALTH, ["OH-01"], NOW, applied_on
    )
    return events + qualification.start_review(qualification.fold("q-1", events), NOW)


def _under_review(applied_on: date) -> qualification.Qualification:
    return qualification.fold("q-1", _reviewing(applied_on))


def _grant(
    s: qualification.Qualification, granted_on: date, policy: RegistryPolicy = RegistryPolicy()
) -> list:
    number, valid_from = "(浙)卫职技字(2022)第0001号", date(2022, 5, 10)
    return qualification.grant(
        s, number, valid_from, None, [], NOW, "浙江省卫生健康委员会", policy, granted_on
    )


def test_a_grant_of_2022_entered_in_2026_carries_its_own_date() -> None:
    s = _under_review(date(2022, 3, 1))
    assert s.applied_on == date(2022, 3, 1)
    (granted,) = _grant(s, date(2022, 5, 10))
    assert china_date(granted.decided_at) == date(2022, 5, 10)
    with pytest.raises(InvalidCommand) as err:  # before the application
        _grant(s, date(2022, 2, 28))
    assert fields(err) == [("granted_on", "F1 not before 申请日期")]
    late = RegistryPolicy(earliest_fact_date=date(2023, 1, 1))  # a unit's configured start
    with pytest.raises(InvalidCommand) as err:
        _grant(s, date(2022, 5, 10), late)
    assert fields(err) == [("granted_on", "F1 earliest date")]
    with pytest.raises(InvalidCommand) as err:
        qualification.apply(
            qualification.Qualification("q-2"),
            _holder(),
            QualificationKind.OCCUPATIONAL_HEALTH,
            ["OH-01"],
            NOW,
            date(2026, 3, 3),
        )
    assert fields(err) == [("applied_on", "F1 not in the future")]


async def _no_views(*_: object) -> None:
    return None


async def _region(_: object, institution_id: str) -> str:
    return "330106"


CENTRE = Metadata(Actor(subject="qc", role=Role.QC_CENTRE, region_code="330000"), "c")


async def _plan(app: Qc) -> None:
    """A plan of Zhejiang 2022, recorded as generate_plan records it (on-site: inst-a)."""
    inputs = plan.PlanInputs(["inst-a"], [], [])
    async with app.unit(CENTRE) as uow:
        state = uow.new(plan, "plan-1")
        events = plan.generate(state, "330000", 2022, "zj-2022", inputs, uow.now)
        await uow.record(state, events, about=province("330000"))


async def test_a_qc_activity_of_2022_keeps_its_dates_and_they_are_checked() -> None:
    app = Qc(memory_ports("qc", at=NOW), WorkCalendar(), _region, _no_views)
    await _plan(app)
    opened = OpenActivity(plan_id="plan-1", kind="on-site", participants=["inst-a"])
    with pytest.raises(InvalidCommand) as err:
        await activities.open_activity(
            app, opened.model_copy(update={"opened_on": date(2018, 6, 1)}), CENTRE
        )
    assert fields(err) == [("opened_on", "F1 earliest date")]
    activity_id = await activities.open_activity(
        app, opened.model_copy(update={"opened_on": date(2022, 6, 1)}), CENTRE
    )
    finding = FindingIn(
        category="records-management", description="档案不全", due_on=date(2022, 7, 1)
    )
    early = RecordResult(
        institution_id="inst-a", result="fail", findings=[finding], recorded_on=date(2022, 5, 31)
    )
    with pytest.raises(InvalidCommand) as err:
        await activities.record_result(app, activity_id, early, CENTRE)
    assert ("recorded_on", "F1 not before 质控活动开展日期") in fields(err)
    result = early.model_copy(update={"recorded_on": date(2022, 6, 2)})
    await activities.record_result(app, activity_id, result, CENTRE)
    store = app.store
    assert isinstance(store, MemoryStore)
    payloads = {e.event_type: e.payload for e in store.events("QcActivity")}
    assert payloads["qc.QcActivityOpened"]["opened_at"].startswith("2022-05-31T16:00")
    assert payloads["qc.QcResultRecorded"]["recorded_on"] == "2022-06-02"
    assert payloads["qc.QcFindingRecorded"]["recorded_on"] == "2022-06-02"
    (item,) = store.events("RectificationItem")
    assert item.payload["due_on"] == "2022-07-01"  # due after the finding, already past now
    assert {e.recorded_at.date() for e in store.events()} == {TODAY}  # the system's own time


def test_a_filing_of_2022_is_checked_against_the_certificate_on_that_day() -> None:
    events = _reviewing(date(2022, 3, 1))
    granted = _grant(qualification.fold("q-1", events), date(2022, 5, 10))
    certificate = qualification.fold("q-1", [*events, *granted])
    holder = _holder()
    cmd = FileOutOfProvince(
        institution_id="i-1",
        province_code="530000",
        certificate_number="(浙)卫职技字(2022)第0001号",
        contacts=[ContactIn(name="李四", phone="13800000000")],
        receiving_qc_centre="云南省职业病防治质控中心",
        filed_on=date(2022, 9, 1),
    )
    (filed,) = filing.register(filing.Filing("f-1"), holder, certificate, cmd, "x", NOW)
    assert china_date(filed.filed_at) == date(2022, 9, 1)
    with pytest.raises(InvalidCommand) as err:
        filing.register(
            filing.Filing("f-2"),
            holder,
            certificate,
            cmd.model_copy(update={"filed_on": date(2022, 5, 9)}),
            "x",
            NOW,
        )
    assert fields(err) == [("filed_on", "F1 not before 资质证书有效期起始日")]
