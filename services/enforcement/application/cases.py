"""Cases (立案查处, E4–E6, P2): investigate, decide a penalty within the law, execute,
close, grant credit repair, annul."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import asyncpg

from contracts.envelope import EventPayload
from ohts_kit import authorities
from ohts_kit.application import About, UnitOfWork
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, InvalidCommand
from ohts_kit.eventstore import Metadata
from services.enforcement.adapters import facts, views
from services.enforcement.application.credit import review_credit
from services.enforcement.application.unit import Enforcement
from services.enforcement.domain import case, typical
from services.enforcement.domain import commands as c

Decide = Callable[[case.Case, date], list[EventPayload]]


Decided = Callable[[case.Case, UnitOfWork], list[EventPayload]]
# What changes the credit class of the institution (E7; F3 for an annulment).
CREDIT_EVENTS = frozenset({"enforcement.PenaltyDecided", "enforcement.PenaltyAnnulled"})


async def _subject(app: Enforcement, uow: UnitOfWork, state: case.Case) -> About:
    """F2: a case is handled at the place of its violation (checked by `uow.get`); older
    cases, without one, at the institution's home region."""
    if state.region_code:
        return About(state.institution_id, state.region_code)
    return await app.holder(uow, state.institution_id)


async def _decide(app: Enforcement, case_id: str, meta: Metadata, decide: Decide) -> None:
    await _decide_in(app, case_id, meta, lambda s, uow: decide(s, uow.today))


async def _decide_in(app: Enforcement, case_id: str, meta: Metadata, decide: Decided) -> None:
    """Load the case (404, checked), decide, record."""
    async with app.unit(meta) as uow:
        state: case.Case = await uow.get(case, case_id)
        about = await _subject(app, uow, state)
        await _record(app, uow, state, decide(state, uow), about)


async def _record(
    app: Enforcement,
    uow: UnitOfWork,
    state: case.Case,
    events: list[EventPayload],
    about: About,
) -> None:
    """A penalty decision or annulment reviews the institution's credit class (E7) in
    the same transaction."""
    try:
        await uow.record(state, events, about=about)
    except asyncpg.UniqueViolationError as exc:  # the penalties view's unique key
        raise Conflict(
            "this decision number is already used", rule="decision number unique"
        ) from exc
    if any(e.event_type in CREDIT_EVENTS for e in events):
        await review_credit(app, uow, state.institution_id)


async def investigate(app: Enforcement, case_id: str, cmd: c.Investigate, meta: Metadata) -> None:
    await _decide_in(
        app,
        case_id,
        meta,
        lambda s, uow: case.investigate(
            s, cmd.summary, uow.today, when=app.when(uow, cmd.investigated_on)
        ),
    )


def authority_of(meta: Metadata) -> str:
    return authorities.authority_name(meta.actor.region_code)  # the deciding unit's level


def decision_of(cmd: c.DecidePenalty, meta: Metadata) -> case.Decision:
    return case.Decision(
        decision_number=cmd.decision_number,
        authority=authority_of(meta),
        penalties=cmd.penalties,
        fine_yuan=cmd.fine_yuan,
        confiscation_yuan=cmd.confiscation_yuan,
        illegal_gains_yuan=cmd.illegal_gains_yuan,
        banned_staff_id=cmd.banned_staff_id,
        ban_years=cmd.ban_years,
        certificate_number=cmd.certificate_number,
        decided_on=cmd.decided_on,
        severity=cmd.severity,
        severity_basis=cmd.severity_basis,
    )


async def _banned(conn: Conn, staff_id: str | None) -> case.Target | None:
    """E6: the banned staff member by the registry's keyed hash, when the registry told us
    of them (older decisions named a staff id alone)."""
    person = await facts.staff_member(conn, staff_id) if staff_id else None
    return None if person is None else case.Target(None, person[0], person[1])


async def _home(app: Enforcement, conn: Conn, institution_id: str) -> str | None:
    try:
        return await app.region_of(conn, institution_id)
    except InvalidCommand:
        return None


async def decide_penalty(
    app: Enforcement, case_id: str, cmd: c.DecidePenalty, meta: Metadata
) -> None:
    async with app.unit(meta) as uow:
        state: case.Case = await uow.get(case, case_id)
        about = await _subject(app, uow, state)
        decision = replace(
            decision_of(cmd, meta),
            banned_person=await _banned(uow.conn, cmd.banned_staff_id),
            home_region_code=await _home(app, uow.conn, state.institution_id),
        )
        events = case.decide_penalty(
            state, decision, uow.today, earliest=app.earliest, threshold=app.fine_threshold_yuan
        )
        await _record(app, uow, state, events, about)


async def execute(app: Enforcement, case_id: str, cmd: c.Execute, meta: Metadata) -> None:
    await _decide_in(
        app,
        case_id,
        meta,
        lambda s, uow: case.execute(s, uow.today, when=app.when(uow, cmd.executed_on)),
    )


async def close(app: Enforcement, case_id: str, cmd: c.CloseCase, meta: Metadata) -> None:
    await _decide_in(
        app,
        case_id,
        meta,
        lambda s, uow: case.close(s, uow.today, when=app.when(uow, cmd.closed_on)),
    )


async def grant_credit_repair(
    app: Enforcement, case_id: str, cmd: c.GrantCreditRepair, meta: Metadata
) -> None:
    """P2: the repeat-violation check reads this service's own penalty view first."""
    async with app.db.connection() as conn:
        repeats = await views.repeat_decisions(conn, case_id)
    await _decide(
        app,
        case_id,
        meta,
        lambda s, today: case.grant_credit_repair(
            s, cmd.reason, cmd.harm_removed, repeats, app.fine_threshold_yuan, today
        ),
    )


async def annul_penalty(
    app: Enforcement, case_id: str, cmd: c.AnnulPenalty, meta: Metadata
) -> None:
    def withdraw_by(on: date) -> date:  # P2: withdrawn from public view in 3 working days
        return app.calendar.add_working_days(on, WITHDRAWAL_WORKING_DAYS)[0]

    await _decide_in(
        app,
        case_id,
        meta,
        lambda s, uow: case.annul_penalty(
            s,
            cmd.reason,
            uow.today,
            when=app.when(uow, cmd.annulled_on),
            withdraw_by=withdraw_by,
        ),
    )


WITHDRAWAL_WORKING_DAYS = 3


async def mark_typical(app: Enforcement, case_id: str, cmd: c.MarkTypical, meta: Metadata) -> None:
    """A decided case goes back to the QC centres as a typical case."""
    async with app.unit(meta) as uow:
        state: case.Case = await uow.get(case, case_id)
        about = await app.holder(uow, state.institution_id)
        marked = await uow.find(typical, case_id)
        events = typical.mark(marked, state, cmd.summary, meta.actor.region_code, uow.today)
        await uow.record(marked, events, about=about)
