"""The drawing primitives of every report chart: one coordinate format, one page width, one
set of text sizes and colours, the same axis.

Both reports draw with these: the partnership report's charts
(:mod:`kemitraan_assess.reporting.charts`) and the validation report's
(:mod:`kemitraan_assess.reporting.validation_charts`). A chart is ``WIDTH`` units wide and
shown at most that many CSS pixels wide on a phone, so one unit is about one CSS pixel at
360 px and no chart text is smaller than ``SMALL_TEXT`` units there (the browser test
``tests/reporting/test_chart_text.py`` measures it). Coordinates are rounded to 0.1, so the
same data give the same bytes; every text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

from .locale import Catalogue

__all__ = [
    "AMBER",
    "AXIS",
    "BLUE",
    "FONT_FAMILY",
    "GREEN",
    "GRID",
    "INK",
    "LABEL_INK",
    "RED",
    "SMALL_TEXT",
    "TEXT_SIZE",
    "WIDTH",
    "coord",
    "document",
    "line",
    "linear_scale",
    "nice_step",
    "rect",
    "text",
    "value_axis",
]

WIDTH = 320
"""Width of a chart in SVG units (≈ CSS px on a 360 px phone)."""
TEXT_SIZE = 13
"""Size of a chart's body text (names, values), in units."""
SMALL_TEXT = 11
"""The smallest text a chart writes (legends, counts, axis numbers): ≥ 10 CSS px at 360 px."""
FONT_FAMILY = "Noto Sans, DejaVu Sans, Arial, sans-serif"

INK = "#1a1a1a"
"""Names and titles."""
LABEL_INK = "#333"
"""Axis numbers and secondary labels."""
AXIS = "#555"
GRID = "#d9d9d9"
RED = "#a3231b"
AMBER = "#8a5300"
GREEN = "#1b6e32"
BLUE = "#1d5a8e"
"""Marks of the colour scale bad → good; each ≥ 4.5:1 on white, so they can also colour text."""


def coord(x: float) -> str:
    """A coordinate rounded to 0.1, without a trailing '.0' and without a negative zero.

    Examples
    --------
    >>> coord(12.04), coord(3.25), coord(-0.0), coord(-0.04)
    ('12', '3.2', '0', '0')
    """
    s = f"{round(x, 1):.1f}"
    s = s[:-2] if s.endswith(".0") else s
    return "0" if s == "-0" else s


def document(height: float, title: str, desc: str, body: Sequence[str], css_class: str) -> Markup:
    """An accessible chart: ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that
    states its numbers, ``WIDTH`` units wide."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
        f'viewBox="0 0 {WIDTH} {coord(height)}" width="{WIDTH}" height="{coord(height)}" '
        f'preserveAspectRatio="xMinYMin meet" font-size="{TEXT_SIZE}" '
        f'font-family="{FONT_FAMILY}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )
    return Markup(head + "".join(body) + "</svg>")


def text(
    x: float,
    y: float,
    content: str,
    *,
    fill: str = INK,
    anchor: str | None = None,
    size: float | None = None,
    bold: bool = False,
    extra: str = "",
) -> str:
    """A ``<text>`` element, its content escaped (``size`` None: the chart's ``TEXT_SIZE``).

    Examples
    --------
    >>> text(10, 20.04, "a < b", anchor="end", size=11, fill=RED)
    '<text x="10" y="20" font-size="11" text-anchor="end" fill="#a3231b">a &lt; b</text>'
    """
    attrs = f'x="{coord(x)}" y="{coord(y)}"'
    if size is not None:
        attrs += f' font-size="{coord(size)}"'
    if anchor:
        attrs += f' text-anchor="{anchor}"'
    if bold:
        attrs += ' font-weight="bold"'
    return f'<text {attrs} fill="{fill}"{extra}>{escape(content)}</text>'


def line(
    x1: float,
    x2: float,
    y1: float,
    y2: float,
    *,
    stroke: str = AXIS,
    width: float | None = None,
    dash: str | None = None,
    cap: str | None = None,
) -> str:
    """A ``<line>`` (axis grey by default)."""
    out = (
        f'<line x1="{coord(x1)}" x2="{coord(x2)}" y1="{coord(y1)}" y2="{coord(y2)}" '
        f'stroke="{stroke}"'
    )
    if width is not None:
        out += f' stroke-width="{coord(width)}"'
    if dash:
        out += f' stroke-dasharray="{dash}"'
    if cap:
        out += f' stroke-linecap="{cap}"'
    return out + "/>"


def rect(x: float, y: float, w: float, h: float, fill: str, *, extra: str = "") -> str:
    """A filled ``<rect>``."""
    return (
        f'<rect x="{coord(x)}" y="{coord(y)}" width="{coord(w)}" height="{coord(h)}" '
        f'fill="{fill}"{extra}/>'
    )


def linear_scale(lo: float, hi: float, left: float, right: float) -> Callable[[float], float]:
    """Value → x coordinate, values outside ``lo..hi`` clamped to the ends.

    Examples
    --------
    >>> x = linear_scale(1, 5, 10, 210)
    >>> x(1), x(3), x(9)
    (10.0, 110.0, 210.0)
    """
    span = hi - lo

    def x(v: float) -> float:
        v = min(max(v, lo), hi)
        return left + (v - lo) / span * (right - left)

    return x


def value_axis(
    x: Callable[[float], float],
    lo: float,
    hi: float,
    y: float,
    cat: Catalogue,
    *,
    step: float = 1.0,
    digits: int = 0,
) -> list[str]:
    """A horizontal value axis at ``y``: the line, a tick and the number (in the report's
    locale) at every ``step`` from ``lo`` to ``hi``."""
    out = [line(x(lo), x(hi), y, y)]
    v = lo
    while v <= hi + 1e-9:
        out.append(line(x(v), x(v), y, y + 4))
        out.append(text(x(v), y + 17, cat.number(v, digits), anchor="middle", fill=LABEL_INK))
        v += step
    return out


def nice_step(top: float) -> float:
    """A tick step of 1, 2 or 5 × 10^k giving about five ticks up to ``top``.

    Examples
    --------
    >>> nice_step(3.4), nice_step(12), nice_step(0.07)
    (1.0, 5.0, 0.02)
    """
    raw = max(top, 1e-9) / 5
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return float(m * mag)
    return float(10 * mag)  # pragma: no cover - the loop always returns
