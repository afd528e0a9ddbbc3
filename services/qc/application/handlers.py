"""QC command handlers (Q1–Q6): load, decide, append."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import asyncpg

from contracts.envelope import EventPayload, Role
from contracts.qc_v1 import (
    AnnualQcConcluded,
    QcFindingRecorded,
    QcPlanGenerated,
    ViolationClueReferred,
)
from ohts_kit import regions
from ohts_kit.application import Application
from ohts_kit.auth import check_jurisdiction
from ohts_kit.db import Conn
from ohts_kit.errors import Conflict, Forbidden, InvalidCommand, NotFound
from ohts_kit.eventstore import Metadata
from ohts_kit.ids import uuid7
from ohts_kit.service import ServiceRuntime
from services.qc.adapters.views import project
from services.qc.domain import activity, plan, rectification
from services.qc.domain.commands import (
    ConcludeYear,
    GeneratePlan,
    OpenActivity,
    Reason,
    RecordResult,
    SubmitRectification,
)

LICENSED = ("occupational-health-service", "radiological-health-service")
# Which plan groups take part in an activity of each kind, by default.
DEFAULT_GROUPS = {
    "capability-comparison": ("comparison",),
    "blind-sample": ("comparison",),
    "report-spot-check": ("monitoring", "out-of-province"),
    "on-site": ("monitoring", "out-of-province", "health-exam-provincial"),
}


class Qc(Application):
    def __init__(self, rt: ServiceRuntime) -> None:
        super().__init__(rt, project)


def qc_of(rt: ServiceRuntime) -> Qc:
    app: Qc = rt.extras["qc"]
    return app


def province_key(province_code: str) -> str:
    """Plans and activities are about a province, not one institution: their Kafka key."""
    return f"province-{province_code}"


async def institution_region(conn: Conn, institution_id: str) -> str:
    region = await conn.fetchval(
        "SELECT region_code FROM known_institutions WHERE institution_id = $1", institution_id
    )
    if region is None:
        raise InvalidCommand.of(
            "institution_id", "known institution", f"no institution {institution_id}"
        )
    return str(region)


async def plan_inputs(conn: Conn, cmd: GeneratePlan) -> plan.PlanInputs:
    """The universes and priority facts, from what qc learned through events."""
    prefix = cmd.province_code[:2]
    technical = [
        r["institution_id"]
        for r in await conn.fetch(
            "SELECT DISTINCT i.institution_id FROM known_institutions i JOIN known_qualifications q"
            " USING (institution_id) WHERE q.status = 'granted' AND left(i.region_code, 2) = $1"
            " AND i.kind = ANY($2)",
            prefix,
            list(LICENSED),
        )
    ]
    out_of_province = [
        r["institution_id"]
        for r in await conn.fetch(
            "SELECT DISTINCT f.institution_id FROM known_filings f JOIN known_institutions i"
            " USING (institution_id) WHERE f.province_code = $1 AND left(i.region_code, 2) <> $2",
            cmd.province_code,
            prefix,
        )
    ]
    health_exam = [
        r["institution_id"]
        for r in await conn.fetch(
            "SELECT institution_id FROM known_institutions WHERE kind = 'health-examination'"
            " AND left(region_code, 2) = $1",
            prefix,
        )
    ]
    facts: dict[str, list[str]] = {}

    def add(ids: list[str], criterion: str) -> None:
        for i in ids:
            facts.setdefault(i, []).append(criterion)

    add(
        [
            r["institution_id"]
            for r in await conn.fetch(
                "SELECT institution_id FROM known_institutions WHERE left(region_code, 2) = $1"
                " AND kind = 'health-examination' AND extract(year FROM registered_on) >= $2",
                prefix,
                cmd.year - 1,
            )
        ],
        "filed-latest-year",
    )
    add(
        [
            r["institution_id"]
            for r in await conn.fetch(
                "SELECT institution_id FROM conclusions WHERE year = $1 AND province_code = $2"
                " AND result = 'fail'",
                cmd.year - 1,
                cmd.province_code,
            )
        ],
        "failed-provincial-qc-last-year",
    )
    add(
        [
            r["institution_id"]
            for r in await conn.fetch(
                "SELECT DISTINCT r.institution_id FROM results r"
                " JOIN activities a USING (activity_id)"
                " WHERE a.year = $1 AND a.province_code = $2 AND r.result = 'refused'",
                cmd.year - 1,
                cmd.province_code,
            )
        ],
        "refused-provincial-comparison",
    )
    add(cmd.municipal_qc_serving_outside, "municipal-qc-serving-outside")
    add(cmd.complaints_to_verify, "complaints-to-verify")
    return plan.PlanInputs(
        technical,
        out_of_province,
        health_exam,
        facts,
        {k: v for k, v in cmd.detection_rates.items() if k in health_exam},
    )


async def generate_plan(app: Qc, cmd: GeneratePlan, meta: Metadata) -> str:
    check_jurisdiction(meta.actor, cmd.province_code)
    plan_id = str(uuid7())
    seed = cmd.seed or secrets.token_hex(8)
    async with app.rt.pool.acquire() as conn, conn.transaction():
        inputs = await plan_inputs(conn, cmd)
        event = QcPlanGenerated(
            plan_id=plan_id,
            province_code=cmd.province_code,
            year=cmd.year,
            seed=seed,
            inputs=inputs.as_record(),
            entries=plan.select(inputs, seed),
            generated_at=app.now(),
        )
        try:
            async with conn.transaction():
                await app.append(
                    conn,
                    "QcPlan",
                    plan_id,
                    0,
                    [event],
                    province_key(cmd.province_code),
                    cmd.province_code,
                    meta,
                )
        except asyncpg.UniqueViolationError as exc:  # the (province, year) key of `plans`
            raise Conflict(
                f"the {cmd.year} plan of {cmd.province_code} exists",
                rule="one plan per province and year",
            ) from exc
    return plan_id


async def stored_plan(conn: Conn, app: Qc, plan_id: str) -> QcPlanGenerated:
    stored = await app.rt.store.load(conn, "QcPlan", plan_id)
    if not stored:
        raise NotFound(f"no plan {plan_id}")
    payload = stored[0].payload
    assert isinstance(payload, QcPlanGenerated)
    return payload


async def verify_plan(app: Qc, plan_id: str) -> dict[str, Any]:
    async with app.rt.pool.acquire() as conn:
        recorded = await stored_plan(conn, app, plan_id)
    differences = plan.verify(recorded.inputs, recorded.seed, recorded.entries)
    return {"plan_id": plan_id, "matches": not differences, "differences": differences}


async def open_activity(app: Qc, cmd: OpenActivity, meta: Metadata) -> str:
    activity_id = str(uuid7())
    async with app.rt.pool.acquire() as conn, conn.transaction():
        the_plan = await stored_plan(conn, app, cmd.plan_id)
        check_jurisdiction(meta.actor, the_plan.province_code)
        in_plan = {e.institution_id for e in the_plan.entries}
        groups = DEFAULT_GROUPS[cmd.kind]
        participants = (
            cmd.participants
            if cmd.participants is not None
            else sorted({e.institution_id for e in the_plan.entries if e.group in groups})
        )
        outside = [p for p in participants if p not in in_plan]
        if outside:
            raise InvalidCommand.of(
                "participants", "institutions of the plan", f"not in plan {cmd.plan_id}: {outside}"
            )
        cards: list[str] = []
        seed = None
        if cmd.kind == "report-spot-check":
            seed = cmd.seed or secrets.token_hex(8)
            rows = await conn.fetch(
                "SELECT institution_id, card_id FROM known_report_cards"
                " WHERE institution_id = ANY($1) AND extract(year FROM filed_on) = $2",
                participants,
                the_plan.year,
            )
            pool: dict[str, list[str]] = {}
            for r in rows:
                pool.setdefault(r["institution_id"], []).append(r["card_id"])
            cards = activity.sample_cards(pool, cmd.cards_per_institution, seed)
        events = activity.open_activity(
            activity.Activity(activity_id),
            cmd.plan_id,
            cmd.kind,
            the_plan.province_code,
            the_plan.year,
            participants,
            cards,
            seed,
            app.now(),
        )
        await app.append(
            conn,
            activity.AGGREGATE,
            activity_id,
            0,
            events,
            province_key(the_plan.province_code),
            the_plan.province_code,
            meta,
        )
    return activity_id


async def record_result(app: Qc, activity_id: str, cmd: RecordResult, meta: Metadata) -> list[str]:
    """Record a result and its findings; each finding opens a rectification item (Q4) and a
    violation clue is referred to supervision (Q5). Returns the rectification item ids."""
    today = app.today()
    async with app.rt.pool.acquire() as conn, conn.transaction():
        state: activity.Activity = await app.load(conn, activity, activity_id)
        if not state.opened:
            raise NotFound(f"no activity {activity_id}")
        check_jurisdiction(meta.actor, state.province_code)
        region = await institution_region(conn, cmd.institution_id)
        findings = [
            activity.FindingInput(
                str(uuid7()),
                f.category,
                f.severity,
                f.description,
                f.evidence_refs,
                f.violation_clue,
            )
            for f in cmd.findings
        ]
        events = activity.record_result(state, cmd.institution_id, cmd.result, findings, today)
        # Rectification items are decided before anything is written: a bad due date
        # refuses the whole command.
        items = []
        for finding, given in zip(findings, cmd.findings, strict=True):
            item_id = str(uuid7())
            items.append(
                (
                    item_id,
                    rectification.require(
                        rectification.Item(item_id),
                        cmd.institution_id,
                        finding.finding_id,
                        finding.description,
                        given.due_on,
                        today,
                    ),
                )
            )
        await app.append(
            conn,
            activity.AGGREGATE,
            activity_id,
            state.version,
            events,
            cmd.institution_id,
            region,
            meta,
        )
        for item_id, item_events in items:
            await app.append(
                conn,
                rectification.AGGREGATE,
                item_id,
                0,
                item_events,
                cmd.institution_id,
                region,
                meta,
            )
        supervision = supervision_region(region, state.province_code)
        for event in events:
            if isinstance(event, QcFindingRecorded) and event.violation_clue:
                await refer(
                    app,
                    conn,
                    cmd.institution_id,
                    region,
                    supervision,
                    meta,
                    finding_id=event.finding_id,
                    category=event.category,
                    description=event.description,
                    evidence=event.evidence_refs,
                    reason="finding",
                )
    return [item_id for item_id, _ in items]


def supervision_region(institution_region: str, province_code: str) -> str:
    """The supervision unit of the institution's own region, or of the province where an
    out-of-province institution worked."""
    return (
        institution_region
        if regions.province_of(institution_region) == province_code
        else province_code
    )


async def refer(
    app: Qc,
    conn: Conn,
    institution_id: str,
    region: str,
    supervision: str,
    meta: Metadata,
    *,
    finding_id: str | None,
    category: str,
    description: str,
    evidence: list[str],
    reason: str,
) -> None:
    referral_id = str(uuid7())
    await app.append(
        conn,
        "Referral",
        referral_id,
        0,
        [
            ViolationClueReferred(
                referral_id=referral_id,
                institution_id=institution_id,
                finding_id=finding_id,
                category=category,
                description=description,
                evidence_refs=evidence,
                supervision_region_code=supervision,
                reason=reason,
                referred_on=app.today(),
            )
        ],
        institution_id,
        region,
        meta,
    )


async def _item_command(
    app: Qc,
    item_id: str,
    meta: Metadata,
    decide: Callable[[rectification.Item], list[EventPayload]],
    *,
    institution: bool,
) -> None:
    async with app.rt.pool.acquire() as conn, conn.transaction():
        item: rectification.Item = await app.load(conn, rectification, item_id)
        if item.state is rectification.State.NONE:
            raise NotFound(f"no rectification item {item_id}")
        region = await institution_region(conn, item.institution_id)
        if institution:
            if (
                meta.actor.role is not Role.INSTITUTION
                or meta.actor.institution_id != item.institution_id
            ):
                raise Forbidden("only the institution itself submits its rectification")
        else:
            check_jurisdiction(meta.actor, region)
        events = decide(item)
        await app.append(
            conn,
            rectification.AGGREGATE,
            item_id,
            item.version,
            events,
            item.institution_id,
            region,
            meta,
        )


async def submit_rectification(
    app: Qc, item_id: str, cmd: SubmitRectification, meta: Metadata
) -> None:
    await _item_command(
        app,
        item_id,
        meta,
        lambda s: rectification.submit(s, cmd.text, cmd.attachment_refs, app.today()),
        institution=True,
    )


async def verify_rectification(app: Qc, item_id: str, meta: Metadata) -> None:
    await _item_command(
        app, item_id, meta, lambda s: rectification.verify(s, app.today()), institution=False
    )


async def reject_rectification(app: Qc, item_id: str, cmd: Reason, meta: Metadata) -> None:
    await _item_command(
        app,
        item_id,
        meta,
        lambda s: rectification.reject(s, cmd.reason, app.today()),
        institution=False,
    )


async def reopen_rectification(app: Qc, item_id: str, cmd: Reason, meta: Metadata) -> None:
    await _item_command(
        app,
        item_id,
        meta,
        lambda s: rectification.reopen(s, cmd.reason, app.today()),
        institution=False,
    )


async def mark_overdue(app: Qc, meta: Metadata) -> int:
    """Past due and not closed becomes overdue, by time (the runtime's clock)."""
    today = app.today()
    async with app.rt.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT item_id FROM rectification_items WHERE state <> 'closed' AND NOT overdue"
            " AND due_on < $1",
            today,
        )
    marked = 0
    for row in rows:
        async with app.rt.pool.acquire() as conn, conn.transaction():
            item = await app.load(conn, rectification, row["item_id"])
            events = rectification.mark_overdue(item, today)
            if events:
                region = await institution_region(conn, item.institution_id)
                await app.append(
                    conn,
                    rectification.AGGREGATE,
                    item.item_id,
                    item.version,
                    events,
                    item.institution_id,
                    region,
                    meta,
                )
                marked += 1
    return marked


