"""`kill -USR1 <pid>` logs what a running service is waiting on.

A stuck asyncio process looks idle to a thread-level profiler: every task is parked on a
future. This logs each task's coroutine stack and the pool's counters, one record, so an
operator can see which await never returns without stopping the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import signal
from collections.abc import Callable
from typing import Any

from ohts_kit.logging import get_logger

log = get_logger(__name__)


def task_stacks() -> list[dict[str, Any]]:
    out = []
    for task in asyncio.all_tasks():
        text = io.StringIO()
        task.print_stack(limit=20, file=text)
        out.append({"task": task.get_name(), "stack": text.getvalue().splitlines()[1:]})
    return out


def pool_counters(pool: Any) -> dict[str, Any]:
    if pool is None:
        return {}
    return {
        "size": pool.get_size(),
        "idle": pool.get_idle_size(),
        "max": pool.get_max_size(),
        "queued_holders": pool._queue.qsize() if getattr(pool, "_queue", None) else None,
    }


def install_dump_on_signal(service: str, pool_of: Callable[[], Any]) -> None:
    """Log task stacks and pool counters on SIGUSR1 (no-op where signals are unavailable,
    e.g. off the main thread in tests)."""

    def dump() -> None:
        log.warning(
            "diagnostics.dump", service=service, pool=pool_counters(pool_of()), tasks=task_stacks()
        )

    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError, AttributeError):
        asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, dump)
