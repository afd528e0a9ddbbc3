"""Prometheus metrics of a service process, all declared here (prometheus-client).

Counters move where things happen (HTTP requests, relay batches, scheduler sweeps, the
consumer's `ConsumerStats`). Figures that need the database or the broker (relay lag,
consumer lag, dead letters stored, overdue publications) are probed when Prometheus scrapes
`/metrics`, so nothing polls while nobody watches. One process serves one service (replicas
are processes), so the client's default registry fits; the `service` label keeps figures
apart when tests run several services in one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from aiokafka import TopicPartition
from fastapi import FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ohts_kit.logging import get_logger

log = get_logger(__name__)

disable_created_metrics()  # no *_created series: they double the series and nothing reads them

# (metric name, extra labels, value): what a probe measured for one service.
Sample = tuple[str, dict[str, str], float]
Probe = Callable[[Any], Awaitable[list[Sample]]]

HTTP_SECONDS = Histogram(
    "ohts_http_request_duration_seconds",
    "HTTP request latency by route template (never the raw path: bounded label values)",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
RELAY_PUBLISHED = Counter(
    "ohts_relay_published_events", "events the outbox relay published", ["service"]
)
PORTAL_ANSWERS = Counter(
    "ohts_portal_answers",
    "public answers by where they came from: the answer cache (hit), the read models (miss),"
    " or the read models while nothing may be kept (uncached: not listening for commits)",
    ["service", "outcome"],
)
SCHEDULER_RUNS = Counter(
    "ohts_scheduler_runs", "background sweeps run, by outcome", ["service", "job", "outcome"]
)

# Probed gauges: name -> (help, extra label names). Every probe's samples must be here.
GAUGES: dict[str, tuple[str, tuple[str, ...]]] = {
    "ohts_relay_pending_events": ("events stored but not yet published", ()),
    "ohts_relay_oldest_pending_age_seconds": (
        "age of the oldest event stored but not yet published (0 when none)",
        (),
    ),
    "ohts_relay_broker_resets": ("times the relay republished into a broker that lost it", ()),
    "ohts_consumer_lag_records": (
        "records on an assigned partition past the committed (applied) offset",
        ("topic", "partition"),
    ),
    "ohts_dead_letters_stored": ("dead letters recorded in the service's table", ()),
    "ohts_decision_publications_overdue": (
        "decisions past their publication deadline and not yet published (R3, E2)",
        ("kind",),
    ),
}
# ConsumerStats field -> counter name (exposed with the _total suffix).
CONSUMER_COUNTERS: dict[str, tuple[str, str]] = {
    "applied": ("ohts_consumer_events_applied", "incoming events applied"),
    "duplicates": ("ohts_consumer_duplicates", "redeliveries the inbox skipped"),
    "dead_lettered": ("ohts_consumer_dead_letters", "events sent to the dead-letter topic"),
    "retried": ("ohts_consumer_retries", "handler retries after an error"),
    "rewound": ("ohts_consumer_rewinds", "batches rewound after an outage"),
    "ignored": ("ohts_consumer_events_ignored", "events of a type the service has no use for"),
}
PROBE_TIMEOUT_SECONDS = 3.0


class _Watched:
    """A started runtime and what its probes last measured."""

    def __init__(self, runtime: Any) -> None:
        self.runtime = runtime
        self.samples: list[Sample] = []


_watched: dict[str, _Watched] = {}


def watch(runtime: Any) -> None:
    """Expose a started runtime's figures (the latest runtime of a service wins)."""
    _watched[runtime.spec.name] = _Watched(runtime)
    if runtime.spec.publishes:
        RELAY_PUBLISHED.labels(runtime.spec.name)  # a series from the start, at 0


def unwatch(runtime: Any) -> None:
    if (w := _watched.get(runtime.spec.name)) is not None and w.runtime is runtime:
        del _watched[runtime.spec.name]


def observe_http(service: str, request: Request, status: int, seconds: float) -> None:
    route = request.scope.get("route")
    template = getattr(route, "path", None) or "unmatched"  # a 404 names no route
    HTTP_SECONDS.labels(service, request.method, template, str(status)).observe(seconds)


def relay_published(service: str, count: int) -> None:
    RELAY_PUBLISHED.labels(service).inc(count)


def portal_answered(outcome: str) -> None:
    PORTAL_ANSWERS.labels("reporting", outcome).inc()


def scheduler_ran(service: str, job: str, ok: bool) -> None:
    SCHEDULER_RUNS.labels(service, job, "ok" if ok else "failed").inc()


