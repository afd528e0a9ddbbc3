"""Staff commands (R6): one full-time institution per person; ID numbers never leave here."""

from __future__ import annotations

import asyncpg

from ohts_kit.errors import Conflict
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.registry.application.qualifications import review_conditions
from services.registry.application.unit import Registry
from services.registry.domain import institution, staff
from services.registry.domain.commands import RegisterStaff, StaffLeaves
from services.registry.domain.people import person_ref


async def register_staff(reg: Registry, cmd: RegisterStaff, meta: Metadata) -> str:
    staff_id = str(uuid7())
    ref = person_ref(cmd.id_number, reg.personal_data_key)
    async with reg.unit(meta) as uow:
        holder = await uow.get(institution, cmd.institution_id, field="institution_id")
        existing = [
            staff.Registration(r["institution_id"], r["full_time"])
            for r in await uow.conn.fetch(
                "SELECT institution_id, full_time FROM staff_view WHERE person_ref = $1 AND active",
                ref,
            )
        ]
        most = reg.policy.max_registrations_per_person
        if problem := staff.registration_problem(
            holder.institution_id, cmd.full_time, existing, most
        ):
            raise problem
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


async def leave(reg: Registry, staff_id: str, cmd: StaffLeaves, meta: Metadata) -> None:
    async with reg.unit(meta) as uow:
        state = await uow.get(staff, staff_id)
        holder = await uow.get(institution, state.institution_id)
        await uow.record(state, staff.leave(state, cmd.left_on or uow.today), about=holder)
        await review_conditions(reg, uow, holder.institution_id)


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
