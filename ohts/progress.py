"""Progress of a long operator command: a rich progress bar (count, rate, time left) on a
terminal, plain periodic lines otherwise (logs, pipes, CI). One helper for every command."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """`310 events/s` (rich's own speed column speaks bytes)."""

    def __init__(self, unit: str) -> None:
        super().__init__()
        self.unit = unit

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed or 0:.0f} {self.unit}/s")


class Tracker(Protocol):
    def advance(self, amount: int = 1) -> None: ...

    def set_total(self, total: int | None) -> None: ...

    @property
    def done(self) -> int: ...


class PlainLines:
    """A line such as `backup: 1200/5000 tables (24%), 310/s, 12 s left` every `every` s."""

    def __init__(
        self, what: str, total: int | None, unit: str, out: IO[str], every: float = 5.0
    ) -> None:
        self.what, self.total, self.unit, self.out, self.every = what, total, unit, out, every
        self.started = self._last = time.monotonic()
        self._done = 0

    @property
    def done(self) -> int:
        return self._done

    def set_total(self, total: int | None) -> None:
        self.total = total

    def advance(self, amount: int = 1) -> None:
        self._done += amount
        if time.monotonic() - self._last >= self.every:
            self.line()

    def line(self) -> None:
        self._last = now = time.monotonic()
        elapsed = max(now - self.started, 1e-9)
        rate = self._done / elapsed
        text = f"{self.what}: {self._done}"
        if self.total:
            text += f"/{self.total} {self.unit} ({100 * self._done / self.total:.0f}%)"
            left = (self.total - self._done) / rate if rate else None
            text += f", {rate:.0f}/s" + (f", {left:.0f} s left" if left is not None else "")
        else:
            text += f" {self.unit}, {rate:.0f}/s"
        print(text + f", {elapsed:.0f} s", file=self.out, flush=True)


class RichBar:
    def __init__(self, progress: Progress, what: str, total: int | None) -> None:
        self.progress = progress
        self.task = progress.add_task(what, total=total)
        self._done = 0

    @property
    def done(self) -> int:
        return self._done

    def set_total(self, total: int | None) -> None:
        self.progress.update(self.task, total=total)

    def advance(self, amount: int = 1) -> None:
        self._done += amount
        self.progress.advance(self.task, amount)


@contextmanager
def progress(
    what: str, total: int | None = None, unit: str = "items", *, out: IO[str] | None = None
) -> Iterator[Tracker]:
    """Track `what`; on a terminal (stderr) a bar, elsewhere lines every few seconds and one
    at the end. `total` may be set later (`set_total`) when only the work reveals it."""
    stream = out or sys.stderr
    if stream.isatty():
        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            RateColumn(unit),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=Console(file=stream),
            transient=False,
        )
        with bar:
            yield RichBar(bar, what, total)
        return
    lines = PlainLines(what, total, unit, stream)
    yield lines
    lines.line()
