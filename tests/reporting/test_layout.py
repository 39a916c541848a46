"""Printed layout a reader notices: no heading ends a page, no page is mostly white, the
answer is on page 1 and a suppressed partnership gets one page.

Ink is measured on a 20 dpi greyscale render (poppler's ``pdftoppm``): the share of pixel
rows between the running header and footer that hold any dark pixel. A full page of text
scores about 0.5 (the white between lines counts as white); before issue 11 the reports
had pages at 0.07 and 0.15 (a one-row spill, a stranded table).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from kemitraan_assess.reporting import build_context, render_html, render_pdf

from .conftest import DIVIDED, STRONG, SUPPRESSED, WEAK

pytestmark = [pytest.mark.pdf, pytest.mark.slow]

MIN_INK = 0.15
"""Below this a page is mostly white: less than 30 % of a full page's 0.5 (the one-row spill
of the action plan scored 0.07 before issue 11; the fullest tail page now scores 0.17)."""


def _ink(pdf: bytes, tmp_path) -> list[float]:
    from PIL import Image

    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(
        [
            shutil.which("pdftoppm") or "pdftoppm",
            "-r",
            "20",
            "-gray",
            "-png",
            str(tmp_path / "r.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    out = []
    for f in sorted(tmp_path.glob("p-*.png")):
        im = Image.open(f).convert("L")
        w, h = im.size
        top, bottom = int(h * 0.06), int(h * 0.92)
        px = im.load()
        rows = sum(1 for y in range(top, bottom) if any(px[x, y] < 200 for x in range(w)))
        out.append(rows / (bottom - top))
    return out


@pytest.fixture(scope="module")
def pdfs(demo_scores):
    out = {}
    for name in (STRONG, WEAK, DIVIDED):
        for lang in ("id", "en"):
            ctx = build_context(demo_scores, name, lang=lang)
            out[name, lang] = (ctx, render_pdf(render_html(ctx)))
    return out


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", [STRONG, WEAK, DIVIDED])
def test_no_page_is_mostly_white(pdfs, tmp_path, name, lang):
    ink = _ink(pdfs[name, lang][1], tmp_path)
    assert len(ink) <= 14  # was 16-17
    assert min(ink) >= MIN_INK, [round(x, 2) for x in ink]


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("name", [STRONG, WEAK, DIVIDED])
def test_no_heading_ends_a_page(pdfs, name, lang):
    ctx, data = pdfs[name, lang]
    html = render_html(ctx)
    headings = {
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h[123][^>]*>(.*?)</h[123]>", html)
    }
    headings |= {
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<caption>(.*?)</caption>", html)
    }
    footer = re.compile(r"^(Halaman|Page) \d+ (dari|of) \d+$")
    reader = PdfReader(io.BytesIO(data))
    for number, page in enumerate(reader.pages[:-1], start=1):
        lines = [
            ln.strip()
            for ln in page.extract_text().splitlines()
            if ln.strip()
            and not footer.match(ln.strip())
            and ln.strip() != ctx["partnership"]["name"]
        ]
        assert lines and lines[-1] not in headings, (number, lines[-1])


def test_page_one_is_the_answer_and_suppressed_is_one_page(pdfs, demo_scores):
    ctx, data = pdfs[DIVIDED, "en"]
    first = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Summary for decision makers" in first and "members divided" in first
    assert ctx["executive"]["verdict"].split(".")[0] in " ".join(first.split())
    sup = render_pdf(render_html(build_context(demo_scores, SUPPRESSED, lang="id")))
    assert len(PdfReader(io.BytesIO(sup)).pages) == 1


def test_round_table_readings_fit_on_one_line(demo_scores):
    # the 'Artinya / Reading' column: "naik, tetapi belum pasti" on one printed line, not
    # "naik, tetapi / belum pasti" in every row
    from .test_executive import SPLIT_HIDDEN

    for lang in ("id", "en"):
        ctx = build_context(demo_scores, SPLIT_HIDDEN, lang=lang)
        readings = {r["verdict"] for r in ctx["waves"]["rows"]}
        assert readings
        pdf = PdfReader(io.BytesIO(render_pdf(render_html(ctx))))
        pages = [page.extract_text() for page in pdf.pages]
        text = "\n".join(pages)
        # page 1, with the divided alert's counts and its sector note, stays one page: its
        # last line ('the details follow ...') does not spill onto a page of its own
        more = {"id": "ada di bagian berikutnya", "en": "follow in the next sections"}[lang]
        assert more in " ".join(pages[0].split()), lang
        lines = [" ".join(line.split()) for line in text.splitlines()]
        for reading in readings:
            assert any(reading in line for line in lines), (lang, reading)
