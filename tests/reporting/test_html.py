"""HTML reports: escaping, self-containment, accessibility structure, determinism, snapshot.

The snapshot renders a committed context (snapshots/context-en.json), so it changes only
when templates, styles, charts or catalogues change. After an intended change, refresh it:
KEMITRAAN_UPDATE_SNAPSHOTS=1 pytest tests/reporting/test_html.py
"""

import json
import os
import re
from pathlib import Path

import pytest

from kemitraan_assess.reporting import build_context, render_html

from .conftest import HOSTILE_NAME, STRONG, SUPPRESSED

SNAP = Path(__file__).parent / "snapshots"


@pytest.fixture(scope="module")
def hostile_html(demo_scores):
    return render_html(build_context(demo_scores, HOSTILE_NAME, lang="id"))


def test_hostile_names_and_comments_are_escaped(hostile_html):
    assert "<script>" not in hostile_html and "<img src=x" not in hostile_html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in hostile_html
    assert "&lt;img src=x onerror=alert(1)&gt;" in hostile_html
    assert "</li></ul><h1>" not in hostile_html
    # the title element holds the escaped name too
    title = re.search(r"<title>(.*?)</title>", hostile_html).group(1)
    assert "&lt;script&gt;" in title


def test_html_is_self_contained(hostile_html):
    # no attribute may point outside the document (links to #anchors and data: URIs only)
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)""", hostile_html)
    assert refs and all(r.startswith(("#", "data:")) for r in refs)
    assert (
        "<link" not in hostile_html and "@import" not in hostile_html and "url(" not in hostile_html
    )


def test_accessible_structure(demo_scores):
    html = render_html(build_context(demo_scores, STRONG, lang="en"))
    assert '<html lang="en">' in html
    # every chart that carries meaning is a named image; the dot-chart cells are decorative
    # (their numbers are in the table's own cells)
    assert html.count('role="img"') == html.count("<title>") - 1 == html.count("<desc>")
    hidden = html.count('<svg xmlns="http://www.w3.org/2000/svg" class="dot" aria-hidden="true"')
    assert html.count("<svg") == html.count('role="img"') + hidden
    # an item chart's statements are text (selectable, wrapping), each above its bar, a chart
    # named by the statement and its shares; the legend above them carries the chart's title
    charts = html.count('<div class="likert">')
    assert charts == html.count('class="chart likert-legend" role="img"') >= 5
    bars = html.count('class="chart likert-chart" role="img"')
    assert bars == html.count('<p class="lk-label">') > charts
    assert "<title>Goals agreed by all partners: " in html
    assert "Goals agreed by all partners</p>" in html
    # the dot chart's axis numbers are HTML text at the table's size, not a scaled drawing
    assert (
        '<div class="dot-axis" aria-hidden="true"' in html
        and "<svg" not in html.split('<div class="dot-axis"')[1].split("</div>")[0]
    )
    assert 'role="img"' in html and 'scope="col"' in html and 'scope="row"' in html
    assert html.count("<h1") >= 9 and "<caption>" in html
    assert "Strength" in html or "Needs attention" in html or "Concern" in html


def test_both_languages_render(demo_scores):
    idh = render_html(build_context(demo_scores, STRONG, lang="id"))
    enh = render_html(build_context(demo_scores, STRONG, lang="en"))
    assert "Ringkasan" in idh and "Rencana aksi" in idh and "Summary" not in idh
    assert "Summary" in enh and "Action plan" in enh


def test_comments_can_be_left_out(demo_scores):
    html = render_html(build_context(demo_scores, HOSTILE_NAME, lang="id", include_comments=False))
    assert "onerror" not in html and 'id="comments"' not in html


def test_suppressed_page_has_no_scores(demo_scores):
    html = render_html(build_context(demo_scores, SUPPRESSED, lang="en"))
    assert "Results not shown" in html and "fewer than 5" in html
    assert "Readiness index" not in html and "<svg" not in html


def test_rendering_is_deterministic(demo_scores):
    a = render_html(build_context(demo_scores, STRONG, lang="id"))
    b = render_html(build_context(demo_scores, STRONG, lang="id"))
    assert a == b


def test_template_dir_overrides_one_template(demo_scores, tmp_path):
    (tmp_path / "macros.html").write_text(
        '{% macro methods(ctx) %}<section id="methods"><h1>CUSTOM METHODS</h1></section>'
        "{% endmacro %}",
        encoding="utf-8",
    )
    html = render_html(build_context(demo_scores, STRONG, lang="en"), template_dir=tmp_path)
    assert "CUSTOM METHODS" in html and "Summary" in html


def _check_snapshot(name: str, text: str) -> None:
    """Compare ``text`` with the committed snapshot; a missing snapshot is a failure.

    KEMITRAAN_UPDATE_SNAPSHOTS=1 rewrites the snapshot (then review the diff and commit it).
    """
    target = SNAP / name
    if os.environ.get("KEMITRAAN_UPDATE_SNAPSHOTS"):
        target.write_text(text, encoding="utf-8")
    if not target.exists():
        pytest.fail(
            f"snapshot {target} is missing: run KEMITRAAN_UPDATE_SNAPSHOTS=1 pytest {__file__}, "
            "review it and commit it"
        )
    assert text == target.read_text(encoding="utf-8"), f"{name} differs from the committed snapshot"


def test_context_snapshot_is_what_build_context_makes(demo_scores):
    ctx = build_context(
        demo_scores, "Tim Terpadu Kesehatan Jiwa Kab. Gunungkidul", lang="en"
    )  # divided
    ctx["generator"] = (
        "kemitraan-assess (snapshot)"  # not the version: a release must not change the snapshot
    )
    _check_snapshot(
        "context-en.json", json.dumps(ctx, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    )


def test_html_snapshot():
    ctx = json.loads((SNAP / "context-en.json").read_text(encoding="utf-8"))
    _check_snapshot("report-en.html", render_html(ctx))


def test_missing_snapshot_fails(tmp_path, monkeypatch):
    import sys

    monkeypatch.setattr(sys.modules[__name__], "SNAP", tmp_path)
    monkeypatch.delenv("KEMITRAAN_UPDATE_SNAPSHOTS", raising=False)
    with pytest.raises(pytest.fail.Exception, match="is missing"):
        _check_snapshot("nothing.html", "x")
    assert not (tmp_path / "nothing.html").exists()
