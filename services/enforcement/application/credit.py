"""Credit records (E7): an institution's class reviewed whenever a penalty or a QC fact
may change it."""

from __future__ import annotations

from ohts_kit.application import About, UnitOfWork
from ohts_kit.errors import InvalidCommand
from ohts_kit.eventstore import Metadata
from services.enforcement.adapters import facts
from services.enforcement.application.unit import Enforcement
from services.enforcement.domain import credit


async def review_credit(
    app: Enforcement, uow: UnitOfWork, institution_id: str, qc: credit.QcRecord | None = None
) -> None:
    """`qc`: the QC record as it is about to be stored (it is stored after this review,
    whose append must be its transaction's first write)."""
    record = await uow.find(credit, institution_id)
    penalties = await facts.penalties_of(uow.conn, institution_id)
    qc = qc or await facts.qc_record(uow.conn, institution_id)
    events = credit.review(record, credit.in_force(penalties, uow.today), qc, uow.today)
    if events:
        await uow.record(record, events, about=await _subject(app, uow, institution_id))
    due = credit.next_review(penalties, qc, uow.today)
    await facts.store_review_due(uow.conn, institution_id, due)  # after the append


async def _subject(app: Enforcement, uow: UnitOfWork, institution_id: str) -> About:
    # QC facts can arrive before the registry's InstitutionRegistered (another topic).
    try:
        return About(institution_id, await app.region_of(uow.conn, institution_id))
    except InvalidCommand:
        return About(institution_id, "000000")


async def sweep_credit(app: Enforcement, meta: Metadata) -> int:
    """E7: recompute, with today's date, each class time may have changed (a fact's
    duration ended, a dated decision or annulment took effect); run by the scheduler, so a
    class changes on the day its fact ends. Returns how many classes changed."""
    async with app.db.connection() as conn:
        due = await facts.due_for_review(conn, app.today())
    changed = 0
    for institution_id in due:
        async with app.unit(meta, checks=False) as uow:
            before = len(uow.written)
            await review_credit(app, uow, institution_id)
            changed += len(uow.written) > before
    return changed
