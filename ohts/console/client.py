"""The console's HTTP client to the services' JSON APIs: the person's own bearer token on
every call, and every error answer mapped to what a page shows (Chinese, per field)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from ohts_kit.settings import Settings

_CJK = re.compile(r"[\u4e00-\u9fff]")
STATUS_MESSAGES = {
    400: "请求有误",
    401: "登录已失效，请重新登录",
    403: "无权操作：超出您的角色或辖区",
    404: "没有找到该记录",
    409: "该记录的状态不允许此操作，或已被他人修改，请刷新后重试",
    413: "提交的内容过大",
    422: "提交的内容有误，请按提示修改",
    429: "操作过于频繁，请稍后再试",
}


@dataclass
class ApiError(Exception):
    """A service refused: the status, a Chinese summary, and Chinese messages per field."""

    status: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.status} {self.message}"


def error_of(response: httpx.Response) -> ApiError:
    """The page's reading of a service's error answer (the kit's JSON shape: `detail`,
    and `errors` with field, rule and message; a Chinese message is kept as it is)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    fields: dict[str, str] = {}
    for e in body.get("errors") or []:
        if isinstance(e, dict) and e.get("field"):
            fields[str(e["field"])] = str(e.get("message_zh") or e.get("message") or e.get("rule"))
    status = response.status_code
    detail = str(body.get("detail", ""))
    summary = STATUS_MESSAGES.get(status, "服务暂时无法处理，请稍后再试")
    if not fields and _CJK.search(detail):  # the service's own reason, written for people
        summary = detail
    return ApiError(status, summary, fields, detail)


class ServiceClient:
    """One person's calls to the four services (base URLs from Settings)."""

    def __init__(self, settings: Settings, token: str, transport: Any = None) -> None:
        self.settings = settings
        self.headers = {"Authorization": f"Bearer {token}"}
        self.transport = transport

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotency_key: str | None = None,
        text: tuple[str, str] | None = None,  # (media type, body) instead of JSON
    ) -> Any:
        headers = dict(self.headers)
        content = None
        if text is not None:
            headers["Content-Type"], content = text[0], text[1].encode()
        if method != "GET":
            headers["Idempotency-Key"] = idempotency_key or str(uuid.uuid4())
        url = self.settings.url_of(service) + path
        try:
            async with httpx.AsyncClient(transport=self.transport, timeout=15) as http:
                response = await http.request(
                    method, url, json=json, content=content, params=params or None, headers=headers
                )
        except httpx.HTTPError as exc:
            raise ApiError(503, "业务系统暂时无法连接，请稍后再试", detail=str(exc)) from exc
        if response.status_code >= 400:
            raise error_of(response)
        return response.json() if response.content else None

    async def get(self, service: str, path: str, **params: Any) -> Any:
        clean = {k: v for k, v in params.items() if v is not None}
        return await self.request(service, "GET", path, params=clean)

    async def post(
        self, service: str, path: str, body: Any, idempotency_key: str | None = None
    ) -> Any:
        return await self.request(service, "POST", path, json=body, idempotency_key=idempotency_key)
