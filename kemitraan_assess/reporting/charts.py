"""The partnership report's charts: crisp, small, byte-deterministic, readable on a phone.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that states
its numbers, and carries the numbers as text beside the marks, so nothing is only in a
colour or a position. Labels sit above their bar, so a ``WIDTH``-unit drawing stays
legible at 360 px (one unit ≈ one CSS pixel). Drawn with the primitives of
:mod:`kemitraan_assess.reporting.svg`, as the validation report's charts are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from .locale import Catalogue
from .svg import (
    AMBER,
    AXIS,
    BLUE,
    GREEN,
    INK,
    RED,
    SMALL_TEXT,
    WIDTH,
    coord,
    document,
    line,
    linear_scale,
    rect,
    text,
    value_axis,
)

__all__ = [
    "ci_chart",
    "bar_chart",
    "diverging_bars",
    "dot_row",
    "dot_axis",
    "BAND_COLORS",
    "LIKERT_COLORS",
]

BAND_COLORS = {"strength": GREEN, "attention": AMBER, "concern": RED}
"""Mark and text colours per band id (each ≥ 4.5:1 on white and on its tint)."""
BAND_TINTS = {"strength": "#e3f1e6", "attention": "#fbf0dc", "concern": "#f9e1df"}
LIKERT_COLORS = [RED, "#e08a6e", "#c9c9c9", "#6aa3c8", BLUE]
"""Diverging palette (RdBu-like, colour-blind safe): disagree red, neutral grey, agree blue."""
_NEUTRAL_INK = "#333333"


def _band_background(
    x: Any, bands: Sequence[dict[str, Any]], top: float, bottom: float, lo: float, hi: float
) -> list[str]:
    """Tinted regions of the bands along the value axis (bands sorted high → low)."""
    out = []
    upper = hi
    for b in bands:
        start = max(b["min"], lo)
        if upper <= start:
            continue
        tint = BAND_TINTS.get(b["id"], "#f2f2f2")
        out.append(rect(x(start), top, x(upper) - x(start), bottom - top, tint))
        upper = start
    return out


def ci_chart(
    rows: Sequence[dict[str, Any]],
    bands: Sequence[dict[str, Any]],
    cat: Catalogue,
    *,
    title: str,
    lo: float = 1.0,
    hi: float = 5.0,
    show_median: bool = True,
) -> Markup:
    """Means with their confidence intervals on the band scale.

    Parameters
    ----------
    rows
        ``label``, ``mean``, ``ci`` ([lo, hi] or Nones), ``band`` id, ``value_text``
        (the number written beside the mark) and optionally ``median``.
    bands
        ``id``, ``min`` and ``label`` of each band, high to low.
    cat
        Catalogue for numbers and words.
    title
        Title of the chart (its accessible name).
    """
    left, right = 10.0, WIDTH - 118.0
    x = linear_scale(lo, hi, left, right)
    row_h = 44.0
    top = 22.0
    height = top + row_h * len(rows) + 30
    body = _band_background(x, bands, top - 4, top + row_h * len(rows), lo, hi)
    # band legend along the top: a swatch and the band name, in band order low → high
    for j, b in enumerate(reversed(list(bands))):
        lx = left - 4 + j * (WIDTH / max(len(bands), 1))
        ink = BAND_COLORS.get(b["id"], _NEUTRAL_INK)
        tint = BAND_TINTS.get(b["id"], "#f2f2f2")
        body.append(rect(lx, 3, 10, 10, tint, extra=f' stroke="{ink}"'))
        body.append(text(lx + 13, 12, b["label"], size=SMALL_TEXT, fill=ink))
    desc_parts = []
    for i, r in enumerate(rows):
        y0 = top + i * row_h
        label_y = y0 + 15
        mark_y = y0 + 30
        color = BAND_COLORS.get(r.get("band") or "", _NEUTRAL_INK)
        body += _row_texts(r["label"], r["value_text"], left - 4, label_y, mark_y + 4, color)
        ci = r.get("ci") or [None, None]
        if ci[0] is not None and ci[1] is not None:
            body.append(
                line(x(ci[0]), x(ci[1]), mark_y, mark_y, stroke=color, width=3, cap="round")
            )
        if show_median and r.get("median") is not None:
            mx = x(r["median"])
            body.append(line(mx, mx, mark_y - 8, mark_y + 8, stroke=INK, width=2, dash="2 2"))
        if r.get("mean") is not None:
            body.append(_dot(x(r["mean"]), mark_y, 6, color))
        desc_parts.append(f"{r['label']}: {r['value_text']}")
    body += value_axis(x, lo, hi, top + row_h * len(rows) + 2, cat)
    return document(height, title, "; ".join(desc_parts), body, "ci-chart")


def _dot(cx: float, cy: float, r: float, color: str) -> str:
    return (
        f'<circle cx="{coord(cx)}" cy="{coord(cy)}" r="{coord(r)}" fill="{color}" '
        f'stroke="#fff" stroke-width="1.5"/>'
    )


def _row_texts(
    label: str, value_text: str, x: float, label_y: float, value_y: float, value_fill: str
) -> list[str]:
    """A chart row's label (left) and its value in bold at the right edge, both escaped."""
    return [
        text(x, label_y, label),
        text(WIDTH - 4, value_y, value_text, anchor="end", bold=True, fill=value_fill),
    ]


