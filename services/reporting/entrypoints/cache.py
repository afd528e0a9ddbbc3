"""Public answers kept while the read models have not changed (issue 22.5).

An answer is valid for the process's count of applied events (the consumer counts an event
only after its transaction committed, so a kept answer never predates a commit it missed)
and for the day in Asia/Shanghai (publicity periods end by date). Any applied event empties
every kept answer: a portal page is cheap to make once and then served from memory until the
data moves. The count is this process's: the process that applies the events serves the
pages (a separate portal-only process would need a shared version, e.g. LISTEN/NOTIFY).

Kept: the bytes, status and media type; every request still passes the rate limit, the
correlation id and the security headers (middlewares), so only the database and the
rendering are saved. Memory is capped (`MAX_BYTES`), least recently used first out.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from ohts_kit.service import runtime_of
from ohts_kit.workdays import china_date

MAX_BYTES = 16 * 1024 * 1024  # OHTS_PORTAL_CACHE_MB


@dataclass(frozen=True)
class Kept:
    version: tuple[int, date]
    status: int
    media_type: str
    body: bytes

    def response(self) -> Response:
        return Response(self.body, status_code=self.status, media_type=self.media_type)


class AnswerCache:
    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.kept: OrderedDict[str, Kept] = OrderedDict()
        self.size = 0
        self.hits = self.misses = 0

    def get(self, key: str, version: tuple[int, date]) -> Kept | None:
        found = self.kept.get(key)
        if found is None or found.version != version:
            self.misses += 1
            return None
        self.kept.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: str, kept: Kept) -> None:
        if len(kept.body) > self.max_bytes // 16:  # none at all when the cap is 0
            return  # a very large answer is not worth the memory
        old = self.kept.pop(key, None)
        self.size -= len(old.body) if old else 0
        self.kept[key] = kept
        self.size += len(kept.body)
        while self.size > self.max_bytes:
            _, dropped = self.kept.popitem(last=False)
            self.size -= len(dropped.body)


def version_of(request: Request) -> tuple[int, date]:
    rt = runtime_of(request.app)
    applied = rt.consumer.stats.applied if rt.consumer is not None else 0
    return applied, china_date(rt.clock.now())


def _cache_of(request: Request) -> AnswerCache:
    state = request.app.state
    if not hasattr(state, "answer_cache"):
        state.answer_cache = AnswerCache(state.settings.portal_cache_mb * 1024 * 1024)
    cache: AnswerCache = state.answer_cache
    return cache


def _kept(answer: Any, version: tuple[int, date]) -> Kept | None:
    if isinstance(answer, BaseModel):
        return Kept(version, 200, "application/json", answer.model_dump_json().encode())
    if isinstance(answer, Response) and answer.status_code == 200 and not answer.background:
        cookies = any(k.lower() == b"set-cookie" for k, _ in answer.raw_headers)
        if not cookies and isinstance(answer.body, bytes):
            return Kept(version, 200, answer.media_type or "text/html", answer.body)
    return None


def cached(route: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """A public GET route whose answer depends only on its URL and the read models."""

    @functools.wraps(route)
    async def serve(*args: Any, **kwargs: Any) -> Any:
        request: Request = kwargs["request"]
        cache, version = _cache_of(request), version_of(request)
        key = f"{request.url.path}?{request.url.query}"
        found = cache.get(key, version)
        if found is not None:
            return found.response()
        answer = await route(*args, **kwargs)
        kept = _kept(answer, version)
        if kept is None:
            return answer
        cache.put(key, kept)
        return kept.response()

    return serve
