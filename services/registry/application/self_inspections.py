"""Self-inspection campaigns: launched by an authority, reported by each institution."""

from __future__ import annotations

from ohts_kit.application import About
from ohts_kit.auth import check_jurisdiction
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.registry.application.unit import Registry
from services.registry.domain import institution, self_inspection
from services.registry.domain.commands import LaunchSelfInspection, ReportSelfInspection


async def launch(reg: Registry, cmd: LaunchSelfInspection, meta: Metadata) -> str:
    check_jurisdiction(meta.actor, cmd.region_code)
    campaign_id = str(uuid7())
    async with reg.unit(meta) as uow:
        state = uow.new(self_inspection, campaign_id)
        events = self_inspection.launch(state, cmd, uow.today)
        # A campaign is about a region, not one institution: the region keys it.
        await uow.record(state, events, about=About(f"region-{cmd.region_code}", cmd.region_code))
    return campaign_id


async def report(
    reg: Registry, campaign_id: str, cmd: ReportSelfInspection, meta: Metadata
) -> None:
    async with reg.unit(meta) as uow:
        state = await uow.get(self_inspection, campaign_id)
        holder = await uow.get(institution, cmd.institution_id, field="institution_id")
        await uow.record(state, self_inspection.report(state, holder, cmd, uow.today), about=holder)
