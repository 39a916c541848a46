"""The report's wave page (the statistics are tested in tests/scoring/test_stats.py)."""

from .conftest import BIG


def test_report_shows_the_wave_change(wave_scores):
    from kemitraan_assess.reporting import build_context, render_html

    ctx = build_context(wave_scores, BIG, lang="en")
    w = ctx["waves"]
    assert w["comparable"] and (w["previous"], w["current"]) == ("1", "2")
    gol = next(r for r in w["rows"] if r["id"] == "GOL")
    assert gol["diff"] > 0
    html = render_html(ctx)
    assert "Change since the previous round" in html and gol["diff_text"] in html
    # partnerships with a single wave get no wave section
    assert build_context(wave_scores, "Forum Kota Sehat Bantul", lang="en")["waves"] is None


def test_page_one_says_the_figures_pool_the_rounds(wave_scores):
    # the headline index pools both rounds; page 1 says so and gives the index of each round,
    # so the pooled figure is not read as the latest round's
    from kemitraan_assess.reporting import build_context, render_html

    ctx = build_context(wave_scores, BIG, lang="id")
    row = next(r for r in ctx["waves"]["rows"] if r["id"] == "readiness")
    line = ctx["executive"]["rounds"]
    assert line.startswith("Putaran: angka di laporan ini menggabungkan jawaban semua putaran.")
    assert f"dari {row['previous_text']} menjadi {row['current_text']} ({row['verdict']})" in line
    page_one = render_html(ctx).split('id="summary"')[0]
    assert line in page_one
    single = build_context(wave_scores, "Forum Kota Sehat Bantul", lang="en")
    assert single["executive"]["rounds"] == ""
