"""The fast PDF path (stylesheet parsed once, charts handed to WeasyPrint as SVG images)
prints the same pages as rendering the report's HTML as it is, keeps every chart's alt
text in the tagged PDF, and leaves pages styled otherwise (the validation report, a page
of one's own) exactly as given."""

from __future__ import annotations

import html as html_lib
import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from kemitraan_assess._resources import reports_dir
from kemitraan_assess.reporting import build_context, render_html, render_pdf
from kemitraan_assess.reporting.pdf import PDF_VARIANT, _prepare, safe_url_fetcher

from .conftest import DIVIDED, STRONG

pytestmark = pytest.mark.pdf


def _as_given(html: str) -> bytes:
    """The report's HTML straight into WeasyPrint (what render_pdf did before)."""
    import weasyprint

    doc = weasyprint.HTML(
        string=html, base_url=str(reports_dir()) + "/", url_fetcher=safe_url_fetcher()
    )
    return doc.write_pdf(pdf_variant=PDF_VARIANT, pdf_identifier=True)


def _pixels(pdf: bytes, tmp_path, tag: str) -> list[bytes]:
    from PIL import Image

    (tmp_path / f"{tag}.pdf").write_bytes(pdf)
    subprocess.run(
        [shutil.which("pdftoppm") or "pdftoppm", "-r", "40", "-png"]
        + [str(tmp_path / f"{tag}.pdf"), str(tmp_path / tag)],
        check=True,
    )
    return [Image.open(f).tobytes() for f in sorted(tmp_path.glob(f"{tag}-*.png"))]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "lang"), [(STRONG, "id"), (DIVIDED, "en")])
def test_same_printed_pages_as_the_html_as_given(demo_scores, tmp_path, name, lang):
    html = render_html(build_context(demo_scores, name, lang=lang))
    page, sheets = _prepare(html)
    assert len(sheets) == 3 and "<svg" in html and 'src="data:image/svg+xml;base64,' in page
    fast = _pixels(render_pdf(html), tmp_path, "fast")
    given = _pixels(_as_given(html), tmp_path, "given")
    assert len(fast) == len(given)
    assert [k for k, (a, b) in enumerate(zip(fast, given, strict=True), start=1) if a != b] == []


def test_every_chart_keeps_its_title_as_alt_text(demo_scores):
    html = render_html(build_context(demo_scores, STRONG, lang="en"))
    titles = re.findall(r'<svg [^>]*role="img"[^>]*><title>([^<]*)</title>', html)
    assert len(titles) >= 6  # the answer charts of every factor, benefits, models
    root = PdfReader(io.BytesIO(render_pdf(html))).trailer["/Root"]["/StructTreeRoot"]
    alts, todo = set(), [root]
    while todo:  # walk the tag tree
        node = todo.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            todo += node
        elif hasattr(node, "get"):
            if node.get("/S") == "/Figure" and node.get("/Alt"):
                alts.add(str(node["/Alt"]))
            if "/K" in node:
                todo.append(node["/K"])
    assert {html_lib.unescape(t) for t in titles} <= alts


def test_pages_with_their_own_style_are_rendered_as_given():
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart scree-chart" role="img" '
        'viewBox="0 0 10 10"><title>t</title><rect width="5" height="5"/></svg>'
    )
    own = f"<!DOCTYPE html><html><head><style>svg.chart {{ width: 3cm }}</style></head><body>{svg}"
    assert _prepare(own) == (own, [])


def test_charts_stay_inline_when_the_page_styles_svg_itself():
    from kemitraan_assess.reporting.html import report_css

    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart scree-chart" role="img" '
        'viewBox="0 0 10 10"><title>t</title><rect width="5" height="5"/></svg>'
    )
    extra = "figure.rwg svg.chart { max-width: 100%; }"  # as the validation report's CSS
    html = f"<!DOCTYPE html><html><head><style>{report_css()}\n{extra}</style></head><body>{svg}"
    page, sheets = _prepare(html)
    assert len(sheets) == 3 and svg in page and "<img" not in page


def test_a_chart_that_is_not_well_formed_xml_stays_inline():
    from kemitraan_assess.reporting.html import report_css

    bad = (
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart x" role="img" viewBox="0 0 9 9">'
        "<title>a &nbsp; b</title><rect width='1'></svg>"
    )
    html = f"<!DOCTYPE html><html><head><style>{report_css()}</style></head><body>{bad}"
    page, sheets = _prepare(html)
    assert len(sheets) == 3 and bad in page and "<img" not in page
