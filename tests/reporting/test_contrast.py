"""Contrast AA (WCAG 2.1, 4.5:1 for body text) of every text colour the report uses.

Text colours come from the stylesheet's ``color:`` declarations and from the ``fill`` of
every SVG ``<text>`` in a rendered report (strong, weak, divided: all band colours appear);
backgrounds are white, the stylesheet's ``background:`` colours and the band tints the
charts draw behind text. White text only sits on the band-coloured pills, checked there.
"""

import re
from pathlib import Path

import pytest

from kemitraan_assess.reporting import build_context, render_html
from kemitraan_assess.reporting.brand import DEFAULT_COLOR, contrast_ratio
from kemitraan_assess.reporting.charts import BAND_COLORS, BAND_TINTS

from .conftest import DIVIDED, STRONG, WEAK

CSS = (Path(__file__).resolve().parents[2] / "reports" / "styles" / "report.css").read_text(
    encoding="utf-8"
)
AA = 4.5


def _hex6(c: str) -> str:
    c = c.lower()
    return "#" + "".join(ch * 2 for ch in c[1:]) if len(c) == 4 else c


def _backgrounds() -> set[str]:
    found = re.findall(r"background:\s*(#[0-9a-fA-F]{3,6})\b", CSS)
    return {"#ffffff", *map(_hex6, found), *BAND_TINTS.values()}


def test_stylesheet_text_colours_reach_aa_on_every_background():
    colours = {_hex6(c) for c in re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})\b", CSS)}
    colours.discard("#ffffff")  # white: only on the pills, below
    assert colours, "no text colours found in report.css"
    for fg in colours | set(BAND_COLORS.values()) | {DEFAULT_COLOR}:
        for bg in _backgrounds():
            assert contrast_ratio(fg, bg) >= AA, f"{fg} on {bg}: {contrast_ratio(fg, bg):.2f}:1"


def test_white_pill_text_reaches_aa_on_every_band_colour():
    for band, colour in BAND_COLORS.items():
        assert contrast_ratio("#ffffff", colour) >= AA, band


@pytest.mark.parametrize("name", [STRONG, WEAK, DIVIDED])
def test_chart_text_reaches_aa(demo_scores, name):
    html = render_html(build_context(demo_scores, name, lang="id"))
    fills = {_hex6(c) for c in re.findall(r'<text\b[^>]*\bfill="(#[0-9a-fA-F]{3,6})"', html)}
    assert len(fills) >= 2
    for fg in fills:
        for bg in _backgrounds():
            assert contrast_ratio(fg, bg) >= AA, (
                f"chart text {fg} on {bg}: {contrast_ratio(fg, bg):.2f}:1"
            )
