"""Verdicts of `make bench`: each figure against its target (issue 22, "Done when"), and one
line per target, met or missed by how much, so that a run reads without redoing arithmetic.

A target is either a ratio to the same-run baseline (command path, saturated throughput,
rebuild) or a bound on the value itself (latency p99, memory): the issue states both kinds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol


def number(value: float) -> str:
    """A figure as the table shows it: one decimal below 100, none from 100 on."""
    return f"{value:,.1f}" if abs(value) < 100 else f"{value:,.0f}"


@dataclass(frozen=True)
class Target:
    goal: str  # the wording; figures that share a goal get one verdict line
    bound: float
    on_ratio: bool = False  # compared as a ratio to the same-run baseline, else as a value
    at_most: bool = False  # lower is better (latency, memory), else higher
    unit: str = ""  # of the bound and the value, when compared as a value

    def text(self) -> str:
        sign = "<=" if self.at_most else ">="
        return f"{sign} {self._show(self.bound)}"

    def met(self, value: float, ratio: float) -> bool:
        x = self.measured(value, ratio)
        return x <= self.bound if self.at_most else x >= self.bound

    def verdict(self, value: float, ratio: float) -> str:
        """`met (0.71 >= 0.6)` or `missed by 0.39 (0.21 < 0.6, 2.9x short)`."""
        x = self.measured(value, ratio)
        shown, bound = self._show(x), self._show(self.bound)
        if self.met(value, ratio):
            return f"met ({shown} {'<=' if self.at_most else '>='} {bound})"
        gap = self._show(abs(x - self.bound))
        if self.at_most:
            return f"missed by {gap} ({shown} > {bound}, {x / self.bound:.1f}x over)"
        short = f"{self.bound / x:.1f}x short" if x > 0 else "nothing measured"
        return f"missed by {gap} ({shown} < {bound}, {short})"

    def measured(self, value: float, ratio: float) -> float:
        x = ratio if self.on_ratio else value
        return x if math.isfinite(x) else (math.inf if self.at_most else 0.0)

    def _show(self, x: float) -> str:
        if self.on_ratio:
            return f"{x:.2f}"
        whole = math.isfinite(x) and x == int(x)  # a bound such as 60 ms, not 60.0 ms
        return f"{x:,.0f} {self.unit}" if whole else f"{number(x)} {self.unit}".rstrip()


class Judged(Protocol):
    """What a verdict needs of a figure (`bench.__main__.Figure`)."""

    name: str
    value: float
    target: Target | None

    @property
    def ratio(self) -> float: ...


def label(figure: Judged) -> str:
    """The figure's name up to its first comma (the rest are side figures such as p50)."""
    return figure.name.split(",")[0]


def verdict(figure: Judged) -> str:
    if figure.target is None:
        return "–"
    return figure.target.verdict(figure.value, figure.ratio)


def summary(figures: Iterable[Judged]) -> list[str]:
    """One line per target: met (with the figure nearest its bound) or what missed it."""
    goals: dict[str, list[Judged]] = {}
    for f in figures:
        if f.target is not None:
            goals.setdefault(f.target.goal, []).append(f)
    lines = []
    for goal, judged in goals.items():
        missed = [f for f in judged if not _met(f)]
        if not missed:
            nearest = min(judged, key=_margin)
            lines.append(f"{goal}: met, {label(nearest)} {verdict(nearest)}")
            continue
        parts = "; ".join(f"{label(f)} {verdict(f)}" for f in missed)
        lines.append(f"{goal}: MISSED ({len(missed)} of {len(judged)}): {parts}")
    return lines


def _met(f: Judged) -> bool:
    assert f.target is not None
    return f.target.met(f.value, f.ratio)


def _margin(f: Judged) -> float:
    """How far a met figure is from its bound, relative to the bound (smaller is closer)."""
    t = f.target
    assert t is not None
    x = t.measured(f.value, f.ratio)
    return (t.bound - x) / t.bound if t.at_most else (x - t.bound) / t.bound
