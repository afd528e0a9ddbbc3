"""Enforcement command handlers on the unit of work, against the in-memory ports: what each
command records, what it refuses, and that a refusal records nothing. The consumer's
table accounts for every type on the topics it subscribes to."""

from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from contracts.enforcement_v1 import InspectionScheduled
from contracts.envelope import Actor, Envelope, EventPayload, Role
from contracts.qc_v1 import ViolationClueReferred
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, Forbidden, InvalidCommand, NotFound
from ohts_kit.eventstore import Metadata
from ohts_kit.handlers import types_of_producer
from ohts_kit.memory import MemoryStore, memory_ports
from ohts_kit.workdays import WorkCalendar
from services.enforcement.adapters.views import views
from services.enforcement.application import cases, inspections, leads
from services.enforcement.application.intake import intake
from services.enforcement.application.unit import Enforcement
from services.enforcement.bootstrap import SPEC
from services.enforcement.domain import commands as c

TODAY = date(2026, 6, 1)  # the memory ports' clock: 2026-06-01 12:00 in China
HANGZHOU = "330106"
REGIONS = {"i-1": HANGZHOU, "i-2": "330206"}


async def known_region(_: Conn, institution_id: str) -> str:
    """The registry facts this service would have learned (known_institutions)."""
    if institution_id not in REGIONS:
        raise InvalidCommand.of("institution_id", "known institution", "unknown")
    return REGIONS[institution_id]


async def no_views(*_: Any) -> None:
    return None


def enforcement() -> Enforcement:
    return Enforcement(
        memory_ports("enforcement"), WorkCalendar(), project=no_views, region_of=known_region
    )


def store(app: Enforcement) -> MemoryStore:
    assert isinstance(app.store, MemoryStore)
    return app.store


def supervisor(region: str = "330100") -> Metadata:
    return Metadata(Actor(subject="u", role=Role.SUPERVISION_UNIT, region_code=region), "c-1")


def types(app: Enforcement, aggregate: str | None = None) -> list[str]:
    return [e.event_type.split(".")[1] for e in store(app).events(aggregate)]


def payloads(app: Enforcement, event_type: str) -> list[dict[str, Any]]:
    return [e.payload for e in store(app).events() if e.event_type == event_type]


async def complaint(app: Enforcement, institution_id: str = "i-1", region: str = "330100") -> str:
    origin = leads.Origin("complaint", "false-report", "投诉报告造假")
    return await leads.open_lead(app, institution_id, origin, supervisor(region))


async def test_a_complaint_opens_a_lead_keyed_by_the_institution_and_its_region() -> None:
    app = enforcement()
    lead_id = await complaint(app)
    [opened] = store(app).events("Lead")
    assert (opened.aggregate_id, opened.institution_id, opened.region_code) == (
        lead_id,
        "i-1",
        HANGZHOU,
    )
    assert opened.payload["jurisdiction_region_code"] == HANGZHOU
    assert opened.payload["opened_on"] == TODAY.isoformat()


async def test_lead_commands_are_refused_outside_the_jurisdiction_and_record_nothing() -> None:
    app = enforcement()
    with pytest.raises(Forbidden):
        await complaint(app, "i-2")  # Ningbo, for a Hangzhou supervisor
    with pytest.raises(InvalidCommand) as unknown:
        await complaint(app, "i-9")
    assert unknown.value.violations[0].field == "institution_id"
    lead_id = await complaint(app)
    with pytest.raises(Forbidden):
        await leads.close_lead(app, lead_id, c.CloseLead(reason="不予立案"), supervisor("330200"))
    with pytest.raises(NotFound, match="no lead nope"):
        await leads.close_lead(app, "nope", c.CloseLead(reason="不予立案"), supervisor())
    assert types(app) == ["LeadOpened"]


async def test_a_lead_closes_once() -> None:
    app = enforcement()
    lead_id = await complaint(app)
    await leads.close_lead(app, lead_id, c.CloseLead(reason="查无实据"), supervisor())
    with pytest.raises(Conflict):
        await leads.close_lead(app, lead_id, c.CloseLead(reason="查无实据"), supervisor())
    [closed] = payloads(app, "enforcement.LeadClosed")
    assert (closed["outcome"], closed["case_id"]) == ("no-case", None)


async def test_opening_a_case_closes_the_lead_with_it() -> None:
    app = enforcement()
    lead_id = await complaint(app)
    with pytest.raises(InvalidCommand):
        await leads.open_case(app, lead_id, c.OpenCase(violation="no-such-rule"), supervisor())
    assert types(app) == ["LeadOpened"]  # the lead stays open
    case_id = await leads.open_case(
        app, lead_id, c.OpenCase(violation="false-report"), supervisor()
    )
    assert types(app) == ["LeadOpened", "LeadClosed", "CaseOpened"]
    [closed] = payloads(app, "enforcement.LeadClosed")
    assert (closed["outcome"], closed["case_id"]) == ("case", case_id)
    [opened] = store(app).events("Case")
    assert (opened.aggregate_id, opened.region_code, opened.payload["lead_id"]) == (
        case_id,
        HANGZHOU,
        lead_id,
    )


async def test_a_case_follows_its_lifecycle() -> None:
    app = enforcement()
    lead_id = await complaint(app)
    case_id = await leads.open_case(
        app, lead_id, c.OpenCase(violation="false-report"), supervisor()
    )
    with pytest.raises(Conflict) as early:
        await cases.execute(app, case_id, c.Execute(), supervisor())
    assert early.value.details == {"state": "opened"}
    with pytest.raises(Forbidden):
        await cases.investigate(app, case_id, c.Investigate(summary="查实"), supervisor("330200"))
    await cases.investigate(app, case_id, c.Investigate(summary="查实"), supervisor())
    await cases.close(
        app, case_id, c.CloseCase(), supervisor()
    )  # closed without penalty after investigation
    with pytest.raises(NotFound, match="no case c-x"):
        await cases.close(app, "c-x", c.CloseCase(), supervisor())
    assert types(app, "Case") == ["CaseOpened", "CaseInvestigated", "CaseClosed"]
    with pytest.raises(Conflict):
        await cases.annul_penalty(app, case_id, c.AnnulPenalty(reason="行政复议撤销"), supervisor())


