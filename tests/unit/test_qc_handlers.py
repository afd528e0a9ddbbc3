"""QC command handlers on the in-memory store: what they record, about whom, and what they
refuse without writing anything. (Handlers that read qc's SQL read models, plan generation,
the overdue sweep and the annual conclusion, are tested in tests/integration/test_qc_flows.py.)"""

from datetime import UTC, date, datetime

import pytest

from contracts.envelope import Actor, Role
from contracts.qc_v1 import QcPlanGenerated
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, Forbidden, InvalidCommand, NotFound
from ohts_kit.eventstore import Metadata
from ohts_kit.memory import MemoryStore, memory_ports
from ohts_kit.workdays import WorkCalendar
from services.qc.application import activities, conclusions, plans, rectifications
from services.qc.application.unit import Qc, province
from services.qc.domain import plan
from services.qc.domain.commands import (
    ConcludeYear,
    FindingIn,
    GeneratePlan,
    OpenActivity,
    Reason,
    RecordResult,
    SubmitRectification,
)

NOW = datetime(2026, 3, 2, 2, tzinfo=UTC)  # Monday 2 March in China
# What qc learned from the registry: two local institutions and one from Yunnan.
KNOWN = {"inst-a": "330106", "inst-b": "330106", "inst-c": "330206", "inst-oop": "530102"}
TECHNICAL = ["inst-a", "inst-b", "inst-c"]


def meta(role: Role, region: str, institution_id: str | None = None) -> Metadata:
    actor = Actor(subject="tester", role=role, region_code=region, institution_id=institution_id)
    return Metadata(actor=actor, correlation_id="test")


CENTRE = meta(Role.QC_CENTRE, "330000")


async def no_views(*_: object) -> None:
    return None  # qc's views are SQL: tested on the real PostgreSQL


async def known_region(_: Conn, institution_id: str) -> str:
    if institution_id not in KNOWN:
        raise InvalidCommand.of("institution_id", "known institution", f"no {institution_id}")
    return KNOWN[institution_id]


async def no_year(*_: object) -> None:
    return None  # the item's year is read from SQL views: tests/unit/test_qc_living.py fakes it


@pytest.fixture
def app() -> Qc:
    return Qc(memory_ports("qc", at=NOW), WorkCalendar(), known_region, no_views, no_year)


def store(app: Qc) -> MemoryStore:
    s = app.store
    assert isinstance(s, MemoryStore)
    return s


async def a_plan(app: Qc, plan_id: str = "plan-1") -> plan.Plan:
    """A generated plan of Zhejiang 2026, recorded as generate_plan records it."""
    inputs = plan.PlanInputs(TECHNICAL, ["inst-oop"], [])
    async with app.unit(CENTRE) as uow:
        state = uow.new(plan, plan_id)
        events = plan.generate(state, "330000", 2026, "zj-2026", inputs, uow.now)
        await uow.record(state, events, about=province("330000"))
    return plan.fold(plan_id, events)


def group(p: plan.Plan, *names: str) -> list[str]:
    return sorted({e.institution_id for e in p.entries if e.group in names})


async def test_an_activity_takes_the_plan_groups_of_its_kind(app: Qc) -> None:
    the_plan = await a_plan(app)
    comparison = await activities.open_activity(
        app, OpenActivity(plan_id="plan-1", kind="capability-comparison"), CENTRE
    )
    on_site = await activities.open_activity(
        app, OpenActivity(plan_id="plan-1", kind="on-site"), CENTRE
    )
    opened = {e.aggregate_id: e for e in store(app).events("QcActivity")}
    assert opened[comparison].payload["participants"] == TECHNICAL  # Q1: everyone compared
    assert opened[on_site].payload["participants"] == group(
        the_plan, "monitoring", "out-of-province"
    )
    assert "inst-oop" in opened[on_site].payload["participants"]
    # An activity is about the province: keyed and checked by it.
    assert {(e.institution_id, e.region_code) for e in opened.values()} == {
        ("province-330000", "330000")
    }


async def test_an_activity_refuses_outsiders_unknown_plans_and_other_provinces(app: Qc) -> None:
    await a_plan(app)
    with pytest.raises(InvalidCommand) as outside:
        await activities.open_activity(
            app,
            OpenActivity(plan_id="plan-1", kind="on-site", participants=["inst-a", "inst-zz"]),
            CENTRE,
        )
    assert outside.value.violations[0].field == "participants"
    with pytest.raises(NotFound, match="no plan plan-9"):
        await activities.open_activity(app, OpenActivity(plan_id="plan-9", kind="on-site"), CENTRE)
    with pytest.raises(Forbidden):
        await activities.open_activity(
            app, OpenActivity(plan_id="plan-1", kind="on-site"), meta(Role.QC_CENTRE, "110000")
        )
    assert store(app).events("QcActivity") == []


async def an_activity(app: Qc) -> str:
    await a_plan(app)
    return await activities.open_activity(
        app,
        OpenActivity(plan_id="plan-1", kind="on-site", participants=["inst-a", "inst-oop"]),
        CENTRE,
    )


def failed(institution_id: str, *due: date) -> RecordResult:
    return RecordResult(
        institution_id=institution_id,
        result="fail",
        findings=[
            FindingIn(
                category="false-report",
                severity="serious",
                description="检测报告数据与原始记录不符",
                evidence_refs=["photo-1"],
                due_on=due[0],
            ),
            FindingIn(category="records-management", description="档案不全", due_on=due[-1]),
        ],
    )


