"""Chart text a person can read on a phone, in both reports (headless Chromium at 360 px).

A chart is an SVG scaled to its box, so a number drawn at 9 units in a 200-unit drawing
shown 150 px wide is 6.8 px tall: the summary dot chart's axis did that (issue 11, gap d).
Here every chart text of the partnership report and of the validation report is measured as
rendered (font size × the drawing's scale, and the text box's height) and must be at least
10 CSS px at 360 px; the validation report must not scroll sideways, and its wide tables
either become labelled cards or scroll inside their own box.
"""

from __future__ import annotations

import pytest

from kemitraan_assess import load_instrument
from kemitraan_assess.demo import demo_csv_bytes, make_demo_survey
from kemitraan_assess.io import ingest
from kemitraan_assess.reporting import build_context, render_html
from kemitraan_assess.reporting.validation_report import render_validation_html
from kemitraan_assess.validation import validate

from .conftest import DIVIDED, STRONG

pytestmark = pytest.mark.browser

MIN_PX = 10.0

# every text of a chart, as rendered: [where, text, font size in CSS px, text box height]
_CHART_TEXT = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg.chart')) {
    const box = svg.getBoundingClientRect();
    if (box.width === 0) continue;
    const scale = box.width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      const size = parseFloat(getComputedStyle(t).fontSize) * scale;
      out.push([svg.getAttribute('class'), t.textContent, size, t.getBoundingClientRect().height]);
    }
  }
  for (const p of document.querySelectorAll('.likert .lk-label')) {
    out.push(['likert-label', p.textContent, parseFloat(getComputedStyle(p).fontSize),
              p.getBoundingClientRect().height]);
  }
  for (const s of document.querySelectorAll('.dot-axis span')) {
    if (!s.textContent) continue;
    out.push(['dot-axis', s.textContent, parseFloat(getComputedStyle(s).fontSize),
              s.getBoundingClientRect().height]);
  }
  return out;
}"""

# wide tables: each must fit the screen or scroll inside a .table-wrap that fits it
_WIDE = """() => Array.from(document.querySelectorAll('table')).flatMap(t => {
  const wrap = t.closest('.table-wrap');
  const r = (wrap || t).getBoundingClientRect();
  return r.width > 0 && r.right > window.innerWidth + 1 ? [t.className || t.id] : [];
})"""


def _small(texts: list) -> list:
    return [t for t in texts if t[2] < MIN_PX or t[3] < MIN_PX]


@pytest.fixture(scope="module")
def validation_pages(tmp_path_factory):
    inst = load_instrument("kemitraan-readiness")
    folder = tmp_path_factory.mktemp("validation")
    (folder / "demo.csv").write_bytes(demo_csv_bytes(make_demo_survey(inst)))
    result = validate(ingest(folder / "demo.csv", inst).responses, inst, n_iter=20)
    pages = {}
    for lang in ("id", "en"):
        pages[lang] = folder / f"validation-{lang}.html"
        pages[lang].write_text(render_validation_html(result, inst, lang=lang), encoding="utf-8")
    return pages


@pytest.mark.parametrize("name", [STRONG, DIVIDED])
def test_partnership_report_chart_text_is_readable_at_360(open_page, demo_scores, tmp_path, name):
    path = tmp_path / "report.html"
    path.write_text(render_html(build_context(demo_scores, name, lang="id")), encoding="utf-8")
    page = open_page(path, width=360)
    texts = page.evaluate(_CHART_TEXT)
    axis = [t for t in texts if t[0] == "dot-axis"]
    assert [t[1] for t in axis] == ["1", "2", "3", "4", "5"]  # the summary chart's axis
    kinds = {"dot-axis", "chart bar-chart", "chart likert-chart", "likert-label"}
    assert {t[0] for t in texts} >= kinds
    assert _small(texts) == []
    # the axis numbers sit under the plot column, 1 at its left and 5 at its right
    plot = page.evaluate(
        "() => { const r = document.querySelector('table.dotchart tbody td.plot svg')"
        ".getBoundingClientRect(); return [r.left, r.right]; }"
    )
    ends = page.evaluate(
        "() => Array.from(document.querySelectorAll('.dot-axis span')).filter(s => s.textContent)"
        ".map(s => s.getBoundingClientRect()).map(r => [r.left, r.right])"
    )
    assert plot[0] - 1 <= ends[0][0] <= plot[0] + 8 and plot[1] - 8 <= ends[-1][1] <= plot[1] + 1


@pytest.mark.parametrize("lang", ["id", "en"])
def test_validation_report_reads_on_a_phone(open_page, validation_pages, lang):
    page = open_page(validation_pages[lang], width=360)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    texts = page.evaluate(_CHART_TEXT)
    assert {t[0] for t in texts} == {"chart scree-chart", "chart rwg-chart"}
    assert _small(texts) == []
    assert page.evaluate(_WIDE) == []
    # the item table is one labelled card per item, the item's words under its id
    card = page.locator("#scale-GOL tr").nth(1)
    assert card.locator("th .item-text").inner_text().strip()
    assert card.evaluate("r => getComputedStyle(r).display") == "block"


def test_the_measure_catches_small_text(open_page, tmp_path):
    """A 200-unit drawing with 9-unit text squeezed into 150 px is flagged (6.75 px)."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><meta name="viewport" content="width=device-width">'
        '<div style="width:150px"><svg class="chart" viewBox="0 0 200 20" style="width:100%">'
        '<text x="0" y="15" font-size="9">1</text></svg></div>',
        encoding="utf-8",
    )
    texts = open_page(bad, width=360).evaluate(_CHART_TEXT)
    assert len(_small(texts)) == 1 and 6.5 < texts[0][2] < 7.0
