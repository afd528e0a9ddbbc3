"""Leads (线索, E4): opened from complaints and findings, closed without a case or by
opening one."""

from __future__ import annotations

from ohts_kit.application import About, jurisdiction
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.enforcement.application.unit import Enforcement
from services.enforcement.domain import case, lead
from services.enforcement.domain import commands as c


async def open_lead(
    app: Enforcement,
    institution_id: str,
    source: str,
    category: str,
    description: str,
    meta: Metadata,
) -> str:
    async with app.unit(meta) as uow:
        about = await app.holder(uow, institution_id)
        state = uow.new(lead, str(uuid7()))
        events = lead.open_lead(
            state.lead_id,
            institution_id,
            source,
            category,
            description,
            about.region_code,
            uow.today,
        )
        await uow.record(state, events, about=about)
    return state.lead_id


async def close_lead(app: Enforcement, lead_id: str, cmd: c.CloseLead, meta: Metadata) -> None:
    async with app.unit(meta) as uow:
        state: lead.Lead = await uow.get(lead, lead_id)
        about = await app.holder(uow, state.institution_id)
        events = lead.close(state, "no-case", cmd.reason, None, uow.today)
        await uow.record(state, events, about=about)


async def open_case(app: Enforcement, lead_id: str, cmd: c.OpenCase, meta: Metadata) -> str:
    """E4: a case is opened from a lead, which closes with it."""
    async with app.unit(meta) as uow:
        state: lead.Lead = await uow.get(lead, lead_id)
        about = await app.holder(uow, state.institution_id)
        opened = uow.new(case, str(uuid7()))
        closing = lead.close(state, "case", f"立案：{cmd.violation}", opened.case_id, uow.today)
        events = case.open_case(opened, state.institution_id, cmd.violation, lead_id, uow.today)
        await uow.record(state, closing, about=about)
        await uow.record(opened, events, about=about)
    return opened.case_id


async def acknowledge_referral(
    app: Enforcement, lead_id: str, cmd: c.AcknowledgeReferral, meta: Metadata
) -> None:
    """Q5: a person of the receiving supervision unit acknowledges the QC referral."""
    async with app.unit(meta) as uow:
        state: lead.Lead = await uow.get(lead, lead_id)
        uow.allow(jurisdiction(state.jurisdiction_region_code))
        events = lead.acknowledge(
            state, meta.actor.subject, meta.actor.region_code, cmd.note, uow.today
        )
        region = await app.region_of(uow.conn, state.institution_id)
        await uow.record(state, events, about=About(state.institution_id, region))
