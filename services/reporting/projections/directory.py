"""The public directory (P1): institutions and their qualifications, from registry events."""

from __future__ import annotations

from contracts.envelope import Envelope, EventPayload
from contracts.registry_v1 import InstitutionRegistered, QualificationGranted
from ohts_kit import regions
from ohts_kit.consumer import Handler
from ohts_kit.db import Conn


async def on_institution_registered(conn: Conn, _: Envelope, event: EventPayload) -> None:
    assert isinstance(event, InstitutionRegistered)
    await conn.execute(
        "INSERT INTO directory_institutions (institution_id, uscc, name, address, kind,"
        " region_code, region_name, registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (institution_id) DO UPDATE SET uscc = EXCLUDED.uscc, name = EXCLUDED.name,"
        " address = EXCLUDED.address, kind = EXCLUDED.kind, region_code = EXCLUDED.region_code,"
        " region_name = EXCLUDED.region_name",
        event.institution_id,
        event.uscc,
        event.name,
        event.address,
        event.kind.value,
        event.region_code,
        regions.name_of(event.region_code),
        event.registered_at,
    )


async def on_qualification_granted(conn: Conn, _: Envelope, event: EventPayload) -> None:
    assert isinstance(event, QualificationGranted)
    await conn.execute(
        "INSERT INTO directory_qualifications (qualification_id, institution_id,"
        " certificate_number, kind, scope_codes, valid_from, valid_until, status, decided_at,"
        " issuing_authority) VALUES ($1, $2, $3, $4, $5, $6, $7, 'granted', $8, $9)"
        " ON CONFLICT (qualification_id) DO NOTHING",
        event.qualification_id,
        event.institution_id,
        event.certificate_number,
        event.kind.value,
        event.scope_codes,
        event.valid_from,
        event.valid_until,
        event.decided_at,
        event.issuing_authority,
    )


HANDLERS: dict[str, Handler] = {
    InstitutionRegistered.event_type: on_institution_registered,
    QualificationGranted.event_type: on_qualification_granted,
}
