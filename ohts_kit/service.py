"""One runtime shape for all four services: pool, migrations, broker, relay, consumer.

Nothing connects at construction; `start()` does, so the AsyncAPI document can be built
from a runtime that never touched a server.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
from fastapi import FastAPI
from faststream.specification import AsyncAPI

from contracts.envelope import Envelope
from ohts_kit import gc_pauses, metrics
from ohts_kit.clock import Clock, SystemClock
from ohts_kit.consumer import Handler, IdempotentConsumer
from ohts_kit.db import PLATFORM_MIGRATIONS, create_pool, migrate
from ohts_kit.diagnostics import install_dump_on_signal
from ohts_kit.eventstore import EventStore
from ohts_kit.guard import InputGuard
from ohts_kit.headers import SecurityHeaders
from ohts_kit.idempotency import Idempotency
from ohts_kit.kafka import BrokerWatch, ensure_topics, make_broker
from ohts_kit.limits import BodyLimit
from ohts_kit.logging import get_logger
from ohts_kit.relay import KafkaPublisher, OutboxRelay
from ohts_kit.settings import Settings

log = get_logger(__name__)

BackgroundJob = Callable[["ServiceRuntime", asyncio.Event], Awaitable[None]]
# Started after the service's own store, before serving; returns what to close at stop
# (e.g. the staff console's accounts, in a schema of their own, in the reporting process).
StartHook = Callable[["ServiceRuntime"], Awaitable[Callable[[], Awaitable[None]]]]


@dataclass
class ServiceSpec:
    name: str
    migrations: Path | None = None
    publishes: bool = True
    consumes: Sequence[str] = ()
    # Builds the service's application objects into `runtime.extras`, before handlers.
    setup: Callable[[ServiceRuntime], None] = lambda _rt: None
    # Built once the runtime exists, so handlers can close over its store and clock.
    handlers: Callable[[ServiceRuntime], Mapping[str, Handler]] = lambda _rt: {}
    background: Sequence[BackgroundJob] = field(default_factory=tuple)
    # Scraped figures of the service's own (ohts_kit.metrics.GAUGES), e.g. overdue publications.
    probes: Sequence[metrics.Probe] = field(default_factory=tuple)
    on_start: Sequence[StartHook] = field(default_factory=tuple)


class ServiceRuntime:
    def __init__(self, spec: ServiceSpec, settings: Settings, clock: Clock | None = None) -> None:
        self.spec = spec
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.schema = settings.schema_of(spec.name)
        self.store = EventStore(producer=spec.name)
        self.broker = make_broker(settings, client_id=f"ohts-{spec.name}")
        self._pool: asyncpg.Pool | None = None
        self.relay: OutboxRelay | None = None
        self.stop_event = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._closers: list[Callable[[], Awaitable[None]]] = []
        self.extras: dict[str, Any] = {}
        # A process that is this one service (`ohts serve`) freezes what start-up built.
        self.settle_on_start = False
        spec.setup(self)
        if spec.publishes:
            self.broker.publisher(
                settings.topic_of(spec.name),
                schema=Envelope,
                title=f"{settings.topic_of(spec.name)}:publish",
                description=f"every event the {spec.name} service stores, in log order,"
                " keyed by institution_id",
            )
        self.consumer: IdempotentConsumer | None = None
        if spec.consumes:
            self.consumer = IdempotentConsumer(
                None,
                self.broker,
                name=spec.name,
                topics=[settings.topic_of(s) for s in spec.consumes],
                group_id=f"{settings.namespace}ohts.{spec.name}",
                handlers=spec.handlers(self),
                dlq_topic=settings.dlq_topic,
                max_attempts=settings.consumer_max_attempts,
                backoff_seconds=settings.consumer_backoff_seconds,
                fetch_max_wait_ms=settings.consumer_fetch_max_wait_ms,
                batch_size=settings.consumer_batch_size,
                session_timeout_ms=settings.kafka_session_timeout_ms,
                heartbeat_interval_ms=settings.kafka_heartbeat_interval_ms,
            )

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError(f"{self.spec.name} runtime is not started")
        return self._pool

    def asyncapi(self) -> AsyncAPI:
        return AsyncAPI(
            self.broker,
            title=f"OHTS {self.spec.name} service",
            version="1.0.0",
            description=f"Kafka interface of the {self.spec.name} service",
        )

    async def open_store(self) -> None:
        """Migrate and connect, nothing else: for bulk loaders that append without serving
        (the running service's relay publishes what they wrote)."""
        folders = [PLATFORM_MIGRATIONS] + ([self.spec.migrations] if self.spec.migrations else [])
        await migrate(self.settings, self.schema, folders)
        self._pool = await create_pool(self.settings, self.schema)

    async def start(self) -> None:
        await self.open_store()
        for hook in self.spec.on_start:
            self._closers.append(await hook(self))
        await ensure_topics(self.settings)
        if self.consumer is not None:
            self.consumer.pool = self._pool
        await self.broker.start()
        if self.spec.publishes:
            self.relay = OutboxRelay(
                self.pool,
                KafkaPublisher(self.settings, f"{self.spec.name}-relay"),
                producer=self.spec.name,
                schema=self.schema,
                topic=self.settings.topic_of(self.spec.name),
                batch_size=self.settings.relay_batch_size,
                poll_seconds=self.settings.relay_poll_seconds,
                watch=BrokerWatch(self.settings, self.spec.name),
            )
            self._spawn(self.relay.run(self.stop_event), "relay")
        for job in self.spec.background:
            self._spawn(job(self, self.stop_event), getattr(job, "__name__", "job"))
        install_dump_on_signal(self.spec.name, lambda: self._pool)
        metrics.watch(self)
        gc_pauses.observe(self.spec.name)
        frozen = gc_pauses.settle() if self.settle_on_start else 0
        log.info("service.started", schema=self.schema, gc_frozen_objects=frozen)

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        async def guarded() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background.crashed", job=name)

        self._tasks.append(asyncio.create_task(guarded(), name=f"{self.spec.name}:{name}"))

    async def stop(self) -> None:
        metrics.unwatch(self)
        self.stop_event.set()
        if self._tasks:
            _, pending = await asyncio.wait(self._tasks, timeout=5)
            for task in pending:
                task.cancel()
        with contextlib.suppress(Exception):
            await self.broker.stop()
        while self._closers:
            with contextlib.suppress(Exception):
                await self._closers.pop()()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def readiness(self) -> dict[str, bool]:
        checks: dict[str, bool] = {}
        try:
            async with self.pool.acquire(timeout=2) as conn:
                checks["database"] = await conn.fetchval("SELECT true", timeout=2) is True
        except Exception:
            checks["database"] = False
        try:
            checks["broker"] = bool(await self.broker.ping(timeout=2))
        except Exception:
            checks["broker"] = False
        if self.consumer is not None:
            checks["consumer"] = bool(getattr(self.consumer.subscriber, "running", True))
        if self.spec.publishes:
            # A second instance's relay stands by on the advisory lock: ready all the same.
            checks["relay"] = self.relay is not None and (self.relay.running or self.relay.standby)
        return checks

    def lifespan(self) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
        @contextlib.asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            await self.start()
            try:
                yield
            finally:
                await self.stop()

        return lifespan


async def readiness_of(app: FastAPI) -> dict[str, bool]:
    runtime: ServiceRuntime = app.state.runtime
    return await runtime.readiness()


def runtime_of(app: Any) -> ServiceRuntime:
    return app.state.runtime


def create_service_app(
    spec: ServiceSpec,
    settings: Settings,
    *,
    title: str,
    routers: Sequence[Any] = (),
    clock: Clock | None = None,
) -> FastAPI:
    """A service process's ASGI app: the shared HTTP shell around one runtime."""
    from ohts_kit.http import create_http_app

    runtime = ServiceRuntime(spec, settings, clock)
    app = create_http_app(
        service=spec.name, title=title, lifespan=runtime.lifespan(), readiness=readiness_of
    )
    app.state.runtime = runtime
    app.state.settings = settings
    metrics.install(app, runtime)
    for router in routers:
        app.include_router(router)
    _guard_outermost(app, settings)
    return app


def _guard_outermost(app: FastAPI, settings: Settings) -> None:
    """Security headers, the body limit, the input guard and idempotency wrap the whole
    stack, whatever middleware a service adds later: nothing (not even another middleware)
    sees a request before them, and every answer (theirs too) gets the headers."""
    build = app.build_middleware_stack

    def guarded() -> Any:
        once = Idempotency(build(), ttl_hours=settings.idempotency_ttl_hours)
        inner = InputGuard(once, years=(settings.input_year_min, settings.input_year_max))
        limited = BodyLimit(inner, max_bytes=settings.max_body_bytes)
        return SecurityHeaders(limited, https=settings.https)  # on every answer, 413 too

    app.build_middleware_stack = guarded  # type: ignore[method-assign]
