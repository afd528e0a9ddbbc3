"""The legacy import page (R1, R5): the registry authority uploads the old system's CSV of
institutions and certificates; the registry imports the good rows and names each bad row's
line, column and reason in Chinese. A re-upload imports nothing twice (the registry's rule).

Chinese spreadsheets are often saved by Excel in GB18030 (GBK), not UTF-8: both are read."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from contracts.envelope import Role
from ohts.console import words
from ohts.console.client import ApiError
from ohts.console.router import StaffDep, client_for
from ohts.console.session import Staff, check_csrf
from ohts.console.web import page
from ohts_kit.settings import Settings
from services.registry.application.legacy_import import COLUMNS
from services.reporting.domain import labels

MAX_BYTES = 20_000_000  # the registry's own limit on one import
HEADINGS = {
    "uscc": "统一社会信用代码",
    "name": "机构名称",
    "address": "地址",
    "legal_representative": "法定代表人",
    "nature": "单位性质（企业、事业单位、社会组织）",
    "kind": "机构类型代码",
    "region_code": "所在地区代码（6位）",
    "certificate_number": "资质证书编号",
    "qualification_kind": "资质类别代码",
    "grade": "原资质等级（甲、乙、丙、煤矿乙）",
    "scope_codes": "原业务范围代码（以英文分号 ; 分隔）",
    "valid_from": "有效期起（年-月-日）",
    "valid_until": "有效期至（年-月-日）",
}


def decode(data: bytes) -> str | None:
    """The file's text: UTF-8 (with or without BOM) or GB18030; None when neither."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def build_router(settings: Settings) -> APIRouter:
    router = APIRouter(prefix=settings.console_prefix, include_in_schema=False)

    @router.get("/imports/legacy")
    async def form(request: Request, staff: StaffDep) -> Response:
        return _page(request, staff)

    @router.get("/imports/legacy/template.csv")
    async def template(staff: StaffDep) -> Response:
        del staff  # signed in only
        return Response(
            "\ufeff" + ",".join(COLUMNS) + "\r\n",
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="legacy-import.csv"'},
        )

    @router.post("/imports/legacy")
    async def upload(request: Request, staff: StaffDep) -> Response:
        submitted = await request.form(max_part_size=MAX_BYTES)
        check_csrf(staff, str(submitted.get("csrf") or ""))
        if staff.account.role != Role.REGISTRY_AUTHORITY:
            return _page(request, staff, 403, "只有资质审批部门可以导入历史数据。")
        file = submitted.get("file")
        data = await file.read() if isinstance(file, UploadFile) else b""
        if not data.strip():
            return _page(request, staff, 422, "请选择要导入的 CSV 文件。")
        text = decode(data)
        if text is None:
            return _page(
                request, staff, 422, "文件编码无法识别，请保存为 UTF-8 或 GBK 编码的 CSV。"
            )
        try:
            report = await client_for(request, staff).request(
                "registry", "POST", "/api/v1/imports/legacy", text=("text/csv", text)
            )
        except ApiError as exc:
            named = "；".join(f"{words.field(k)}：{m}" for k, m in exc.fields.items())
            return _page(request, staff, exc.status, "；".join(filter(None, [exc.message, named])))
        return _page(request, staff, report=report)

    return router


def _codes(column: str) -> str:
    """The codes a column takes, with their Chinese names."""
    table = {"kind": labels.INSTITUTION_KIND, "qualification_kind": labels.QUALIFICATION_KIND}
    return "；".join(f"{code}＝{name}" for code, name in table.get(column, {}).items())


def _page(
    request: Request,
    staff: Staff,
    status: int = 200,
    error: str = "",
    report: dict[str, Any] | None = None,
) -> Response:
    if staff.account.role != Role.REGISTRY_AUTHORITY and not error:
        status, error = 403, "只有资质审批部门可以导入历史数据。"
    rows = [
        {**e, "label": HEADINGS.get(e.get("field", ""), words.field(e.get("field", "")))}
        for e in (report or {}).get("errors", [])
    ]
    return page(
        request,
        "pages/imports.html",
        staff,
        status=status,
        error=error,
        report=report,
        rows=rows,
        headings=[(c, HEADINGS[c], _codes(c)) for c in COLUMNS],
        allowed=staff.account.role == Role.REGISTRY_AUTHORITY,
    )
