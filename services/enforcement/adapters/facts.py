"""Facts enforcement keeps for its credit class (E7): QC records learned from qc events,
and its own penalty decisions."""

from __future__ import annotations

from datetime import date

from ohts_kit.db import Conn
from services.enforcement.domain.credit import Penalty, QcRecord


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


async def penalties_of(conn: Conn, institution_id: str) -> list[Penalty]:
    """Each penalty decision against the institution, annulled or not, with its dates; not
    those on a person (E6: the institution is only their context)."""
    rows = await conn.fetch(
        "SELECT decided_on, penalties, annulled_on FROM penalties WHERE institution_id = $1"
        " AND person_ref IS NULL",
        institution_id,
    )
    return [Penalty(r["decided_on"], list(r["penalties"]), r["annulled_on"]) for r in rows]


async def store_review_due(conn: Conn, institution_id: str, due_on: date | None) -> None:
    """When the daily sweep must review the class next (None: not by time alone)."""
    await conn.execute(
        "INSERT INTO credit_review_due (institution_id, due_on) VALUES ($1, $2)"
        " ON CONFLICT (institution_id) DO UPDATE SET due_on = $2",
        institution_id,
        due_on,
    )


async def due_for_review(conn: Conn, today: date) -> list[str]:
    """The institutions whose class time may have changed by `today`, and those above A
    not reviewed since the due dates were kept (migration 0008)."""
    rows = await conn.fetch(
        "SELECT institution_id FROM credit_review_due WHERE due_on <= $1"
        " UNION SELECT c.institution_id FROM credit_classes c"
        " WHERE c.credit_class <> 'A' AND NOT EXISTS"
        " (SELECT FROM credit_review_due d WHERE d.institution_id = c.institution_id)"
        " ORDER BY 1",
        today,
    )
    return [r["institution_id"] for r in rows]


async def staff_member(conn: Conn, staff_id: str) -> tuple[str, str, str] | None:
    """A staff member as the registry announced them: keyed hash, masked name, institution."""
    row = await conn.fetchrow(
        "SELECT person_ref, masked_name, institution_id FROM known_staff WHERE staff_id = $1",
        staff_id,
    )
    return None if row is None else (row["person_ref"], row["masked_name"], row["institution_id"])
