"""QC follow-up measures (约谈, 集中点评, 督办整改) against an institution, and their outcomes."""

from __future__ import annotations

from ohts_kit import regions
from ohts_kit.application import About, UnitOfWork
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.qc.application import queries
from services.qc.application.unit import Qc
from services.qc.domain import follow_up
from services.qc.domain.commands import ConcludeFollowUp, RecordFollowUp


async def _subject(app: Qc, uow: UnitOfWork, institution_id: str, meta: Metadata) -> About:
    """The institution, in the centre's jurisdiction or filed to work in its province."""
    about = About(institution_id, await app.region_of(uow.conn, institution_id))
    if not await queries.filed_in(uow.conn, institution_id, meta.actor.region_code):
        uow.allow(about)
    return about


async def record_follow_up(app: Qc, cmd: RecordFollowUp, meta: Metadata) -> str:
    """A measure of the centre's province about the institution."""
    async with app.unit(meta) as uow:
        about = await _subject(app, uow, cmd.institution_id, meta)
        state = uow.new(follow_up, str(uuid7()))
        measure = follow_up.Measure(
            cmd.institution_id, cmd.kind, cmd.held_on, cmd.subject, cmd.outcome, cmd.due_on
        )
        province_code = regions.province_of(meta.actor.region_code)
        events = follow_up.record(state, measure, province_code, uow.today)
        await uow.record(state, events, about=about)
    return str(state.follow_up_id)


async def conclude_follow_up(
    app: Qc, follow_up_id: str, cmd: ConcludeFollowUp, meta: Metadata
) -> None:
    async with app.unit(meta) as uow:
        state = await uow.get(follow_up, follow_up_id)
        about = await _subject(app, uow, state.institution_id, meta)
        events = follow_up.conclude(state, cmd.outcome, cmd.concluded_on, uow.today)
        await uow.record(state, events, about=about)
