"""The garbage collector's pauses: measured, and kept short in a serving process.

A full collection walks every object the process holds; in a service most of them are the
modules, the app and the pools built at start-up, which live as long as the process. While
it walks, the event loop serves nothing: a full collection of the reporting app took 30 ms
on an idle core, and about 100 ms each while the service applied a load, a stall every
request in flight waits out (bench/RESULTS.md, the note on the 03:44 run). `settle()`
collects once and moves what is left to the permanent generation (`gc.freeze`), so later
collections walk only what was made since. Only a process that is one service does it
(`ohts serve`): in a test process runtimes come and go, and a frozen cycle is never
collected.

`observe()` counts every collection's pause by generation into
`ohts_gc_pause_seconds` (a Prometheus histogram, read at scrape time), beside
`ohts_gc_frozen_objects`: the callback only adds to a few integers, no lock and no
allocation worth a collection of its own.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import REGISTRY
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

BOUNDS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
LABELS = (*map(str, BOUNDS), "+Inf")
GENERATIONS = 3


class Pauses(Collector):
    """Per generation: how many pauses fell under each bound, and their sum."""

    def __init__(self, service: str = "", clock: Callable[[], float] = time.perf_counter) -> None:
        self.service = service  # a process is one service (in tests, the first started)
        self.clock = clock
        self.buckets = [[0] * (len(BOUNDS) + 1) for _ in range(GENERATIONS)]
        self.sums = [0.0] * GENERATIONS
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = self.clock()
            return
        seconds = self.clock() - self._started
        generation = info["generation"]
        self.sums[generation] += seconds
        counts = self.buckets[generation]
        for i, bound in enumerate(BOUNDS):
            if seconds <= bound:
                counts[i] += 1
                return
        counts[-1] += 1

    def collect(self) -> Iterator[Metric]:
        family = HistogramMetricFamily(
            "ohts_gc_pause_seconds",
            "pauses of the garbage collector by generation (the event loop waits them out)",
            labels=["service", "generation"],
        )
        for generation in range(GENERATIONS):
            running, cumulative = 0, []
            for le, count in zip(LABELS, self.buckets[generation], strict=True):
                running += count
                cumulative.append((le, running))
            family.add_metric([self.service, str(generation)], cumulative, self.sums[generation])
        yield family
        frozen = GaugeMetricFamily(
            "ohts_gc_frozen_objects",
            "objects exempt from collection since start-up (0: this process never settled)",
            labels=["service"],
        )
        frozen.add_metric([self.service], gc.get_freeze_count())
        yield frozen


_pauses: Pauses | None = None


def observe(service: str) -> Pauses:
    """Count this process's collections (once per process, however many runtimes start)."""
    global _pauses
    if _pauses is None:
        _pauses = Pauses(service)
        gc.callbacks.append(_pauses)
        REGISTRY.register(_pauses)
    return _pauses


def settle() -> int:
    """Collect, then exempt what survived from later collections; returns how many objects
    were frozen (all of them, earlier freezes included)."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
