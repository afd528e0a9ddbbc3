"""Cases (立案查处, E4–E6, P2): investigate, decide a penalty within the law, execute,
close, grant credit repair, annul."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import asyncpg

from contracts.envelope import EventPayload
from ohts_kit import authorities
from ohts_kit.errors import Conflict
from ohts_kit.eventstore import Metadata
from services.enforcement.adapters import views
from services.enforcement.application.credit import review_credit
from services.enforcement.application.unit import Enforcement
from services.enforcement.domain import case
from services.enforcement.domain import commands as c

Decide = Callable[[case.Case, date], list[EventPayload]]


async def _decide(app: Enforcement, case_id: str, meta: Metadata, decide: Decide) -> None:
    """Load the case (404) and its institution (checked), decide, record; a penalty
    decision reviews the institution's credit class (E7) in the same transaction."""
    async with app.unit(meta) as uow:
        state: case.Case = await uow.get(case, case_id)
        about = await app.holder(uow, state.institution_id)
        events = decide(state, uow.today)
        try:
            await uow.record(state, events, about=about)
        except asyncpg.UniqueViolationError as exc:  # the penalties view's unique key
            raise Conflict(
                "this decision number is already used", rule="decision number unique"
            ) from exc
        if any(e.event_type == "enforcement.PenaltyDecided" for e in events):
            await review_credit(app, uow, state.institution_id)


async def investigate(app: Enforcement, case_id: str, cmd: c.Investigate, meta: Metadata) -> None:
    await _decide(app, case_id, meta, lambda s, today: case.investigate(s, cmd.summary, today))


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
    )


async def decide_penalty(
    app: Enforcement, case_id: str, cmd: c.DecidePenalty, meta: Metadata
) -> None:
    decision = decision_of(cmd, meta)
    await _decide(app, case_id, meta, lambda s, today: case.decide_penalty(s, decision, today))


async def execute(app: Enforcement, case_id: str, meta: Metadata) -> None:
    await _decide(app, case_id, meta, case.execute)


async def close(app: Enforcement, case_id: str, meta: Metadata) -> None:
    await _decide(app, case_id, meta, case.close)


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
    await _decide(app, case_id, meta, lambda s, today: case.annul_penalty(s, cmd.reason, today))