def bar_chart(
    rows: Sequence[dict[str, Any]],
    cat: Catalogue,
    *,
    title: str,
    lo: float = 1.0,
    hi: float = 5.0,
    highlight: str | None = None,
) -> Markup:
    """Horizontal bars on the answer scale (benefits, model profile).

    ``rows`` hold ``key``, ``label``, ``mean`` and ``value_text``, and optionally
    ``band``: a row with a band is drawn in its band's colour (benefits, so 2,22 does not
    look like 4,78); otherwise the row whose key is ``highlight`` is drawn in the strong
    colour, others in a lighter one (model profile).
    """
    left, right = 10.0, WIDTH - 58.0
    x = linear_scale(lo, hi, left, right)
    row_h = 40.0
    top = 6.0
    height = top + row_h * len(rows) + 28
    body: list[str] = []
    desc_parts = []
    for i, r in enumerate(rows):
        y0 = top + i * row_h
        strong = highlight is None or r.get("key") == highlight
        fill = BLUE if strong else "#8fb3cf"
        ink = INK
        if r.get("band") in BAND_COLORS:
            fill = ink = BAND_COLORS[r["band"]]
        body += _row_texts(r["label"], r["value_text"], left - 4, y0 + 14, y0 + 31, ink)
        if r.get("mean") is not None:
            body.append(rect(left, y0 + 20, max(x(r["mean"]) - left, 1), 12, fill))
        desc_parts.append(f"{r['label']}: {r['value_text']}")
    body += value_axis(x, lo, hi, top + row_h * len(rows) + 2, cat)
    return document(height, title, "; ".join(desc_parts), body, "bar-chart")


def diverging_bars(
    rows: Sequence[Mapping[str, Any]],
    option_labels: Sequence[str],
    cat: Catalogue,
    *,
    title: str,
    disagree_word: str,
    agree_word: str,
) -> Markup:
    """Diverging stacked bars of the answer distribution of each item.

    Each statement is an HTML paragraph above its bar, so the HTML engine sets it once (it
    wraps on a phone and can be selected); the bar is a small chart that holds only the marks
    and the two shares at its ends (named by the statement and its shares, described by its
    distribution). The legend above the rows is a small chart named ``title``.

    Parameters
    ----------
    rows
        ``label`` and ``keyed_counts`` (answers per option, least favourable first: for
        a reverse-keyed statement the raw counts reversed, so right is always good; odd
        number of options, the middle one neutral and split across the centre line).
    option_labels
        Label of each raw answer option (for the description).
    cat
        Catalogue for numbers.
    title
        Accessible name.
    disagree_word, agree_word
        Words for the two sides in the legend and beside each bar ("kurang baik", "baik").
    """
    k = len(option_labels)
    half = k // 2
    left, right = 2.0, WIDTH - 2.0
    centre = (left + right) / 2
    scale = (right - left - 96) / 2  # a share of 1.0 fills one side; 48 units each end for the %
    colors = (
        LIKERT_COLORS
        if k == 5
        else [LIKERT_COLORS[min(4, round(i * 4 / max(k - 1, 1)))] for i in range(k)]
    )
    # legend: unfavourable (left) ... neutral ... favourable (right)
    legend = [rect(centre - k * 7 + j * 14, 4, 12, 12, colors[j]) for j in range(k)]
    legend.append(
        text(centre - k * 7 - 6, 14, disagree_word, size=SMALL_TEXT, anchor="end", fill=colors[0])
    )
    legend.append(text(centre + k * 7 + 4, 14, agree_word, size=SMALL_TEXT, fill=colors[-1]))
    legend_desc = f"{disagree_word} … {agree_word}"
    out = ['<div class="likert">', document(20, title, legend_desc, legend, "likert-legend")]
    bar_y, bar_h = 2.0, 12.0
    for r in rows:
        counts = [int(c) for c in r["keyed_counts"]]
        raw = [int(c) for c in r.get("counts", counts)]
        total = sum(counts)
        out.append(f'<p class="lk-label">{escape(r["label"])}</p>')
        if total == 0:
            continue
        shares = [c / total for c in counts]
        neutral = shares[half] if k % 2 else 0.0
        neg = sum(shares[:half])
        pos = sum(shares[k - half :])
        body: list[str] = []
        # left side: from the centre outwards, neutral half, then option half-1 ... 0
        x_cursor = centre - neutral / 2 * scale
        for j in range(half - 1, -1, -1):
            w = shares[j] * scale
            x_cursor -= w
            if w > 0:
                body.append(rect(x_cursor, bar_y, w, bar_h, colors[j]))
        if k % 2 and neutral > 0:
            body.append(
                rect(centre - neutral / 2 * scale, bar_y, neutral * scale, bar_h, colors[half])
            )
        x_cursor = centre + neutral / 2 * scale
        for j in range(k - half, k):
            w = shares[j] * scale
            if w > 0:
                body.append(rect(x_cursor, bar_y, w, bar_h, colors[j]))
            x_cursor += w
        body.append(line(centre, centre, bar_y - 2, bar_y + bar_h + 2, stroke=INK))
        neg_t, pos_t = cat.percent(neg), cat.percent(pos)
        body.append(
            text(left, bar_y + 11, neg_t, bold=True, fill=colors[0])
            + text(right, bar_y + 11, pos_t, anchor="end", bold=True, fill=colors[-1])
        )
        dist = ", ".join(
            f"{lab} {cat.percent(c / total)}" for lab, c in zip(option_labels, raw, strict=True)
        )
        name = f"{r['label']}: {neg_t} {disagree_word}, {pos_t} {agree_word}"
        out.append(document(bar_y + bar_h + 2, name, f"n = {total}: {dist}", body, "likert-chart"))
    out.append("</div>")
    return Markup("".join(out))