async def conclude_year(app: Qc, cmd: ConcludeYear, meta: Metadata) -> list[dict[str, Any]]:
    """Q6: each planned institution's annual result; failed and not rectified, or refused,
    goes on the public list and is referred to supervision."""
    check_jurisdiction(meta.actor, cmd.province_code)
    today = app.today()
    out = []
    async with app.rt.pool.acquire() as conn, conn.transaction():
        plan_id = await conn.fetchval(
            "SELECT plan_id FROM plans WHERE province_code = $1 AND year = $2",
            cmd.province_code,
            cmd.year,
        )
        if plan_id is None:
            raise InvalidCommand.of(
                "year", "a plan for the year", f"no {cmd.year} plan for {cmd.province_code}"
            )
        done = await conn.fetchval(
            "SELECT count(*) FROM conclusions WHERE province_code = $1 AND year = $2",
            cmd.province_code,
            cmd.year,
        )
        if done:
            raise Conflict(
                f"{cmd.year} is already concluded for {cmd.province_code}", rule="Q6 once a year"
            )
        institutions = [
            r["institution_id"]
            for r in await conn.fetch(
                "SELECT DISTINCT institution_id FROM plan_entries WHERE plan_id = $1 ORDER BY 1",
                plan_id,
            )
        ]
        for institution_id in institutions:
            results = [
                r["result"]
                for r in await conn.fetch(
                    "SELECT r.result FROM results r JOIN activities a USING (activity_id)"
                    " WHERE a.plan_id = $1 AND r.institution_id = $2",
                    plan_id,
                    institution_id,
                )
            ]
            unrectified = await conn.fetchval(
                "SELECT count(*) FROM rectification_items i JOIN findings f USING (finding_id)"
                " JOIN activities a ON a.activity_id = f.activity_id WHERE a.plan_id = $1"
                " AND i.institution_id = $2 AND i.state <> 'closed' AND i.due_on < $3",
                plan_id,
                institution_id,
                today,
            )
            result = activity.annual_result(results)
            listed = result == "refused" or (result == "fail" and unrectified > 0)
            region = await institution_region(conn, institution_id)
            await app.append(
                conn,
                "AnnualConclusion",
                f"{institution_id}:{cmd.year}",
                0,
                [
                    AnnualQcConcluded(
                        institution_id=institution_id,
                        province_code=cmd.province_code,
                        year=cmd.year,
                        result=result,
                        rectified=unrectified == 0,
                        on_public_list=listed,
                        concluded_on=today,
                    )
                ],
                institution_id,
                region,
                meta,
            )
            if listed:
                await refer(
                    app,
                    conn,
                    institution_id,
                    region,
                    supervision_region(region, cmd.province_code),
                    meta,
                    finding_id=None,
                    category="refused-qc" if result == "refused" else "quality-management",
                    description=f"{cmd.year}年度质控"
                    + ("拒不参加" if result == "refused" else "不合格且逾期未整改"),
                    evidence=[f"plan:{plan_id}"],
                    reason="annual-public-list",
                )
            out.append(
                {
                    "institution_id": institution_id,
                    "result": result,
                    "rectified": unrectified == 0,
                    "on_public_list": listed,
                }
            )
    return out
