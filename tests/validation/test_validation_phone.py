"""The validation report on a phone (360 CSS px, headless Chromium; review #1): the demo's
11-factor loadings table is wider than the screen, so it says that it scrolls, keeps the item
column in view while the numbers scroll under it, and shows a shadow at the right edge.
"""

from __future__ import annotations

import pytest

from kemitraan_assess import load_instrument
from kemitraan_assess.demo import demo_csv_bytes, make_demo_survey
from kemitraan_assess.io import ingest
from kemitraan_assess.reporting.validation_report import render_validation_html
from kemitraan_assess.validation import validate

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def demo_page(tmp_path_factory):  # type: ignore[no-untyped-def]
    inst = load_instrument("kemitraan-readiness")
    out = tmp_path_factory.mktemp("phone")
    (out / "demo.csv").write_bytes(demo_csv_bytes(make_demo_survey(inst)))
    result = validate(ingest(out / "demo.csv", inst).responses, inst, n_iter=20)
    path = out / "report.html"
    path.write_text(render_validation_html(result, inst, lang="id"), encoding="utf-8")
    return path


def test_wide_loadings_table_scrolls_with_the_item_column_in_view(demo_page, open_page) -> None:  # type: ignore[no-untyped-def]
    page = open_page(demo_page, width=360, height=740)
    hint = page.locator("p.scroll-hint").first
    assert hint.is_visible() and "Geser tabel ke samping" in hint.inner_text()
    wrap = page.locator(".table-wrap.scroll").first
    wrap.scroll_into_view_if_needed()
    sizes = wrap.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert sizes[0] > sizes[1]  # 11 factors do not fit in 360 px
    cell = page.locator("table.loadings tbody th[scope=row]").first
    before = cell.bounding_box()
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    after = cell.bounding_box()
    assert before is not None and after is not None
    assert abs(after["x"] - before["x"]) < 1  # the item id stays where it was
    shadow = wrap.evaluate("w => getComputedStyle(w).backgroundImage")
    assert "gradient" in shadow
    # on a wide screen nothing of this shows
    wide = open_page(demo_page, width=1280)
    assert not wide.locator("p.scroll-hint").first.is_visible()
