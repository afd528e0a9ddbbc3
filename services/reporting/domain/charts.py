"""Bar charts as SVG geometry (pure): the template draws the rectangles and labels; no chart
library, no script. Colours are the portal's, each with contrast of 4.5:1 or more on white."""

from __future__ import annotations

from dataclasses import dataclass, field

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 16, 40
COLOURS = ("#8b0000", "#1d4ed8", "#6b21a8")  # 4.5:1 or more against white


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str  # for screen readers: "2026年5月 行政处罚 3"
    colour: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass
class Chart:
    title: str
    categories: list[str]
    series: list[tuple[str, list[int]]]
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    label_x: list[tuple[float, str]] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    baseline: float = HEIGHT - BOTTOM
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT


def _scale_top(peak: int) -> int:
    """A round top for the axis with four whole-number steps: 4, 8, 20, 40, 80, 200…"""
    magnitude = 1
    while True:
        for step in (4, 8, 20):
            if step * magnitude >= peak:
                return step * magnitude
        magnitude *= 10


def bars(title: str, categories: list[str], series: list[tuple[str, list[int]]]) -> Chart:
    chart = Chart(title, categories, series)
    peak = max([v for _, values in series for v in values] + [1])
    top = _scale_top(peak)
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(categories))
    width = slot * 0.8 / max(1, len(series))
    for s, (name, values) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        chart.legend.append((name, colour))
        for c, value in enumerate(values):
            h = plot_h * value / top
            x = LEFT + c * slot + slot * 0.1 + s * width
            label = f"{categories[c]} {name} {value}"
            chart.bars.append(
                Bar(
                    round(x, 1),
                    round(TOP + plot_h - h, 1),
                    round(width, 1),
                    round(h, 1),
                    value,
                    label,
                    colour,
                )
            )
    chart.ticks = [Tick(round(TOP + plot_h - plot_h * k / 4, 1), top * k // 4) for k in range(5)]
    every = max(1, len(categories) // 6)
    chart.label_x = [
        (round(LEFT + c * slot + slot / 2, 1), name)
        for c, name in enumerate(categories)
        if c % every == 0
    ]
    return chart
