"""The public answer cache: an answer is served again only for the same URL, the same count
of applied events and the same day; memory stays under its cap, oldest out first."""

from __future__ import annotations

from datetime import date

from services.reporting.entrypoints.cache import AnswerCache, Kept

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
