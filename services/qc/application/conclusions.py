"""The annual conclusion (Q6): each planned institution's result, the public list, and a
referral for each listed institution."""

from __future__ import annotations

from datetime import date
from typing import Any

from ohts_kit.application import About, UnitOfWork
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, InvalidCommand
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
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


async def year_facts(conn: Conn, plan_id: str, today: date) -> list[conclusion.YearFacts]:
    """Each planned institution's results in the plan's activities and its rectification
    items of the plan past due and not closed, in institution order."""
    rows = await conn.fetch(
        "SELECT e.institution_id, coalesce(array_agg(r.result)"
        " FILTER (WHERE r.result IS NOT NULL), '{}') AS results"
        " FROM (SELECT DISTINCT institution_id FROM plan_entries WHERE plan_id = $1) e"
        " LEFT JOIN (results r JOIN activities a USING (activity_id))"
        " ON r.institution_id = e.institution_id AND a.plan_id = $1"
        " GROUP BY e.institution_id ORDER BY e.institution_id",
        plan_id,
    )
    unrectified = {
        r["institution_id"]: r["n"]
        for r in await conn.fetch(
            "SELECT i.institution_id, count(*) AS n FROM rectification_items i"
            " JOIN findings f USING (finding_id) JOIN activities a ON a.activity_id = f.activity_id"
            " WHERE a.plan_id = $1 AND i.state <> 'closed' AND i.due_on < $2"
            " GROUP BY i.institution_id",
            plan_id,
            today,
        )
    }
    return [
        conclusion.YearFacts(
            r["institution_id"], tuple(r["results"]), unrectified.get(r["institution_id"], 0)
        )
        for r in rows
    ]


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
    supervision = referral.supervision_region(region, cmd.province_code)
    made = uow.new(referral, str(uuid7()))
    await uow.record(
        made, referral.of_listing(made, done, plan_id, supervision, uow.today), about=about
    )
    return done


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
