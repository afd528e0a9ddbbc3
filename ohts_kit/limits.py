"""Request limits every service applies: body size, and a rate limit for public reads."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from typing import Any

Scope = dict[str, Any]


async def _reply(send: Any, status: int, detail: str, headers: list[tuple[bytes, bytes]]) -> None:
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *headers],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """413 for a body over `max_bytes`, by its Content-Length or while it streams in, before
    any handler sees it (so nothing is changed)."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            return await _reply(send, 413, self._message(), [])
        seen = 0
        refused = False

        async def limited() -> Any:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes and not refused:
                    refused = True
                    await _reply(send, 413, self._message(), [])
                    return {"type": "http.disconnect"}  # the app stops reading
            return message

        async def guarded_send(message: Any) -> None:
            if not refused:  # after the 413, the app has nothing more to say
                await send(message)

        try:
            await self.app(scope, limited, guarded_send)
        except Exception:
            if not refused:
                raise

    def _message(self) -> str:
        return f"request body larger than {self.max_bytes} bytes"


class RateLimit:
    """Token bucket per client address for paths under `prefixes` (the public API): `rate`
    requests a second on average, bursts up to `burst`; 429 with Retry-After beyond it."""

    def __init__(
        self, app: Any, rate: float, burst: int, prefixes: tuple[str, ...], clients: int = 10_000
    ) -> None:
        self.app = app
        self.rate = rate
        self.burst = burst
        self.prefixes = prefixes
        self.clients = clients
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.rate <= 0 or not scope["path"].startswith(self.prefixes):
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("unknown", 0))[0]
        now = time.monotonic()
        tokens, last = self.buckets.pop(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - last) * self.rate)
        if tokens < 1:
            self.buckets[client] = (tokens, now)
            wait = max(1, int((1 - tokens) / self.rate + 0.999))
            return await _reply(
                send, 429, "too many requests", [(b"retry-after", str(wait).encode())]
            )
        self.buckets[client] = (tokens - 1, now)
        while len(self.buckets) > self.clients:  # forget the least recently seen clients
            self.buckets.popitem(last=False)
        return await self.app(scope, receive, send)


def _bad_text(value: Any, path: str) -> str | None:
    """The path of the first string PostgreSQL cannot store (NUL, or not valid UTF-8)."""
    if isinstance(value, str):
        if "\x00" in value:
            return path
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _bad_text(key, path) or _bad_text(item, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
    if isinstance(value, list):
        for n, item in enumerate(value):
            found = _bad_text(item, f"{path}[{n}]")
            if found is not None:
                return found
    return None


class StorableText:
    """422 for text no database column can hold (NUL characters, lone surrogates), in the
    query or a JSON body, naming the field; otherwise the request passes unchanged."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from urllib.parse import parse_qsl

        query = scope.get("query_string", b"").decode("latin-1")
        for key, value in parse_qsl(query, keep_blank_values=True, errors="surrogatepass"):
            if _bad_text(value, key) is not None:
                return await self._refuse(send, key)
        headers = dict(scope.get("headers", []))
        if b"json" not in headers.get(b"content-type", b""):
            return await self.app(scope, receive, send)
        messages = []
        body = b""
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        try:
            document = json.loads(body) if body else None
        except ValueError:
            document = None  # FastAPI answers malformed JSON itself
        field = _bad_text(document, "body") if document is not None else None
        if field is not None:
            return await self._refuse(send, field)

        async def replay() -> Any:
            return messages.pop(0) if messages else await receive()

        return await self.app(scope, replay, send)

    async def _refuse(self, send: Any, field: str) -> None:
        body = {
            "detail": "invalid input",
            "errors": [
                {
                    "field": field,
                    "rule": "storable text",
                    "message": "text may not contain NUL characters or unpaired surrogates",
                }
            ],
        }
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 422,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})
