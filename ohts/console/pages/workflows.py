"""The workflow pages: a list per aggregate (search, filters, paging, sort), a record page
with its history from the events and the commands the person's role may issue there, a form
per command (from the service's OpenAPI), a confirmation page for irreversible ones, and the
printable documents. Every read and write goes to the services' APIs with the person's
token; a refusal is shown in Chinese next to its field."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from ohts.console import choosers, commands, documents, forms, views, words
from ohts.console.client import ApiError, ServiceClient
from ohts.console.router import StaffDep, client_for
from ohts.console.session import Staff, check_csrf
from ohts.console.web import STATIC, chinese_date, page
from ohts_kit.settings import Settings

OPENAPI: dict[str, dict[str, Any]] = {}  # per service, fetched once per process


async def openapi_of(client: ServiceClient, service: str) -> dict[str, Any]:
    if service not in OPENAPI:
        OPENAPI[service] = await client.get(service, "/openapi.json")
    return OPENAPI[service]


def _api_path(document: dict[str, Any], path: str) -> str:
    """The OpenAPI key of a catalogue path ('{id}' stands for any one parameter name)."""
    pattern = re.compile("^" + re.escape(path).replace(r"\{id\}", r"\{[a-z_]+\}") + "$")
    return next((p for p in document.get("paths", {}) if pattern.match(p)), path)


def _refused(request: Request, staff: Staff, exc: ApiError) -> Response:
    return page(request, "refused.html", staff, status=exc.status, error=exc)


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(prefix=settings.console_prefix, include_in_schema=False)

    @router.get("/static/documents.css")
    async def document_style() -> FileResponse:
        return FileResponse(STATIC / "documents.css", media_type="text/css")

    @router.get("/my-institution")
    async def mine(staff: StaffDep) -> Response:
        own = staff.account.institution_id or "none"
        return RedirectResponse(f"{settings.console_prefix}/r/institution/{own}", 303)

    @router.get("/report-cards")
    async def report_cards(staff: StaffDep) -> Response:
        return RedirectResponse(f"{settings.console_prefix}/do/file-report-card", 303)

    for listing in views.LISTINGS.values():
        router.add_api_route(f"/{listing.key}", _list_page(listing), methods=["GET"])

    @router.get("/r/{kind}/{record_id}")
    async def record(request: Request, staff: StaffDep, kind: str, record_id: str) -> Response:
        spec = views.RECORDS.get(kind)
        if spec is None:
            return _refused(request, staff, ApiError(404, "没有这种记录"))
        try:
            data = await client_for(request, staff).get(spec.service, spec.api.format(id=record_id))
        except ApiError as exc:
            return _refused(request, staff, exc)
        by_row = _sub_commands(staff, spec)  # offered on their rows, not for the record
        return page(
            request,
            "pages/record.html",
            staff,
            spec=spec,
            data=data,
            record_id=record_id,
            offered=[c for c in commands.offered(staff.account.role, kind) if c.key not in by_row],
            sub_commands=by_row,
            history=[_step(e) for e in data.get("history", [])],
            done=_done(request.query_params.get("done", "")),
        )

    @router.get("/do/{key}")
    async def command_form(request: Request, staff: StaffDep, key: str) -> Response:
        return await _form(request, staff, key, dict(request.query_params), {})

    @router.post("/do/{key}")
    async def command(request: Request, staff: StaffDep, key: str) -> Response:
        form = await request.form()
        check_csrf(staff, str(form.get("csrf") or ""))
        return await _submit(request, staff, key, form)

    @router.get("/doc/{name}/{record_id}")
    async def document(request: Request, staff: StaffDep, name: str, record_id: str) -> Response:
        try:
            context = await documents.gather(client_for(request, staff), name, record_id)
        except ApiError as exc:
            return _refused(request, staff, exc)
        return page(request, f"documents/{name}.html", staff, **context)

    return router


def _list_page(listing: views.Listing) -> Any:
    async def show(request: Request, staff: StaffDep) -> Response:
        if staff.account.role not in listing.roles:
            return _refused(request, staff, ApiError(403, "您的角色无权查看此列表"))
        asked = {k: v for k, v in request.query_params.items() if v and k not in ("done", "pick")}
        pick = _pick(staff, listing, request.query_params.get("pick", ""))
        api = listing.api.replace("{mine}", staff.account.institution_id or "none")
        try:
            answer = await client_for(request, staff).get(listing.service, api, **asked)
        except ApiError as exc:
            return _refused(request, staff, exc)
        if isinstance(answer, list):  # an older list endpoint, not paged
            answer = {"items": answer, "total": len(answer), "page": 1, "size": len(answer)}
        size = max(int(answer.get("size") or 1), 1)
        return page(
            request,
            "pages/list.html",
            staff,
            listing=listing,
            answer=answer,
            asked=asked,
            pages=max((int(answer["total"]) + size - 1) // size, 1),
            offered=commands.offered(staff.account.role, ""),
            records=views.RECORDS,
            row_commands=_row_commands(staff, listing),
            pick=pick,
            done=_done(request.query_params.get("done", "")),
        )

    return show


def _sub_commands(staff: Staff, spec: views.Record) -> dict[str, commands.Command]:
    """The command each row of a sub-table offers the person (a decision to publish)."""
    found = {}
    for sub in spec.subs:
        cmd = commands.BY_KEY.get(sub.command)
        if cmd is not None and staff.account.role in cmd.roles:
            found[sub.key] = cmd
    return found


def _pick(staff: Staff, listing: views.Listing, key: str) -> commands.Command | None:
    """The command whose form asked for an institution to be chosen from this list."""
    cmd = commands.BY_KEY.get(key)
    if listing.kind != "institution" or cmd is None or staff.account.role not in cmd.roles:
        return None
    return cmd


def _row_commands(staff: Staff, listing: views.Listing) -> list[commands.Command]:
    """A row without a record page of its own offers its commands on the list itself."""
    if not listing.kind or listing.kind in views.RECORDS:
        return []
    return commands.offered(staff.account.role, listing.kind)


def _done(key: str) -> str:
    cmd = commands.BY_KEY.get(key)
    return cmd.title if cmd else ""


def _shown(key: str, value: Any) -> str:
    """A value of a history line as a person reads it: codes by name, dates in Chinese."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in words.CHOICES:
        return words.code(words.CHOICES[key], value)
    if key.endswith("_yuan"):
        return f"{words.yuan(value)} 元"
    if key.endswith(("_on", "_date", "_from", "_until", "deadline")):
        return chinese_date(value)
    return str(value)


