"""Public answers kept while the read models have not changed (issue 22.5).

An answer is valid for a version of what it shows and for the day in Asia/Shanghai
(publicity periods end by date). Every process of the service is told of each batch any of
them committed, at its commit (migrations 0011 and 0012: several worker processes serve the
portal, each applying the partitions it was given), with the batch's event types and the
institutions they are about. The version is the number of the last notification that made
the answer old:
- one institution's page (`cached_page_of_institution`) grows old only with a batch that has
  an event about that institution (the `institution_id` its payload names, kept in the inbox
  row): such an event writes only that institution's rows (tests/integration/
  test_answer_keys.py applies every writer of the page's tables one by one and compares
  every page);
- a search that reads only watched tables (`cached_reading`: the institution search reads
  rp_institutions and rp_qualifications) grows old only with a commit that wrote one of them
  (their statement triggers tell it, migration 0013);
- every other answer (lists, forms, trends) grows old with any batch of a type the read models
  use;
- a batch of types no read model uses makes nothing old; one that cannot be told apart (an
  unknown type, an event about no one institution, a batch too large to list) makes
  everything old.
While the notifications cannot be listened to, nothing is kept; the listening connection is
checked every `CHECK_SECONDS` (a connection dropped silently, by a firewall's idle timeout,
would otherwise hear nothing and keep everything). No answer is kept longer than `MAX_AGE`
seconds, whatever the notifications say: that bounds what no notification tells (a row
stamped by a producer whose clock is ahead, a manual fix of a read model, a process of an
older version that does not yet handle a type).

Kept: the bytes, status and media type; every request still passes the rate limit, the
correlation id and the security headers (middlewares), so only the database and the
rendering are saved. Memory is capped (`MAX_BYTES`), least recently used first out. A
page is made once per version: requests for it while it is being made wait for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
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
MAX_AGE = 120.0  # seconds: an answer made again at most every two minutes costs nothing
CHECK_SECONDS = 15.0
# A person's masked name also shows on the pages of the penalties that banned them, which
# may be another institution's: their erasure makes every page old (erasures are rare).
CROSSING = frozenset({"registry.PersonalDataErased"})
# Tables whose writes are told by name (reporting migration 0013): only these may be named by
# `cached_reading`.
WATCHED = frozenset({"rp_institutions", "rp_qualifications"})
Version = tuple[int, date]
log = get_logger(__name__)


@dataclass(frozen=True)
class Kept:
    version: Version
    status: int
    media_type: str
    body: bytes
    made_at: float = field(default_factory=time.monotonic)

    def response(self) -> Response:
        return Response(self.body, status_code=self.status, media_type=self.media_type)


class AnswerCache:
    def __init__(self, max_bytes: int = MAX_BYTES, max_age: float = MAX_AGE) -> None:
        self.max_bytes, self.max_age = max_bytes, max_age
        self.kept: OrderedDict[str, Kept] = OrderedDict()
        self.size = 0
        self.hits = self.misses = self.shared = 0
        # Answers being made, by URL and version: a request that comes while its answer is
        # being made waits for it (`shared`) instead of reading the database for it again,
        # as it did when every answer was emptied and the pages were made again under load.
        self.making: dict[tuple[str, Version], asyncio.Future[Kept | None]] = {}

    def get(self, key: str, version: Version) -> Kept | None:
        found = self.kept.get(key)
        too_old = found is not None and time.monotonic() - found.made_at > self.max_age
        if found is None or found.version != version or too_old:
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


@dataclass(frozen=True)
class Change:
    """What one committed batch made old."""

    lists: bool  # every answer that is neither one institution's page nor `cached_reading`
    institutions: frozenset[str]  # these institutions' pages
    everything: bool = False
    tables: frozenset[str] = frozenset()  # the answers that read these (WATCHED)


NOTHING = Change(False, frozenset())
EVERY_PAGE = Change(True, frozenset(), everything=True)


def change_of(payload: str, handled: frozenset[str], known: frozenset[str]) -> Change:
    """A notification's payload read (migration 0012: a line "type<TAB>institution" for each
    of its batch's rows): `handled` are the types the read models use, `known` every type of
    the contracts; or (migration 0013) "table:<name>", a watched table written."""
    if payload.startswith("table:"):
        return Change(False, frozenset(), tables=frozenset({payload.removeprefix("table:")}))
    if payload in ("", "*"):
        return EVERY_PAGE  # too large to list (or migration 0011's empty payload)
    institutions = set()
    for line in payload.split("\n"):
        event_type, _, institution_id = line.partition("\t")
        if event_type not in known:
            return EVERY_PAGE  # a dead letter, or a type whose effect is unknown here
        if event_type not in handled:
            continue  # only its inbox row was written
        if event_type in CROSSING:
            return EVERY_PAGE
        if not institution_id:
            return EVERY_PAGE  # an event about no one institution (a draw, a campaign)
        institutions.add(institution_id)
    return Change(True, frozenset(institutions)) if institutions else NOTHING


class AppliedAnywhere:
    """Notifications of batches applied by any process of the service, on a connection of
    its own (a pool's connections keep no LISTEN): the stamps of the last one that made each
    kind of answer old. `listening` is False while the connection is lost."""

    def __init__(
        self, handled: frozenset[str] = frozenset(), known: frozenset[str] = frozenset()
    ) -> None:
        self.handled, self.known = handled, known
        self.listening = False
        self._seen = 0  # never reset: a reconnection must not bring back an old version
        self._everything = self._lists = 0
        # Only those changed since `_everything`:
        self._institutions: dict[str, int] = {}
        self._tables: dict[str, int] = {}
        self._task: asyncio.Task[None] | None = None

    def stamp_of(
        self, institution_id: str | None = None, reads: frozenset[str] = frozenset()
    ) -> int | None:
        """The version of one institution's page, or of an answer that `reads` only those
        watched tables, or (neither given) of every other answer; None while not listening."""
        if not self.listening:
            return None
        if institution_id is not None:
            return max(self._everything, self._institutions.get(institution_id, 0))
        if reads:
            return max(self._everything, *(self._tables.get(t, 0) for t in reads))
        return max(self._everything, self._lists)

    def learn(self, change: Change) -> None:
        self._seen += 1
        if change.everything:
            self._everything = self._seen
            self._institutions.clear()
            self._tables.clear()
            return
        if change.lists:
            self._lists = self._seen
        for institution_id in change.institutions:
            self._institutions[institution_id] = self._seen
        for table in change.tables:
            self._tables[table] = self._seen

    async def start(self, rt: Any) -> Callable[[], Awaitable[None]]:
        channel = f"{rt.schema}_applied"[:63]
        self._task = asyncio.create_task(self._listen(rt.settings.database_url, channel))
        return self.stop

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _lost(self, lost: asyncio.Event) -> None:
        self.listening = False  # at once, not when the listening task next runs
        lost.set()

    def _notified(self, _conn: Any, _pid: int, _channel: str, payload: object) -> None:
        self.learn(change_of(str(payload), self.handled, self.known))

    async def _listen(self, url: str, channel: str) -> None:
        while True:
            try:
                await self._listen_once(url, channel)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("portal.cache_listener_lost", error=str(exc))
            finally:
                self.listening = False
            await asyncio.sleep(1)

    async def _listen_once(self, url: str, channel: str) -> None:
        conn = await asyncpg.connect(url)
        try:
            lost = asyncio.Event()
            conn.add_termination_listener(lambda _: self._lost(lost))
            await conn.add_listener(channel, self._notified)
            self.learn(EVERY_PAGE)  # what was applied while not listening is unknown
            self.listening = True
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), CHECK_SECONDS)
                except TimeoutError:  # still there? (TimeoutError here: lost, reconnect)
                    await asyncio.wait_for(conn.fetchval("SELECT 1"), CHECK_SECONDS / 3)
        finally:
            with contextlib.suppress(Exception):
                await conn.close()


def version_of(request: Request, about: Callable[[AppliedAnywhere], int | None]) -> Version | None:
    """The version `about` tells of the answer; None: nothing may be kept or served from
    memory now."""
    anywhere: AppliedAnywhere | None = getattr(request.app.state, "applied_anywhere", None)
    stamp = about(anywhere) if anywhere is not None else None
    if stamp is None:
        return None
    return stamp, china_date(runtime_of(request.app).clock.now())


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


Route = Callable[..., Awaitable[Any]]


def cached(route: Route) -> Route:
    """A public GET route whose answer depends only on its URL and the read models."""
    return _served_from(route, lambda _, anywhere: anywhere.stamp_of())


def cached_page_of_institution(route: Route) -> Route:
    """As `cached`, for a route whose answer shows only the rows of its `institution_id`."""
    return _served_from(route, lambda kwargs, a: a.stamp_of(str(kwargs["institution_id"])))


def cached_reading(*tables: str) -> Callable[[Route], Route]:
    """As `cached`, for a route whose answer reads only these `WATCHED` tables."""
    reads = frozenset(tables)
    if not reads or not reads <= WATCHED:
        raise ValueError(f"not watched (reporting migration 0013): {sorted(reads - WATCHED)}")
    return lambda route: _served_from(route, lambda _, a: a.stamp_of(reads=reads))


def _served_from(
    route: Route, about: Callable[[dict[str, Any], AppliedAnywhere], int | None]
) -> Route:
    """`route` served from the cache; `about` tells the answer's stamp from the route's
    arguments."""

    @functools.wraps(route)
    async def serve(*args: Any, **kwargs: Any) -> Any:
        request: Request = kwargs["request"]
        stamp = functools.partial(about, kwargs)
        cache, version = _cache_of(request), version_of(request, stamp)
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
