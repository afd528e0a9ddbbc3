"""One way to declare what a consumer or projection does with each event type.

    policies = EventHandlers[Registry]("registry")

    @policies.on(QualificationRevocationOrdered, appends=True)
    async def revocation_ordered(reg, conn, env, e: QualificationRevocationOrdered): ...

    policies.ignore(QcPlanGenerated, why="the registry has no use for QC plans")

`bind(context)` gives the consumer its `{event_type: handler}` table. Every type on a
subscribed topic is either handled or ignored on purpose: `unaccounted(types)` lists the
ones that are neither, and each service's test fails on them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from typing import Generic, TypeVar

from contracts.envelope import Envelope, EventPayload, all_event_types
from ohts_kit.consumer import Handler, may_append
from ohts_kit.db import Conn

C = TypeVar("C")
F = TypeVar("F", bound=Callable[..., Awaitable[None]])


class EventHandlers(Generic[C]):
    """A table of handlers keyed by event type, bound to a context (the application) once."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: dict[str, list[tuple[Callable[..., Awaitable[None]], bool]]] = {}
        self.ignored: dict[str, str] = {}

    def on(self, *types: type[EventPayload], appends: bool = False) -> Callable[[F], F]:
        """Register `fn(context, conn, envelope, event)` for these event types. Several
        handlers of one type run in the order they were declared."""

        def register(fn: F) -> F:
            for t in types:
                self._handlers.setdefault(t.event_type, []).append((fn, appends))
            return fn

        return register

    def ignore(self, *types: type[EventPayload], why: str) -> None:
        for t in types:
            self.ignored[t.event_type] = why

    @property
    def handled(self) -> set[str]:
        return set(self._handlers)

    def functions(self, event_type: str) -> list[Callable[..., Awaitable[None]]]:
        """The handlers declared for a type, unbound, in order."""
        return [fn for fn, _ in self._handlers.get(event_type, [])]

    def include(self, other: EventHandlers[C]) -> EventHandlers[C]:
        """Merge another table into this one (its handlers run after this one's)."""
        for event_type, entries in other._handlers.items():
            self._handlers.setdefault(event_type, []).extend(entries)
        self.ignored.update(other.ignored)
        return self

    def bind(self, context: C) -> dict[str, Handler]:
        table: dict[str, Handler] = {}
        for event_type, entries in self._handlers.items():
            bound = [partial(fn, context) for fn, _ in entries]
            handler = bound[0] if len(bound) == 1 else _chain(bound)
            if any(appends for _, appends in entries):
                handler = may_append(_wrap(handler))
            table[event_type] = handler
        return table

    def unaccounted(self, event_types: Iterable[str]) -> set[str]:
        """Types neither handled nor ignored on purpose."""
        return set(event_types) - self.handled - set(self.ignored)


def _chain(handlers: Sequence[Callable[..., Awaitable[None]]]) -> Handler:
    async def chained(conn: Conn, env: Envelope, e: EventPayload) -> None:
        for handler in handlers:
            await handler(conn, env, e)

    return chained


def _wrap(handler: Callable[..., Awaitable[None]]) -> Handler:
    async def wrapped(conn: Conn, env: Envelope, e: EventPayload) -> None:
        await handler(conn, env, e)

    return wrapped


def types_of_producer(producer: str) -> set[str]:
    """Every event type a producer's contracts define: what its topic can carry."""
    return {t for (t, _), _cls in all_event_types().items() if t.startswith(producer + ".")}
