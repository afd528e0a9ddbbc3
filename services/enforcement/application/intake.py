"""What enforcement does with qc events: a referral becomes a lead (Q5), and QC results
and rectification behaviour feed the credit class (E7). Registry facts: adapters/known."""

from __future__ import annotations

from collections.abc import Mapping

from contracts import qc_v1 as qc
from contracts import registry_v1 as reg
from contracts.envelope import Envelope
from ohts_kit.application import About
from ohts_kit.consumer import Handler
from ohts_kit.db import Conn
from ohts_kit.handlers import EventHandlers
from ohts_kit.ids import uuid7
from services.enforcement.adapters import facts
from services.enforcement.adapters.known import known
from services.enforcement.application.credit import review_credit
from services.enforcement.application.unit import Enforcement, enforcement_of
from services.enforcement.domain import lead
from services.enforcement.domain.credit import QcFact

intake: EventHandlers[Enforcement] = EventHandlers("enforcement")


@intake.on(qc.ViolationClueReferred, appends=True)
async def referral(
    app: Enforcement, conn: Conn, env: Envelope, e: qc.ViolationClueReferred
) -> None:
    uow = app.unit_in(conn, env)
    state = uow.new(lead, str(uuid7()))
    events = lead.from_referral(state.lead_id, e, uow.today)
    await uow.record(state, events, about=About(e.institution_id, env.region_code))


@intake.on(reg.UnfiledWorkDetected, appends=True)
async def unfiled_work(
    app: Enforcement, conn: Conn, env: Envelope, e: reg.UnfiledWorkDetected
) -> None:
    """R7: the registry found work without a filing; the lead is the work place's, and the
    institution joins that jurisdiction's draw universe (E1, adapters/known)."""
    uow = app.unit_in(conn, env)
    state = uow.new(lead, str(uuid7()))
    events = lead.from_unfiled_work(state.lead_id, e, uow.today)
    await uow.record(state, events, about=About(e.institution_id, env.region_code))


@intake.on(
    qc.AnnualQcConcluded,
    qc.AnnualQcConclusionRevised,
    qc.RectificationOverdue,
    qc.RectificationVerified,
    qc.QcResultRecorded,
    appends=True,
)
async def qc_fact(app: Enforcement, conn: Conn, env: Envelope, e: QcFact) -> None:
    """A QC fact changes the institution's QC record, and so maybe its credit class."""
    after = (await facts.qc_record(conn, e.institution_id)).learn(e)
    # The review may append, and an append must be its transaction's first write: the
    # new QC record is stored after it.
    await review_credit(app, app.unit_in(conn, env), e.institution_id, after)
    await facts.store_qc_record(conn, e.institution_id, after)


intake.ignore(
    qc.QcPlanGenerated,
    qc.QcActivityOpened,
    qc.BlindSamplePassed,
    qc.QcResultSentToHomeAuthority,
    qc.QcFollowUpRecorded,
    qc.QcFollowUpConcluded,
    qc.CapabilityAssessed,
    why="capability checks (附表1) and QC follow-ups stay with QC (a clue found is referred);"
    " QC plans, activities, blind samples and notices to the home authority do not"
    " enter the credit class (the result itself does, as QcResultRecorded)",
)
intake.ignore(
    qc.QcPublicListEntered,
    qc.QcPublicListLeft,
    why="the listing reaches the credit class with the conclusion (on_public_list of"
    " AnnualQcConcluded and AnnualQcConclusionRevised); the referral brings the case",
)
intake.ignore(
    qc.QcFindingRecorded,
    why="a finding reaches enforcement as a referral (ViolationClueReferred) when it is one",
)
intake.ignore(
    qc.RectificationRequired,
    qc.RectificationSubmitted,
    qc.RectificationRejected,
    qc.RectificationReopened,
    why="E7 counts rectification items once overdue (RectificationOverdue) until verified",
)
intake.include(known)


def consumers(rt: object) -> Mapping[str, Handler]:
    """The consumer's table, bound to the service's application object."""
    return intake.bind(enforcement_of(rt))
