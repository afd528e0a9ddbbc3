"""The public answer cache: an answer is served again only for the same URL, the same version
(no batch since that changed what it shows) and the same day; memory stays under its cap,
oldest out first."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.responses import Response

from ohts_kit.clock import FixedClock
from services.reporting.entrypoints.cache import (
    EVERY_PAGE,
    NOTHING,
    AnswerCache,
    AppliedAnywhere,
    Change,
    Kept,
    cached,
    cached_reading,
    change_of,
)

DAY = date(2026, 12, 1)


def _kept(version: int, body: bytes = b"<p>page</p>", day: date = DAY) -> Kept:
    return Kept((version, day), 200, "text/html", body)


def test_an_answer_is_kept_for_its_version_and_day_only() -> None:
    cache = AnswerCache()
    cache.put("/institutions/a?", _kept(7))
    assert cache.get("/institutions/a?", (7, DAY)) is not None
    assert cache.get("/institutions/a?", (8, DAY)) is None  # an event was applied since
    assert cache.get("/institutions/a?", (7, date(2026, 12, 2))) is None  # a new day
    assert cache.get("/institutions/b?", (7, DAY)) is None
    assert (cache.hits, cache.misses) == (1, 3)


def test_memory_stays_under_the_cap_least_recently_used_out() -> None:
    cache = AnswerCache(max_bytes=1600)
    for name in "abcdefghijklmnop":
        cache.put(name, _kept(1, b"x" * 100))  # sixteen answers: exactly the cap
    assert cache.size == 1600
    cache.get("a", (1, DAY))  # a is used again: b is now the oldest
    cache.put("q", _kept(1, b"x" * 60))
    assert cache.size == 1560
    assert cache.get("b", (1, DAY)) is None
    assert cache.get("a", (1, DAY)) is not None and cache.get("q", (1, DAY)) is not None


def test_a_very_large_answer_is_not_kept() -> None:
    cache = AnswerCache(max_bytes=1600)
    cache.put("big", _kept(1, b"x" * 200))  # more than a sixteenth of the cap
    assert cache.get("big", (1, DAY)) is None and cache.size == 0


def test_a_kept_answer_is_a_new_response_each_time() -> None:
    kept = _kept(1)
    first, second = kept.response(), kept.response()
    assert first is not second and first.body == second.body == b"<p>page</p>"
    assert first.media_type == "text/html"


def _request(path: str, cache: AnswerCache) -> Any:
    """What `cached` reads of a request: its URL, and the app's cache, consumer and clock."""
    runtime = SimpleNamespace(consumer=None, clock=FixedClock(datetime(2026, 12, 1, 2, tzinfo=UTC)))
    anywhere = AppliedAnywhere()
    anywhere.listening = True
    state = SimpleNamespace(runtime=runtime, answer_cache=cache, applied_anywhere=anywhere)
    return SimpleNamespace(
        app=SimpleNamespace(state=state), url=SimpleNamespace(path=path, query="")
    )


async def test_requests_that_come_while_an_answer_is_made_wait_for_it() -> None:
    made, release = [], asyncio.Event()

    @cached
    async def page(request: Any) -> Response:
        made.append(request.url.path)
        await release.wait()  # reading the database
        return Response(f"<p>{request.url.path} {len(made)}</p>".encode(), media_type="text/html")

    cache = AnswerCache()
    first = asyncio.create_task(page(request=_request("/institutions/a", cache)))
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(page(request=_request("/institutions/a", cache))) for _ in "xyz"]
    other = asyncio.create_task(page(request=_request("/institutions/b", cache)))
    await asyncio.sleep(0)
    release.set()
    answers = await asyncio.gather(first, *waiting, other)
    assert made == ["/institutions/a", "/institutions/b"]  # each page read once
    # The three waiting ones have the answer made for the first (read when both were made).
    assert [a.body for a in answers] == [b"<p>/institutions/a 2</p>"] * 4 + [
        b"<p>/institutions/b 2</p>"
    ]
    assert cache.shared == 3 and not cache.making


async def test_a_request_that_fails_leaves_the_waiting_ones_to_make_their_own() -> None:
    calls, release = [], asyncio.Event()

    @cached
    async def page(request: Any) -> Response:
        calls.append(1)
        await release.wait()
        if len(calls) == 1:
            raise RuntimeError("the first reader's connection broke")
        return Response(b"<p>ok</p>", media_type="text/html")

    cache = AnswerCache()
    first = asyncio.create_task(page(request=_request("/institutions/a", cache)))
    await asyncio.sleep(0)
    second = asyncio.create_task(page(request=_request("/institutions/a", cache)))
    await asyncio.sleep(0)
    release.set()
    failed, answered = await asyncio.gather(first, second, return_exceptions=True)
    assert isinstance(failed, RuntimeError)
    assert isinstance(answered, Response) and answered.body == b"<p>ok</p>"
    assert len(calls) == 2 and cache.shared == 0 and not cache.making


