"""Enforcement's side of the QC flows, on the unit of work with the in-memory ports: a person
of the receiving unit acknowledges a QC referral (Q5; the automatic receipt is not one), and
a decided case is sent back to QC as a typical case."""

import pytest

from contracts.qc_v1 import ViolationClueReferred
from ohts_kit.errors import Conflict, Forbidden
from services.enforcement.application import cases, leads
from services.enforcement.application.intake import intake
from services.enforcement.domain import case
from services.enforcement.domain import commands as c
from tests.unit.test_enforcement_handlers import (
    HANGZHOU,
    TODAY,
    complaint,
    enforcement,
    payloads,
    referral_envelope,
    store,
    supervisor,
    types,
)


async def referred(app, region: str = HANGZHOU) -> str:  # type: ignore[no-untyped-def]
    referral = ViolationClueReferred(
        referral_id="ref-1",
        institution_id="i-1",
        category="false-report",
        description="报告数据造假",
        evidence_refs=["e-1"],
        supervision_region_code=region,
        reason="finding",
        referred_on=TODAY,
    )
    handler = intake.bind(app)[ViolationClueReferred.event_type]
    async with app.db.transaction() as conn:
        await handler(conn, referral_envelope(referral), referral)
    [opened] = payloads(app, "enforcement.LeadOpened")
    return str(opened["lead_id"])


async def test_a_person_of_the_receiving_unit_acknowledges_the_referral_once() -> None:
    app = enforcement()
    lead_id = await referred(app)
    assert types(app) == ["LeadOpened", "ReferralAcknowledged"]  # received, automatically
    ack = c.AcknowledgeReferral(note="已签收")
    with pytest.raises(Forbidden):  # the province's unit covers Hangzhou but did not receive it
        await leads.acknowledge_referral(app, lead_id, ack, supervisor("330000"))
    with pytest.raises(Forbidden):  # another city
        await leads.acknowledge_referral(app, lead_id, ack, supervisor("330200"))
    await leads.acknowledge_referral(app, lead_id, ack, supervisor(HANGZHOU))
    [done] = payloads(app, "enforcement.ReferralAcknowledgedByUnit")
    assert (done["referral_id"], done["lead_id"], done["unit_region_code"]) == (
        "ref-1",
        lead_id,
        HANGZHOU,
    )
    assert (done["acknowledged_by"], done["note"], done["acknowledged_on"]) == (
        "u",
        "已签收",
        str(TODAY),
    )
    with pytest.raises(Conflict) as twice:
        await leads.acknowledge_referral(app, lead_id, ack, supervisor(HANGZHOU))
    assert twice.value.details == {"state": "acknowledged"}
    # A lead from a complaint has no referral to acknowledge.
    other = await complaint(app)
    with pytest.raises(Conflict):
        await leads.acknowledge_referral(app, other, ack, supervisor("330100"))
    assert len(payloads(app, "enforcement.ReferralAcknowledgedByUnit")) == 1


async def decided(app, case_id: str) -> None:  # type: ignore[no-untyped-def]
    """The penalty decision as decide_penalty records it (its credit review reads SQL)."""
    penalty = c.DecidePenalty(
        decision_number="杭卫罚〔2026〕3号", penalties=["warning", "fine"], fine_yuan="20000"
    )
    decision = cases.decision_of(penalty, supervisor())
    async with app.unit(supervisor()) as uow:
        state = await uow.get(case, case_id)
        about = await app.holder(uow, state.institution_id)
        await uow.record(state, case.decide_penalty(state, decision, uow.today), about=about)


async def test_a_decided_case_goes_back_to_qc_as_typical_once() -> None:
    app = enforcement()
    lead_id = await complaint(app)
    case_id = await leads.open_case(
        app, lead_id, c.OpenCase(violation="false-report"), supervisor()
    )
    why = c.MarkTypical(summary="伪造检测数据出具虚假报告")
    with pytest.raises(Conflict) as early:
        await cases.mark_typical(app, case_id, why, supervisor())
    assert early.value.details == {"state": "opened"}
    await cases.investigate(app, case_id, c.Investigate(summary="查实"), supervisor())
    await decided(app, case_id)
    with pytest.raises(Forbidden):
        await cases.mark_typical(app, case_id, why, supervisor("530100"))
    await cases.mark_typical(app, case_id, why, supervisor())
    [typical] = store(app).events("TypicalCase")
    assert (typical.aggregate_id, typical.institution_id, typical.region_code) == (
        case_id,
        "i-1",
        HANGZHOU,
    )
    assert typical.payload["violation"] == "false-report"
    assert typical.payload["marked_by_region_code"] == "330100"
    with pytest.raises(Conflict):
        await cases.mark_typical(app, case_id, why, supervisor())


async def test_a_case_closed_without_a_penalty_is_not_typical() -> None:
    app = enforcement()
    lead_id = await complaint(app)
    case_id = await leads.open_case(
        app, lead_id, c.OpenCase(violation="false-report"), supervisor()
    )
    await cases.investigate(app, case_id, c.Investigate(summary="未查实"), supervisor())
    await cases.close(app, case_id, c.CloseCase(), supervisor())
    with pytest.raises(Conflict) as closed:
        await cases.mark_typical(app, case_id, c.MarkTypical(summary="未查实的案件"), supervisor())
    assert closed.value.details == {"state": "closed"}
    assert store(app).events("TypicalCase") == []
