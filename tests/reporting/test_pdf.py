"""PDF reports: A4, page x of y, bookmarks, metadata, embedded CSV, safe fetching, same bytes."""

import io

import pytest
from pypdf import PdfReader

from kemitraan_assess.errors import KemitraanError
from kemitraan_assess.reporting import build_context, render_html, render_pdf
from kemitraan_assess.reporting.pdf import safe_url_fetcher

from .conftest import HOSTILE_NAME, STRONG, SUPPRESSED

pytestmark = pytest.mark.pdf


def _render(scores, name, lang):
    ctx = build_context(scores, name, lang=lang)
    html = render_html(ctx)
    att = [("scores.csv", ctx["scores_csv"].encode())] if "scores_csv" in ctx else []
    return ctx, render_pdf(html, attachments=att)


@pytest.fixture(scope="module")
def hostile_pdf(demo_scores):
    return _render(demo_scores, HOSTILE_NAME, "en")


def test_pdf_pages_text_and_metadata(hostile_pdf):
    ctx, data = hostile_pdf
    r = PdfReader(io.BytesIO(data))
    n = len(r.pages)
    assert 8 <= n <= 30
    box = r.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = "\n".join(p.extract_text() for p in r.pages)
    assert "Summary" in text and "Action plan" in text and "Methods" in text
    assert f"Page 2 of {n}" in text
    assert '<script>alert("x")</script>' in text  # shown as text, never run
    assert r.metadata.title == ctx["document_title"]
    assert r.trailer["/Root"]["/Lang"] == "en"
    assert "/StructTreeRoot" in r.trailer["/Root"]  # tagged
    titles = [o.title for o in r.outline if not isinstance(o, list)]
    assert "Summary" in titles and "Methods" in titles


def test_printed_contents_give_the_page_of_each_chapter(hostile_pdf):
    """The printed contents (page 2, after the one-page executive summary) end each entry
    with the page its bookmark points to."""
    import re

    _, data = hostile_pdf
    r = PdfReader(io.BytesIO(data))
    cover = r.pages[1].extract_text()
    assert "Contents" in cover
    checked = 0
    for o in r.outline:
        if isinstance(o, list) or o.title not in ("Summary", "Action plan", "Methods"):
            continue
        page = r.get_destination_page_number(o) + 1
        # pypdf gives the list numbers apart from the entries: "Summary . . . . 2"
        hit = next(
            m
            for ln in cover.splitlines()
            if (m := re.match(rf"{re.escape(o.title)}[ .]*(\d+)$", ln))
        )
        assert hit.group(1) == str(page), (hit.group(0), page)
        checked += 1
    assert checked == 3


def test_pdf_embeds_the_scores_csv_neutralised(hostile_pdf):
    _, data = hostile_pdf
    r = PdfReader(io.BytesIO(data))
    files = r.attachments
    assert list(files) == ["scores.csv"]
    csv = files["scores.csv"][0].decode("utf-8")
    assert csv.startswith("partnership,scale,")
    lines = csv.splitlines()[1:]
    assert any("'=HYPERLINK" in ln for ln in lines)
    assert not any(
        ln.lstrip('"').startswith(("=", "+", "-", "@")) for ln in lines
    )  # formula neutralised


def test_fonts_are_embedded(hostile_pdf):
    _, data = hostile_pdf
    r = PdfReader(io.BytesIO(data))
    fonts = r.pages[1]["/Resources"]["/Font"]
    for f in fonts.values():
        desc = f.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in desc or "/FontFile3" in desc or "/FontFile" in desc


def test_suppressed_pdf_is_short_and_byte_identical(demo_scores):
    _, a = _render(demo_scores, SUPPRESSED, "id")
    _, b = _render(demo_scores, SUPPRESSED, "id")
    assert a == b
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(a)).pages)
    assert "Hasil tidak ditampilkan" in text and "IK 95%" not in text and "Ringkasan" not in text


@pytest.mark.slow
def test_full_pdf_is_byte_identical(demo_scores):
    assert _render(demo_scores, STRONG, "id")[1] == _render(demo_scores, STRONG, "id")[1]


def test_fetcher_refuses_the_network_and_the_disk():
    f = safe_url_fetcher()
    for url in (
        "http://example.org/x.png",
        "https://example.org/x.css",
        "file:///etc/passwd",
        "ftp://x/y",
    ):
        with pytest.raises((KemitraanError, ValueError)):
            f.fetch(url)


def test_external_resources_are_not_fetched(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n")
    html = (
        f'<html lang="en"><head><title>t</title><link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
        f'<body><img src="file://{secret}"><img src="http://127.0.0.1:9/y.png"><p>ok</p></body></html>'
    )
    data = render_pdf(html)
    assert data.startswith(b"%PDF") and b"/Subtype /Image" not in data
