"""Staff commands (R6): one full-time institution per person; ID numbers never leave here."""

from __future__ import annotations

import asyncpg

from contracts.envelope import Role
from ohts_kit.application import UnitOfWork
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, Forbidden, InvalidCommand
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
        restores = await _check_identity(uow.conn, ref, cmd, meta)
        state = uow.new(staff, staff_id)
        events = staff.register(state, holder, cmd, ref, uow.today)
        try:
            async with uow.conn.transaction():  # a savepoint: the clash leaves the outer usable
                await uow.record(state, events, about=holder)
        except asyncpg.UniqueViolationError as exc:
            raise await _full_time_elsewhere(uow.conn, ref, meta) from exc
        # An existing identity is never rewritten here: only an authority's explicit
        # restoration of an erased person writes it again.
        await uow.conn.execute(
            "INSERT INTO personal_data (person_ref, name, id_number) VALUES ($1, $2, $3)"
            " ON CONFLICT (person_ref) DO UPDATE SET name = $2, id_number = $3, erased_at = NULL"
            " WHERE $4",
            ref,
            cmd.name,
            cmd.id_number.upper(),
            restores,
        )
        await review_conditions(reg, uow, holder.institution_id)
    return staff_id


async def _check_identity(conn: Conn, ref: str, cmd: RegisterStaff, meta: Metadata) -> bool:
    """Issue 18.4: a known person's stored name is never replaced by a registration, and an
    erased person stays erased unless the registry authority explicitly restores them.
    True when this registration is such a restoration."""
    known = await conn.fetchrow(
        "SELECT name, erased_at IS NOT NULL AS erased FROM personal_data WHERE person_ref = $1",
        ref,
    )
    if cmd.restore_erased_person and meta.actor.role is not Role.REGISTRY_AUTHORITY:
        raise Forbidden("only the registry authority may restore an erased person")
    if known is None:
        if cmd.restore_erased_person:
            raise InvalidCommand.of(
                "restore_erased_person", "erased person", "此人员的个人信息未被删除，无需恢复"
            )
        return False
    if known["erased"]:
        if not cmd.restore_erased_person:
            raise Conflict(
                "此人员的个人信息已依申请删除；重新登记须由登记机关明确决定"
                "（restore_erased_person: true）",
                rule="personal data erased",
            )
        return True
    if cmd.restore_erased_person:
        raise InvalidCommand.of(
            "restore_erased_person", "erased person", "此人员的个人信息未被删除，无需恢复"
        )
    if known["name"] != cmd.name:
        raise Conflict(
            "该身份证号码已登记的姓名与本次填写的姓名不一致，不予登记；请核对，"
            "或由登记机关复核该人员的身份信息",
            rule="stored identity",
        )
    return False


async def _full_time_elsewhere(conn: Conn, ref: str, meta: Metadata) -> Conflict:
    """R6's refusal: the employer is named to an authority only, never to an institution."""
    rule = "R6 full-time at one institution at a time"
    if meta.actor.role is Role.INSTITUTION:
        return Conflict(
            "该人员已在其他机构登记为专职技术人员，不能在本机构登记为专职（同一时间只能在一个"
            "机构专职执业）；可登记为兼职，或待其离职后再登记",
            rule=rule,
        )
    current = await conn.fetchval(
        "SELECT institution_id FROM full_time_staff WHERE person_ref = $1", ref
    )
    return Conflict(
        f"this person is already full-time at institution {current}",
        rule=rule,
        details={"institution_id": current},
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