def _step(event: dict[str, Any]) -> dict[str, Any]:
    """One line of a record's history: what, when, who, why (its cause and its reason)."""
    actor = event.get("actor") or {}
    payload = event.get("payload") or {}
    why = [
        str(payload[k])
        for k in ("reason", "summary", "description", "text")
        if isinstance(payload.get(k), str)
    ]
    if event.get("caused_by"):
        why.insert(0, f"由「{words.event(event['caused_by'])}」引起")
    details = [
        (words.field(k), _shown(k, v))
        for k, v in payload.items()
        if k in words.FIELDS
        and k not in ("reason", "summary", "description", "text")
        and not k.endswith("_id")  # ids are for programs; the record names the subject
        and v not in (None, "")
        and not isinstance(v, dict | list)
    ]
    return {
        "what": words.event(event["event_type"]),
        "when": event.get("occurred_at"),
        "who": f"{words.ROLES.get(actor.get('role', ''), actor.get('role', ''))}"
        f"（{actor.get('subject', '')}）",
        "why": "；".join(why),
        "details": details[:6],
    }


async def _form(
    request: Request,
    staff: Staff,
    key: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    message: str = "",
) -> Response:
    cmd = commands.BY_KEY.get(key)
    if cmd is None or staff.account.role not in cmd.roles:
        return _refused(request, staff, ApiError(403, "您的角色不能进行此操作"))
    client = client_for(request, staff)
    try:
        document = await openapi_of(client, cmd.service)
    except ApiError as exc:
        return _refused(request, staff, exc)
    _, fields = forms.fields_of(document, cmd.method, _api_path(document, cmd.path))
    if staff.account.institution_id and "institution_id" not in values:
        values["institution_id"] = staff.account.institution_id
    pick = f"{request.app.state.settings.console_prefix}/institutions?pick={cmd.key}"
    await choosers.name_the_institution(client, pick, fields, values)
    await choosers.offer(client, cmd.key, fields, values)
    return page(
        request,
        "pages/command.html",
        staff,
        status=status,
        cmd=cmd,
        fields=fields,
        values=values,
        errors=errors,
        message=message,
        rows=range(forms.ROWS),
        key=values.get("idempotency_key") or str(uuid.uuid4()),
    )


async def _submit(request: Request, staff: Staff, key: str, form: Any) -> Response:
    cmd = commands.BY_KEY.get(key)
    if cmd is None or staff.account.role not in cmd.roles:
        return _refused(request, staff, ApiError(403, "您的角色不能进行此操作"))
    client = client_for(request, staff)
    document = await openapi_of(client, cmd.service)
    _, fields = forms.fields_of(document, cmd.method, _api_path(document, cmd.path))
    values = forms.echo(fields, form)
    record_id = str(form.get("id") or "")
    body = forms.body_of(fields, form)
    if cmd.confirm and form.get("confirmed") != "yes":
        return page(
            request,
            "pages/confirm.html",
            staff,
            cmd=cmd,
            fields=fields,
            body=body,
            values=values,
            record_id=record_id,
        )
    try:
        answer = await client.request(
            cmd.service,
            cmd.method,
            cmd.path.format(id=record_id),
            json=body if fields else None,
            idempotency_key=str(form.get("idempotency_key") or "") or None,
        )
    except ApiError as exc:
        values.pop("idempotency_key", None)  # a corrected form is a new request
        return await _form(
            request, staff, key, values, exc.fields, exc.status, _summary(exc, fields)
        )
    return RedirectResponse(_after(request, cmd, record_id, answer), 303)


def _summary(exc: ApiError, fields: list[forms.Field]) -> str:
    """The refusal's Chinese summary; errors of fields the form does not show are named."""
    del fields  # every refused field is named in the summary, and again at its input
    named = [f"{_label_of(k)}：{m}" for k, m in exc.fields.items()]
    return "；".join([exc.message, *named])


def _label_of(key: str) -> str:
    """'findings.0.due_on' -> 发现的问题 第1项 整改期限."""
    parts = key.split(".")
    if len(parts) == 3 and parts[1].isdigit():
        return f"{words.field(parts[0])} 第{int(parts[1]) + 1}项 {words.field(parts[2])}"
    return words.field(key)


def _after(request: Request, cmd: commands.Command, record_id: str, answer: Any) -> str:
    """The page after a command: the record it made or acted on; for a kind without a
    record page, the list of that kind; else the to-do list."""
    base = request.app.state.settings.console_prefix
    done = f"?done={cmd.key}"
    created = answer.get("id") if isinstance(answer, dict) else None
    kind, target = (cmd.then, created) if created and cmd.then else (cmd.on, record_id)
    if kind in views.RECORDS and target:
        return f"{base}/r/{kind}/{target}{done}"
    listing = views.listing_of(kind)
    return f"{base}/{listing.key if listing else ''}{done}"
