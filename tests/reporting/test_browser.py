"""The HTML reports and the portfolio index in a real browser (headless Chromium).

At a phone's width (360 CSS px) a page must not scroll sideways, no two pieces of text
may overlap, and every table must be readable: inside the screen, no cell's text cut off.
Checked for the four kinds of partnership (strong, weak, divided, suppressed) in both
languages, and for the index (also without JavaScript, and its sorting and filters with it).
"""

from __future__ import annotations

import pytest

from kemitraan_assess.reporting import build_context, render_html, render_reports

from .conftest import DIVIDED, STRONG, SUPPRESSED, WEAK

pytestmark = pytest.mark.browser

KINDS = {"strong": STRONG, "weak": WEAK, "divided": DIVIDED, "suppressed": SUPPRESSED}

# JavaScript run in the page: text boxes that overlap, tables that do not fit or cut a cell
_OVERLAPS = """() => {
  const sel = 'h1,h2,h3,p,li,dt,dd,caption,figcaption,th,td,.pill,.badge-divided,label,svg.chart';
  const els = Array.from(document.querySelectorAll(sel)).filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
  });
  const leaves = els.filter(e => !els.some(o => o !== e && e.contains(o)));
  const boxes = leaves.map(e => [e, e.getBoundingClientRect()]);
  const bad = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 2 && h > 2) bad.push(a.outerHTML.slice(0, 80) + ' <> ' + b.outerHTML.slice(0, 80));
    }
  }
  return bad.slice(0, 5);
}"""

_TABLES = """() => Array.from(document.querySelectorAll('table')).flatMap(t => {
  const out = [];
  const r = t.getBoundingClientRect();
  if (r.width > 0 && (r.left < -1 || r.right > window.innerWidth + 1))
    out.push('table outside the screen: ' + (t.caption ? t.caption.textContent : t.id));
  for (const c of t.querySelectorAll('th, td')) {
    if (c.getBoundingClientRect().width > 0 && c.scrollWidth > c.clientWidth + 1)
      out.push('cell cut off: ' + c.textContent.slice(0, 40));
  }
  return out;
})"""


@pytest.fixture(scope="module")
def report_files(demo_scores, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    files = {}
    for kind, name in KINDS.items():
        for lang in ("id", "en"):
            path = folder / f"{kind}-{lang}.html"
            path.write_text(
                render_html(build_context(demo_scores, name, lang=lang)), encoding="utf-8"
            )
            files[kind, lang] = path
    return files


@pytest.fixture(scope="module")
def index_file(demo_scores, tmp_path_factory):
    folder = tmp_path_factory.mktemp("index")
    render_reports(
        demo_scores,
        folder,
        lang="id",
        formats=("html",),
        workers=1,
        only=[STRONG, WEAK, DIVIDED, SUPPRESSED],
    )
    return folder / "index.html"


def _check_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(_OVERLAPS) == []
    assert page.evaluate(_TABLES) == []


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_report_at_phone_width(open_page, report_files, kind, lang):
    _check_phone(open_page(report_files[kind, lang], width=360))


def test_report_at_desktop_width_has_no_overlap(open_page, report_files):
    page = open_page(report_files["divided", "en"], width=1280)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert page.evaluate(_OVERLAPS) == []
    # the summary dot chart: names, values and plot in three columns, left to right
    cells = page.evaluate(
        """() => Array.from(document.querySelectorAll('table.dotchart tbody tr')[0].children)
        .map(c => [c.getBoundingClientRect().left, c.getBoundingClientRect().right])"""
    )
    assert cells[0][1] <= cells[1][0] + 1 and cells[1][1] <= cells[2][0] + 1


def test_index_at_phone_width(open_page, index_file):
    _check_phone(open_page(index_file, width=360))


def test_index_reads_without_javascript(browser, index_file, demo_scores):
    ctx = browser.new_context(viewport={"width": 360, "height": 800}, java_script_enabled=False)
    try:
        page = ctx.new_page()
        page.goto(index_file.as_uri())
        rows = page.locator("#portfolio tbody tr")
        assert rows.count() == len(demo_scores.summary["partnerships"])
        assert page.locator("#portfolio tbody tr:visible").count() == rows.count()
        assert not page.locator(
            "#filters"
        ).is_visible()  # filters need the script: hidden without it
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
    finally:
        ctx.close()


def test_index_sorts_and_filters(open_page, index_file):
    page = open_page(index_file, width=1280)
    assert page.locator("#filters").is_visible()

    def values():
        return page.evaluate("""() => Array.from(document.querySelectorAll('#portfolio tbody tr'))
            .map(r => parseFloat(r.cells[2].dataset.value))""")

    page.locator("#portfolio thead th").nth(2).locator("button").click()
    v = values()
    assert v == sorted(v)
    page.locator("#portfolio thead th").nth(2).locator("button").click()
    assert values() == sorted(v, reverse=True)
    page.select_option("#filters select[name=band]", "divided")
    shown = page.locator("#portfolio tbody tr:visible")
    assert shown.count() >= 1
    assert all("divided" in t or "terbelah" in t for t in shown.all_inner_texts())
    # the heat-map follows the filter
    assert page.locator("#heatmap tbody tr:visible").count() == shown.count()


def test_the_checks_catch_a_bad_page(open_page, tmp_path):
    """The phone checks fail on what they look for: sideways scroll, overlap, a cut cell."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><meta name="viewport" content="width=device-width">'
        '<p style="position:absolute;top:0;left:0">first line of text</p>'
        '<p style="position:absolute;top:4px;left:10px">second line of text</p>'
        '<table style="margin-top:80px;width:600px"><tr><td>wide</td></tr></table>'
        '<table><tr><td style="max-width:40px;overflow:hidden;white-space:nowrap">'
        "cut-off-cell-text</td></tr></table>",
        encoding="utf-8",
    )
    page = open_page(bad, width=360)
    assert page.evaluate("document.documentElement.scrollWidth") > 360
    assert page.evaluate(_OVERLAPS)
    problems = page.evaluate(_TABLES)
    assert any("outside the screen" in p for p in problems) and any(
        "cut off" in p for p in problems
    )
