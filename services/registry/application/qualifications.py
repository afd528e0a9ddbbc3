"""Institution and qualification commands (R1–R5): load, decide, append."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import asyncpg

from contracts.envelope import EventPayload, Role
from contracts.registry_v1 import Source
from ohts_kit import authorities
from ohts_kit.application import UnitOfWork
from ohts_kit.auth import check_jurisdiction
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, Forbidden, InvalidCommand
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.registry.application.unit import Registry
from services.registry.domain import institution, qualification, staff
from services.registry.domain.commands import (
    ApplyForQualification,
    ApplyForRenewal,
    ChangeInstitutionDetails,
    ChangeQualification,
    DecideRenewal,
    GrantQualification,
    PublishDecision,
    RegisterInstitution,
)
from services.registry.domain.commands import (
    Decide as DecideCommand,
)
from services.registry.domain.qualification import BlockingItem

Decide = Callable[
    [UnitOfWork, qualification.Qualification, institution.Institution],
    Awaitable[list[EventPayload]],
]


def authority_name(region_code: str) -> str:
    """The issuing authority at the granting unit's own level (data: ohts_kit/authorities)."""
    return authorities.authority_name(region_code)


async def register_institution(
    reg: Registry, cmd: RegisterInstitution, meta: Metadata, source: Source = Source.DECISION
) -> str:
    check_jurisdiction(meta.actor, cmd.region_code)
    institution_id = str(uuid7())
    async with reg.unit(meta) as uow:
        state = uow.new(institution, institution_id)
        events = institution.register(state, cmd, uow.now, source)
        await uow.record(state, events, about=institution.fold(institution_id, events))
        await claim(
            uow.conn,
            "institution_usccs",
            "uscc",
            cmd.uscc.upper(),
            "institution_id",
            institution_id,
            f"USCC {cmd.uscc.upper()} is already registered",
        )
    return institution_id


async def claim(
    conn: Conn, table: str, key: str, value: str, owner_col: str, owner: str, message: str
) -> None:
    """A uniqueness claim in the append's transaction; a clash rolls the append back."""
    try:
        await conn.execute(
            f"INSERT INTO {table} ({key}, {owner_col}) VALUES ($1, $2)", value, owner
        )
    except asyncpg.UniqueViolationError as exc:
        raise Conflict(message, rule=f"{key} unique") from exc


async def change_institution(
    reg: Registry, institution_id: str, cmd: ChangeInstitutionDetails, meta: Metadata
) -> None:
    async with reg.unit(meta) as uow:
        holder = await uow.get(institution, institution_id)
        approved = bool(cmd.name or cmd.address or cmd.legal_representative)  # R4 applies
        qualified = approved and await is_qualified(uow.conn, institution_id)
        blocking = await blocking_items(uow.conn, institution_id) if qualified else []
        events = institution.change_details(holder, cmd, uow.now, qualified, blocking)
        await uow.record(holder, events)
        if cmd.website is not None:
            await review_conditions(reg, uow, institution_id)  # R6a: the website removed


async def is_qualified(conn: Conn, institution_id: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM qualifications_view WHERE institution_id = $1"
            " AND status = 'granted')",
            institution_id,
        )
    )


async def review_conditions(reg: Registry, uow: UnitOfWork, institution_id: str) -> None:
    """R6a: after a change of staff or details, flag a qualified institution that broke (or
    mended) the conditions it must keep."""
    if not await is_qualified(uow.conn, institution_id):
        return
    holder = await uow.find(institution, institution_id)
    unmet = await conditions_unmet(reg, uow.conn, institution_id)
    await uow.record(holder, institution.review_conditions(holder, unmet, uow.today))


async def apply(reg: Registry, cmd: ApplyForQualification, meta: Metadata) -> str:
    qualification_id = str(uuid7())
    async with reg.unit(meta) as uow:
        holder = await uow.get(institution, cmd.institution_id, field="institution_id")
        state = uow.new(qualification, qualification_id)
        events = qualification.apply(
            state,
            holder,
            cmd.kind,
            cmd.scope_codes,
            uow.now,
            cmd.applied_on,
            reg.policy.earliest_fact_date,
        )
        await uow.record(state, events, about=holder)
    return qualification_id


async def blocking_items(conn: Conn, institution_id: str) -> list[BlockingItem]:
    rows = await conn.fetch(
        "SELECT kind, item_id FROM blocking_items WHERE institution_id = $1 ORDER BY kind, item_id",
        institution_id,
    )
    return [BlockingItem(r["kind"], r["item_id"]) for r in rows]


async def conditions_unmet(reg: Registry, conn: Conn, institution_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT title, years, role, full_time FROM staff_view WHERE institution_id = $1 AND active",
        institution_id,
    )
    website = await conn.fetchval(
        "SELECT website FROM institutions_view WHERE institution_id = $1", institution_id
    )
    facts = [staff.StaffFacts(r["title"], r["years"], r["role"], r["full_time"]) for r in rows]
    return staff.unmet_conditions(facts, bool(website), reg.policy.min_technical_staff)