DOT_INSET = 2.0
"""Margin of the dot chart's plot at each side, in % of its cell (the dot's radius)."""


def dot_row(
    row: Mapping[str, Any],
    bands: Sequence[dict[str, Any]],
    *,
    lo: float = 1.0,
    hi: float = 5.0,
    width: float = 200.0,
) -> Markup:
    """The plot cell of one row of the summary dot chart (names and values are table cells).

    Band tints behind; a light grey bar from mean − SD to mean + SD (how far apart the
    members are); the CI as a line in the band's colour; the portfolio median as a dashed
    tick; the mean as a dot. Decorative (``aria-hidden``): the row's cells hold the numbers.
    The plot runs from ``DOT_INSET`` % to 100 − ``DOT_INSET`` % of the cell, as the axis of
    :func:`dot_axis` does.
    """
    h = 26.0
    inset = width * DOT_INSET / 100
    x = linear_scale(lo, hi, inset, width - inset)
    body = _band_background(x, bands, 2, h - 2, lo, hi)
    color = BAND_COLORS.get(row.get("band") or "", _NEUTRAL_INK)
    mean, sd = row.get("mean"), row.get("sd")
    mid = h / 2
    if mean is not None and sd is not None:
        body.append(
            rect(
                x(mean - sd),
                mid - 5,
                x(mean + sd) - x(mean - sd),
                10,
                "#000",
                extra=' fill-opacity="0.12"',
            )
        )
    ci = row.get("ci") or [None, None]
    if ci[0] is not None and ci[1] is not None:
        body.append(line(x(ci[0]), x(ci[1]), mid, mid, stroke=color, width=3, cap="round"))
    if row.get("median") is not None:
        mx = x(row["median"])
        body.append(line(mx, mx, 2, h - 2, stroke=INK, width=1.5, dash="2 2"))
    if mean is not None:
        body.append(_dot(x(mean), mid, 5.5, color))
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dot" aria-hidden="true" '
        f'focusable="false" viewBox="0 0 {coord(width)} {coord(h)}">' + "".join(body) + "</svg>"
    )


def dot_axis(cat: Catalogue, *, lo: float = 1.0, hi: float = 5.0) -> Markup:
    """The value axis under the plot column of the summary dot chart (1 … 5).

    HTML, not SVG: the plot column is ~150 px wide on a phone and ~350 px on a desktop, so
    numbers drawn in a scaled SVG would be 6 px tall on the one or 20 px on the other. Here
    they take the table's text size at every width; the line and ticks are borders placed
    in % of the cell, matching :func:`dot_row`.
    """
    span = 100 - 2 * DOT_INSET
    marks = [
        f'<span style="position:absolute;left:{coord(DOT_INSET)}%;right:{coord(DOT_INSET)}%;'
        f'top:0;border-top:1px solid {AXIS}"></span>'
    ]
    v = lo
    while v <= hi + 1e-9:
        pos = coord(DOT_INSET + (v - lo) / (hi - lo) * span)
        shift = "0" if v == lo else "-100%" if v == hi else "-50%"
        marks.append(
            f'<span style="position:absolute;left:{pos}%;top:0;height:4px;'
            f'border-left:1px solid {AXIS}"></span>'
            f'<span style="position:absolute;left:{pos}%;top:5px;'
            f'transform:translateX({shift})">{escape(cat.number(v, 0))}</span>'
        )
        v += 1
    return Markup(
        '<div class="dot-axis" aria-hidden="true" style="position:relative;height:1.7em;'
        'font-size:0.8rem;line-height:1.2;color:#333">' + "".join(marks) + "</div>"
    )
