"""Public answers kept while the read models have not changed (issue 22.5).

An answer is valid for a version of the read models and for the day in Asia/Shanghai
(publicity periods end by date). The version is this process's count of applied events (the
consumer counts an event only after its transaction committed, so a kept answer never
predates a commit it missed) and the count of notifications of batches committed by any
process of the service (migration 0011: several worker processes serve the portal, each
applying the partitions it was given). While the notifications cannot be listened to,
nothing is kept. Any applied event empties every kept answer: a portal page is cheap to make
once and then served from memory until the data moves.

Kept: the bytes, status and media type; every request still passes the rate limit, the
correlation id and the security headers (middlewares), so only the database and the
rendering are saved. Memory is capped (`MAX_BYTES`), least recently used first out. A
page is made once per version: requests for it while it is being made wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from ohts_kit.logging import get_logger
from ohts_kit.metrics import portal_answered
from ohts_kit.service import runtime_of
from ohts_kit.workdays import china_date

MAX_BYTES = 16 * 1024 * 1024  # OHTS_PORTAL_CACHE_MB
Version = tuple[int, int, date]
log = get_logger(__name__)


@dataclass(frozen=True)
class Kept:
    version: Version
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
        self.hits = self.misses = self.shared = 0
        # Answers being made, by URL and version: a request that comes while its answer is
        # being made waits for it (`shared`) instead of reading the database for it again,
        # as it did when every answer was emptied and the pages were made again under load.
        self.making: dict[tuple[str, Version], asyncio.Future[Kept | None]] = {}

    def get(self, key: str, version: Version) -> Kept | None:
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


class AppliedAnywhere:
    """Notifications of batches applied by any process of the service, on a connection of
    its own (a pool's connections keep no LISTEN). `count` is None while not listening."""

    def __init__(self) -> None:
        self.count: int | None = None
        self._seen = 0  # never reset: a reconnection must not bring back an old version
        self._task: asyncio.Task[None] | None = None

    async def start(self, rt: Any) -> Callable[[], Awaitable[None]]:
        channel = f"{rt.schema}_applied"[:63]
        self._task = asyncio.create_task(self._listen(rt.settings.database_url, channel))
        return self.stop

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _notified(self, *_: Any) -> None:
        self._seen += 1
        if self.count is not None:
            self.count = self._seen

    async def _listen(self, url: str, channel: str) -> None:
        while True:
            try:
                await self._listen_once(url, channel)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("portal.cache_listener_lost", error=str(exc))
            finally:
                self.count = None
            await asyncio.sleep(1)

    async def _listen_once(self, url: str, channel: str) -> None:
        conn = await asyncpg.connect(url)
        try:
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _: lost.set())
            await conn.add_listener(channel, self._notified)
            self._seen += 1  # what was applied while not listening is unknown: all old
            self.count = self._seen
            await lost.wait()
        finally:
            with contextlib.suppress(Exception):
                await conn.close()


def version_of(request: Request) -> Version | None:
    """None: nothing may be kept or served from memory now."""
    rt = runtime_of(request.app)
    anywhere: AppliedAnywhere | None = getattr(request.app.state, "applied_anywhere", None)
    notified = anywhere.count if anywhere is not None else 0
    if notified is None:
        return None
    applied = rt.consumer.stats.applied if rt.consumer is not None else 0
    return applied, notified, china_date(rt.clock.now())


def _cache_of(request: Request) -> AnswerCache:
    state = request.app.state
    if not hasattr(state, "answer_cache"):
        state.answer_cache = AnswerCache(state.settings.portal_cache_mb * 1024 * 1024)
    cache: AnswerCache = state.answer_cache
    return cache


def _kept(answer: Any, version: Version) -> Kept | None:
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
        if version is None:
            portal_answered("uncached")
            return await route(*args, **kwargs)
        key = f"{request.url.path}?{request.url.query}"
        found = cache.get(key, version)
        if found is not None:
            portal_answered("hit")
            return found.response()
        if (making := cache.making.get((key, version))) is not None:
            made = await asyncio.shield(making)
            if made is not None:
                cache.shared += 1
                portal_answered("shared")
                return made.response()
        portal_answered("miss")
        return await _make(cache, key, version, lambda: route(*args, **kwargs))

    return serve


async def _make(
    cache: AnswerCache, key: str, version: Version, route: Callable[[], Awaitable[Any]]
) -> Any:
    """The route's answer, kept; requests for it meanwhile wait for it (None: an answer
    that is not kept, or a request that failed, and each of them makes its own)."""
    made: asyncio.Future[Kept | None] = asyncio.get_running_loop().create_future()
    cache.making.setdefault((key, version), made)
    kept = None
    try:
        answer = await route()
        kept = _kept(answer, version)
        if kept is None:
            return answer
        cache.put(key, kept)
        return kept.response()
    finally:
        made.set_result(kept)
        if cache.making.get((key, version)) is made:
            del cache.making[(key, version)]