async def scheduled(app: Enforcement, institution_id: str = "i-1") -> str:
    """An inspection as a draw or a schedule command leaves it (their merge check reads
    the inspections view, which the memory ports do not have)."""
    event = InspectionScheduled(
        inspection_id="insp-1",
        institution_id=institution_id,
        kind="random",
        period="2026",
        inspectors=["p1", "p2"],
        scheduled_on=date(2026, 5, 1),
    )
    async with app.db.transaction() as conn:
        await app.append(
            conn, "Inspection", "insp-1", 0, [event], institution_id, HANGZHOU, supervisor()
        )
    return "insp-1"


async def test_an_inspection_is_completed_then_published_with_its_lag() -> None:
    app = enforcement()
    inspection_id = await scheduled(app)
    with pytest.raises(Conflict):
        await inspections.publish_result(app, inspection_id, supervisor())
    done = c.CompleteInspection(result="compliant", ended_on=date(2026, 5, 20))
    with pytest.raises(Forbidden):
        await inspections.complete_inspection(app, inspection_id, done, supervisor("330200"))
    await inspections.complete_inspection(app, inspection_id, done, supervisor())
    await inspections.publish_result(app, inspection_id, supervisor())
    [published] = payloads(app, "enforcement.InspectionResultPublished")
    # 2026-05-20 (Wed) to 2026-06-01 (Mon): 21, 22, 25-29 May and 1 June
    assert (published["published_on"], published["lag_working_days"]) == ("2026-06-01", 8)
    with pytest.raises(NotFound, match="no inspection nope"):
        await inspections.publish_result(app, "nope", supervisor())


async def test_an_unreported_project_is_recorded_and_becomes_a_lead() -> None:
    app = enforcement()
    inspection_id = await scheduled(app)
    cmd = c.UnreportedProject(report_number="ZJ-2026-17", client_name="杭州某化工有限公司")
    lead_id = await inspections.record_unreported_project(app, inspection_id, cmd, supervisor())
    [found] = payloads(app, "enforcement.UnreportedProjectFound")
    assert (found["inspection_id"], found["report_number"]) == (inspection_id, "ZJ-2026-17")
    [opened] = store(app).events("Lead")
    assert opened.aggregate_id == lead_id
    assert (opened.payload["source"], opened.payload["source_ref"]) == (
        "extended-inspection",
        inspection_id,
    )
    assert "ZJ-2026-17" in opened.payload["description"]


def referral_envelope(e: EventPayload) -> Envelope:
    actor = Actor(subject="qc-centre", role=Role.QC_CENTRE, region_code="330000")
    return Envelope(
        event_id=uuid4(),
        event_type=e.event_type,
        schema_version=1,
        occurred_at="2026-06-01T04:00:00Z",
        recorded_at="2026-06-01T04:00:00Z",
        producer="qc",
        aggregate_type="Referral",
        aggregate_id="ref-1",
        aggregate_version=1,
        institution_id="i-1",
        region_code=HANGZHOU,
        correlation_id="qc-run",
        actor=actor,
        payload=e.model_dump(mode="json"),
    )


async def test_a_referral_becomes_a_lead_and_is_acknowledged_as_caused_by_it() -> None:
    app = enforcement()
    referral = ViolationClueReferred(
        referral_id="ref-1",
        institution_id="i-1",
        category="false-report",
        description="报告数据造假",
        evidence_refs=["e-1"],
        supervision_region_code=HANGZHOU,
        reason="finding",
        referred_on=TODAY,
    )
    env = referral_envelope(referral)
    handler = intake.bind(app)[ViolationClueReferred.event_type]
    async with app.db.transaction() as conn:
        await handler(conn, env, referral)
    assert types(app) == ["LeadOpened", "ReferralAcknowledged"]
    for written in store(app).events():
        assert (written.causation_id, written.correlation_id) == (str(env.event_id), "qc-run")
        assert (written.institution_id, written.region_code) == ("i-1", HANGZHOU)
    [opened] = payloads(app, "enforcement.LeadOpened")
    [acknowledged] = payloads(app, "enforcement.ReferralAcknowledged")
    assert (opened["source"], opened["source_ref"]) == ("qc-referral", "ref-1")
    assert acknowledged["lead_id"] == opened["lead_id"]


def test_every_event_type_on_the_subscribed_topics_is_handled_or_ignored_on_purpose() -> None:
    assert SPEC.consumes == ("registry", "qc")
    on_topics = set().union(*(types_of_producer(p) for p in SPEC.consumes))
    assert len(on_topics) > 30  # the registry's and qc's contracts, not an empty set
    for producer in SPEC.consumes:
        assert intake.unaccounted(types_of_producer(producer)) == set(), producer
    assert intake.handled | set(intake.ignored) == on_topics  # nothing from elsewhere
    assert not intake.handled & set(intake.ignored)  # each type once
    assert all(why.strip() for why in intake.ignored.values())


def test_every_own_event_type_has_a_view_handler_or_is_ignored_on_purpose() -> None:
    own = types_of_producer("enforcement")
    assert len(own) > 15
    assert views.unaccounted(own) == set()
    assert views.handled | set(views.ignored) == own
    assert not views.handled & set(views.ignored)
