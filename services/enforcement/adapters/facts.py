"""Facts enforcement keeps for its credit class (E7): QC records learned from qc events,
and its own penalty decisions."""

from __future__ import annotations

from datetime import date

from ohts_kit.db import Conn
from services.enforcement.domain.credit import QcRecord


async def qc_record(conn: Conn, institution_id: str) -> QcRecord:
    row = await conn.fetchrow(
        "SELECT on_public_list, overdue_items, failures FROM qc_facts WHERE institution_id = $1",
        institution_id,
    )
    if row is None:
        return QcRecord()
    return QcRecord(row["on_public_list"], frozenset(row["overdue_items"]), tuple(row["failures"]))


async def store_qc_record(conn: Conn, institution_id: str, qc: QcRecord) -> None:
    await conn.execute(
        "INSERT INTO qc_facts (institution_id, on_public_list, overdue_items, failures)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (institution_id) DO UPDATE"
        " SET on_public_list = $2, overdue_items = $3, failures = $4",
        institution_id,
        qc.on_public_list,
        sorted(qc.overdue_items),
        list(qc.failures),
    )


async def penalties_of(
    conn: Conn, institution_id: str, today: date
) -> list[tuple[date, list[str]]]:
    """Each penalty decision against the institution: its date and the penalty kinds; not
    those on a person (E6: the institution is only their context), nor those annulled by
    `today` (F3)."""
    rows = await conn.fetch(
        "SELECT decided_on, penalties FROM penalties WHERE institution_id = $1"
        " AND person_ref IS NULL AND decided_on <= $2"
        " AND (annulled_on IS NULL OR annulled_on > $2)",
        institution_id,
        today,
    )
    return [(r["decided_on"], list(r["penalties"])) for r in rows]


async def staff_member(conn: Conn, staff_id: str) -> tuple[str, str, str] | None:
    """A staff member as the registry announced them: keyed hash, masked name, institution."""
    row = await conn.fetchrow(
        "SELECT person_ref, masked_name, institution_id FROM known_staff WHERE staff_id = $1",
        staff_id,
    )
    return None if row is None else (row["person_ref"], row["masked_name"], row["institution_id"])
