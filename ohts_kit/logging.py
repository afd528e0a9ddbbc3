"""structlog as JSON lines; request and message context travels in contextvars.

Standard-library records (uvicorn, aiokafka) are rendered as JSON by the same chain, so a
service's output is one JSON object per line.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol, TextIO

import structlog


class _Event(Protocol):
    @property
    def correlation_id(self) -> str: ...
    @property
    def event_id(self) -> Any: ...
    @property
    def event_type(self) -> str: ...


# The event a consumer is applying. One variable set per event, read only when a line is
# logged: structlog's bound_contextvars copies the whole context on every call, which cost a
# consumer 7% of its time at 1,000 events/s.
_EVENT: ContextVar[_Event | None] = ContextVar("ohts_log_event", default=None)


@contextmanager
def about_event(event: _Event) -> Iterator[None]:
    """Lines logged inside carry the event's correlation id, id and type."""
    token = _EVENT.set(event)
    try:
        yield
    finally:
        _EVENT.reset(token)


def _merge_event(logger: Any, method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    event = _EVENT.get()
    if event is not None:
        event_dict.setdefault("correlation_id", event.correlation_id)
        event_dict.setdefault("event_id", str(event.event_id))
        event_dict.setdefault("event_type", event.event_type)
    return event_dict


# The event's ids before structlog's context: a line's own values win, then the event's,
# then what was bound (as with bound_contextvars, which overrode the bound values).
_SHARED: list[Any] = [
    _merge_event,
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(service: str, level: str = "INFO", stream: TextIO | None = None) -> None:
    out = stream or sys.stderr
    renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
    handler = logging.StreamHandler(out)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=_SHARED,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    logging.getLogger("aiokafka").setLevel(max(logging.WARNING, root.level))
    structlog.configure(
        processors=[*_SHARED, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(out),
        # Not cached: a logger bound before configuration must not keep the old setup.
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
