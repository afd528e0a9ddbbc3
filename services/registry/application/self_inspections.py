"""Self-inspection campaigns: launched by an authority, reported by each institution."""

from __future__ import annotations

from ohts_kit.auth import check_jurisdiction
from ohts_kit.errors import InvalidCommand, NotFound
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.registry.application.qualifications import check_actor_for
from services.registry.application.unit import Registry
from services.registry.domain import self_inspection
from services.registry.domain.commands import LaunchSelfInspection, ReportSelfInspection


def region_key(region_code: str) -> str:
    """A campaign is about a region, not one institution: its Kafka key."""
    return f"region-{region_code}"


async def launch(reg: Registry, cmd: LaunchSelfInspection, meta: Metadata) -> str:
    check_jurisdiction(meta.actor, cmd.region_code)
    campaign_id = str(uuid7())
    events = self_inspection.launch(self_inspection.Campaign(campaign_id), cmd, reg.today())
    async with reg.rt.pool.acquire() as conn, conn.transaction():
        await reg.append(
            conn,
            self_inspection.AGGREGATE,
            campaign_id,
            0,
            events,
            region_key(cmd.region_code),
            cmd.region_code,
            meta,
        )
    return campaign_id


async def report(
    reg: Registry, campaign_id: str, cmd: ReportSelfInspection, meta: Metadata
) -> None:
    async with reg.rt.pool.acquire() as conn, conn.transaction():
        state: self_inspection.Campaign = await reg.load(conn, self_inspection, campaign_id)
        if not state.launched:
            raise NotFound(f"no self-inspection campaign {campaign_id}")
        holder = await reg.load_institution(conn, cmd.institution_id)
        if not holder.registered:
            raise InvalidCommand.of(
                "institution_id", "registered institution", f"no institution {cmd.institution_id}"
            )
        check_actor_for(meta, holder)
        events = self_inspection.report(state, holder, cmd, reg.today())
        await reg.commit(
            conn, self_inspection.AGGREGATE, campaign_id, state.version, events, holder, meta
        )
