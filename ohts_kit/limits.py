"""Request limits every service applies: body size, and a rate limit for public reads.

Malformed input (NUL, undecodable escapes, deep JSON...) is `ohts_kit.guard`'s."""

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
    """Token bucket per client address for paths under `prefixes` (the public API) and the
    `exact` paths (the search page `/`, the login form): `rate` requests a second on
    average, bursts up to `burst`; 429 with Retry-After beyond it."""

    def __init__(
        self,
        app: Any,
        rate: float,
        burst: int,
        prefixes: tuple[str, ...],
        clients: int = 10_000,
        exact: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.exact = exact
        self.rate = rate
        self.burst = burst
        self.prefixes = prefixes
        self.clients = clients
        self.buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.rate <= 0 or not self._limited(scope["path"]):
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

    def _limited(self, path: str) -> bool:
        return path in self.exact or path.startswith(self.prefixes)
