"""QC events: public results (P1), findings, the rectification ledger and the annual list."""

from __future__ import annotations

import json
from datetime import date

from contracts.envelope import Envelope
from contracts.qc_v1 import (
    AnnualQcConcluded,
    AnnualQcConclusionRevised,
    BlindSamplePassed,
    CapabilityAssessed,
    QcActivityOpened,
    QcFindingRecorded,
    QcFollowUpConcluded,
    QcFollowUpRecorded,
    QcPlanGenerated,
    QcPublicListEntered,
    QcPublicListLeft,
    QcResultRecorded,
    QcResultSentToHomeAuthority,
    RectificationOverdue,
    RectificationRejected,
    RectificationReopened,
    RectificationRequired,
    RectificationSubmitted,
    RectificationVerified,
    ViolationClueReferred,
)
from ohts_kit.db import Conn
from ohts_kit.handlers import EventHandlers
from ohts_kit.workdays import china_date
from services.reporting.projections import Bulk, Projecting
from services.reporting.projections.temporal import record, revise, start

views: EventHandlers[Projecting] = EventHandlers("reporting.qc")
views.ignore(
    QcPlanGenerated,
    QcActivityOpened,
    why="plans and open activities are internal work; the public sees results (P1)",
)
views.ignore(
    BlindSamplePassed,
    why="the pass is published as the activity's QcResultRecorded; the exemption is the"
    " registry's concern (R6)",
)
views.ignore(
    QcPublicListEntered,
    QcPublicListLeft,
    why="the list follows the conclusion's versions (AnnualQcConclusionRevised): each entry"
    " and exit is a version of rp_annual_qc, shown as of any date (P6)",
)
views.ignore(
    QcFollowUpRecorded,
    QcFollowUpConcluded,
    why="follow-up measures are QC's ledger (listed by qc); no seed makes them public",
)
views.ignore(
    QcResultSentToHomeAuthority,
    why="a notice between authorities; the public sees the result itself (QcResultRecorded)",
)
views.ignore(
    ViolationClueReferred,
    why="a referral becomes public only as the lead enforcement opens for it (LeadOpened)",
)


RESULTS = Bulk(
    QcResultRecorded,
    "rp_qc_results",
    ("activity_id", "institution_id", "activity_kind", "result", "recorded_on", "known_at"),
    lambda _, env, e: (
        e.activity_id,
        e.institution_id,
        e.activity_kind,
        e.result,
        e.recorded_on,
        env.occurred_at,
    ),
)
FINDINGS = Bulk(
    QcFindingRecorded,
    "rp_qc_findings",
    (
        "finding_id",
        "institution_id",
        "category",
        "severity",
        "violation_clue",
        "recorded_on",
        "known_at",
    ),
    lambda _, env, e: (
        e.finding_id,
        e.institution_id,
        e.category,
        e.severity,
        e.violation_clue,
        e.recorded_on,
        env.occurred_at,
    ),
)
views.on(QcResultRecorded)(RESULTS.apply)
views.on(QcFindingRecorded)(FINDINGS.apply)
# Insert-only projections a rebuild may copy in batches.
BULK = (RESULTS, FINDINGS)


@views.on(RectificationRequired)
async def rectification_required(
    _: Projecting, conn: Conn, env: Envelope, e: RectificationRequired
) -> None:
    at = env.occurred_at
    row = {
        "item_id": e.item_id,
        "institution_id": e.institution_id,
        "description": e.description,
        "status": "open",
        "due_on": e.due_on,
        "changed_on": china_date(at),
    }
    await start(conn, "rp_rectifications", env.event_id, at, row)


@views.on(RectificationSubmitted)
async def rectification_submitted(
    _: Projecting, conn: Conn, env: Envelope, e: RectificationSubmitted
) -> None:
    await _rectification_status(conn, env, e.item_id, "submitted", e.submitted_on)


@views.on(RectificationRejected)
async def rectification_rejected(
    _: Projecting, conn: Conn, env: Envelope, e: RectificationRejected
) -> None:
    await _rectification_status(conn, env, e.item_id, "rejected", e.rejected_on)


@views.on(RectificationVerified)
async def rectification_verified(
    _: Projecting, conn: Conn, env: Envelope, e: RectificationVerified
) -> None:
    await _rectification_status(conn, env, e.item_id, "verified", e.verified_on)


@views.on(RectificationReopened)
async def rectification_reopened(
    _: Projecting, conn: Conn, env: Envelope, e: RectificationReopened
) -> None:
    await _rectification_status(conn, env, e.item_id, "reopened", e.reopened_on)


@views.on(RectificationOverdue)
async def rectification_overdue(
    _: Projecting, conn: Conn, env: Envelope, e: RectificationOverdue
) -> None:
    await _rectification_status(conn, env, e.item_id, "overdue", e.overdue_on)


async def _rectification_status(
    conn: Conn, env: Envelope, item_id: str, status: str, day: date
) -> None:
    change = {"status": status, "changed_on": day}
    await revise(
        conn, "rp_rectifications", {"item_id": item_id}, env.event_id, env.occurred_at, change
    )


@views.on(AnnualQcConcluded)
async def annual(_: Projecting, conn: Conn, env: Envelope, e: AnnualQcConcluded) -> None:
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


@views.on(AnnualQcConclusionRevised)
async def annual_revised(
    _: Projecting, conn: Conn, env: Envelope, e: AnnualQcConclusionRevised
) -> None:
    """Q6 living: the year's conclusion again; the public list follows on_public_list."""
    change = {"result": e.result, "rectified": e.rectified, "on_public_list": e.on_public_list}
    key = {"institution_id": e.institution_id, "year": e.year}
    await revise(conn, "rp_annual_qc", key, env.event_id, env.occurred_at, change)


@views.on(CapabilityAssessed)
async def capability(_: Projecting, conn: Conn, env: Envelope, e: CapabilityAssessed) -> None:
    """Yunnan 附表1: each assessment kept; the form takes the latest known at its moment."""
    await conn.execute(
        "INSERT INTO rp_capability (event_id, institution_id, year, meets, gaps,"
        " improvement_plan, note, assessed_on, known_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
        env.event_id,
        e.institution_id,
        e.year,
        json.dumps(e.meets),
        e.gaps,
        e.improvement_plan,
        e.note,
        e.assessed_on,
        env.occurred_at,
    )
