"""Leads (线索, E4): opened from complaints, unfiled work and inspection findings, closed
without a case or by opening one. F2: a lead and its case are handled where the violation
happened, whatever the institution's home region."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ohts_kit import regions
from ohts_kit.application import About, UnitOfWork, jurisdiction
from ohts_kit.errors import InvalidCommand
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.enforcement.adapters import facts
from services.enforcement.application.unit import Enforcement
from services.enforcement.domain import case, lead
from services.enforcement.domain import commands as c


@dataclass(frozen=True)
class Origin:
    """Where a lead comes from, where it happened (F2) and when (F1)."""

    source: str
    category: str
    description: str
    opened_on: date | None = None
    violation_region_code: str | None = None
    source_ref: str | None = None


async def place_of_violation(
    app: Enforcement, uow: UnitOfWork, institution_id: str, given: str | None
) -> About:
    """F2: the subject a lead is recorded about: the institution at the place of the
    violation, which must lie in the caller's jurisdiction. Work done here by an
    institution registered elsewhere names that place explicitly (recorded on the lead);
    without it, the place is the institution's own region."""
    home = await app.region_of(uow.conn, institution_id)  # 422 for an unknown institution
    if given is not None and not regions.is_valid(given):
        raise InvalidCommand.of("violation_region_code", "GB/T 2260", "unknown region")
    about = About(institution_id, given or home)
    uow.allow(about)
    return about


async def open_lead(app: Enforcement, institution_id: str, origin: Origin, meta: Metadata) -> str:
    async with app.unit(meta) as uow:
        about = await place_of_violation(app, uow, institution_id, origin.violation_region_code)
        state = uow.new(lead, str(uuid7()))
        events = lead.open_lead(
            state.lead_id,
            institution_id,
            origin.source,
            origin.category,
            origin.description,
            about.region_code,
            uow.today,
            origin.source_ref,
            when=app.when(uow, origin.opened_on),
        )
        await uow.record(state, events, about=about)
    return state.lead_id


async def close_lead(app: Enforcement, lead_id: str, cmd: c.CloseLead, meta: Metadata) -> None:
    async with app.unit(meta) as uow:
        state: lead.Lead = await uow.get(lead, lead_id)  # checked at the lead's place (F2)
        events = lead.close(
            state, "no-case", cmd.reason, None, uow.today, when=app.when(uow, cmd.closed_on)
        )
        await uow.record(state, events)


async def open_case(app: Enforcement, lead_id: str, cmd: c.OpenCase, meta: Metadata) -> str:
    """E4: a case is opened from a lead, which closes with it; it is handled at the lead's
    place (F2) and may target a staff member of the institution (E6)."""
    async with app.unit(meta) as uow:
        state: lead.Lead = await uow.get(lead, lead_id)
        person = await _person(uow, state.institution_id, cmd.staff_id)
        opened = uow.new(case, str(uuid7()))
        when = app.when(uow, cmd.opened_on)
        events = case.open_case(
            opened,
            state.institution_id,
            cmd.violation,
            lead_id,
            uow.today,
            when=when,
            lead_opened_on=state.opened_on,
            target=case.Target(state.region_code, *person),
        )  # first: its refusal names the case's own date
        closing = lead.close(
            state, "case", f"立案：{cmd.violation}", opened.case_id, uow.today, when=when
        )
        await uow.record(state, closing)
        await uow.record(opened, events, about=About(state.institution_id, state.region_code))
    return opened.case_id


async def _person(
    uow: UnitOfWork, institution_id: str, staff_id: str | None
) -> tuple[str | None, str | None]:
    if staff_id is None:
        return None, None
    person = await facts.staff_member(uow.conn, staff_id)
    if person is None or person[2] != institution_id:
        raise InvalidCommand.of(
            "staff_id", "E6 a staff member of the institution", f"no staff {staff_id} there"
        )
    return person[0], person[1]


async def acknowledge_referral(
    app: Enforcement, lead_id: str, cmd: c.AcknowledgeReferral, meta: Metadata
) -> None:
    """Q5: a person of the receiving supervision unit acknowledges the QC referral."""
    async with app.unit(meta) as uow:
        state: lead.Lead = await uow.get(lead, lead_id)
        uow.allow(jurisdiction(state.region_code))
        events = lead.acknowledge(
            state, meta.actor.subject, meta.actor.region_code, cmd.note, uow.today
        )
        region = await app.region_of(uow.conn, state.institution_id)
        await uow.record(state, events, about=About(state.institution_id, region))
