"""Registry command handlers: load, decide, append, done."""

from __future__ import annotations

import asyncpg

from ohts_kit import regions
from ohts_kit.auth import check_jurisdiction
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, InvalidCommand
from ohts_kit.eventstore import Metadata, NewEvent
from ohts_kit.ids import uuid7
from ohts_kit.service import ServiceRuntime
from services.registry.domain import institution, qualification
from services.registry.domain.commands import GrantQualification, RegisterInstitution


def _authority_name(region_code: str) -> str:
    return f"{regions.name_of(region_code)}卫生健康委员会"


async def load_institution(
    rt: ServiceRuntime, conn: Conn, institution_id: str
) -> institution.Institution:
    stored = await rt.store.load(conn, institution.AGGREGATE, institution_id)
    return institution.fold(institution_id, (e.payload for e in stored))


async def register_institution(rt: ServiceRuntime, cmd: RegisterInstitution, meta: Metadata) -> str:
    check_jurisdiction(meta.actor, cmd.region_code)
    institution_id = str(uuid7())
    state = institution.Institution(institution_id)
    events = institution.register(state, cmd, rt.clock.now())
    async with rt.pool.acquire() as conn, conn.transaction():
        await rt.store.append(
            conn,
            institution.AGGREGATE,
            institution_id,
            state.version,
            [NewEvent(e, institution_id, cmd.region_code, rt.clock.now()) for e in events],
            meta,
        )
        try:
            await conn.execute(
                "INSERT INTO institution_usccs (uscc, institution_id) VALUES ($1, $2)",
                cmd.uscc.upper(),
                institution_id,
            )
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(
                f"USCC {cmd.uscc.upper()} is already registered", rule="uscc unique"
            ) from exc
    return institution_id


async def grant_qualification(rt: ServiceRuntime, cmd: GrantQualification, meta: Metadata) -> str:
    qualification_id = str(uuid7())
    async with rt.pool.acquire() as conn, conn.transaction():
        holder = await load_institution(rt, conn, cmd.institution_id)
        if not holder.registered:
            raise InvalidCommand.of(
                "institution_id", "registered institution", f"no institution {cmd.institution_id}"
            )
        check_jurisdiction(meta.actor, holder.region_code)
        state = qualification.Qualification(qualification_id)
        now = rt.clock.now()
        events = qualification.grant(
            state, holder, cmd, now, _authority_name(meta.actor.region_code)
        )
        await rt.store.append(
            conn,
            qualification.AGGREGATE,
            qualification_id,
            state.version,
            [NewEvent(e, holder.institution_id, holder.region_code, now) for e in events],
            meta,
        )
        try:
            await conn.execute(
                "INSERT INTO certificate_numbers (certificate_number, qualification_id)"
                " VALUES ($1, $2)",
                cmd.certificate_number,
                qualification_id,
            )
        except asyncpg.UniqueViolationError as exc:
            raise Conflict(
                f"certificate number {cmd.certificate_number} is already issued",
                rule="certificate number unique",
            ) from exc
    return qualification_id
