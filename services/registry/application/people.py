"""Staff commands (R6): one full-time institution per person; ID numbers never leave here."""

from __future__ import annotations

import asyncpg

from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, InvalidCommand, NotFound
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from services.registry.application.qualifications import check_actor_for, conditions_unmet
from services.registry.application.unit import Registry
from services.registry.domain import institution, staff
from services.registry.domain.commands import RegisterStaff, StaffLeaves
from services.registry.domain.people import person_ref


async def register_staff(reg: Registry, cmd: RegisterStaff, meta: Metadata) -> str:
    staff_id = str(uuid7())
    ref = person_ref(cmd.id_number, reg.personal_data_key)
    async with reg.rt.pool.acquire() as conn, conn.transaction():
        holder = await reg.load_institution(conn, cmd.institution_id)
        if not holder.registered:
            raise InvalidCommand.of(
                "institution_id", "registered institution", f"no institution {cmd.institution_id}"
            )
        check_actor_for(meta, holder)
        events = staff.register(staff.Staff(staff_id), holder, cmd, ref, reg.today())
        try:
            async with conn.transaction():  # a savepoint: the clash leaves the outer usable
                await reg.commit(conn, staff.AGGREGATE, staff_id, 0, events, holder, meta)
        except asyncpg.UniqueViolationError as exc:
            current = await conn.fetchval(
                "SELECT institution_id FROM full_time_staff WHERE person_ref = $1", ref
            )
            raise Conflict(
                f"this person is already full-time at institution {current}",
                rule="R6 full-time at one institution at a time",
                details={"institution_id": current},
            ) from exc
        await conn.execute(
            "INSERT INTO personal_data (person_ref, name, id_number) VALUES ($1, $2, $3)"
            " ON CONFLICT (person_ref) DO UPDATE SET name = $2, id_number = $3, erased_at = NULL",
            ref,
            cmd.name,
            cmd.id_number.upper(),
        )
        await review_conditions(reg, conn, holder.institution_id, meta)
    return staff_id


async def leave(reg: Registry, staff_id: str, cmd: StaffLeaves, meta: Metadata) -> None:
    async with reg.rt.pool.acquire() as conn, conn.transaction():
        state: staff.Staff = await reg.load(conn, staff, staff_id)
        if state.version == 0:
            raise NotFound(f"no staff {staff_id}")
        holder = await reg.load_institution(conn, state.institution_id)
        check_actor_for(meta, holder)
        events = staff.leave(state, cmd.left_on or reg.today())
        await reg.commit(conn, staff.AGGREGATE, staff_id, state.version, events, holder, meta)
        await review_conditions(reg, conn, holder.institution_id, meta)


async def review_conditions(reg: Registry, conn: Conn, institution_id: str, meta: Metadata) -> None:
    """R6a: after a staff change, flag a qualified institution that broke (or mended) them."""
    qualified = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM qualifications_view WHERE institution_id = $1"
        " AND status = 'granted')",
        institution_id,
    )
    if not qualified:
        return
    holder = await reg.load_institution(conn, institution_id)
    unmet = await conditions_unmet(reg, conn, institution_id)
    events = institution.review_conditions(holder, unmet, reg.today())
    if events:
        await reg.commit(
            conn, institution.AGGREGATE, institution_id, holder.version, events, holder, meta
        )


async def erase_personal_data(reg: Registry, staff_id: str, meta: Metadata) -> None:
    """Erase a person's clear data; the event log keeps only the keyed hash and masked name."""
    async with reg.rt.pool.acquire() as conn, conn.transaction():
        state: staff.Staff = await reg.load(conn, staff, staff_id)
        if state.version == 0:
            raise NotFound(f"no staff {staff_id}")
        holder = await reg.load_institution(conn, state.institution_id)
        check_actor_for(meta, holder)
        events = staff.erase(state, reg.today())
        await reg.commit(conn, staff.AGGREGATE, staff_id, state.version, events, holder, meta)
        await conn.execute(
            "UPDATE personal_data SET name = NULL, id_number = NULL, erased_at = now()"
            " WHERE person_ref = $1",
            state.person_ref,
        )
