"""Staff commands (R6): one full-time institution per person; ID numbers never leave here."""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from ohts_kit.application import UnitOfWork
from ohts_kit.errors import Conflict
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.registry.application.qualifications import conditions_unmet
from services.registry.application.unit import Registry
from services.registry.domain import institution, staff
from services.registry.domain.commands import RegisterStaff, StaffLeaves
from services.registry.domain.people import person_ref


async def register_staff(reg: Registry, cmd: RegisterStaff, meta: Metadata) -> str:
    staff_id = str(uuid7())
    ref = person_ref(cmd.id_number, reg.personal_data_key)
    async with reg.unit(meta) as uow:
        holder = await uow.get(institution, cmd.institution_id, field="institution_id")
        await refuse_banned(uow, ref)
        state = uow.new(staff, staff_id)
        events = staff.register(state, holder, cmd, ref, uow.today)
        try:
            async with uow.conn.transaction():  # a savepoint: the clash leaves the outer usable
                await uow.record(state, events, about=holder)
        except asyncpg.UniqueViolationError as exc:
            current = await uow.conn.fetchval(
                "SELECT institution_id FROM full_time_staff WHERE person_ref = $1", ref
            )
            raise Conflict(
                f"this person is already full-time at institution {current}",
                rule="R6 full-time at one institution at a time",
                details={"institution_id": current},
            ) from exc
        await uow.conn.execute(
            "INSERT INTO personal_data (person_ref, name, id_number) VALUES ($1, $2, $3)"
            " ON CONFLICT (person_ref) DO UPDATE SET name = $2, id_number = $3, erased_at = NULL",
            ref,
            cmd.name,
            cmd.id_number.upper(),
        )
        await review_conditions(reg, uow, holder.institution_id)
    return staff_id


async def refuse_banned(uow: UnitOfWork, ref: str) -> None:
    """E6: a practice ban binds the person at every institution for its duration."""
    ban = await uow.conn.fetchrow(
        "SELECT decision_number, ends_on FROM practice_bans WHERE person_ref = $1"
        " AND annulled_on IS NULL AND starts_on <= $2 AND ends_on > $2"
        " ORDER BY ends_on DESC LIMIT 1",
        ref,
        uow.today,
    )
    if ban is not None:
        last = ban["ends_on"] - timedelta(days=1)
        raise Conflict(
            f"此人员依处罚决定{ban['decision_number']}禁止从业至{last}（含），不得登记",
            rule="E6 practice ban binds at every institution",
            details={"decision_number": ban["decision_number"], "ends_on": last.isoformat()},
        )


async def leave(reg: Registry, staff_id: str, cmd: StaffLeaves, meta: Metadata) -> None:
    async with reg.unit(meta) as uow:
        state = await uow.get(staff, staff_id)
        holder = await uow.get(institution, state.institution_id)
        await uow.record(state, staff.leave(state, cmd.left_on or uow.today), about=holder)
        await review_conditions(reg, uow, holder.institution_id)


async def review_conditions(reg: Registry, uow: UnitOfWork, institution_id: str) -> None:
    """R6a: after a staff change, flag a qualified institution that broke (or mended) them."""
    qualified = await uow.conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM qualifications_view WHERE institution_id = $1"
        " AND status = 'granted')",
        institution_id,
    )
    if not qualified:
        return
    holder = await uow.find(institution, institution_id)
    unmet = await conditions_unmet(reg, uow.conn, institution_id)
    await uow.record(holder, institution.review_conditions(holder, unmet, uow.today))


async def erase_personal_data(reg: Registry, staff_id: str, meta: Metadata) -> None:
    """Erase a person's clear data; the event log keeps only the keyed hash and masked name."""
    async with reg.unit(meta) as uow:
        state = await uow.get(staff, staff_id)
        holder = await uow.get(institution, state.institution_id)
        await uow.record(state, staff.erase(state, uow.today), about=holder)
        await uow.conn.execute(
            "UPDATE personal_data SET name = NULL, id_number = NULL, erased_at = now()"
            " WHERE person_ref = $1",
            state.person_ref,
        )
