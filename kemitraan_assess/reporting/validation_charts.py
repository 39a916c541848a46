"""The validation report's charts: the scree plot with parallel analysis, and rwg(j)
across partnerships.

Drawn with the primitives of :mod:`kemitraan_assess.reporting.svg`, as the partnership
report's charts are: the same width, text sizes, colours, axis and coordinate format. Lines
differ by dash pattern and marker shape as well as colour, so a chart reads in greyscale.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from .locale import Catalogue
from .svg import (
    AMBER,
    BLUE,
    GREEN,
    GRID,
    INK,
    LABEL_INK,
    RED,
    SMALL_TEXT,
    TEXT_SIZE,
    WIDTH,
    coord,
    document,
    line,
    linear_scale,
    nice_step,
    rect,
    text,
)

__all__ = ["FA_COLOR", "PC_COLOR", "ZONE_COLORS", "Series", "RwgRow", "rwg_chart", "scree_chart"]

PC_COLOR = BLUE
FA_COLOR = AMBER
ZONE_COLORS = {"weak": RED, "moderate": AMBER, "strong": GREEN}
"""Bar colours of the rwg(j) zones: the partnership report's concern, attention and
strength colours."""


@dataclass(frozen=True)
class Series:
    """One line of the scree plot: eigenvalues, largest first."""

    label: str
    values: tuple[float | None, ...]
    color: str
    dashed: bool = False
    marker: str | None = None  # "circle", "square" or None


@dataclass(frozen=True)
class RwgRow:
    """One scale's histogram of rwg(j): 10 counts over 0–0.1, …, 0.9–1.0, and the numbers
    written under its name (e.g. the median)."""

    label: str
    histogram: tuple[int, ...]
    text: str
    n_weak: int | None = None
    """Partnerships below the weak cut-off: splits the bar that holds the cut-off (0,5–0,6
    for 0,51) into its weak and its moderate part, so the colours follow the rule exactly."""


def _marker(shape: str, x: float, y: float, color: str) -> str:
    if shape == "square":
        return rect(x - 3.5, y - 3.5, 7, 7, color)
    return f'<circle cx="{coord(x)}" cy="{coord(y)}" r="3.5" fill="{color}"/>'


def _finite(v: float | None) -> bool:
    return v is not None and math.isfinite(float(v))


def scree_chart(
    series: Sequence[Series],
    cat: Catalogue,
    *,
    title: str,
    x_label: str,
    y_label: str,
    max_points: int = 20,
) -> Markup:
    """Eigenvalues against their rank, observed (solid) and simulated (dashed).

    Parameters
    ----------
    series
        The lines, each with its legend text, colour, dash and marker.
    cat
        Catalogue for numbers.
    title, x_label, y_label
        Accessible name and axis titles.
    max_points
        Ranks drawn (the first ``max_points``).

    Returns
    -------
    Markup
        The SVG.

    Examples
    --------
    >>> from kemitraan_assess.reporting.locale import load_catalogue
    >>> svg = scree_chart([Series("PC", (3.0, 1.2, 0.5), "#000", marker="circle")],
    ...                   load_catalogue("en"), title="Scree", x_label="k", y_label="eigenvalue")
    >>> svg.startswith("<svg") and "<title>Scree</title>" in svg
    True
    """
    n = max((min(len(s.values), max_points) for s in series), default=0)
    left, right = 40.0, WIDTH - 10.0
    top = 10.0 + 18.0 * len(series) + 6  # the legend: one line per series
    plot_h = 190.0
    bottom = top + plot_h
    height = bottom + 40
    vals = [float(v) for s in series for v in s.values[:n] if _finite(v)]  # type: ignore[arg-type]
    y_max = max([*vals, 1.0])
    step = nice_step(y_max)
    y_top = math.ceil(y_max / step) * step
    low = min([*vals, 0.0])
    y_min = 0.0 if low >= 0 else -max(step / 5, math.ceil(-low / (step / 5)) * step / 5)
    px = linear_scale(1, max(n, 2), left, right)

    def py(v: float) -> float:
        return bottom - (v - y_min) / (y_top - y_min) * plot_h

    body: list[str] = []
    for j, s in enumerate(series):
        ly = 10 + j * 18
        dash = "5 3" if s.dashed else None
        body.append(line(left, left + 22, ly + 6, ly + 6, stroke=s.color, width=2, dash=dash))
        if s.marker:
            body.append(_marker(s.marker, left + 11, ly + 6, s.color))
        body.append(text(left + 28, ly + 10, s.label, size=SMALL_TEXT + 1))
    digits = 0 if step >= 1 else 1
    v = 0.0 if y_min == 0 else math.ceil(y_min / step) * step
    while v <= y_top + 1e-9:
        y = py(v)
        body.append(line(left, right, y, y, stroke=GRID))
        body.append(text(left - 5, y + 4, cat.number(v, digits), anchor="end", fill=LABEL_INK))
        v += step
    if y_min < 0:
        body.append(line(left, right, py(0), py(0)))
    body.append(line(left, right, bottom, bottom))
    tick = 1 if n <= 10 else 5
    for rank in range(1, n + 1):
        if rank == 1 or rank % tick == 0:
            body.append(text(px(rank), bottom + 15, str(rank), anchor="middle", fill=LABEL_INK))
    body.append(text((left + right) / 2, bottom + 32, x_label, anchor="middle"))
    mid = (top + bottom) / 2
    body.append(
        text(12, mid, y_label, anchor="middle", extra=f' transform="rotate(-90 12 {coord(mid)})"')
    )
    desc = []
    for s in series:
        pts = [(i + 1, float(v)) for i, v in enumerate(s.values[:n]) if _finite(v)]  # type: ignore[arg-type]
        if not pts:
            continue
        dash = ' stroke-dasharray="5 3"' if s.dashed else ""
        path = " ".join(f"{coord(px(r))},{coord(py(v))}" for r, v in pts)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{s.color}" stroke-width="2"{dash}/>'
        )
        if s.marker:
            body.extend(_marker(s.marker, px(r), py(v), s.color) for r, v in pts)
        desc.append(f"{s.label}: " + ", ".join(cat.number(v, 2) for _, v in pts))
    return document(height, title, "; ".join(desc), body, "scree-chart")


def _wrap(label: str, width: float, size: float = TEXT_SIZE) -> list[str]:
    """A bold name broken at spaces into lines that fit ``width`` units (estimated at 0.62
    of the text size per character: Noto/DejaVu Sans bold), never clipped.

    Examples
    --------
    >>> _wrap("Tujuan dan sasaran yang jelas dan disepakati", 308)
    ['Tujuan dan sasaran yang jelas dan', 'disepakati']
    >>> _wrap("Trust", 308)
    ['Trust']
    """
    per_line = max(int(width / (0.62 * size)), 8)
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [label]


def _zone(lo: float, weak: float, strong: float) -> str:
    if lo >= strong - 1e-9:
        return "strong"
    if lo + 0.1 <= weak + 1e-9:
        return "weak"
    return "moderate"


def rwg_chart(
    rows: Sequence[RwgRow],
    cat: Catalogue,
    *,
    title: str,
    weak: float,
    strong: float,
    legend: dict[str, str],
) -> Markup:
    """One small histogram of rwg(j) across partnerships per scale.

    Parameters
    ----------
    rows
        One per scale.
    cat
        Catalogue for numbers.
    title
        Accessible name.
    weak, strong
        Thresholds drawn as vertical lines (0.51 and 0.70 by default in the instrument).
    legend
        Words for the zones: ``weak``, ``moderate``, ``strong``.

    Returns
    -------
    Markup
        The SVG; the bins below ``weak`` are red, from ``strong`` green, between amber.

    Examples
    --------
    >>> from kemitraan_assess.reporting.locale import load_catalogue
    >>> svg = rwg_chart([RwgRow("Goals", (0,) * 8 + (3, 4), "median 0.9")],
    ...                 load_catalogue("en"), title="rwg", weak=0.51, strong=0.7,
    ...                 legend={"weak": "weak", "moderate": "moderate", "strong": "strong"})
    >>> svg.count("<rect") >= 2
    True
    """
    left, right = 6.0, WIDTH - 6.0
    row_h = 64.0
    top = 26.0
    bar_h = 20.0
    labels = [_wrap(r.label, right - left) for r in rows]
    extra = [14.0 * (len(lines) - 1) for lines in labels]  # a wrapped name takes a line more
    height = top + row_h * len(rows) + sum(extra) + 24
    px = linear_scale(0.0, 1.0, left, right)
    body: list[str] = []
    for j, key in enumerate(("weak", "moderate", "strong")):
        lx = left + j * 100
        body.append(rect(lx, 6, 12, 12, ZONE_COLORS[key]))
        body.append(text(lx + 16, 16, legend[key], size=SMALL_TEXT + 1))
    peak = max((max(r.histogram) for r in rows if r.histogram), default=0) or 1
    desc = []
    for i, r in enumerate(rows):
        y0 = top + i * row_h + sum(extra[:i]) + extra[i]
        base = y0 + 42 + bar_h  # room for a full bar's count under the row's numbers
        for j, part in enumerate(labels[i]):
            body.append(text(left, y0 + 12 - extra[i] + 14 * j, part, bold=True))
        body.append(text(left, y0 + 28, r.text, size=SMALL_TEXT + 1, fill=LABEL_INK))
        body.append(line(left, right, base, base))
        cut = int(weak * 10 + 1e-9)  # the bin holding the weak cut-off, unless it is an edge
        split = abs(weak * 10 - round(weak * 10)) > 1e-9 and r.n_weak is not None
        for b, count in enumerate(r.histogram):
            if count <= 0:
                continue
            h = max(count / peak * bar_h, 1.5)
            color = ZONE_COLORS[_zone(b / 10, weak, strong)]
            x0, w = px(b / 10) + 1, (right - left) / 10 - 2
            if split and b == cut and r.n_weak is not None:
                low = min(max(r.n_weak - sum(r.histogram[:cut]), 0), count)
                hw = low / count * h
                if low:
                    body.append(rect(x0, base - hw, w, hw, ZONE_COLORS["weak"]))
                if count - low:
                    body.append(rect(x0, base - h, w, h - hw, ZONE_COLORS["moderate"]))
            else:
                body.append(rect(x0, base - h, w, h, color))
            body.append(
                text(
                    px(b / 10 + 0.05),
                    base - h - 2,
                    str(count),
                    anchor="middle",
                    size=SMALL_TEXT,
                    fill=LABEL_INK,
                )
            )
        for v in (weak, strong):
            body.append(line(px(v), px(v), base - bar_h - 4, base + 3, stroke=INK, dash="2 2"))
        counts = ", ".join(
            f"{cat.number(b / 10, 1)}–{cat.number((b + 1) / 10, 1)}: {c}"
            for b, c in enumerate(r.histogram)
            if c
        )
        desc.append(f"{r.label} ({r.text}): {counts}")
    axis_y = top + row_h * len(rows) + sum(extra) + 2
    for k in range(0, 11, 2):
        x = min(max(px(k / 10), left + 8), right - 8)
        body.append(
            text(
                x,
                axis_y + 13,
                cat.number(k / 10, 1),
                anchor="middle",
                size=SMALL_TEXT,
                fill=LABEL_INK,
            )
        )
    return document(height, title, "; ".join(desc), body, "rwg-chart")
