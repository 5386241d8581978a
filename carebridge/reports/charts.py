"""Bar charts drawn on the server as SVG, for the reports: no JavaScript and no inline styles
(the CSP allows neither), every colour named in a legend, and each chart's figures also given as
a table by the page."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# GOV.UK Frontend's brand palette (6.x), as SVG presentation attributes: blue and orange stay
# apart for colour-blind readers, and every colour is named in a legend and backed by a table.
GREY = "#484949"  # black tint-25
BLUE = "#1d70b8"
ORANGE = "#f47738"
TEAL = "#158187"
LINE = "#cecece"  # black tint-80
TEXT = "#0b0c0c"

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 32, 44  # room for the axis title and labels
MAX_X_LABELS = 13


def number_text(value: float) -> str:
    """A figure with at most one decimal place, and none when it is whole: "5", "5.5"."""
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Series:
    label: str
    fill: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    title: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    label: str


@dataclass(frozen=True)
class BarChart:
    """A bar chart laid out for an SVG WIDTH by HEIGHT user units, scaled by CSS."""

    id: str
    title: str
    description: str
    unit: str
    axis_title: str  # above the vertical axis: what its numbers count
    series: list[Series]
    bars: list[Bar]
    ticks: list[Tick]
    x_labels: list[XLabel]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    grid: str = LINE
    ink: str = TEXT


def _nice_step(largest: float, *, whole: bool) -> float:
    """A round step that reaches `largest` in at most four ticks: 1, 2, 2.5 or 5 times a power of ten."""
    if largest <= 0:
        return 1
    rough = largest / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * magnitude
        if step >= rough and (not whole or step == int(step)):
            return max(step, 1) if whole else step
    return 10 * magnitude


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    unit: str,
    axis_title: str,
    series: Sequence[Series],
    groups: Sequence[tuple[str, str, Sequence[float | None]]],
    whole: bool = True,
) -> BarChart:
    """Bars side by side in each group (a week), one per series; None draws no bar. `groups`
    holds each group's axis label, the words of its bars' titles, and one value per series."""
    values = [v for _label, _words, group in groups for v in group if v is not None]
    step = _nice_step(max(values, default=0), whole=whole)
    top_value = step * max(1, math.ceil(max(values, default=0) / step))
    plot_height = HEIGHT - BOTTOM - TOP
    plot_width = WIDTH - RIGHT - LEFT
    slot = plot_width / max(len(groups), 1)
    bar_width = slot * 0.8 / max(len(series), 1)
    every = max(1, math.ceil(len(groups) / MAX_X_LABELS))

    def y_of(value: float) -> float:
        return round(HEIGHT - BOTTOM - plot_height * value / top_value, 2)

    bars: list[Bar] = []
    x_labels: list[XLabel] = []
    for n, (label, words, group) in enumerate(groups):
        start = LEFT + slot * n + slot * 0.1
        for m, (each, value) in enumerate(zip(series, group, strict=True)):
            if value is None:
                continue
            y = y_of(value)
            bars.append(
                Bar(
                    x=round(start + bar_width * m, 2),
                    y=y,
                    width=round(bar_width, 2),
                    height=round(HEIGHT - BOTTOM - y, 2),
                    fill=each.fill,
                    title=f"{words}: {each.label.lower()} {number_text(value)} {unit}".strip(),
                )
            )
        if n % every == 0:
            x_labels.append(XLabel(x=round(LEFT + slot * (n + 0.5), 2), label=label))
    ticks = [
        Tick(y=y_of(step * k), label=number_text(step * k))
        for k in range(round(top_value / step) + 1)
    ]
    return BarChart(
        id=id,
        title=title,
        description=description,
        unit=unit,
        axis_title=axis_title,
        series=list(series),
        bars=bars,
        ticks=ticks,
        x_labels=x_labels,
    )
