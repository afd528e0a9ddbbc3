"""QC activities: opened on a plan, results and findings recorded (Q4, Q5)."""

from __future__ import annotations

import secrets

from ohts_kit.application import About, UnitOfWork
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.qc.application.unit import Qc, province
from services.qc.domain import activity, plan, rectification, referral
from services.qc.domain.commands import OpenActivity, RecordResult


async def _sampled_cards(
    uow: UnitOfWork, cmd: OpenActivity, participants: list[str], year: int, seed: str
) -> list[str]:
    """Report spot check: a seeded sample of the cards each participant filed that year."""
    rows = await uow.conn.fetch(
        "SELECT institution_id, card_id FROM known_report_cards"
        " WHERE institution_id = ANY($1) AND extract(year FROM filed_on) = $2",
        participants,
        year,
    )
    pool: dict[str, list[str]] = {}
    for r in rows:
        pool.setdefault(r["institution_id"], []).append(r["card_id"])
    return activity.sample_cards(pool, cmd.cards_per_institution, seed)


async def open_activity(app: Qc, cmd: OpenActivity, meta: Metadata) -> str:
    activity_id = str(uuid7())
    async with app.unit(meta) as uow:
        the_plan = await uow.get(plan, cmd.plan_id)
        uow.allow(province(the_plan.province_code))
        participants = activity.participants_of(
            cmd.plan_id, the_plan.entries, cmd.kind, cmd.participants
        )
        cards: list[str] = []
        seed = None
        if cmd.kind == "report-spot-check":
            seed = cmd.seed or secrets.token_hex(8)
            cards = await _sampled_cards(uow, cmd, participants, the_plan.year, seed)
        state = uow.new(activity, activity_id)
        events = activity.open_activity(
            state,
            cmd.plan_id,
            cmd.kind,
            the_plan.province_code,
            the_plan.year,
            participants,
            cards,
            seed,
            uow.now,
            cmd.opened_on,
            app.earliest,
        )
        await uow.record(state, events, about=province(the_plan.province_code))
    return activity_id


def _findings(cmd: RecordResult) -> list[activity.FindingInput]:
    return [
        activity.FindingInput(
            str(uuid7()),
            f.category,
            f.severity,
            f.description,
            f.evidence_refs,
            f.violation_clue,
            f.found_on,
        )
        for f in cmd.findings
    ]


async def record_result(app: Qc, activity_id: str, cmd: RecordResult, meta: Metadata) -> list[str]:
    """Record a result and its findings; each finding opens a rectification item (Q4) and a
    violation clue is referred to supervision (Q5). Returns the rectification item ids."""
    async with app.unit(meta) as uow:
        state = await uow.get(activity, activity_id)
        uow.allow(province(state.province_code))
        about = About(cmd.institution_id, await app.region_of(uow.conn, cmd.institution_id))
        findings = _findings(cmd)
        events = activity.record_result(
            state,
            cmd.institution_id,
            cmd.result,
            findings,
            uow.today,
            cmd.recorded_on,
            app.earliest,
        )
        _, found = activity.result_dates(state, findings, cmd.recorded_on, uow.today, app.earliest)
        events += activity.home_notice(state, events, about.region_code)
        # Rectification items are decided before anything is written: a bad due date
        # refuses the whole command.
        items = []
        for finding, given, found_on in zip(findings, cmd.findings, found, strict=True):
            item = uow.new(rectification, str(uuid7()))
            decided = rectification.require(
                item,
                cmd.institution_id,
                finding.finding_id,
                finding.description,
                given.due_on,
                found_on,  # due after the finding's date (a late entry may be due already)
            )
            items.append((item, decided))
        await uow.record(state, events, about=about)
        for item, decided in items:
            await uow.record(item, decided, about=about)
        supervision = referral.supervision_region(about.region_code, state.province_code)
        for clue in activity.clues(events):
            made = uow.new(referral, str(uuid7()))
            await uow.record(
                made, referral.of_finding(made, clue, supervision, uow.today), about=about
            )
    return [item.item_id for item, _ in items]
