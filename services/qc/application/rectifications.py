"""The rectification ledger (Q4): the institution submits, QC verifies, rejects or reopens;
items past due become overdue by time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from contracts.envelope import EventPayload, Role
from ohts_kit.application import About
from ohts_kit.errors import Forbidden
from ohts_kit.eventstore import Metadata
from services.qc.application.conclusions import reevaluate_for_item
from services.qc.application.unit import Qc
from services.qc.domain import rectification
from services.qc.domain.commands import Reason, Reopen, SubmitRectification

Decide = Callable[[rectification.Item, date], list[EventPayload]]


async def _decide(
    app: Qc,
    item_id: str,
    meta: Metadata,
    decide: Decide,
    *,
    institution: bool = False,
    trigger: str | None = None,
) -> None:
    """Load the item (404), check who acts on it, decide, record about its institution;
    a `trigger` re-evaluates the year's conclusion (Q6 living)."""
    async with app.unit(meta) as uow:
        item = await uow.get(rectification, item_id)
        about = About(item.institution_id, await app.region_of(uow.conn, item.institution_id))
        if institution:
            if (
                meta.actor.role is not Role.INSTITUTION
                or meta.actor.institution_id != item.institution_id
            ):
                raise Forbidden("only the institution itself submits its rectification")
        else:
            uow.allow(about)
        await uow.record(item, decide(item, uow.today), about=about)
        if trigger is not None:
            await reevaluate_for_item(app, uow, item_id, trigger)


async def submit_rectification(
    app: Qc, item_id: str, cmd: SubmitRectification, meta: Metadata
) -> None:
    await _decide(
        app,
        item_id,
        meta,
        lambda s, today: rectification.submit(s, cmd.text, cmd.attachment_refs, today),
        institution=True,
    )


async def verify_rectification(app: Qc, item_id: str, meta: Metadata) -> None:
    await _decide(app, item_id, meta, rectification.verify, trigger="verified")


async def reject_rectification(app: Qc, item_id: str, cmd: Reason, meta: Metadata) -> None:
    await _decide(app, item_id, meta, lambda s, today: rectification.reject(s, cmd.reason, today))


async def reopen_rectification(app: Qc, item_id: str, cmd: Reason, meta: Metadata) -> None:
    """A look-back reopening; a plain reason takes the rule's default new due date."""
    due_on = cmd.due_on if isinstance(cmd, Reopen) else None
    await _decide(
        app,
        item_id,
        meta,
        lambda s, today: rectification.reopen(s, cmd.reason, today, due_on),
        trigger="reopened",
    )


async def mark_overdue(app: Qc, meta: Metadata) -> int:
    """Past due and not closed becomes overdue, by time (the runtime's clock)."""
    today = app.today()
    async with app.db.connection() as conn:
        rows = await conn.fetch(
            "SELECT item_id FROM rectification_items WHERE state <> 'closed' AND NOT overdue"
            " AND due_on < $1",
            today,
        )
    marked = 0
    for row in rows:
        async with app.unit(meta, checks=False) as uow:
            item = await uow.get(rectification, row["item_id"])
            events = rectification.mark_overdue(item, today)
            if events:
                region = await app.region_of(uow.conn, item.institution_id)
                await uow.record(item, events, about=About(item.institution_id, region))
                await reevaluate_for_item(app, uow, item.item_id, "overdue")
                marked += 1
    return marked
