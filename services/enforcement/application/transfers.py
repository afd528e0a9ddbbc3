"""Transfers to the judiciary (移送司法) and their status, listed for supervision units."""

from __future__ import annotations

from typing import Any

from ohts_kit.db import Conn
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.enforcement.application.queries import region_prefix
from services.enforcement.application.unit import Enforcement
from services.enforcement.domain import case, transfer
from services.enforcement.domain import commands as c


async def transfer_case(
    app: Enforcement, case_id: str, cmd: c.TransferToJudiciary, meta: Metadata
) -> str:
    async with app.unit(meta) as uow:
        opened: case.Case = await uow.get(case, case_id)
        about = await app.holder(uow, opened.institution_id)
        state = uow.new(transfer, str(uuid7()))
        events = transfer.transfer(
            state,
            opened,
            cmd.receiving_authority,
            cmd.suspected_offence,
            cmd.transferred_on,
            meta.actor.region_code,
            uow.today,
        )
        await uow.record(state, events, about=about)
    return state.transfer_id


async def record_status(
    app: Enforcement, transfer_id: str, cmd: c.JudicialStatus, meta: Metadata
) -> None:
    async with app.unit(meta) as uow:
        state: transfer.Transfer = await uow.get(transfer, transfer_id)  # checked: its unit's
        about = await app.holder(uow, state.institution_id)
        events = transfer.change_status(state, cmd.status, cmd.on, cmd.note, uow.today)
        await uow.record(state, events, about=about)


async def transfers(conn: Conn, jurisdiction: str, status: str | None) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT * FROM judicial_transfers WHERE jurisdiction_region_code LIKE $1"
        " AND ($2::text IS NULL OR status = $2) ORDER BY transferred_on, transfer_id",
        region_prefix(jurisdiction) + "%",
        status,
    )
    return [dict(r) for r in rows]
