"""SVG charts of the validation report: scree plot with parallel analysis, rwg(j) spread.

Written by hand like :mod:`kemitraan_assess.reporting.charts`: an ``<svg role="img">`` with
a ``<title>`` and a ``<desc>`` stating the numbers, every text escaped, coordinates
rounded to 0.1 so the same data gives the same bytes. Lines differ by dash pattern and
marker shape as well as colour, so the chart reads in greyscale too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from ..reporting.locale import Catalogue

__all__ = ["scree_chart", "rwg_chart", "WIDTH"]

WIDTH = 400
_INK = "#1a1a1a"
_GRID = "#d9d9d9"
PC_COLOR = "#1d5a8e"
FA_COLOR = "#8a5300"
ZONE_COLORS = {"weak": "#a3231b", "moderate": "#8a5300", "strong": "#1b6e32"}
"""Bar colours of the rwg(j) zones (each ≥ 4.5:1 on white)."""


def _f(x: float) -> str:
    """A coordinate rounded to 0.1, without a trailing '.0'.

    Examples
    --------
    >>> _f(12.04), _f(3.25), _f(-0.0)
    ('12', '3.2', '0')
    """
    s = f"{round(x, 1):.1f}"
    s = s[:-2] if s.endswith(".0") else s
    return "0" if s == "-0" else s


def _svg(
    width: float, height: float, title: str, desc: str, body: list[str], css_class: str
) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
        f'viewBox="0 0 {_f(width)} {_f(height)}" width="{_f(width)}" height="{_f(height)}" '
        f'preserveAspectRatio="xMinYMin meet" font-size="12">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )
    return Markup(head + "".join(body) + "</svg>")


def _nice_step(top: float) -> float:
    """A tick step of 1, 2 or 5 × 10^k giving about five ticks up to ``top``."""
    raw = max(top, 1e-9) / 5
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)  # pragma: no cover - the loop always returns


def _marker(shape: str, x: float, y: float, color: str) -> str:
    if shape == "square":
        return f'<rect x="{_f(x - 3.5)}" y="{_f(y - 3.5)}" width="7" height="7" fill="{color}"/>'
    return f'<circle cx="{_f(x)}" cy="{_f(y)}" r="3.5" fill="{color}"/>'


def scree_chart(
    series: Sequence[dict[str, Any]],
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
        Each with ``label`` (legend text), ``values`` (eigenvalues, largest first),
        ``color``, ``dashed`` (bool) and ``marker`` ("circle", "square" or None).
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
    >>> svg = scree_chart([{"label": "PC", "values": [3.0, 1.2, 0.5], "color": "#000",
    ...                     "dashed": False, "marker": "circle"}], load_catalogue("en"),
    ...                   title="Scree", x_label="k", y_label="eigenvalue")
    >>> svg.startswith("<svg") and "<title>Scree</title>" in svg
    True
    """
    n = max((min(len(s["values"]), max_points) for s in series), default=0)
    legend_rows = (len(series) + 1) // 2
    left, right = 40.0, WIDTH - 10.0
    top = 10.0 + 18.0 * legend_rows + 6
    plot_h = 190.0
    bottom = top + plot_h
    height = bottom + 40
    vals = [
        float(v)
        for s in series
        for v in s["values"][:n]
        if v is not None and math.isfinite(float(v))
    ]
    y_max = max(vals + [1.0])
    step = _nice_step(y_max)
    y_top = math.ceil(y_max / step) * step
    low = min(vals + [0.0])
    y_min = 0.0 if low >= 0 else -max(step / 5, math.ceil(-low / (step / 5)) * step / 5)

    def px(rank: int) -> float:
        return left + (rank - 1) / max(n - 1, 1) * (right - left)

    def py(v: float) -> float:
        return bottom - (v - y_min) / (y_top - y_min) * plot_h

    body: list[str] = []
    for j, s in enumerate(series):  # legend, two columns
        lx = left + (j % 2) * 180
        ly = 10 + (j // 2) * 18
        dash = ' stroke-dasharray="5 3"' if s.get("dashed") else ""
        body.append(
            f'<line x1="{_f(lx)}" x2="{_f(lx + 22)}" y1="{_f(ly + 6)}" y2="{_f(ly + 6)}" '
            f'stroke="{s["color"]}" stroke-width="2"{dash}/>'
        )
        if s.get("marker"):
            body.append(_marker(s["marker"], lx + 11, ly + 6, s["color"]))
        body.append(
            f'<text x="{_f(lx + 28)}" y="{_f(ly + 10)}" fill="{_INK}">{escape(s["label"])}</text>'
        )
    v = 0.0 if y_min == 0 else math.ceil(y_min / step) * step
    while v <= y_top + 1e-9:
        y = py(v)
        body.append(
            f'<line x1="{_f(left)}" x2="{_f(right)}" y1="{_f(y)}" y2="{_f(y)}" stroke="{_GRID}"/>'
        )
        digits = 0 if step >= 1 else 1
        body.append(
            f'<text x="{_f(left - 5)}" y="{_f(y + 4)}" text-anchor="end" fill="#333">{escape(cat.number(v, digits))}</text>'
        )
        v += step
    if y_min < 0:
        body.append(
            f'<line x1="{_f(left)}" x2="{_f(right)}" y1="{_f(py(0))}" y2="{_f(py(0))}" stroke="#555"/>'
        )
    body.append(
        f'<line x1="{_f(left)}" x2="{_f(right)}" y1="{_f(bottom)}" y2="{_f(bottom)}" stroke="#555"/>'
    )
    tick = 1 if n <= 10 else 5
    for rank in range(1, n + 1):
        if rank == 1 or rank % tick == 0:
            body.append(
                f'<text x="{_f(px(rank))}" y="{_f(bottom + 15)}" text-anchor="middle" fill="#333">{rank}</text>'
            )
    body.append(
        f'<text x="{_f((left + right) / 2)}" y="{_f(bottom + 32)}" text-anchor="middle" fill="{_INK}">{escape(x_label)}</text>'
    )
    body.append(
        f'<text x="12" y="{_f((top + bottom) / 2)}" text-anchor="middle" fill="{_INK}" '
        f'transform="rotate(-90 12 {_f((top + bottom) / 2)})">{escape(y_label)}</text>'
    )
    desc = []
    for s in series:
        pts = [
            (i + 1, float(v))
            for i, v in enumerate(s["values"][:n])
            if v is not None and math.isfinite(float(v))
        ]
        if not pts:
            continue
        dash = ' stroke-dasharray="5 3"' if s.get("dashed") else ""
        path = " ".join(f"{_f(px(r))},{_f(py(v))}" for r, v in pts)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{s["color"]}" stroke-width="2"{dash}/>'
        )
        if s.get("marker"):
            body.extend(_marker(s["marker"], px(r), py(v), s["color"]) for r, v in pts)
        desc.append(f"{s['label']}: " + ", ".join(cat.number(v, 2) for _, v in pts))
    return _svg(WIDTH, height, title, "; ".join(desc), body, "scree-chart")


