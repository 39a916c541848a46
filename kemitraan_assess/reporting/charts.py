"""SVG charts written by hand: crisp, small, byte-deterministic, readable on a phone.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that states
its numbers, and carries the numbers as text beside the marks, so nothing is only in a
colour or a position. Labels sit above their bar, so a 320-unit-wide drawing stays
legible at 360 px (one unit ≈ one CSS pixel). All text is escaped; coordinates are rounded to 0.1 so the same data
gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup, escape

from .locale import Catalogue

__all__ = [
    "ci_chart",
    "bar_chart",
    "diverging_bars",
    "dot_row",
    "dot_axis",
    "BAND_COLORS",
    "LIKERT_COLORS",
]

WIDTH = 320
BAND_COLORS = {"strength": "#1b6e32", "attention": "#8a5300", "concern": "#a3231b"}
"""Mark and text colours per band id (each ≥ 4.5:1 on white and on its tint)."""
BAND_TINTS = {"strength": "#e3f1e6", "attention": "#fbf0dc", "concern": "#f9e1df"}
LIKERT_COLORS = ["#a3231b", "#e08a6e", "#c9c9c9", "#6aa3c8", "#1d5a8e"]
"""Diverging palette (RdBu-like, colour-blind safe): disagree red, neutral grey, agree blue."""
_NEUTRAL_INK = "#333333"


def _f(x: float) -> str:
    """A coordinate rounded to 0.1 without a trailing .0."""
    s = f"{round(x, 1):.1f}"
    return s[:-2] if s.endswith(".0") else s


def _svg(height: float, title: str, desc: str, body: list[str], css_class: str) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" role="img" '
        f'viewBox="0 0 {WIDTH} {_f(height)}" width="{WIDTH}" height="{_f(height)}" '
        f'preserveAspectRatio="xMinYMin meet" font-size="13" '
        f'font-family="Noto Sans, DejaVu Sans, Arial, sans-serif">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    )
    return Markup(head + "".join(body) + "</svg>")


def _scale_x(lo: float, hi: float, left: float, right: float):  # type: ignore[no-untyped-def]
    span = hi - lo

    def x(v: float) -> float:
        v = min(max(v, lo), hi)
        return left + (v - lo) / span * (right - left)

    return x


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
        out.append(
            f'<rect x="{_f(x(start))}" y="{_f(top)}" width="{_f(x(upper) - x(start))}" '
            f'height="{_f(bottom - top)}" fill="{BAND_TINTS.get(b["id"], "#f2f2f2")}"/>'
        )
        upper = start
    return out


def _axis(x: Any, lo: float, hi: float, y: float, cat: Catalogue) -> list[str]:
    out = [f'<line x1="{_f(x(lo))}" x2="{_f(x(hi))}" y1="{_f(y)}" y2="{_f(y)}" stroke="#555"/>']
    v = lo
    while v <= hi + 1e-9:
        out.append(
            f'<line x1="{_f(x(v))}" x2="{_f(x(v))}" y1="{_f(y)}" y2="{_f(y + 4)}" stroke="#555"/>'
        )
        out.append(
            f'<text x="{_f(x(v))}" y="{_f(y + 17)}" text-anchor="middle" fill="#333">{escape(cat.number(v, 0))}</text>'
        )
        v += 1
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
    x = _scale_x(lo, hi, left, right)
    row_h = 44.0
    top = 22.0
    height = top + row_h * len(rows) + 30
    body = _band_background(x, bands, top - 4, top + row_h * len(rows), lo, hi)
    # band legend along the top: a swatch and the band name, in band order low → high
    for j, b in enumerate(reversed(list(bands))):
        lx = left - 4 + j * (WIDTH / max(len(bands), 1))
        body.append(
            f'<rect x="{_f(lx)}" y="3" width="10" height="10" fill="{BAND_TINTS.get(b["id"], "#f2f2f2")}" '
            f'stroke="{BAND_COLORS.get(b["id"], _NEUTRAL_INK)}"/>'
        )
        body.append(
            f'<text x="{_f(lx + 13)}" y="12" font-size="10" '
            f'fill="{BAND_COLORS.get(b["id"], _NEUTRAL_INK)}">{escape(b["label"])}</text>'
        )
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
                f'<line x1="{_f(x(ci[0]))}" x2="{_f(x(ci[1]))}" y1="{_f(mark_y)}" y2="{_f(mark_y)}" '
                f'stroke="{color}" stroke-width="3" stroke-linecap="round"/>'
            )
        if show_median and r.get("median") is not None:
            mx = x(r["median"])
            body.append(
                f'<line x1="{_f(mx)}" x2="{_f(mx)}" y1="{_f(mark_y - 8)}" y2="{_f(mark_y + 8)}" '
                f'stroke="#1a1a1a" stroke-width="2" stroke-dasharray="2 2"/>'
            )
        if r.get("mean") is not None:
            body.append(
                f'<circle cx="{_f(x(r["mean"]))}" cy="{_f(mark_y)}" r="6" fill="{color}" stroke="#fff" stroke-width="1.5"/>'
            )
        desc_parts.append(f"{r['label']}: {r['value_text']}")
    body += _axis(x, lo, hi, top + row_h * len(rows) + 2, cat)
    return _svg(height, title, "; ".join(desc_parts), body, "ci-chart")


def _row_texts(
    label: str, value_text: str, x: float, label_y: float, value_y: float, value_fill: str
) -> list[str]:
    """A chart row's label (left) and its value in bold at the right edge, both escaped."""
    return [
        f'<text x="{_f(x)}" y="{_f(label_y)}" fill="#1a1a1a">{escape(label)}</text>',
        f'<text x="{_f(WIDTH - 4)}" y="{_f(value_y)}" text-anchor="end" font-weight="bold" '
        f'fill="{value_fill}">{escape(value_text)}</text>',
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
    x = _scale_x(lo, hi, left, right)
    row_h = 40.0
    top = 6.0
    height = top + row_h * len(rows) + 28
    body: list[str] = []
    desc_parts = []
    for i, r in enumerate(rows):
        y0 = top + i * row_h
        strong = highlight is None or r.get("key") == highlight
        fill = "#1d5a8e" if strong else "#8fb3cf"
        ink = "#1a1a1a"
        if r.get("band") in BAND_COLORS:
            fill = ink = BAND_COLORS[r["band"]]
        body += _row_texts(r["label"], r["value_text"], left - 4, y0 + 14, y0 + 31, ink)
        if r.get("mean") is not None:
            body.append(
                f'<rect x="{_f(left)}" y="{_f(y0 + 20)}" width="{_f(max(x(r["mean"]) - left, 1))}" height="12" fill="{fill}"/>'
            )
        desc_parts.append(f"{r['label']}: {r['value_text']}")
    body += _axis(x, lo, hi, top + row_h * len(rows) + 2, cat)
    return _svg(height, title, "; ".join(desc_parts), body, "bar-chart")


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
    row_h = 34.0
    body: list[str] = []
    colors = (
        LIKERT_COLORS
        if k == 5
        else [LIKERT_COLORS[min(4, round(i * 4 / max(k - 1, 1)))] for i in range(k)]
    )
    # legend: unfavourable (left) ... neutral ... favourable (right)
    legend_h = 20.0
    top = legend_h + 6
    height = top + row_h * len(rows) + 6
    for j in range(k):
        body.append(
            f'<rect x="{_f(centre - k * 7 + j * 14)}" y="4" width="12" height="12" fill="{colors[j]}"/>'
        )
    body.append(
        f'<text x="{_f(centre - k * 7 - 6)}" y="14" font-size="11" text-anchor="end" '
        f'fill="{colors[0]}">{escape(disagree_word)}</text>'
    )
    body.append(
        f'<text x="{_f(centre + k * 7 + 4)}" y="14" font-size="11" fill="{colors[-1]}">{escape(agree_word)}</text>'
    )
    desc_parts = []
    for i, r in enumerate(rows):
        counts = [int(c) for c in r["keyed_counts"]]
        raw = [int(c) for c in r.get("counts", counts)]
        total = sum(counts)
        y0 = top + i * row_h
        bar_y = y0 + 17
        body.append(
            f'<text x="{_f(left)}" y="{_f(y0 + 13)}" fill="#1a1a1a">{escape(r["label"])}</text>'
        )
        if total == 0:
            desc_parts.append(f"{r['label']}: –")
            continue
        shares = [c / total for c in counts]
        neutral = shares[half] if k % 2 else 0.0
        neg = sum(shares[:half])
        pos = sum(shares[k - half :])
        # left side: from the centre outwards, neutral half, then option half-1 ... 0
        x_cursor = centre - neutral / 2 * scale
        for j in range(half - 1, -1, -1):
            w = shares[j] * scale
            x_cursor -= w
            if w > 0:
                body.append(
                    f'<rect x="{_f(x_cursor)}" y="{_f(bar_y)}" width="{_f(w)}" height="12" fill="{colors[j]}"/>'
                )
        if k % 2 and neutral > 0:
            body.append(
                f'<rect x="{_f(centre - neutral / 2 * scale)}" y="{_f(bar_y)}" width="{_f(neutral * scale)}" '
                f'height="12" fill="{colors[half]}"/>'
            )
        x_cursor = centre + neutral / 2 * scale
        for j in range(k - half, k):
            w = shares[j] * scale
            if w > 0:
                body.append(
                    f'<rect x="{_f(x_cursor)}" y="{_f(bar_y)}" width="{_f(w)}" height="12" fill="{colors[j]}"/>'
                )
            x_cursor += w
        body.append(
            f'<line x1="{_f(centre)}" x2="{_f(centre)}" y1="{_f(bar_y - 2)}" y2="{_f(bar_y + 14)}" stroke="#1a1a1a"/>'
        )
        neg_t, pos_t = cat.percent(neg), cat.percent(pos)
        body.append(
            f'<text x="{_f(left)}" y="{_f(bar_y + 11)}" font-weight="bold" fill="{colors[0]}">{escape(neg_t)}</text>'
            f'<text x="{_f(right)}" y="{_f(bar_y + 11)}" text-anchor="end" font-weight="bold" '
            f'fill="{colors[-1]}">{escape(pos_t)}</text>'
        )
        dist = ", ".join(
            f"{lab} {cat.percent(c / total)}" for lab, c in zip(option_labels, raw, strict=True)
        )
        desc_parts.append(
            f"{r['label']} (n = {total}): {dist} ({neg_t} {disagree_word}, {pos_t} {agree_word})"
        )
    return _svg(height, title, "; ".join(desc_parts), body, "likert-chart")


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
    """
    h = 26.0
    x = _scale_x(lo, hi, 4.0, width - 4.0)
    body = _band_background(x, bands, 2, h - 2, lo, hi)
    color = BAND_COLORS.get(row.get("band") or "", _NEUTRAL_INK)
    mean, sd = row.get("mean"), row.get("sd")
    mid = h / 2
    if mean is not None and sd is not None:
        body.append(
            f'<rect x="{_f(x(mean - sd))}" y="{_f(mid - 5)}" width="{_f(x(mean + sd) - x(mean - sd))}" '
            f'height="10" fill="#000" fill-opacity="0.12"/>'
        )
    ci = row.get("ci") or [None, None]
    if ci[0] is not None and ci[1] is not None:
        body.append(
            f'<line x1="{_f(x(ci[0]))}" x2="{_f(x(ci[1]))}" y1="{_f(mid)}" y2="{_f(mid)}" '
            f'stroke="{color}" stroke-width="3" stroke-linecap="round"/>'
        )
    if row.get("median") is not None:
        mx = x(row["median"])
        body.append(
            f'<line x1="{_f(mx)}" x2="{_f(mx)}" y1="2" y2="{_f(h - 2)}" stroke="#1a1a1a" '
            f'stroke-width="1.5" stroke-dasharray="2 2"/>'
        )
    if mean is not None:
        body.append(
            f'<circle cx="{_f(x(mean))}" cy="{_f(mid)}" r="5.5" fill="{color}" stroke="#fff" stroke-width="1.5"/>'
        )
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dot" aria-hidden="true" focusable="false" '
        f'viewBox="0 0 {_f(width)} {_f(h)}">' + "".join(body) + "</svg>"
    )


def dot_axis(cat: Catalogue, *, lo: float = 1.0, hi: float = 5.0, width: float = 200.0) -> Markup:
    """The value axis under the plot column of the summary dot chart (1 … 5)."""
    x = _scale_x(lo, hi, 4.0, width - 4.0)
    body = [f'<line x1="{_f(x(lo))}" x2="{_f(x(hi))}" y1="1" y2="1" stroke="#555"/>']
    v = lo
    while v <= hi + 1e-9:
        anchor = "start" if v == lo else "end" if v == hi else "middle"
        body.append(f'<line x1="{_f(x(v))}" x2="{_f(x(v))}" y1="1" y2="5" stroke="#555"/>')
        body.append(
            f'<text x="{_f(x(v))}" y="15" text-anchor="{anchor}" font-size="9" fill="#333">'
            f"{escape(cat.number(v, 0))}</text>"
        )
        v += 1
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="dot-axis" aria-hidden="true" focusable="false" '
        f'viewBox="0 0 {_f(width)} 17" font-family="Noto Sans, DejaVu Sans, Arial, sans-serif">'
        + "".join(body)
        + "</svg>"
    )