async def test_a_result_opens_an_item_per_finding_and_refers_the_clue(app: Qc) -> None:
    activity_id = await an_activity(app)
    items = await activities.record_result(
        app, activity_id, failed("inst-a", date(2026, 4, 1), date(2026, 3, 20)), CENTRE
    )
    s = store(app)
    written = [e.event_type for e in s.events("QcActivity")]
    assert written == [
        "qc.QcActivityOpened",
        "qc.QcResultRecorded",
        "qc.QcFindingRecorded",
        "qc.QcFindingRecorded",
    ]
    required = s.events("RectificationItem")
    assert [e.aggregate_id for e in required] == items and len(items) == 2
    assert [e.payload["due_on"] for e in required] == ["2026-04-01", "2026-03-20"]
    [referral] = s.events("Referral")  # only the false report is a clue by its category
    assert referral.payload["category"] == "false-report"
    assert referral.payload["evidence_refs"] == ["photo-1"]
    assert referral.payload["supervision_region_code"] == "330106"  # the institution's own
    # Everything after the opening is about the institution, in its own region.
    about = {(e.institution_id, e.region_code) for e in s.events()[2:]}
    assert about == {("inst-a", "330106")}


async def test_an_out_of_province_clue_goes_to_the_province_it_worked_in(app: Qc) -> None:
    activity_id = await an_activity(app)
    await activities.record_result(app, activity_id, failed("inst-oop", date(2026, 4, 1)), CENTRE)
    [referral] = store(app).events("Referral")
    assert referral.payload["supervision_region_code"] == "330000"
    assert referral.region_code == "530102"


async def test_a_past_due_date_refuses_the_whole_result(app: Qc) -> None:
    activity_id = await an_activity(app)
    before = len(store(app).events())
    with pytest.raises(InvalidCommand) as refused:
        await activities.record_result(
            app, activity_id, failed("inst-a", date(2026, 4, 1), date(2026, 3, 2)), CENTRE
        )
    assert refused.value.violations[0].field == "due_on"
    with pytest.raises(NotFound, match="no activity act-9"):
        await activities.record_result(app, "act-9", failed("inst-a", date(2026, 4, 1)), CENTRE)
    with pytest.raises(InvalidCommand, match="not in this activity"):
        await activities.record_result(app, activity_id, failed("inst-b", date(2026, 4, 1)), CENTRE)
    assert len(store(app).events()) == before  # nothing written


async def test_the_rectification_ledger(app: Qc) -> None:
    activity_id = await an_activity(app)
    first, second = await activities.record_result(
        app, activity_id, failed("inst-a", date(2026, 4, 1), date(2026, 3, 20)), CENTRE
    )
    own = meta(Role.INSTITUTION, "330106", institution_id="inst-a")
    other = meta(Role.INSTITUTION, "330106", institution_id="inst-b")
    text = SubmitRectification(text="已重新出具报告", attachment_refs=["new-report"])
    with pytest.raises(Forbidden):
        await rectifications.submit_rectification(app, first, text, other)
    with pytest.raises(Forbidden):
        await rectifications.submit_rectification(app, first, text, CENTRE)
    await rectifications.submit_rectification(app, first, text, own)
    with pytest.raises(Forbidden):  # another province's centre
        await rectifications.verify_rectification(app, first, meta(Role.QC_CENTRE, "530000"))
    await rectifications.verify_rectification(app, first, CENTRE)
    with pytest.raises(Conflict) as closed:
        await rectifications.verify_rectification(app, first, CENTRE)
    assert closed.value.details["state"] == "closed"
    await rectifications.reopen_rectification(app, first, Reason(reason="回头看发现问题"), CENTRE)
    await rectifications.submit_rectification(app, second, text, own)
    await rectifications.reject_rectification(app, second, Reason(reason="证据不足"), CENTRE)
    with pytest.raises(NotFound, match="no rectification item item-9"):
        await rectifications.verify_rectification(app, "item-9", CENTRE)
    by_item = [(e.aggregate_id, e.event_type) for e in store(app).events("RectificationItem")]
    assert by_item[2:] == [
        (first, "qc.RectificationSubmitted"),
        (first, "qc.RectificationVerified"),
        (first, "qc.RectificationReopened"),
        (second, "qc.RectificationSubmitted"),
        (second, "qc.RectificationRejected"),
    ]


async def test_a_plan_verifies_from_its_recorded_inputs_and_seed(app: Qc) -> None:
    the_plan = await a_plan(app)
    assert (await plans.verify_plan(app, "plan-1"))["matches"] is True
    moved = [
        e if e.group != "monitoring" else e.model_copy(update={"institution_id": "inst-zz"})
        for e in the_plan.entries
    ]
    tampered = QcPlanGenerated(
        plan_id="plan-2",
        province_code="330000",
        year=2026,
        seed=the_plan.seed,
        inputs=the_plan.inputs,
        entries=moved,
        generated_at=NOW,
    )
    async with app.unit(CENTRE) as uow:
        await uow.record(uow.new(plan, "plan-2"), [tampered], about=province("330000"))
    result = await plans.verify_plan(app, "plan-2")
    assert result["matches"] is False
    assert any("unexpected monitoring inst-zz" in d for d in result["differences"])
    with pytest.raises(NotFound, match="no plan plan-9"):
        await plans.verify_plan(app, "plan-9")


async def test_another_province_is_refused_before_anything_is_read(app: Qc) -> None:
    # Memory ports have no SQL: reaching a read model would fail otherwise than Forbidden.
    beijing = meta(Role.QC_CENTRE, "110000")
    with pytest.raises(Forbidden):
        await plans.generate_plan(app, GeneratePlan(province_code="330000", year=2026), beijing)
    with pytest.raises(Forbidden):
        await conclusions.conclude_year(
            app, ConcludeYear(province_code="330000", year=2026), beijing
        )
    assert store(app).events() == []
