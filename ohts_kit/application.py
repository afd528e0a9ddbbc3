"""The application core every service shares: one unit of work per command.

A command handler reads like

    async with app.unit(meta) as uow:
        q = await uow.get(qualification, qualification_id)      # 404, jurisdiction
        holder = await uow.get(institution, q.institution_id)
        await uow.record(q, qualification.start_review(q, uow.now), about=holder)

The unit of work owns the transaction, loads aggregates by folding their events, checks the
caller's jurisdiction on what it loads, appends with the expected version it loaded at and the
envelope fields taken from context, and projects the service's inline views in the same
transaction. It depends on ports (a store, a database, a clock), so handlers run against the
real PostgreSQL in the service and against `ohts_kit.memory` in unit tests.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from contracts.envelope import Envelope, EventPayload, Role
from ohts_kit.auth import check_jurisdiction
from ohts_kit.clock import Clock
from ohts_kit.db import Conn
from ohts_kit.errors import Forbidden, InvalidCommand, NotFound
from ohts_kit.eventstore import Metadata, NewEvent, StoredEvent
from ohts_kit.one_statement import one_statement
from ohts_kit.workdays import china_date

Projector = Callable[[Conn, Envelope, EventPayload], Awaitable[None]]
S = TypeVar("S")


class AggregateModule(Protocol):
    """A domain module: its stream type and how its events fold into state."""

    AGGREGATE: str

    def fold(self, aggregate_id: str, events: Iterable[EventPayload], /) -> Any: ...


class Subject(Protocol):
    """What events are about: it keys the envelope and decides jurisdiction."""

    @property
    def institution_id(self) -> str: ...

    @property
    def region_code(self) -> str: ...


@dataclass(frozen=True)
class About:
    """A subject given by value (a jurisdiction's own stream, an institution not loaded)."""

    institution_id: str
    region_code: str


def jurisdiction(region_code: str) -> About:
    """The subject of a stream that belongs to a jurisdiction rather than an institution."""
    return About(f"jurisdiction-{region_code}", region_code)


class Store(Protocol):
    async def load(
        self, conn: Conn, aggregate_type: str, aggregate_id: str
    ) -> list[StoredEvent]: ...

    async def append(
        self,
        conn: Conn,
        aggregate_type: str,
        aggregate_id: str,
        expected_version: int,
        events: Sequence[NewEvent],
        meta: Metadata,
    ) -> list[Envelope]: ...


class Database(Protocol):
    def connection(self) -> AbstractAsyncContextManager[Conn]: ...

    def transaction(self) -> AbstractAsyncContextManager[Conn]: ...

    def one_statement(self) -> AbstractAsyncContextManager[Conn]: ...


class PoolDatabase:
    """The service's asyncpg pool, looked up when used (the runtime starts it later)."""

    def __init__(self, pool: Callable[[], Any]) -> None:
        self._pool = pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Conn]:
        async with self._pool().acquire() as conn:
            yield conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Conn]:
        async with self._pool().acquire() as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def one_statement(self) -> AsyncIterator[Conn]:
        async with self._pool().acquire() as conn, one_statement(conn) as command:
            yield command  # type: ignore[misc]


@dataclass(frozen=True)
class Ports:
    store: Store
    db: Database
    clock: Clock


async def _no_projection(conn: Conn, envelope: Envelope, event: EventPayload) -> None:
    return None