class _RuntimeCollector(Collector):
    """Consumer counters and pool use read from the runtimes, probed gauges from the last
    scrape's probes: one family per metric, a sample per service."""

    def collect(self) -> Iterator[Metric]:
        watched = list(_watched.values())
        for field, (name, text) in CONSUMER_COUNTERS.items():
            family = CounterMetricFamily(name, text, labels=["service"])
            for w in watched:
                if w.runtime.consumer is not None:
                    stats = w.runtime.consumer.stats
                    family.add_metric([w.runtime.spec.name], getattr(stats, field))
            yield family
        yield from _pool_families(watched)
        for name, (text, labels) in GAUGES.items():
            gauge = GaugeMetricFamily(name, text, labels=["service", *labels])
            for w in watched:
                for sample, values, value in w.samples:
                    if sample == name:
                        gauge.add_metric([w.runtime.spec.name, *(values[n] for n in labels)], value)
            yield gauge


def _pool_families(watched: list[_Watched]) -> Iterator[Metric]:
    sizes = {
        "ohts_db_pool_connections": ("connections open in the pool", "get_size"),
        "ohts_db_pool_idle_connections": ("open connections not in use", "get_idle_size"),
        "ohts_db_pool_max_connections": ("the pool's maximum size", "get_max_size"),
    }
    for name, (text, method) in sizes.items():
        family = GaugeMetricFamily(name, text, labels=["service"])
        for w in watched:
            pool = w.runtime._pool
            if pool is not None:
                family.add_metric([w.runtime.spec.name], getattr(pool, method)())
        yield family


REGISTRY.register(_RuntimeCollector())


async def relay_lag(runtime: Any) -> list[Sample]:
    """Events past the relay's cursor, whichever instance holds the relay."""
    async with runtime.pool.acquire() as conn:
        cursor = await conn.fetchrow(
            "SELECT tx_id, position, broker_resets FROM relay_cursor WHERE id = 1"
        )
        row = await conn.fetchrow(
            "SELECT count(*) AS pending,"
            " coalesce(extract(epoch FROM clock_timestamp() - min(recorded_at)), 0) AS age"
            " FROM events WHERE (tx_id, position) > ($1::xid8, $2::bigint)",
            cursor["tx_id"],
            cursor["position"],
        )
    return [
        ("ohts_relay_pending_events", {}, row["pending"]),
        ("ohts_relay_oldest_pending_age_seconds", {}, float(row["age"])),
        ("ohts_relay_broker_resets", {}, cursor["broker_resets"]),
    ]


async def consumer_lag(runtime: Any) -> list[Sample]:
    """High watermark minus committed offset on each partition assigned to this instance
    (offsets are committed only after the events were applied)."""
    kafka = getattr(getattr(runtime.consumer, "subscriber", None), "consumer", None)
    if kafka is None:
        return []
    out: list[Sample] = []
    partitions: list[TopicPartition] = sorted(kafka.assignment())
    for tp in partitions:
        high = kafka.highwater(tp)
        if high is None:  # no fetch answered for it yet
            continue
        committed = await kafka.committed(tp)
        labels = {"topic": tp.topic, "partition": str(tp.partition)}
        out.append(("ohts_consumer_lag_records", labels, max(high - (committed or 0), 0)))
    return out


async def dead_letters(runtime: Any) -> list[Sample]:
    async with runtime.pool.acquire() as conn:
        stored = await conn.fetchval("SELECT count(*) FROM dead_letters")
    return [("ohts_dead_letters_stored", {}, stored)]


def probes_of(runtime: Any) -> list[Probe]:
    probes: list[Probe] = [dead_letters, *runtime.spec.probes]
    if runtime.spec.publishes:
        probes.append(relay_lag)
    if runtime.consumer is not None:
        probes.append(consumer_lag)
    return probes


async def refresh(runtime: Any) -> None:
    """Run the runtime's probes; one that fails or hangs keeps its figures out of this
    scrape (Prometheus then sees the series vanish) instead of failing the scrape."""
    if (w := _watched.get(runtime.spec.name)) is None or w.runtime is not runtime:
        return
    samples: list[Sample] = []
    for probe in probes_of(runtime):
        try:
            samples += await asyncio.wait_for(probe(runtime), PROBE_TIMEOUT_SECONDS)
        except Exception as exc:
            log.warning("metrics.probe_failed", probe=probe.__name__, error=repr(exc))
    w.samples = samples


def install(app: FastAPI, runtime: Any) -> None:
    """`GET /metrics` in Prometheus's text format (left out of the OpenAPI document)."""

    async def metrics() -> Response:
        await refresh(runtime)
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
