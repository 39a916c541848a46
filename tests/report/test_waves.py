"""Change since the previous wave: Welch CI of the difference.

Expected values from R 4.x stats::t.test (var.equal = FALSE), printed with digits = 12:
  x <- c(3.2,4.1,2.8,3.9,3.5,4.4,2.9); y <- c(3.9,4.6,4.2,3.1,4.8,4.4)
  t.test(y, x)$conf.int  -> -0.12664094015  1.37425998777 ; $parameter df -> 10.7215919337
Closed form, so rel = 1e-6.
"""

import numpy as np
import pandas as pd
import pytest

from kemitraan_assess.errors import InsufficientDataError
from kemitraan_assess.report.waves import order_waves, wave_change, welch_difference

X = np.array([3.2, 4.1, 2.8, 3.9, 3.5, 4.4, 2.9])
Y = np.array([3.9, 4.6, 4.2, 3.1, 4.8, 4.4])


def test_welch_matches_r_t_test():
    d = welch_difference(X, Y)
    assert d.difference == pytest.approx(Y.mean() - X.mean(), rel=1e-12)
    assert d.ci_low == pytest.approx(-0.12664094015, rel=1e-6)
    assert d.ci_high == pytest.approx(1.37425998777, rel=1e-6)
    assert d.df == pytest.approx(10.7215919337, rel=1e-6)


def test_too_few_scores_raise():
    with pytest.raises(InsufficientDataError):
        welch_difference(np.array([3.0]), Y)


def test_waves_are_ordered_in_time():
    assert order_waves(pd.Series(["10", "9", "2"])) == ["2", "9", "10"]
    assert order_waves(pd.Series(["2026-01", "2025-07"])) == ["2025-07", "2026-01"]


def test_wave_change_needs_the_minimum_in_both_waves():
    rows = pd.DataFrame({"wave": ["1"] * 6 + ["2"] * 3, "GOL": np.linspace(2, 4, 9)})
    res = wave_change(rows, "wave", ["GOL"], min_group_size=5)
    assert res["comparable"] is False and res["scales"] == {}
    assert wave_change(rows.assign(wave="1"), "wave", ["GOL"], min_group_size=5) is None


def test_wave_change_compares_the_last_two_waves():
    rows = pd.DataFrame({"wave": ["1"] * 7 + ["2"] * 6 + ["0"] * 5, "GOL": [*X, *Y, *[1.0] * 5]})
    res = wave_change(rows, "wave", ["GOL"], min_group_size=5)
    assert (res["previous"], res["current"]) == ("1", "2")
    assert res["scales"]["GOL"]["ci"][0] == pytest.approx(-0.12664094015, rel=1e-6)


def test_report_shows_the_wave_change(wave_scores):
    from kemitraan_assess.report import build_context, render_html

    from .conftest import BIG

    ctx = build_context(wave_scores, BIG, lang="en")
    w = ctx["waves"]
    assert w["comparable"] and (w["previous"], w["current"]) == ("1", "2")
    gol = next(r for r in w["rows"] if r["id"] == "GOL")
    assert gol["diff"] > 0
    html = render_html(ctx)
    assert "Change since the previous round" in html and gol["diff_text"] in html
    # partnerships with a single wave get no wave section
    assert build_context(wave_scores, "Forum Kota Sehat Bantul", lang="en")["waves"] is None
