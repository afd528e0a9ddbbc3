"""The printable documents, from the records the APIs hold: 资质证书 (certificate),
行政处罚决定书 (penalty decision), 整改通知书 (rectification notice). What a record does
not hold is a visible placeholder to fill in by hand, never an invented value."""

from __future__ import annotations

from typing import Any

from ohts.console import words
from ohts.console.client import ApiError, ServiceClient

MISSING = "〔记录中无此项，请填写〕"


def _first(history: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    """The payload of the record's first event of a type (empty when it has none)."""
    return next((e["payload"] for e in history if e["event_type"] == event_type), {})


async def _registration(client: ServiceClient, institution_id: str) -> dict[str, Any]:
    """Address and legal representative as registered (the registry's institution history);
    an official who may not read the registry gets placeholders."""
    try:
        record = await client.get("registry", f"/api/v1/institutions/{institution_id}/history")
    except ApiError:
        return {}
    registered = _first(record["history"], "registry.InstitutionRegistered")
    changed = [
        e["payload"]
        for e in record["history"]
        if e["event_type"] == "registry.InstitutionDetailsChanged"
    ]
    for change in changed:  # the latest details win
        registered = {**registered, **{k: v for k, v in change.items() if v is not None}}
    return registered


async def _certificate(client: ServiceClient, record_id: str) -> dict[str, Any]:
    q = await client.get("registry", f"/api/v1/qualifications/{record_id}")
    granted = _first(q["history"], "registry.QualificationGranted")
    return {"q": q, "granted": granted, "holder": await _registration(client, q["institution_id"])}


async def _penalty(client: ServiceClient, record_id: str) -> dict[str, Any]:
    case = await client.get("enforcement", f"/api/v1/cases/{record_id}")
    return {
        "case": case,
        "decided": _first(case["history"], "enforcement.PenaltyDecided"),
        "investigated": _first(case["history"], "enforcement.CaseInvestigated"),
        "party": await _registration(client, case["institution_id"]),
    }


async def _notice(client: ServiceClient, record_id: str) -> dict[str, Any]:
    item = await client.get("qc", f"/api/v1/rectifications/{record_id}")
    return {
        "item": item,
        "required": _first(item["history"], "qc.RectificationRequired"),
        "party": await _registration(client, item["institution_id"]),
    }


GATHER = {
    "certificate": _certificate,
    "penalty-decision": _penalty,
    "rectification-notice": _notice,
}


async def gather(client: ServiceClient, name: str, record_id: str) -> dict[str, Any]:
    if name not in GATHER:
        raise ApiError(404, "没有这种文书")
    return {"missing": MISSING, "yuan": words.yuan, **await GATHER[name](client, record_id)}