def _zone(lo: float, weak: float, strong: float) -> str:
    if lo >= strong - 1e-9:
        return "strong"
    if lo + 0.1 <= weak + 1e-9:
        return "weak"
    return "moderate"


def rwg_chart(
    rows: Sequence[dict[str, Any]],
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
        ``label``, ``histogram`` (10 counts over 0–0.1, ..., 0.9–1.0) and ``text`` (the
        numbers written under the label, e.g. the median).
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
    >>> svg = rwg_chart([{"label": "Goals", "histogram": [0] * 8 + [3, 4], "text": "median 0.9"}],
    ...                 load_catalogue("en"), title="rwg", weak=0.51, strong=0.7,
    ...                 legend={"weak": "weak", "moderate": "moderate", "strong": "strong"})
    >>> svg.count("<rect") >= 2
    True
    """
    left, right = 6.0, WIDTH - 6.0
    row_h = 70.0
    top = 26.0
    bar_h = 24.0
    height = top + row_h * len(rows) + 24

    def px(v: float) -> float:
        return left + v * (right - left)

    body: list[str] = []
    for j, key in enumerate(("weak", "moderate", "strong")):
        lx = left + j * 120
        body.append(f'<rect x="{_f(lx)}" y="6" width="12" height="12" fill="{ZONE_COLORS[key]}"/>')
        body.append(f'<text x="{_f(lx + 16)}" y="16" fill="{_INK}">{escape(legend[key])}</text>')
    peak = max((max(r["histogram"]) for r in rows if r["histogram"]), default=0) or 1
    desc = []
    for i, r in enumerate(rows):
        y0 = top + i * row_h
        base = y0 + 40 + bar_h
        body.append(
            f'<text x="{_f(left)}" y="{_f(y0 + 12)}" font-weight="bold" fill="{_INK}">{escape(r["label"])}</text>'
        )
        body.append(
            f'<text x="{_f(left)}" y="{_f(y0 + 27)}" font-size="11" fill="#333">{escape(r["text"])}</text>'
        )
        body.append(
            f'<line x1="{_f(left)}" x2="{_f(right)}" y1="{_f(base)}" y2="{_f(base)}" stroke="#555"/>'
        )
        for b, count in enumerate(r["histogram"]):
            if count <= 0:
                continue
            h = max(count / peak * bar_h, 1.5)
            color = ZONE_COLORS[_zone(b / 10, weak, strong)]
            body.append(
                f'<rect x="{_f(px(b / 10) + 1)}" y="{_f(base - h)}" width="{_f((right - left) / 10 - 2)}" '
                f'height="{_f(h)}" fill="{color}"/>'
            )
            body.append(
                f'<text x="{_f(px(b / 10 + 0.05))}" y="{_f(base - h - 2)}" text-anchor="middle" '
                f'font-size="10" fill="#333">{count}</text>'
            )
        for v in (weak, strong):
            body.append(
                f'<line x1="{_f(px(v))}" x2="{_f(px(v))}" y1="{_f(base - bar_h - 4)}" y2="{_f(base + 3)}" '
                f'stroke="{_INK}" stroke-dasharray="2 2"/>'
            )
        counts = ", ".join(
            f"{cat.number(b / 10, 1)}–{cat.number((b + 1) / 10, 1)}: {c}"
            for b, c in enumerate(r["histogram"])
            if c
        )
        desc.append(f"{r['label']} ({r['text']}): {counts}")
    axis_y = top + row_h * len(rows) + 2
    for k in range(0, 11, 2):
        body.append(
            f'<text x="{_f(min(max(px(k / 10), left + 8), right - 8))}" y="{_f(axis_y + 12)}" text-anchor="middle" '
            f'font-size="11" fill="#333">{escape(cat.number(k / 10, 1))}</text>'
        )
    return _svg(WIDTH, height, title, "; ".join(desc), body, "rwg-chart")
