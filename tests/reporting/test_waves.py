"""The report's wave page (the statistics are tested in tests/scoring/test_stats.py)."""

import re

from kemitraan_assess.reporting import build_context, render_html

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


def test_page_one_is_the_latest_round_with_its_change(wave_scores):
    # every figure is round 2's; page 1 names the round and gives the index's change since
    # round 1, and says nothing about pooling
    from kemitraan_assess.reporting import build_context, render_html

    ctx = build_context(wave_scores, BIG, lang="id")
    p = wave_scores.partnership(BIG)
    assert p.round == "2" and p.previous is not None and p.previous.round == "1"
    assert ctx["readiness"]["index"] == p.readiness.index == p.waves.differences[-1][1].mean_current
    row = next(r for r in ctx["waves"]["rows"] if r["id"] == "readiness")
    line = ctx["executive"]["rounds"]
    w = ctx["waves"]
    how = {"naik secara meyakinkan": "naik secara meyakinkan dari", "": "berubah dari"}
    assert line.startswith(
        f"Dibandingkan dengan putaran 1 ({w['previous_desc']}), indeks kesiapan "
        f"{how.get(row['verdict'], 'berubah dari')} {row['previous_text']} ({w['previous_band']}) "
        f"menjadi {row['current_text']} ({w['current_band']})"
    )
    assert ctx["executive"]["facts"].startswith("Putaran 2: survei ")
    html = render_html(ctx)
    page_one = html.split('id="summary"')[0]
    assert line in page_one and "menggabungkan" not in html
    # the wave page compares with the previous round's own results
    assert (
        "semua angka dalam laporan ini (termasuk manfaat dan komentar) berasal dari putaran 2 ("
        in html
    )
    assert "membandingkannya dengan putaran 1 (" in html


def test_a_partnership_not_in_the_last_round_says_which_round_it_shows(wave_scores):
    from kemitraan_assess.reporting import build_context

    name = "Forum Kota Sehat Bantul"  # answered in round 1 only; the survey's last round is 2
    assert wave_scores.summary["partnerships"][name]["round"] == "1"
    for lang, text in (
        ("en", "did not take part in round 2. Every figure in this report is from round 1"),
        ("id", "tidak ikut putaran 2. Semua angka di laporan ini berasal dari putaran 1"),
    ):
        ctx = build_context(wave_scores, name, lang=lang)
        assert text in ctx["executive"]["rounds"]
        assert ctx["waves"] is None


def test_english_names_a_year_round_the_2026_round(demo_scores):
    # the demo's rounds are years: 'the 2026 round', never 'Round 2026'
    from .test_executive import SPLIT_HIDDEN

    ctx = build_context(demo_scores, SPLIT_HIDDEN, lang="en")
    assert ctx["executive"]["facts"].startswith("The 2026 round: survey ")
    assert "Compared with the 2025 round (" in ctx["executive"]["rounds"]
    assert "the 2025 round (" in ctx["waves"]["sentence"]
    assert ctx["waves"]["previous_label"] == "2025 round"
    html = render_html(ctx)
    assert not re.search(r"[Rr]ound 202[56]", html)
    # Indonesian keeps 'putaran 2026'
    ctx = build_context(demo_scores, SPLIT_HIDDEN, lang="id")
    assert ctx["executive"]["facts"].startswith("Putaran 2026: survei ")


def test_round_numbers_stay_round_1(wave_scores):
    ctx = build_context(wave_scores, BIG, lang="en")
    assert ctx["executive"]["facts"].startswith("Round 2: survey ")
    assert ctx["waves"]["previous_label"] == "Round 1"