HANDLED = frozenset({"enforcement.PenaltyDecided", "registry.StaffRegistered"})
KNOWN = HANDLED | {"enforcement.ReferralAcknowledged"}


def test_a_notification_tells_what_its_batch_made_old() -> None:
    """Migration 0012's payload: a line "type<TAB>institution" per distinct pair."""

    def told(*lines: str) -> Change:
        return change_of("\n".join(lines), HANDLED, KNOWN)

    assert told("enforcement.PenaltyDecided\tinst-a", "enforcement.PenaltyDecided\tinst-b") == (
        Change(True, frozenset({"inst-a", "inst-b"}))
    )
    # The type no read model uses neither adds its institution nor, without one, all.
    assert told("enforcement.PenaltyDecided\tinst-a", "enforcement.ReferralAcknowledged\t") == (
        Change(True, frozenset({"inst-a"}))
    )
    assert told("enforcement.ReferralAcknowledged\tinst-a") == NOTHING
    assert told("*") == EVERY_PAGE  # too many to list
    assert told("") == EVERY_PAGE  # migration 0011's empty payload
    assert told("qc.SomethingNew\tinst-a") == EVERY_PAGE  # a type unknown here
    assert told("dead-letter:enforcement.PenaltyDecided\t") == EVERY_PAGE
    assert told("registry.StaffRegistered\tinst-a", "registry.StaffRegistered\t") == EVERY_PAGE


def test_an_institutions_page_grows_old_only_with_its_own_batches() -> None:
    anywhere = AppliedAnywhere(HANDLED, KNOWN)
    assert anywhere.stamp_of("inst-a") is None  # not listening yet: nothing kept
    anywhere.learn(EVERY_PAGE)  # what the listener does when it connects
    anywhere.listening = True
    a, b, lists = anywhere.stamp_of("inst-a"), anywhere.stamp_of("inst-b"), anywhere.stamp_of(None)
    anywhere.learn(change_of("enforcement.PenaltyDecided\tinst-a", HANDLED, KNOWN))
    assert anywhere.stamp_of("inst-a") != a and anywhere.stamp_of(None) != lists
    assert anywhere.stamp_of("inst-b") == b  # B's page is kept
    a, lists = anywhere.stamp_of("inst-a"), anywhere.stamp_of(None)
    anywhere.learn(NOTHING)
    assert (anywhere.stamp_of("inst-a"), anywhere.stamp_of("inst-b")) == (a, b)
    assert anywhere.stamp_of(None) == lists
    anywhere.learn(EVERY_PAGE)
    everything = anywhere.stamp_of("inst-a")
    assert everything not in (a, b, lists)
    assert anywhere.stamp_of("inst-b") == anywhere.stamp_of(None) == everything
    anywhere.listening = False
    assert anywhere.stamp_of("inst-a") is None and anywhere.stamp_of(None) is None


def test_a_search_grows_old_only_with_writes_of_the_tables_it_reads() -> None:
    """Migration 0013's "table:<name>" notifications; a batch of penalties leaves the search."""
    anywhere = AppliedAnywhere(HANDLED, KNOWN)
    anywhere.learn(EVERY_PAGE)
    anywhere.listening = True
    reads = frozenset({"rp_institutions", "rp_qualifications"})
    search, lists = anywhere.stamp_of(reads=reads), anywhere.stamp_of()
    anywhere.learn(change_of("enforcement.PenaltyDecided\tinst-a", HANDLED, KNOWN))
    assert anywhere.stamp_of(reads=reads) == search and anywhere.stamp_of() != lists
    assert change_of("table:rp_qualifications", HANDLED, KNOWN) == Change(
        False, frozenset(), tables=frozenset({"rp_qualifications"})
    )
    lists = anywhere.stamp_of()
    anywhere.learn(change_of("table:rp_qualifications", HANDLED, KNOWN))
    assert anywhere.stamp_of(reads=reads) != search
    assert anywhere.stamp_of(reads=frozenset({"rp_institutions"})) == search
    assert anywhere.stamp_of() == lists  # the batch's own notification tells the rest


def test_only_watched_tables_may_be_named() -> None:
    with pytest.raises(ValueError, match="rp_penalties"):
        cached_reading("rp_institutions", "rp_penalties")


def test_an_erasure_makes_every_page_old() -> None:
    """The erased person's name shows on the pages of penalties that banned them too."""
    handled = HANDLED | {"registry.PersonalDataErased"}
    erased = change_of("registry.PersonalDataErased\tinst-a", handled, KNOWN | handled)
    assert erased == EVERY_PAGE


def test_no_answer_is_kept_longer_than_its_maximum_age() -> None:
    cache = AnswerCache(max_age=120)
    cache.put("/institutions/a?", Kept((7, DAY), 200, "text/html", b"x", time.monotonic() - 121))
    cache.put("/institutions/b?", Kept((7, DAY), 200, "text/html", b"x", time.monotonic() - 100))
    assert cache.get("/institutions/a?", (7, DAY)) is None
    assert cache.get("/institutions/b?", (7, DAY)) is not None
