"""The annual conclusion (Q6): each planned institution's result, the public list, and a
referral for each listed institution."""

from __future__ import annotations

from functools import reduce
from typing import Any

from contracts.qc_v1 import QcPublicListEntered
from ohts_kit.application import About, UnitOfWork
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, InvalidCommand
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.qc.adapters.facts import year_facts
from services.qc.application.unit import Qc, province
from services.qc.domain import conclusion, referral
from services.qc.domain.commands import ConcludeYear


async def _plan_to_conclude(conn: Conn, cmd: ConcludeYear) -> str:
    """The year's plan of the province, not concluded yet."""
    plan_id = await conn.fetchval(
        "SELECT plan_id FROM plans WHERE province_code = $1 AND year = $2",
        cmd.province_code,
        cmd.year,
    )
    if plan_id is None:
        raise InvalidCommand.of(
            "year", "a plan for the year", f"no {cmd.year} plan for {cmd.province_code}"
        )
    if await conn.fetchval(
        "SELECT count(*) FROM conclusions WHERE province_code = $1 AND year = $2",
        cmd.province_code,
        cmd.year,
    ):
        raise Conflict(
            f"{cmd.year} is already concluded for {cmd.province_code}", rule="Q6 once a year"
        )
    return str(plan_id)


async def _conclude(
    app: Qc, uow: UnitOfWork, cmd: ConcludeYear, plan_id: str, facts: conclusion.YearFacts
) -> conclusion.Conclusion:
    """One institution's conclusion and, when it is listed, its referral."""
    region = await app.region_of(uow.conn, facts.institution_id)
    about = About(facts.institution_id, region)
    cid = conclusion.conclusion_id(facts.institution_id, cmd.year)
    state = await uow.find(conclusion, cid)
    events = conclusion.conclude(state, facts, cmd.province_code, cmd.year, uow.today)
    await uow.record(state, events, about=about)
    done = conclusion.fold(cid, events)
    await _refer_listing(uow, done, plan_id, region, about)
    return done


async def _refer_listing(
    uow: UnitOfWork, done: conclusion.Conclusion, plan_id: str, region: str, about: About
) -> None:
    """Q6: a place on the public list is referred to supervision."""
    supervision = referral.supervision_region(region, done.province_code)
    made = uow.new(referral, str(uuid7()))
    await uow.record(
        made, referral.of_listing(made, done, plan_id, supervision, uow.today), about=about
    )


async def reevaluate_for_item(app: Qc, uow: UnitOfWork, item_id: str, trigger: str) -> None:
    """Q6 living: after an item was verified, became overdue or was reopened, its year's
    conclusion again (when the year is concluded); entering the list is referred."""
    found = await app.item_year(uow.conn, item_id, uow.today)
    if found is None:
        return
    plan_id, year, facts = found
    cid = conclusion.conclusion_id(facts.institution_id, year)
    state = await uow.find(conclusion, cid)
    events = conclusion.reevaluate(state, facts, trigger, uow.today)
    if not events:
        return
    region = await app.region_of(uow.conn, state.institution_id)
    about = About(state.institution_id, region)
    await uow.record(state, events, about=about)
    after = reduce(conclusion.evolve, events, state)
    if any(isinstance(e, QcPublicListEntered) for e in events):
        await _refer_listing(uow, after, plan_id, region, about)


async def conclude_year(app: Qc, cmd: ConcludeYear, meta: Metadata) -> list[dict[str, Any]]:
    """Q6: each planned institution's annual result; failed and not rectified, or refused,
    goes on the public list and is referred to supervision."""
    async with app.unit(meta) as uow:
        uow.allow(province(cmd.province_code))
        plan_id = await _plan_to_conclude(uow.conn, cmd)
        concluded = [
            await _conclude(app, uow, cmd, plan_id, facts)
            for facts in await year_facts(uow.conn, plan_id, uow.today)
        ]
    return [
        {
            "institution_id": c.institution_id,
            "result": c.result,
            "rectified": c.rectified,
            "on_public_list": c.on_public_list,
        }
        for c in concluded
    ]
