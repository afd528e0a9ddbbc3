"""The public directory (P1): institutions, qualifications and filings, from registry events."""

from __future__ import annotations

from contracts.envelope import Envelope, EventPayload
from contracts.registry_v1 import (
    InstitutionDetailsChanged,
    InstitutionRegistered,
    QualificationCancelled,
    QualificationChanged,
    QualificationExpired,
    QualificationGranted,
    QualificationRenewalAccepted,
    QualificationRenewed,
    QualificationRevoked,
    QualificationWithdrawn,
)
from ohts_kit import regions
from ohts_kit.consumer import Handler
from ohts_kit.db import Conn


async def on_institution_registered(conn: Conn, _: Envelope, e: EventPayload) -> None:
    assert isinstance(e, InstitutionRegistered)
    await conn.execute(
        "INSERT INTO directory_institutions (institution_id, uscc, name, address, kind,"
        " region_code, region_name, registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (institution_id) DO NOTHING",
        e.institution_id,
        e.uscc,
        e.name,
        e.address,
        e.kind.value,
        e.region_code,
        regions.name_of(e.region_code),
        e.registered_at,
    )


async def on_institution_changed(conn: Conn, _: Envelope, e: EventPayload) -> None:
    assert isinstance(e, InstitutionDetailsChanged)
    await conn.execute(
        "UPDATE directory_institutions SET name = coalesce($2, name),"
        " address = coalesce($3, address) WHERE institution_id = $1",
        e.institution_id,
        e.name,
        e.address,
    )


async def on_qualification_granted(conn: Conn, _: Envelope, e: EventPayload) -> None:
    assert isinstance(e, QualificationGranted)
    await conn.execute(
        "INSERT INTO directory_qualifications (qualification_id, institution_id,"
        " certificate_number, kind, scope_codes, valid_from, valid_until, status, decided_at,"
        " issuing_authority) VALUES ($1, $2, $3, $4, $5, $6, $7, 'granted', $8, $9)"
        " ON CONFLICT (qualification_id) DO NOTHING",
        e.qualification_id,
        e.institution_id,
        e.certificate_number,
        e.kind.value,
        e.scope_codes,
        e.valid_from,
        e.valid_until,
        e.decided_at,
        e.issuing_authority,
    )


async def on_qualification_changed(conn: Conn, _: Envelope, e: EventPayload) -> None:
    match e:
        case QualificationRenewalAccepted():
            await _status(conn, e.qualification_id, "renewal-pending")
        case QualificationRenewed():
            await conn.execute(
                "UPDATE directory_qualifications SET status = 'granted', scope_codes = $2,"
                " valid_from = $3, valid_until = $4, certificate_number = $5"
                " WHERE qualification_id = $1",
                e.qualification_id,
                e.scope_codes,
                e.valid_from,
                e.valid_until,
                e.certificate_number,
            )
        case QualificationChanged():
            await conn.execute(
                "UPDATE directory_qualifications SET scope_codes = scope_codes || $2::text[]"
                " WHERE qualification_id = $1",
                e.qualification_id,
                e.added_scope_codes,
            )
        case QualificationCancelled():
            await _status(conn, e.qualification_id, "cancelled")
        case QualificationRevoked():
            await _status(conn, e.qualification_id, "revoked")
        case QualificationWithdrawn():
            await _status(conn, e.qualification_id, "withdrawn")
        case QualificationExpired():
            await _status(conn, e.qualification_id, "expired")


async def _status(conn: Conn, qualification_id: str, status: str) -> None:
    await conn.execute(
        "UPDATE directory_qualifications SET status = $2 WHERE qualification_id = $1",
        qualification_id,
        status,
    )


HANDLERS: dict[str, Handler] = {
    InstitutionRegistered.event_type: on_institution_registered,
    InstitutionDetailsChanged.event_type: on_institution_changed,
    QualificationGranted.event_type: on_qualification_granted,
    **{
        t.event_type: on_qualification_changed
        for t in (
            QualificationRenewalAccepted,
            QualificationRenewed,
            QualificationChanged,
            QualificationCancelled,
            QualificationRevoked,
            QualificationWithdrawn,
            QualificationExpired,
        )
    },
}