async def _decide(
    reg: Registry,
    qualification_id: str,
    meta: Metadata,
    decide: Decide,
    *,
    institution_may: bool = False,
) -> None:
    """Load the qualification and its holder (checked), decide, record, claim a new number."""
    async with reg.unit(meta) as uow:
        state = await uow.get(qualification, qualification_id)
        if meta.actor.role is Role.INSTITUTION and not institution_may:
            raise Forbidden("this decision is the registry authority's")
        holder = await uow.get(institution, state.institution_id)
        events = await decide(uow, state, holder)
        await uow.record(state, events, about=holder)
        for event in events:
            number = getattr(event, "certificate_number", None)
            if number and number != state.certificate_number:
                await claim(
                    uow.conn,
                    "certificate_numbers",
                    "certificate_number",
                    number,
                    "qualification_id",
                    qualification_id,
                    f"certificate number {number} is already issued",
                )


async def start_review(reg: Registry, qualification_id: str, meta: Metadata) -> None:
    async def decide(uow, s, _h):
        return qualification.start_review(s, uow.now)

    await _decide(reg, qualification_id, meta, decide)


async def grant(
    reg: Registry, qualification_id: str, cmd: GrantQualification, meta: Metadata
) -> None:
    async def decide(uow, s, holder):
        unmet = await conditions_unmet(reg, uow.conn, holder.institution_id)
        return qualification.grant(
            s,
            cmd.certificate_number,
            cmd.valid_from,
            cmd.valid_until,
            unmet,
            uow.now,
            authority_name(meta.actor.region_code),
            reg.policy,
            cmd.granted_on,
        )

    await _decide(reg, qualification_id, meta, decide)


async def reject(reg: Registry, qualification_id: str, cmd: DecideCommand, meta: Metadata) -> None:
    async def decide(uow, s, _h):
        return qualification.reject(s, cmd.reason, uow.now)

    await _decide(reg, qualification_id, meta, decide)


async def apply_for_renewal(
    reg: Registry, qualification_id: str, cmd: ApplyForRenewal, meta: Metadata
) -> None:
    async def decide(uow, s, holder):
        blocking = await blocking_items(uow.conn, holder.institution_id)
        return qualification.accept_renewal(s, cmd.scope_codes, blocking, uow.now)

    await _decide(reg, qualification_id, meta, decide, institution_may=True)


async def decide_renewal(
    reg: Registry, qualification_id: str, cmd: DecideRenewal, meta: Metadata
) -> None:
    async def decide(uow, s, _h):
        return qualification.decide_renewal(
            s, cmd.approve, cmd.certificate_number, cmd.reason, uow.now, reg.policy
        )

    await _decide(reg, qualification_id, meta, decide)


async def change(
    reg: Registry, qualification_id: str, cmd: ChangeQualification, meta: Metadata
) -> None:
    async def decide(uow, s, holder):
        return qualification.change(
            s,
            cmd.added_scope_codes,
            cmd.name,
            cmd.address,
            cmd.legal_representative,
            await blocking_items(uow.conn, holder.institution_id),
            uow.now,
        )

    await _decide(reg, qualification_id, meta, decide)


async def cancel(reg: Registry, qualification_id: str, cmd: DecideCommand, meta: Metadata) -> None:
    async def decide(uow, s, holder):
        blocking = await blocking_items(uow.conn, holder.institution_id)
        return qualification.cancel(s, cmd.reason, blocking, uow.now)

    await _decide(reg, qualification_id, meta, decide)


async def withdraw(
    reg: Registry, qualification_id: str, cmd: DecideCommand, meta: Metadata
) -> None:
    async def decide(uow, s, _h):
        return qualification.withdraw(s, cmd.reason, uow.now)

    await _decide(reg, qualification_id, meta, decide)


async def publish(
    reg: Registry, qualification_id: str, cmd: PublishDecision, meta: Metadata
) -> None:
    async def decide(uow, s, _h):
        stored = await uow.stream(qualification, qualification_id)
        match = [e for e in stored if str(e.envelope.event_id) == cmd.decision_event_id]
        if not match:
            raise InvalidCommand.of(
                "decision_event_id",
                "a decision of this qualification",
                f"no event {cmd.decision_event_id} in {qualification_id}",
            )
        published_at: datetime = cmd.published_at or uow.now
        return qualification.publish_decision(
            s, cmd.decision_event_id, match[0].payload, published_at, reg.calendar
        )

    await _decide(reg, qualification_id, meta, decide)


async def expire_due(reg: Registry, meta: Metadata) -> int:
    """Expire every certificate whose validity ended without an accepted renewal (R2)."""
    today = reg.today()
    async with reg.db.connection() as conn:
        rows = await conn.fetch(
            "SELECT qualification_id FROM qualifications_view WHERE status = 'granted'"
            " AND NOT renewal_pending AND valid_until < $1",
            today,
        )
    expired = 0
    for row in rows:
        async with reg.unit(meta, checks=False) as uow:
            state = await uow.get(qualification, row["qualification_id"])
            events = qualification.expire(state, today)
            if events:
                holder = await uow.get(institution, state.institution_id)
                await uow.record(state, events, about=holder)
                expired += 1
    return expired