def noun_of(aggregate_type: str) -> str:
    """'InspectionPlan' -> 'inspection plan', for "no inspection plan X" messages."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", aggregate_type).lower()


def authorize(meta: Metadata, subject: Subject) -> None:
    """Authorities act within their jurisdiction; an institution only for itself."""
    if meta.actor.role is Role.INSTITUTION:
        if meta.actor.institution_id != subject.institution_id:
            raise Forbidden("an institution may act only for itself")
        return
    check_jurisdiction(meta.actor, subject.region_code)


@dataclass
class _Tracked:
    module: AggregateModule
    aggregate_id: str
    events: list[EventPayload]


class UnitOfWork:
    """One transaction: load, check, decide (the caller), record."""

    def __init__(
        self, conn: Conn, app: Application, meta: Metadata, *, checks: bool = True
    ) -> None:
        self.conn = conn
        self.app = app
        self.meta = meta
        self.checks = checks
        self.now = app.now()
        self.today = china_date(self.now)
        self._tracked: dict[int, _Tracked] = {}
        self._alive: list[Any] = []  # keeps tracked states alive, so no id() is reused
        self.written: list[Envelope] = []

    async def stream(self, module: AggregateModule, aggregate_id: str) -> list[StoredEvent]:
        return await self.app.store.load(self.conn, module.AGGREGATE, aggregate_id)

    async def get(
        self, module: AggregateModule, aggregate_id: str, *, field: str | None = None
    ) -> Any:
        """The aggregate's state, checked: a stream with no events is 404 (or 422 naming
        `field` when the id came in a command's body), and a state that is itself a subject
        (it has institution_id and region_code) must lie in the caller's jurisdiction."""
        stream = await self.stream(module, aggregate_id)
        return self.checked(module, aggregate_id, stream, field=field)

    def checked(
        self,
        module: AggregateModule,
        aggregate_id: str,
        stream: Sequence[StoredEvent],
        *,
        field: str | None = None,
    ) -> Any:
        """`get` on a stream the handler loaded itself, in the statement that also read
        what its command checks (one round trip instead of several)."""
        events = [e.payload for e in stream]
        if not events:
            noun = getattr(module, "NOUN", None) or noun_of(module.AGGREGATE)
            if field is not None:
                raise InvalidCommand.of(field, f"registered {noun}", f"no {noun} {aggregate_id}")
            raise NotFound(f"no {noun} {aggregate_id}")
        state = self._track(module, aggregate_id, events)
        if _is_subject(state):
            self.allow(state)
        return state

    async def find(self, module: AggregateModule, aggregate_id: str) -> Any:
        """Like `get`, but an empty stream folds to the empty state (no 404, no check)."""
        events = [e.payload for e in await self.stream(module, aggregate_id)]
        return self._track(module, aggregate_id, events)

    def new(self, module: AggregateModule, aggregate_id: str) -> Any:
        """The empty state of a stream this unit creates."""
        return self._track(module, aggregate_id, [])

    def allow(self, subject: Subject) -> None:
        if self.checks:
            authorize(self.meta, subject)

    def version_of(self, state: Any) -> int:
        return len(self._entry(state).events)

    async def record(
        self, state: Any, events: Sequence[EventPayload], *, about: Subject | None = None
    ) -> list[Envelope]:
        """Append what was decided about `state` at the version it was loaded at (a clash
        is a ConcurrencyConflict), project the inline views, and keep tracking it."""
        if not events:
            return []
        entry = self._entry(state)
        subject = about if about is not None else state
        written = await self.app.append(
            self.conn,
            entry.module.AGGREGATE,
            entry.aggregate_id,
            len(entry.events),
            events,
            subject.institution_id,
            subject.region_code,
            self.meta,
        )
        entry.events.extend(events)
        self.written.extend(written)
        return written

    def _track(self, module: AggregateModule, aggregate_id: str, events: list[EventPayload]) -> Any:
        state = module.fold(aggregate_id, events)
        self._tracked[id(state)] = _Tracked(module, aggregate_id, events)
        self._alive.append(state)
        return state

    def _entry(self, state: Any) -> _Tracked:
        entry = self._tracked.get(id(state))
        if entry is None:
            raise RuntimeError("record() takes a state this unit loaded (get, find or new)")
        return entry


def _is_subject(state: Any) -> bool:
    return isinstance(getattr(state, "institution_id", None), str) and isinstance(
        getattr(state, "region_code", None), str
    )


class Application:
    """A service's application object: its ports and its inline views."""

    def __init__(self, ports: Ports, project: Projector = _no_projection) -> None:
        self.ports = ports
        self.store = ports.store
        self.db = ports.db
        self.clock = ports.clock
        self.project = project

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return china_date(self.clock.now())

    @asynccontextmanager
    async def unit(
        self, meta: Metadata, *, checks: bool = True, one_statement: bool = False
    ) -> AsyncIterator[UnitOfWork]:
        """A command's transaction; commits when the block ends without an exception.
        `one_statement`: a command that reads, then records, and reads nothing after; its
        reads go without a transaction and its writes as one statement (two round trips
        instead of five, `ohts_kit.one_statement`)."""
        opened = self.db.one_statement() if one_statement else self.db.transaction()
        async with opened as conn:
            yield UnitOfWork(conn, self, meta, checks=checks)

    def unit_in(self, conn: Conn, env: Envelope) -> UnitOfWork:
        """A unit inside a consumer's transaction, for a command an incoming event causes:
        the actor and correlation come from the event, and it is the event's cause."""
        meta = Metadata(
            actor=env.actor, correlation_id=env.correlation_id, causation_id=str(env.event_id)
        )
        return UnitOfWork(conn, self, meta, checks=False)

    async def append(
        self,
        conn: Conn,
        aggregate_type: str,
        aggregate_id: str,
        expected_version: int,
        events: Sequence[EventPayload],
        institution_id: str,
        region_code: str,
        meta: Metadata,
    ) -> list[Envelope]:
        now = self.now()
        written = await self.store.append(
            conn,
            aggregate_type,
            aggregate_id,
            expected_version,
            [NewEvent(e, institution_id, region_code, now) for e in events],
            meta,
        )
        for envelope, event in zip(written, events, strict=True):
            await self.project(conn, envelope, event)
        return written


def ports_of(rt: Any) -> Ports:
    """The ports of a running service (its event store, pool and clock)."""
    return Ports(store=rt.store, db=PoolDatabase(lambda: rt.pool), clock=rt.clock)
