"""The validation report's PDF read page by page, as a person turns the pages (issue 11 §4):
no heading and no group header row is the last thing on a page, and the item analysis is one
compact table, not a page per scale. Checked on the bundled instrument with the demo survey
(11 scales in 3 kinds) in Indonesian; pypdf reads each page's text.
"""

from __future__ import annotations

import html
import io
import re

import pytest

from kemitraan_assess import load_instrument
from kemitraan_assess.demo import demo_csv_bytes, make_demo_survey
from kemitraan_assess.io import ingest
from kemitraan_assess.reporting.pdf import render_pdf
from kemitraan_assess.reporting.validation_report import render_validation_html
from kemitraan_assess.validation import validate

pytestmark = [pytest.mark.pdf, pytest.mark.slow]


def _plain(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    pypdf = pytest.importorskip("pypdf")
    inst = load_instrument("kemitraan-readiness")
    path = tmp_path_factory.mktemp("validation") / "demo.csv"
    path.write_bytes(demo_csv_bytes(make_demo_survey(inst)))
    result = validate(ingest(path, inst).responses, inst, n_iter=20)
    page = render_validation_html(result, inst, lang="id")
    reader = pypdf.PdfReader(io.BytesIO(render_pdf(page)))
    return page, [p.extract_text() for p in reader.pages]


def _last_line(text: str, running_title: str) -> str:
    """The last line of a page's body: without the running title, footer and page number."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    body = [
        ln
        for ln in lines
        if ln != running_title and not re.search(r"Halaman \d+ dari \d+|^Instrumen ", ln)
    ]
    return body[-1] if body else ""


def test_no_heading_or_group_header_ends_a_page(pages):
    page, texts = pages
    headings = {_plain(h) for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", page, re.S)}
    groups = {
        _plain(g).split(" · ")[0]
        for g in re.findall(r'<tr class="group"><th scope="colgroup"[^>]*>(.*?)</th>', page, re.S)
    }
    assert len(headings) > 10 and len(groups) > 11  # chapters; scales and kinds
    title = _plain(re.search(r'<h1 class="cover-title[^"]*">(.*?)</h1>', page).group(1))
    stranded = []
    for number, text in enumerate(texts[:-1], start=1):  # the last page may end anywhere
        last = _last_line(text, title)
        if last in headings or any(last.startswith(g) for g in groups):
            stranded.append((number, last))
    assert stranded == []


def test_items_are_one_compact_table(pages):
    _, texts = pages
    # every item of the 11 scales is listed, on few pages (was one page or more per scale)
    with_items = [t for t in texts if re.search(r"\bGOL1\b|\bLEAD1\b|\bMWAL1\b", t)]
    item_pages = [n for n, t in enumerate(texts) if re.search(r"\b(GOL|LEAD|COMM)\d\b", t)]
    assert with_items and len(texts) <= 20
    assert len(set(item_pages)) <= 6  # item table and loadings, not a page per scale


def test_short_chapters_follow_on_instead_of_leaving_a_white_page(pages):
    """Review #12: 'Sampel dan data hilang' follows the conclusions, and the methods chapter
    follows the last rwg(j) charts, instead of each starting on a fresh page after a page
    that is mostly white."""
    _, texts = pages

    def page_of(heading: str) -> int:  # the last page naming it: the contents come first
        return max(i for i, t in enumerate(texts) if heading in t)

    sample, methods = (
        page_of("Sampel dan data hilang\n"),
        page_of("Ambang batas, metode dan sumber"),
    )
    assert "Kesepakatan di dalam kemitraan" in texts[sample]  # the last conclusion
    body = texts[methods].split("Ambang batas, metode dan sumber")[0]
    assert "0,51" in body or "Model kemitraan" in body  # the model-kind rwg(j) charts
