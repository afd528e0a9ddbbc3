"""QC events: public results (P1), findings, the rectification ledger and the annual list."""

from __future__ import annotations

from contracts.envelope import Envelope, EventPayload
from contracts.qc_v1 import (
    AnnualQcConcluded,
    QcFindingRecorded,
    QcResultRecorded,
    RectificationOverdue,
    RectificationRejected,
    RectificationReopened,
    RectificationRequired,
    RectificationSubmitted,
    RectificationVerified,
)
from ohts_kit.consumer import Handler
from ohts_kit.db import Conn
from ohts_kit.workdays import china_date
from services.reporting.projections import handling
from services.reporting.projections.temporal import record, revise, start


async def result(conn: Conn, env: Envelope, e: EventPayload) -> None:
    match e:
        case QcResultRecorded():
            await conn.execute(
                "INSERT INTO rp_qc_results VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                e.activity_id,
                e.institution_id,
                e.activity_kind,
                e.result,
                e.recorded_on,
                env.occurred_at,
            )
        case QcFindingRecorded():
            await conn.execute(
                "INSERT INTO rp_qc_findings VALUES ($1, $2, $3, $4, $5, $6, $7)"
                " ON CONFLICT DO NOTHING",
                e.finding_id,
                e.institution_id,
                e.category,
                e.severity,
                e.violation_clue,
                e.recorded_on,
                env.occurred_at,
            )


async def rectification(conn: Conn, env: Envelope, e: EventPayload) -> None:
    at = env.occurred_at
    match e:
        case RectificationRequired():
            row = {
                "item_id": e.item_id,
                "institution_id": e.institution_id,
                "description": e.description,
                "status": "open",
                "due_on": e.due_on,
                "changed_on": china_date(at),
            }
            await start(conn, "rp_rectifications", env.event_id, at, row)
            return
        case RectificationSubmitted():
            status, day = "submitted", e.submitted_on
        case RectificationRejected():
            status, day = "rejected", e.rejected_on
        case RectificationVerified():
            status, day = "verified", e.verified_on
        case RectificationReopened():
            status, day = "reopened", e.reopened_on
        case RectificationOverdue():
            status, day = "overdue", e.overdue_on
        case _:
            return
    change = {"status": status, "changed_on": day}
    await revise(conn, "rp_rectifications", {"item_id": e.item_id}, env.event_id, at, change)


async def annual(conn: Conn, env: Envelope, e: EventPayload) -> None:
    assert isinstance(e, AnnualQcConcluded)
    row = {
        "institution_id": e.institution_id,
        "year": e.year,
        "province_code": e.province_code,
        "result": e.result,
        "rectified": e.rectified,
        "on_public_list": e.on_public_list,
        "concluded_on": e.concluded_on,
    }
    key = {"institution_id": e.institution_id, "year": e.year}
    await record(conn, "rp_annual_qc", key, env.event_id, env.occurred_at, row)


HANDLERS: dict[str, Handler] = {
    **handling(result, QcResultRecorded, QcFindingRecorded),
    **handling(
        rectification,
        RectificationRequired,
        RectificationSubmitted,
        RectificationRejected,
        RectificationVerified,
        RectificationReopened,
        RectificationOverdue,
    ),
    **handling(annual, AnnualQcConcluded),
}
