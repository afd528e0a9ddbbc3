"""One gate for malformed input, in front of every service (issue 18.2).

Before routing, a request is refused with a 400 (it cannot be read as sent) or a 422 (it
reads, but no column or calculation can hold it), naming the parameter, when it has:
an undecodable percent-escape in the path or query; a NUL anywhere (path, query, header,
body); a header that must be single given twice (two Content-Types let a body past a check
made on the other one); JSON nested deeper than `MAX_DEPTH`, or NaN/Infinity, or an integer
beyond `MAX_INTEGER`; a date (query or JSON) outside the configured years. What passes is
handed on unchanged, so handlers and pydantic see only readable, storable input.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_to_bytes

Scope = dict[str, Any]

MAX_DEPTH = 32  # our deepest command nests 4 levels
MAX_INTEGER = 10**15  # beyond any count, amount in yuan or year; below PostgreSQL bigint
SINGLE_HEADERS = (b"content-type", b"content-length", b"authorization", b"idempotency-key")
_DATE = re.compile(r"^[+-]?(\d{4,})-\d\d-\d\d(?:[T ]\d\d:\d\d.*)?$")
STORABLE = "text may not contain NUL characters or unpaired surrogates"


@dataclass(frozen=True)
class Refusal:
    status: int
    field: str
    rule: str
    message: str


class _NotAConstant(float):
    """What NaN/Infinity parse to, so the walk can name their field."""


def _text_problem(value: str, field: str, years: tuple[int, int]) -> Refusal | None:
    if "\x00" in value:
        return Refusal(422, field, "storable text", STORABLE)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return Refusal(422, field, "storable text", STORABLE)
    match = _DATE.match(value)
    if match and not years[0] <= int(match.group(1)) <= years[1]:
        message = f"日期须在 {years[0]} 至 {years[1]} 年之间（收到 {value[:30]}）"
        return Refusal(422, field, "date range", message)
    return None


def _number_problem(value: Any, field: str) -> Refusal | None:
    if isinstance(value, _NotAConstant):
        return Refusal(422, field, "finite number", "数值须为有限数（不接受 NaN、Infinity）")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INTEGER:
        return Refusal(422, field, "number range", f"数值超出范围（绝对值不超过 {MAX_INTEGER}）")
    return None


def json_problem(document: Any, years: tuple[int, int]) -> Refusal | None:
    """The first unstorable or implausible value of a parsed JSON body, walked without
    recursion (a deep document must not exhaust the stack here either)."""
    stack: list[tuple[str, Any, int]] = [("body", document, 0)]
    while stack:
        field, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return Refusal(422, field, "nesting", f"JSON 嵌套不得超过 {MAX_DEPTH} 层")
        if isinstance(value, str):
            found = _text_problem(value, field, years)
        elif isinstance(value, dict):
            found = None
            for key, item in reversed(value.items()):
                if problem := _text_problem(key, field, (0, 10**9)):
                    return problem
                stack.append((f"{field}.{key}", item, depth + 1))
        elif isinstance(value, list):
            found = None
            items = reversed(list(enumerate(value)))
            stack.extend((f"{field}[{n}]", v, depth + 1) for n, v in items)
        else:
            found = _number_problem(value, field)
        if found is not None:
            return found
    return None


def parse_json(body: bytes, years: tuple[int, int]) -> Refusal | None:
    try:
        document = json.loads(body, parse_constant=_NotAConstant)
    except RecursionError:
        return Refusal(422, "body", "nesting", f"JSON 嵌套不得超过 {MAX_DEPTH} 层")
    except json.JSONDecodeError:
        return None  # malformed JSON: FastAPI answers it (422 json_invalid)
    except ValueError:  # e.g. an integer of more than 4,300 digits
        return Refusal(422, "body", "number range", "数值超出范围")
    return json_problem(document, years)


def _decoded(raw: bytes, field: str) -> tuple[str | None, Refusal | None]:
    data = unquote_to_bytes(raw)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, Refusal(400, field, "utf-8", "参数含无法解码的字节（须为 UTF-8 百分号编码）")
    return text, None


def query_problem(query: bytes, years: tuple[int, int]) -> Refusal | None:
    for pair in query.split(b"&"):
        if not pair:
            continue
        raw_key, _, raw_value = pair.replace(b"+", b" ").partition(b"=")
        key, bad = _decoded(raw_key, unquote_to_bytes(raw_key).decode("utf-8", "replace"))
        if bad is not None:
            return bad
        assert key is not None
        value, bad = _decoded(raw_value, key)
        if bad is not None:
            return bad
        assert value is not None
        if found := _text_problem(key, key, (0, 10**9)) or _text_problem(value, key, years):
            return found
    return None


def path_problem(raw_path: bytes) -> Refusal | None:
    path, bad = _decoded(raw_path, "path")
    if bad is not None:
        return bad
    assert path is not None
    if "\x00" in path:
        return Refusal(422, "path", "storable text", STORABLE)
    return None


def header_problem(headers: list[tuple[bytes, bytes]]) -> Refusal | None:
    seen: set[bytes] = set()
    for name, value in headers:
        if b"\x00" in value:
            return Refusal(400, f"header {name.decode('latin-1')}", "storable text", STORABLE)
        if name in SINGLE_HEADERS:
            if name in seen:
                return Refusal(
                    400, f"header {name.decode()}", "single header", "该请求头只能出现一次"
                )
            seen.add(name)
    return None


def body_problem(content_type: bytes, body: bytes, years: tuple[int, int]) -> Refusal | None:
    """JSON (or a body without a type, which FastAPI reads as JSON) is parsed and walked;
    any other body may not hold a NUL byte."""
    kind = content_type.split(b";")[0].strip().lower()
    if not body:
        return None
    if not kind or kind == b"application/json" or kind.endswith(b"+json"):
        return parse_json(body, years)
    if b"\x00" in body:
        return Refusal(422, "body", "storable text", STORABLE)
    return None


async def refuse(send: Any, refusal: Refusal) -> None:
    payload = {
        "detail": "invalid input",
        "errors": [{"field": refusal.field, "rule": refusal.rule, "message": refusal.message}],
    }
    await send(
        {
            "type": "http.response.start",
            "status": refusal.status,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": json.dumps(payload).encode()})


class InputGuard:
    """The ASGI middleware: path, query and headers first, then the body (read whole; the
    body limit in front of it bounds it) replayed to the app once accepted."""

    def __init__(self, app: Any, years: tuple[int, int] = (1900, 2200)) -> None:
        self.app = app
        self.years = years

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = list(scope.get("headers", []))
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        found = (
            path_problem(raw_path)
            or query_problem(scope.get("query_string", b""), self.years)
            or header_problem(headers)
        )
        if found is not None:
            return await refuse(send, found)
        if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        messages, body = await read_body(receive)
        content_type = dict(headers).get(b"content-type", b"")
        if found := body_problem(content_type, body, self.years):
            return await refuse(send, found)

        async def replay() -> Any:
            return messages.pop(0) if messages else await receive()

        return await self.app(scope, replay, send)


async def read_body(receive: Any) -> tuple[list[Any], bytes]:
    messages, body = [], b""
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    return messages, body
