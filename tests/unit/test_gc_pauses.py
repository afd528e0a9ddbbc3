"""The collector's pauses are counted by generation, and settling exempts what exists."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ohts_kit import gc_pauses


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the test process goes on collecting everything


def samples(pauses: gc_pauses.Pauses) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted((k, v) for k, v in s.labels.items() if k != "service"))): s.value
        for family in pauses.collect()
        for s in family.samples
    }


def test_every_collection_is_counted_in_its_generation() -> None:
    pauses = gc_pauses.observe("registry")
    assert gc_pauses.observe("registry") is pauses  # one callback per process
    before = samples(pauses)
    gc.collect(2)
    gc.collect(2)
    after = samples(pauses)
    full = (("generation", "2"),)
    assert (
        after[("ohts_gc_pause_seconds_count", full)]
        == before.get(("ohts_gc_pause_seconds_count", full), 0) + 2
    )
    assert after[("ohts_gc_pause_seconds_sum", full)] > before.get(
        ("ohts_gc_pause_seconds_sum", full), 0
    )
    inf = (("generation", "2"), ("le", "+Inf"))
    assert (
        after[("ohts_gc_pause_seconds_bucket", inf)] == after[("ohts_gc_pause_seconds_count", full)]
    )


def test_a_pause_falls_in_the_first_bucket_it_fits() -> None:
    now = [0.0]
    pauses = gc_pauses.Pauses("qc", clock=lambda: now[0])
    for seconds in (0.0005, 0.001, 0.03, 2.0):
        pauses("start", {"generation": 1})
        now[0] += seconds
        pauses("stop", {"generation": 1})
    got = samples(pauses)
    cumulative = {
        dict(labels)["le"]: value
        for (name, labels), value in got.items()
        if name == "ohts_gc_pause_seconds_bucket" and ("generation", "1") in labels
    }
    assert cumulative["0.001"] == 2  # a bound holds the pauses equal to it
    assert cumulative["0.025"] == 2
    assert cumulative["0.05"] == 3
    assert cumulative["1.0"] == 3
    assert cumulative["+Inf"] == 4
    assert got[("ohts_gc_pause_seconds_sum", (("generation", "1"),))] == pytest.approx(2.0315)
    assert got[("ohts_gc_pause_seconds_count", (("generation", "0"),))] == 0
    services = {s.labels["service"] for family in pauses.collect() for s in family.samples}
    assert services == {"qc"}  # like every figure of the service's


def test_settling_exempts_what_exists_from_later_collections(unfrozen: None) -> None:
    kept = [[i] for i in range(50_000)]  # tracked containers that outlive the settle
    walked = len(gc.get_objects())
    frozen = gc_pauses.settle()
    assert frozen >= len(kept)
    assert len(gc.get_objects()) < walked - len(kept)  # a collection no longer walks them
    assert samples(gc_pauses.observe("registry"))[("ohts_gc_frozen_objects", ())] == frozen
