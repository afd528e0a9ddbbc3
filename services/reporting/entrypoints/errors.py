"""Friendly Chinese error pages for the pages a person opens (404, 422, 429, 500 …), each
with a way back; the JSON API (and downloads) keep their JSON bodies and codes."""

from __future__ import annotations

import json
from typing import Any

from ohts_kit.logging import get_logger
from services.reporting.entrypoints.templating import templates

log = get_logger(__name__)
MACHINE_PATHS = ("/api/", "/health", "/ready", "/docs", "/openapi.json", "/redoc", "/static/")
# Bodies meant for programs (the kit's JSON errors, Starlette's plain 500); a page's own HTML
# error (the login form's 401) is left as it is.
MACHINE_BODIES = (b"application/json", b"text/plain")
TITLES = {
    400: "请求有误",
    401: "需要登录",
    403: "无权查看",
    404: "没有找到这个页面",
    405: "不支持的操作",
    413: "提交的内容过大",
    422: "查询条件有误",
    429: "访问过于频繁",
    500: "系统出现错误",
    503: "系统暂时无法服务",
}
ADVICE = {
    404: "您访问的机构或页面不存在，可能是链接有误，或信息已不再公示。",
    422: "请按下面的提示修改查询条件后重试。",
    429: "您在短时间内访问次数过多，请稍等几秒后再试。",
    500: "系统处理您的请求时出错，请稍后再试；问题已记录。",
    503: "系统暂时繁忙，请稍后再试。",
}


FIELDS = {
    "q": "查询内容",
    "region": "地区",
    "province": "省份",
    "city": "城市",
    "district": "区县",
    "scope": "业务范围",
    "as_of": "历史日期",
    "page": "页码",
    "sort": "排序",
    "order": "排序方向",
    "limit": "每页条数",
    "offset": "起始位置",
    "format": "格式",
}
RULES = {
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "date_from_datetime_parsing": "不是有效的日期（年-月-日）",
    "date_parsing": "不是有效的日期（年-月-日）",
    "int_parsing": "应为整数",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
}


def _message(e: dict[str, Any]) -> str:
    field = str(e.get("field", ""))
    rule = str(e.get("rule", ""))
    message = RULES.get(rule) or str(e.get("message", ""))
    return f"{FIELDS.get(field, field)}：{message}"


def _messages(body: bytes) -> list[str]:
    """The field and message of each refused parameter, from the JSON error body."""
    try:
        data = json.loads(body)
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    errors = data.get("errors")
    if isinstance(errors, list):
        return [_message(e) for e in errors if isinstance(e, dict)]
    return []


def render(status: int, messages: list[str]) -> bytes:
    template = templates.get_template("error.html")
    return template.render(
        status=status,
        title=TITLES.get(status, "出现错误"),
        advice=ADVICE.get(status, "请返回首页重试。"),
        messages=messages,
        as_of=None,
    ).encode()


class HtmlErrors:
    """Pure ASGI: an error answer on a page path becomes the Chinese page (its status and
    headers such as Retry-After kept); an unforeseen exception becomes the 500 page."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(MACHINE_PATHS):
            return await self.app(scope, receive, send)
        held: dict[str, Any] = {}
        body: list[bytes] = []

        async def intercept(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                kind = headers.get(b"content-type", b"")
                if message["status"] >= 400 and kind.startswith(MACHINE_BODIES):
                    held["start"] = message
                    return
                held["passed"] = True
            elif "start" in held:
                body.append(message.get("body", b""))
                if not message.get("more_body"):
                    await self._page(send, held["start"], b"".join(body))
                return
            await send(message)

        try:
            await self.app(scope, receive, intercept)
        except Exception:
            log.exception("portal.page_failed", path=scope["path"])
            if "passed" in held:
                raise
            await self._page(send, {"status": 500, "headers": []}, b"")

    async def _page(self, send: Any, start: Any, body: bytes) -> None:
        status = start["status"]
        page = render(status, _messages(body) if status == 422 else [])
        keep = [
            (k, v)
            for k, v in start.get("headers", [])
            if k.lower() not in (b"content-type", b"content-length")
        ]
        headers = [
            *keep,
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(page)).encode()),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": page})
