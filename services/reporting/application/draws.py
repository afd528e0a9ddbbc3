"""Public draw records (E2): listed by jurisdiction, each readable in full, as known at a
moment (P6)."""

from __future__ import annotations

import json
from typing import Any

from ohts_kit import regions
from ohts_kit.db import Conn
from ohts_kit.errors import NotFound
from services.reporting.application.moment import Moment

REASONS = {
    "conflict": "申报利益冲突（回避）",
    "previous": "上次检查该机构的执法人员",
    "other_team": "已在本次抽取的其他检查组",
}


def _prefix(region: str | None) -> str:
    if not region:
        return ""
    return (
        region[:2] if region.endswith("0000") else region[:4] if region.endswith("00") else region
    )


async def list_draws(conn: Conn, m: Moment, region: str | None) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT draw_id, plan_id, jurisdiction_code, year, published_on,"
        " record->>'algorithm' AS algorithm, (record->>'algorithm_version')::int AS version,"
        " jsonb_array_length(record->'targets') AS targets,"
        " (SELECT count(*) FROM jsonb_object_keys(record->'inputs'->'universe')) AS universe"
        " FROM rp_draws WHERE known_at < $1 AND jurisdiction_code LIKE $2 || '%'"
        " ORDER BY published_on DESC, draw_id",
        m.at,
        _prefix(region),
    )
    return [dict(r) | {"jurisdiction_name": regions.name_of(r["jurisdiction_code"])} for r in rows]


async def draw_record(conn: Conn, m: Moment, draw_id: str) -> dict[str, Any]:
    """The record exactly as published: what docs/draw_reference.py recomputes."""
    raw = await conn.fetchval(
        "SELECT record::text FROM rp_draws WHERE draw_id = $1 AND known_at < $2", draw_id, m.at
    )
    if raw is None:
        raise NotFound(f"no published draw {draw_id}")
    record: dict[str, Any] = json.loads(raw)
    return record


def page_of(record: dict[str, Any]) -> dict[str, Any]:
    """What the portal page shows besides the raw record: weights and reasons in words."""
    inputs = record["inputs"]
    raised = inputs.get("raised", {})
    factor = inputs.get("raise_factor", 1)
    universe = [
        {
            "institution_id": i,
            "credit_class": c,
            "weight": inputs["weights"][c] * (factor if i in raised else 1),
            "raised": raised.get(i, ""),
        }
        for i, c in sorted(inputs["universe"].items())
    ]
    exclusions = [
        x | {"reason_label": REASONS.get(x["reason"], x["reason"])} for x in record["exclusions"]
    ]
    return {
        "universe": universe,
        "exclusions": exclusions,
        "jurisdiction_name": regions.name_of(record.get("jurisdiction_region_code") or ""),
    }


async def names(conn: Conn, institution_ids: list[str]) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT institution_id, name FROM rp_institutions WHERE institution_id = ANY($1)",
        institution_ids,
    )
    return {r["institution_id"]: r["name"] for r in rows}
