"""Fields whose value is an id a person cannot know: the form names the chosen institution
or links to the list to choose it, and offers other records by name (a plan's institutions,
an institution's staff), read from the services with the person's own token. A chooser that
cannot answer leaves the field as text: the form still works, the service checks the id."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ohts.console import forms
from ohts.console.client import ApiError, ServiceClient

Values = dict[str, Any]
Chooser = Callable[[ServiceClient, Values], Awaitable[dict[str, str] | None]]


async def plan_institutions(client: ServiceClient, values: Values) -> dict[str, str] | None:
    """The institutions the QC plan drew (each by name), for an activity's participants."""
    plan_id = str(values.get("plan_id") or "")
    if not plan_id:
        return None
    plan = await client.get("qc", f"/api/v1/plans/{plan_id}")
    return {
        e["institution_id"]: e.get("name") or e["institution_id"]
        for entries in (plan.get("groups") or {}).values()
        for e in entries
    }


async def _staff_of(client: ServiceClient, institution_id: str) -> dict[str, str] | None:
    if not institution_id:
        return None
    answer = await client.get(
        "registry", "/api/v1/staff", institution_id=institution_id, active="true", size=100
    )
    return {
        s["staff_id"]: f"{s.get('masked_name') or s['staff_id']}（{s.get('specialty') or ''}）"
        for s in answer.get("items", [])
    }


async def institution_staff(client: ServiceClient, values: Values) -> dict[str, str] | None:
    """The institution's staff in post, for a report card's staff."""
    return await _staff_of(client, str(values.get("institution_id") or ""))


def staff_of_record(kind: str) -> Chooser:
    """The staff of the institution a lead or a case is about (a penalty on a person)."""

    async def choose(client: ServiceClient, values: Values) -> dict[str, str] | None:
        record_id = str(values.get("id") or "")
        if not record_id:
            return None
        found = await client.get("enforcement", f"/api/v1/{kind}/{record_id}")
        return await _staff_of(client, str(found.get("institution_id") or ""))

    return choose


CHOOSERS: dict[tuple[str, str], Chooser] = {
    ("open-activity", "participants"): plan_institutions,
    ("file-report-card", "staff_ids"): institution_staff,
    ("open-case", "staff_id"): staff_of_record("leads"),
    ("decide-penalty", "banned_staff_id"): staff_of_record("cases"),
}


async def name_the_institution(
    client: ServiceClient, pick: str, fields: list[forms.Field], values: Values
) -> None:
    """An institution field shows the chosen institution's name, or links to `pick`, the
    list of institutions to choose one from."""
    field = next((f for f in fields if f.name == "institution_id"), None)
    if field is None:
        return
    chosen = str(values.get("institution_id") or "")
    if not chosen:
        field.pick = pick
        return
    try:
        found = await client.get("registry", f"/api/v1/institutions/{chosen}")
        field.hint = f"{found.get('name', '')}（{found.get('uscc', '')}）"
    except ApiError as exc:
        field.hint = f"未能确认该机构：{exc.message}"


async def offer(client: ServiceClient, key: str, fields: list[forms.Field], values: Values) -> None:
    """Turn each chosen-by-id field of the form into a choice of named records."""
    for f in fields:
        chooser = CHOOSERS.get((key, f.name))
        if chooser is None:
            continue
        try:
            choices = await chooser(client, values)
        except ApiError:
            continue
        if choices:
            f.choices = choices
            f.kind = "multi" if f.kind in ("lines", "multi") else "select"
