"""Capability register (Yunnan 附表1): a technical-support institution's check against the
construction standard, recorded by the QC centre or the health commission of its region."""

from __future__ import annotations

from ohts_kit.application import About
from ohts_kit.eventstore import Metadata
from services.qc.application.unit import Qc
from services.qc.domain import capability
from services.qc.domain.commands import AssessCapability


async def assess_capability(app: Qc, cmd: AssessCapability, meta: Metadata) -> str:
    async with app.unit(meta) as uow:
        about = About(cmd.institution_id, await app.region_of(uow.conn, cmd.institution_id))
        uow.allow(about)
        rid = capability.record_id(cmd.institution_id, cmd.year)
        state = await uow.find(capability, rid)
        events = capability.assess(
            cmd.institution_id,
            cmd.year,
            cmd.meets,
            cmd.gaps,
            cmd.improvement_plan,
            cmd.note,
            uow.today,
        )
        await uow.record(state, events, about=about)
    return rid
