"""Sweeps that happen by time (expiry, overdue items): one loop for every service."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from contracts.envelope import Actor, Role
from ohts_kit import metrics
from ohts_kit.eventstore import Metadata
from ohts_kit.logging import get_logger

log = get_logger(__name__)

Sweep = Callable[[Any, Metadata], Awaitable[int]]


def periodic(name: str, sweep: Sweep, app_of: Callable[[Any], Any]) -> Callable[..., Any]:
    """A background job running `sweep(app, meta)` every scheduler interval on the runtime's
    clock, as the service's scheduler; a failed run is logged and the loop goes on."""
    actor = Actor(subject=f"{name}-scheduler", role=Role.SYSTEM, region_code="000000")

    async def job(rt: Any, stop: asyncio.Event) -> None:
        meta = Metadata(actor=actor, correlation_id=f"{name}-sweep")
        while not stop.is_set():
            try:
                if done := await sweep(app_of(rt), meta):
                    log.info("sweep.done", sweep=name, count=done)
                metrics.scheduler_ran(rt.spec.name, name, ok=True)
            except Exception:
                log.exception("sweep.failed", sweep=name)
                metrics.scheduler_ran(rt.spec.name, name, ok=False)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), rt.settings.scheduler_interval_seconds)

    job.__name__ = name
    return job
